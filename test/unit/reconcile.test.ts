/**
 * Covers planReconciliation (lambdas/core/reconcile.ts): it chooses exactly the inbox offers that
 * are pending, open, unexpired and not just matched, and in the store neither settled (applied or
 * resolved), nor held by a worker (an intent younger than the grace), nor within the backoff of
 * the reconciler's earlier enqueues; one event per shift (the first offer by id, none while the
 * shift is held); due offers ordered fewest enqueues first, then soonest to expire, under the
 * per-run cap. The event it plans is a valid queued OfferMatched that the worker's event processor
 * decides (and a second event for the same offer does not decide again). The handler around it
 * (inbox paging, enqueue marks, logs and metrics) is test/unit/reconciler-run.test.ts.
 */
import * as v from 'valibot';
import { parseRules } from '../../lambdas/core/config';
import {
  marketplaceEventSchema,
  queuedEventSchema,
  type QueuedEvent,
} from '../../lambdas/core/events';
import type { OfferRecord, RecordedDecision } from '../../lambdas/core/ports';
import { createEventProcessor } from '../../lambdas/core/process-event';
import {
  BACKOFF_MAX_MS,
  DEFAULT_INTENT_GRACE_MS,
  DEFAULT_MIN_MATCH_AGE_MS,
  planReconciliation,
  RECONCILER_TOPIC_ARN,
  reconcilerBackoffMs,
  type InboxOfferSummary,
} from '../../lambdas/core/reconcile';
import { inboxOffer } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const iso = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();

const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const C = 'cccccccc-0000-4000-8000-00000000000c';
const D = 'dddddddd-0000-4000-8000-00000000000d';

function summary(offerId: string, overrides: Partial<InboxOfferSummary> = {}): InboxOfferSummary {
  return {
    offerId,
    expiresAt: iso(HOUR),
    matchedAt: iso(-HOUR),
    matchResponse: 'pending',
    matchStatus: 'open',
    ...overrides,
  };
}

function ids(): () => string {
  let n = 0;
  return () => `id-${++n}`;
}

const noRecord = async (): Promise<OfferRecord | undefined> => undefined;

function decided(
  offerId: string,
  state: RecordedDecision['state'],
  decidedAt = iso(-HOUR),
  action: 'accept' | 'review' = 'review',
): OfferRecord {
  return {
    offerId,
    updatedAt: decidedAt,
    decision: { action, rule: 'default', reason: 'test', state, eventId: 'e-1', decidedAt },
  };
}

const applied = (offerId: string, action: 'accept' | 'review' = 'review') =>
  decided(offerId, 'applied', iso(-HOUR), action);

function enqueued(offerId: string, enqueues: number, agoMs: number): OfferRecord {
  return { offerId, updatedAt: iso(-agoMs), reconciler: { lastEnqueuedAt: iso(-agoMs), enqueues } };
}

const lookup = (records: OfferRecord[]) => {
  const byId = new Map(records.map((r) => [r.offerId, r]));
  return async (id: string) => byId.get(id);
};
const planned = (plan: { events: { offerId: string }[] }) => plan.events.map((e) => e.offerId);

