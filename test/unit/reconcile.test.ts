/**
 * Covers the reconciler: planReconciliation (lambdas/core/reconcile.ts) chooses exactly the inbox
 * offers that are pending, open, unexpired, not just matched and not decided; the event it plans
 * is a valid queued OfferMatched that the worker's event processor decides (and a second event
 * for the same offer does not decide again); the per-run cap. createReconciler
 * (lambdas/reconciler/reconciler.ts) with plain fakes: lists open matches, sends with the run id
 * as correlation id, counts and logs ids only (no offer content), and throws when the inbox or the
 * queue fails. The SDK clients and the real marketplace client are left to the integration and
 * infra layers (the schedule and grants are asserted in test/infra).
 */
import type { InboxOfferListItem, InboxOfferQuery } from '../../lambdas/adapters/marketplace-client';
import { parseRules } from '../../lambdas/core/config';
import { marketplaceEventSchema, queuedEventSchema, type QueuedEvent } from '../../lambdas/core/events';
import type { OfferRecord } from '../../lambdas/core/ports';
import { createEventProcessor } from '../../lambdas/core/process-event';
import {
  DEFAULT_MIN_MATCH_AGE_MS,
  planReconciliation,
  RECONCILER_TOPIC_ARN,
  type InboxOfferSummary,
} from '../../lambdas/core/reconcile';
import { createReconciler, RECONCILER_METRICS } from '../../lambdas/reconciler/reconciler';
import { inboxOffer, PHI } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { CapturingLogger, lambdaContext, RecordingMetrics } from '../support/worker-observability';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const iso = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();

const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const C = 'cccccccc-0000-4000-8000-00000000000c';

function summary(offerId: string, overrides: Partial<InboxOfferSummary> = {}): InboxOfferSummary {
  return { offerId, expiresAt: iso(HOUR), matchedAt: iso(-HOUR), matchResponse: 'pending', matchStatus: 'open', ...overrides };
}

function ids(): () => string {
  let n = 0;
  return () => `id-${++n}`;
}

const noRecord = async (): Promise<OfferRecord | undefined> => undefined;

function applied(offerId: string, action: 'accept' | 'review' = 'review'): OfferRecord {
  return {
    offerId,
    updatedAt: iso(-HOUR),
    decision: { action, rule: 'default', reason: 'test', state: 'applied', eventId: 'e-1', decidedAt: iso(-HOUR) },
  };
}

describe('planReconciliation', () => {
  it('plans one OfferMatched per pending, open, unexpired, undecided offer, in a valid queued envelope', async () => {
    const plan = await planReconciliation([summary(A), summary(B)], noRecord, NOW, { newId: ids() });

    expect(plan.events.map((e) => e.offerId)).toEqual([A, B]);
    expect(plan.seen).toBe(2);
    const [first] = plan.events;
    const queued = queuedEventSchema.parse(first?.event);
    expect(queued).toEqual({
      version: 1,
      origin: 'reconciler',
      topicArn: RECONCILER_TOPIC_ARN,
      snsMessageId: 'id-1',
      publishedAt: NOW.toISOString(),
      message: expect.any(String),
    });
    expect(marketplaceEventSchema.parse(JSON.parse(queued.message))).toEqual({
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
    const [first] = (await planReconciliation([summary(A)], noRecord, NOW)).events;
    const [second] = (await planReconciliation([summary(A)], noRecord, later)).events;
    const eventId = (e: QueuedEvent | undefined) => (JSON.parse(e?.message ?? '{}') as { event_id: string }).event_id;
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
    const plan = await planReconciliation([summary(A, overrides), summary(B)], async (id) => {
      lookups.push(id);
      return undefined;
    }, NOW);
    expect(plan.events.map((e) => e.offerId)).toEqual([B]);
    expect(plan.skipped[reason]).toBe(1);
    // The store is read only for offers that pass the inbox checks.
    expect(lookups).toEqual([B]);
  });

  it('enqueues an offer matched exactly the minimum age ago', async () => {
    const plan = await planReconciliation([summary(A, { matchedAt: iso(-DEFAULT_MIN_MATCH_AGE_MS) })], noRecord, NOW);
    expect(plan.events.map((e) => e.offerId)).toEqual([A]);
  });

  it('skips offers with an applied decision (review included) and keeps those with only an intended one', async () => {
    const records = new Map<string, OfferRecord>([
      [A, applied(A, 'review')],
      [B, { offerId: B, updatedAt: iso(-HOUR), decision: { action: 'accept', rule: 'default', reason: 'test', state: 'intended', eventId: 'e-2', decidedAt: iso(-HOUR) } }],
      [C, { offerId: C, updatedAt: iso(-HOUR), lastEventName: 'OfferMatched' }],
    ]);
    const plan = await planReconciliation([summary(A), summary(B), summary(C)], async (id) => records.get(id), NOW);
    expect(plan.events.map((e) => e.offerId)).toEqual([B, C]);
    expect(plan.skipped.decided).toBe(1);
  });

  it('stops planning at the cap, counts the rest without reading the store for them', async () => {
    const lookups: string[] = [];
    const offers = [summary(A), summary(B), summary(C), summary('d', { matchResponse: 'accepted' })];
    const plan = await planReconciliation(offers, async (id) => {
      lookups.push(id);
      return undefined;
    }, NOW, { maxEvents: 1 });
    expect(plan.events.map((e) => e.offerId)).toEqual([A]);
    expect(plan.skippedByCap).toBe(2);
    expect(plan.skipped['not-actionable']).toBe(1);
    expect(plan.seen).toBe(4);
    expect(lookups).toEqual([A]);
  });

  it('skips an offer whose event id would be too long for the worker, instead of sending it to the DLQ', async () => {
    const plan = await planReconciliation([summary('x'.repeat(120)), summary(A)], noRecord, NOW);
    expect(plan.events.map((e) => e.offerId)).toEqual([A]);
    expect(plan.skipped.invalid).toBe(1);
  });

  it('propagates a store failure', async () => {
    await expect(planReconciliation([summary(A)], () => Promise.reject(new Error('dynamo down')), NOW)).rejects.toThrow('dynamo down');
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
    const [planned] = (await planReconciliation([summary(A)], (id) => store.getOffer(id), NOW)).events;
    if (planned === undefined) throw new Error('expected one planned event');
    expect((await processor.process(planned.event)).outcome).toBe('decided');
    expect(marketplace.actions()).toHaveLength(1);

    const sns = { event_source: 'alayamarket.offers', event_name: 'OfferMatched', event_id: 'sns-event-1', timestamp: iso(-HOUR), offer_id: A };
    expect((await processor.processEvent(sns)).outcome).toBe('already-decided');
    expect(marketplace.actions()).toHaveLength(1);
    // And the next run leaves the decided offer alone.
    const next = await planReconciliation([summary(A)], (id) => store.getOffer(id), new Date(NOW.getTime() + HOUR / 4));
    expect(next.events).toEqual([]);
    expect(next.skipped.decided).toBe(1);
  });
});

/** An inbox list item as the marketplace client yields it, client data included to prove it is dropped. */
function listItem(offerId: string, overrides: { response?: 'pending' | 'accepted'; expiresAt?: string } = {}): InboxOfferListItem {
  return {
    offer: {
      id: offerId,
      care_type: 'psw',
      offer_type: 'visit',
      expires_at: overrides.expiresAt ?? iso(HOUR),
      start_at: iso(2 * HOUR),
      created_at: iso(-2 * HOUR),
      // Extra fields pass through the client's loose schema; none may reach a log line.
      allergies: PHI.allergy,
    },
    match: { id: `m-${offerId}`, response: overrides.response ?? 'pending', status: 'open', sequence_id: 's-1', created_at: iso(-HOUR) },
  };
}

interface Harness {
  queries: Omit<InboxOfferQuery, 'page'>[];
  sent: { event: QueuedEvent; attributes: { snsMessageId: string; correlationId: string } }[];
  logger: CapturingLogger;
  metrics: RecordingMetrics;
  store: MemoryOfferStore;
}

function harness(items: InboxOfferListItem[], options: { failSendAt?: number; failInbox?: boolean } = {}) {
  const h: Harness = { queries: [], sent: [], logger: new CapturingLogger(), metrics: new RecordingMetrics(), store: new MemoryOfferStore() };
  const handler = createReconciler({
    inbox: {
      inboxOffers(query) {
        h.queries.push(query);
        return (async function* () {
          for (const item of items) yield item;
          if (options.failInbox) throw Object.assign(new Error('listInboxOffers: HTTP 503'), { operation: 'listInboxOffers', status: 503 });
        })();
      },
    },
    store: h.store,
    queue: {
      async send(event, attributes) {
        if (options.failSendAt === h.sent.length) throw new Error('SQS unavailable');
        h.sent.push({ event, attributes });
        return `sqs-${h.sent.length}`;
      },
    },
    logger: h.logger,
    metrics: h.metrics,
    now: () => NOW,
    newRunId: () => 'run-1',
  });
  return { h, handler };
}

describe('createReconciler', () => {
  it('lists open matches, enqueues the undecided offers with the run id as correlation id, and counts them', async () => {
    const { h, handler } = harness([listItem(A), listItem(B, { response: 'accepted' }), listItem(C)]);
    h.store.offers.set(C, applied(C));

    const result = await handler({}, lambdaContext(() => 60_000));

    expect(h.queries).toEqual([{ status: 'open' }]);
    expect(h.sent.map((s) => JSON.parse(s.event.message).offer_id)).toEqual([A]);
    expect(h.sent[0]?.attributes).toEqual({ snsMessageId: h.sent[0]?.event.snsMessageId, correlationId: 'request-1' });
    expect(result).toEqual(expect.objectContaining({ runId: 'request-1', seen: 3, enqueued: 1, skippedByCap: 0 }));
    expect(h.metrics.published).toEqual([
      expect.objectContaining({ [RECONCILER_METRICS.seen]: 3, [RECONCILER_METRICS.enqueued]: 1 }),
    ]);
    expect(h.logger.withMessage('Offer enqueued for the worker').map((l) => l.offerId)).toEqual([A]);
  });

  it('uses its own run id without a Lambda context, and ignores list items without an offer or match', async () => {
    const { h, handler } = harness([listItem(A), { match: listItem(B).match }]);
    const result = await handler();
    expect(result).toEqual(expect.objectContaining({ runId: 'run-1', seen: 2, incomplete: 1, enqueued: 1 }));
    expect(h.sent[0]?.attributes.correlationId).toBe('run-1');
  });

  it('logs the cap when it is reached', async () => {
    const { h } = harness([]);
    const capped = createReconciler({
      inbox: { inboxOffers: () => (async function* () { yield* [listItem(A), listItem(B), listItem(C)]; })() },
      store: h.store,
      queue: { send: async () => 'sqs-1' },
      logger: h.logger,
      metrics: h.metrics,
      now: () => NOW,
      maxEvents: 2,
    });
    const result = await capped();
    expect(result.enqueued).toBe(2);
    expect(result.skippedByCap).toBe(1);
    expect(h.logger.withMessage('Per-run cap reached; the remaining offers wait for the next run')).toEqual([
      expect.objectContaining({ skippedByCap: 1 }),
    ]);
    expect(h.metrics.published[0]).toEqual(expect.objectContaining({ [RECONCILER_METRICS.skippedByCap]: 1 }));
  });

  it('throws when the queue fails, after logging how many were enqueued, without offer content', async () => {
    const { h, handler } = harness([listItem(A), listItem(B)], { failSendAt: 1 });
    await expect(handler()).rejects.toThrow('SQS unavailable');
    expect(h.logger.withMessage('Reconciliation failed; Lambda retries the run')).toEqual([
      expect.objectContaining({ enqueued: 1, errorName: 'Error', errorMessage: 'SQS unavailable' }),
    ]);
    expect(h.metrics.published).toEqual([expect.objectContaining({ [RECONCILER_METRICS.enqueued]: 1 })]);
  });

  it('throws when the inbox fails part-way, and enqueues nothing from a partial read', async () => {
    const { h, handler } = harness([listItem(A)], { failInbox: true });
    await expect(handler()).rejects.toThrow('HTTP 503');
    expect(h.sent).toEqual([]);
    expect(h.logger.withMessage('Reconciliation failed; Lambda retries the run')).toEqual([
      expect.objectContaining({ errorName: 'Error', operation: 'listInboxOffers', status: 503 }),
    ]);
  });

  it('never logs offer content (client data, dates, care type)', async () => {
    const { h, handler } = harness([listItem(A), listItem(B, { expiresAt: iso(-1) })]);
    await handler();
    const text = h.logger.text();
    expect(h.logger.lines.length).toBeGreaterThan(0);
    for (const value of [PHI.allergy, iso(HOUR), iso(2 * HOUR), 'psw']) expect(text).not.toContain(value);
  });
});