describe('planReconciliation', () => {
  it('plans one OfferMatched per pending, open, unexpired, undecided offer, in a valid queued envelope', async () => {
    const plan = await planReconciliation([summary(A), summary(B)], noRecord, NOW, {
      newId: ids(),
    });

    expect(plan.events.map((e) => e.offerId)).toEqual([A, B]);
    expect(plan.seen).toBe(2);
    const queued = v.parse(queuedEventSchema, plan.events.at(0)?.event);
    expect(queued).toEqual({
      version: 1,
      origin: 'reconciler',
      topicArn: RECONCILER_TOPIC_ARN,
      snsMessageId: 'id-1',
      publishedAt: NOW.toISOString(),
      message: expect.any(String),
    });
    expect(v.parse(marketplaceEventSchema, JSON.parse(queued.message))).toEqual({
      event_source: 'alayamarket.offers',
      event_name: 'OfferMatched',
      event_id: `reconciler-${A}-${NOW.getTime()}`,
      timestamp: NOW.toISOString(),
      offer_id: A,
      id: A,
    });
    expect(plan.events[1]?.event.snsMessageId).toBe('id-2');
  });

  it('gives each run its own event id for the same offer', async () => {
    const later = new Date(NOW.getTime() + 15 * 60 * 1000);
    const first = (await planReconciliation([summary(A)], noRecord, NOW)).events.at(0);
    const second = (await planReconciliation([summary(A)], noRecord, later)).events.at(0);
    const eventId = (e: QueuedEvent | undefined) =>
      (JSON.parse(e?.message ?? '{}') as { event_id: string }).event_id;
    expect(eventId(first?.event)).not.toBe(eventId(second?.event));
    expect(first?.event.snsMessageId).not.toBe(second?.event.snsMessageId);
  });

  it.each([
    ['accepted', { matchResponse: 'accepted' }, 'not-actionable'],
    ['declined', { matchResponse: 'declined' }, 'not-actionable'],
    ['closed match', { matchStatus: 'closed' }, 'not-actionable'],
    ['null match status', { matchStatus: null }, 'not-actionable'],
    ['expired', { expiresAt: iso(-1) }, 'expired'],
    ['expiring now', { expiresAt: iso(0) }, 'expired'],
    ['unreadable expiry', { expiresAt: 'soon' }, 'expired'],
    ['just matched', { matchedAt: iso(-DEFAULT_MIN_MATCH_AGE_MS + 1) }, 'too-recent'],
  ] as const)('skips an offer that is %s', async (_label, overrides, reason) => {
    const lookups: string[] = [];
    const plan = await planReconciliation(
      [summary(A, overrides), summary(B)],
      async (id) => {
        lookups.push(id);
        return undefined;
      },
      NOW,
    );
    expect(plan.events.map((e) => e.offerId)).toEqual([B]);
    expect(plan.skipped[reason]).toBe(1);
    // The store is read only for offers that pass the inbox checks.
    expect(lookups).toEqual([B]);
  });

  it('enqueues an offer matched exactly the minimum age ago', async () => {
    const plan = await planReconciliation(
      [summary(A, { matchedAt: iso(-DEFAULT_MIN_MATCH_AGE_MS) })],
      noRecord,
      NOW,
    );
    expect(plan.events.map((e) => e.offerId)).toEqual([A]);
  });

  it('skips offers whose decision is settled (applied, review included, or resolved), and repairs an intent older than the grace', async () => {
    const records = [
      applied(A, 'review'),
      decided(B, 'resolved'),
      decided(C, 'intended', iso(-DEFAULT_INTENT_GRACE_MS)),
      { offerId: D, updatedAt: iso(-HOUR), lastEventName: 'OfferMatched' },
    ];
    const plan = await planReconciliation(
      [summary(A), summary(B), summary(C), summary(D)],
      lookup(records),
      NOW,
    );
    expect(planned(plan)).toEqual([C, D]);
    expect(plan.skipped.decided).toBe(2);
  });

  it('keeps a dry run’s decisions decided, unless a live connector was asked to decide them again', async () => {
    const dry = (offerId: string): OfferRecord => {
      const record = applied(offerId, 'accept');
      return { ...record, decision: { ...(record.decision as RecordedDecision), dryRun: true } };
    };
    const records = [dry(A), applied(B, 'accept')];
    const kept = await planReconciliation([summary(A), summary(B)], lookup(records), NOW, {
      newId: ids(),
    });
    expect(planned(kept)).toEqual([]);
    const redecided = await planReconciliation([summary(A), summary(B)], lookup(records), NOW, {
      newId: ids(),
      redecideDryRun: true,
    });
    expect(planned(redecided)).toEqual([A]);
  });

  it('skips an offer a worker holds: an intended decision younger than the grace (in-flight)', async () => {
    const records = [
      decided(A, 'intended', iso(-DEFAULT_INTENT_GRACE_MS + 1)),
      decided(B, 'intended', iso(-9 * MINUTE)),
    ];
    const plan = await planReconciliation(
      [summary(A), summary(B), summary(C)],
      lookup(records),
      NOW,
    );
    expect(planned(plan)).toEqual([C]);
    expect(plan.skipped['in-flight']).toBe(2);
  });

  it('treats an unreadable intent time as old: the offer is repaired rather than left stuck', async () => {
    const plan = await planReconciliation(
      [summary(A)],
      lookup([decided(A, 'intended', 'yesterday-ish')]),
      NOW,
    );
    expect(planned(plan)).toEqual([A]);
  });

  it('stops at the cap and counts the due offers beyond it; reads the store for every offer that passes the inbox checks', async () => {
    const lookups: string[] = [];
    const offers = [summary(A), summary(B), summary(C), summary(D, { matchResponse: 'accepted' })];
    const plan = await planReconciliation(
      offers,
      async (id) => {
        lookups.push(id);
        return undefined;
      },
      NOW,
      { maxEvents: 1 },
    );
    expect(planned(plan)).toEqual([A]);
    expect(plan.skippedByCap).toBe(2);
    expect(plan.skipped['not-actionable']).toBe(1);
    expect(plan.seen).toBe(4);
    expect(lookups).toEqual([A, B, C]);
  });

  it('skips an offer whose event id would be too long for the worker, instead of sending it to the DLQ', async () => {
    const plan = await planReconciliation([summary('x'.repeat(120)), summary(A)], noRecord, NOW);
    expect(plan.events.map((e) => e.offerId)).toEqual([A]);
    expect(plan.skipped.invalid).toBe(1);
  });

  it('propagates a store failure', async () => {
    await expect(
      planReconciliation([summary(A)], () => Promise.reject(new Error('dynamo down')), NOW),
    ).rejects.toThrow('dynamo down');
  });

  it('plans an event the worker decides once; SNS delivering the same offer afterwards does not decide again', async () => {
    const marketplace = fakeMarketplace(inboxOffer({ id: A }));
    const store = new MemoryOfferStore();
    const processor = createEventProcessor({
      marketplace,
      store,
      units: store,
      rules: parseRules(JSON.stringify({ defaultAction: 'accept', rules: [] })),
      role: 'supply',
      now: () => NOW,
    });
    const planned = (
      await planReconciliation([summary(A)], (id) => store.getOffer(id), NOW)
    ).events.at(0);
    if (planned === undefined) throw new Error('expected one planned event');
    expect((await processor.process(planned.event)).outcome).toBe('decided');
    expect(marketplace.actions()).toHaveLength(1);

    const sns = {
      event_source: 'alayamarket.offers',
      event_name: 'OfferMatched',
      event_id: 'sns-event-1',
      timestamp: iso(-HOUR),
      offer_id: A,
    };
    expect((await processor.processEvent(sns)).outcome).toBe('already-decided');
    expect(marketplace.actions()).toHaveLength(1);
    // And the next run leaves the decided offer alone.
    const next = await planReconciliation(
      [summary(A)],
      (id) => store.getOffer(id),
      new Date(NOW.getTime() + HOUR / 4),
    );
    expect(next.events).toEqual([]);
    expect(next.skipped.decided).toBe(1);
  });
});

describe('planReconciliation: backoff of offers enqueued before', () => {
  it('grows 10 minutes x 2^(n-1) with the enqueue count, capped at 6 hours', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 50, 5000].map(reconcilerBackoffMs)).toEqual([
      0,
      10 * MINUTE,
      20 * MINUTE,
      40 * MINUTE,
      80 * MINUTE,
      160 * MINUTE,
      320 * MINUTE,
      BACKOFF_MAX_MS,
      BACKOFF_MAX_MS,
      BACKOFF_MAX_MS,
    ]);
    expect(BACKOFF_MAX_MS).toBe(6 * HOUR);
  });

  it.each([
    [1, 10 * MINUTE - 1, 'backed-off'],
    [1, 10 * MINUTE, 'due'],
    [3, 39 * MINUTE, 'backed-off'],
    [3, 41 * MINUTE, 'due'],
    [12, 5 * HOUR, 'backed-off'],
    [12, 6 * HOUR, 'due'],
  ] as const)(
    'after %i enqueue(s), %i ms later the offer is %s',
    async (enqueues, agoMs, expected) => {
      const plan = await planReconciliation(
        [summary(A)],
        lookup([enqueued(A, enqueues, agoMs)]),
        NOW,
      );
      expect(planned(plan)).toEqual(expected === 'due' ? [A] : []);
      expect(plan.skipped['backed-off']).toBe(expected === 'due' ? 0 : 1);
      expect(plan.events[0]?.previousEnqueues ?? enqueues).toBe(enqueues);
    },
  );

  it('puts offers never enqueued first, then fewer enqueues, then the soonest to expire, so failing offers cannot starve the cap', async () => {
    const records = [enqueued(A, 5, 7 * HOUR), enqueued(B, 1, HOUR)];
    const offers = [
      summary(A),
      summary(B),
      summary(C, { expiresAt: iso(3 * HOUR) }),
      summary(D, { expiresAt: iso(2 * HOUR) }),
    ];
    const all = await planReconciliation(offers, lookup(records), NOW);
    expect(planned(all)).toEqual([D, C, B, A]);
    expect(all.events.map((e) => e.previousEnqueues)).toEqual([0, 0, 1, 5]);

    const capped = await planReconciliation(offers, lookup(records), NOW, { maxEvents: 2 });
    expect(planned(capped)).toEqual([D, C]);
    expect(capped.skippedByCap).toBe(2);
  });
});

describe('planReconciliation: one event per shift', () => {
  const S = 'shift-1';

  it('enqueues the first offer of a shift by id and counts the others as same-shift; offers of other shifts and lone offers are their own units', async () => {
    const offers = [
      summary(C, { shiftId: S }),
      summary(A, { shiftId: S }),
      summary(B, { shiftId: 'shift-2' }),
      summary(D),
    ];
    const plan = await planReconciliation(offers, noRecord, NOW);
    expect(planned(plan).sort()).toEqual([A, B, D]);
    expect(plan.skipped['same-shift']).toBe(1);
  });

  it('passes over a settled offer of the shift: the next undecided one carries the event', async () => {
    const plan = await planReconciliation(
      [summary(A, { shiftId: S }), summary(B, { shiftId: S }), summary(C, { shiftId: S })],
      lookup([applied(A)]),
      NOW,
    );
    expect(planned(plan)).toEqual([B]);
    expect(plan.skipped).toEqual(expect.objectContaining({ decided: 1, 'same-shift': 1 }));
  });

  it.each([
    ['held by a worker', decided(B, 'intended', iso(-MINUTE)), 'in-flight'],
    ['backed off', enqueued(B, 1, MINUTE), 'backed-off'],
  ] as const)(
    'sends nothing for a shift while one of its offers is %s',
    async (_label, record, reason) => {
      const plan = await planReconciliation(
        [
          summary(A, { shiftId: S }),
          summary(B, { shiftId: S }),
          summary(C, { shiftId: S }),
          summary(D),
        ],
        lookup([record]),
        NOW,
      );
      expect(planned(plan)).toEqual([D]);
      expect(plan.skipped[reason]).toBe(1);
      expect(plan.skipped['same-shift']).toBe(2);
    },
  );

  it('counts a whole shift as one unit against the cap', async () => {
    const plan = await planReconciliation(
      [summary(A, { shiftId: S }), summary(B, { shiftId: S }), summary(C)],
      noRecord,
      NOW,
      { maxEvents: 1 },
    );
    expect(plan.events).toHaveLength(1);
    expect(plan.skippedByCap).toBe(1);
    expect(plan.skipped['same-shift']).toBe(1);
  });
});
