/**
 * Covers DynamoOfferStore against dynalite through the real AWS SDK document client: event claims
 * (claim, complete, release, busy, lease expiry, done stays done), TTL and key layout, offer facts
 * that never overwrite the decision, and an applied decision or assignment never downgraded to intended.
 * The same contract runs against the in-memory fake the unit tests use, so the fake cannot drift.
 * How the use case drives these calls is left to test/unit/process-event.test.ts.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  DecisionConflictError,
  DynamoOfferStore,
  EVENT_RETENTION_DAYS,
} from '../../lambdas/adapters/dynamo-offer-store';
import { Documents } from '../../lambdas/adapters/dynamo-documents';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import {
  MAX_SEEN_EVENTS,
  type OfferFacts,
  type OfferStore,
  type RecordedAssignment,
  type RecordedDecision,
} from '../../lambdas/core/ports';
import { useOfferTable } from '../support/dynalite-table';
import { MemoryOfferStore } from '../support/offer-memory-store';

const TABLE = 'offers-test';
const LEASE_MS = 60_000;
const T0 = new Date('2026-05-01T08:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const table = useOfferTable(TABLE);

let counter = 0;
/** Ids unique per test, so tests share one table without seeing each other. */
const unique = (prefix: string) => `${prefix}-${++counter}`;

function decision(
  state: RecordedDecision['state'],
  overrides: Partial<RecordedDecision> = {},
): RecordedDecision {
  return {
    action: 'accept',
    rule: 'psw visits',
    reason: 'rule "psw visits": care_type matched',
    comment: 'Glad to help',
    state,
    eventId: 'event-1',
    decidedAt: T0.toISOString(),
    ...overrides,
  };
}

describe.each([
  [
    'DynamoOfferStore on dynalite',
    () => new DynamoOfferStore(table.documents(), TABLE) as OfferStore,
  ],
  ['MemoryOfferStore (unit-test fake)', () => new MemoryOfferStore() as OfferStore],
])('%s', (_name, makeStore) => {
  let store: OfferStore;
  beforeEach(() => {
    store = makeStore();
  });

  describe('event claims', () => {
    it('claims a new event, then reports it busy while the lease runs', async () => {
      const id = unique('event');
      expect(await store.claimEvent(id, T0, LEASE_MS)).toBe('claimed');
      expect(await store.claimEvent(id, at(1000), LEASE_MS)).toBe('busy');
      expect(await store.claimEvent(id, at(LEASE_MS - 1), LEASE_MS)).toBe('busy');
    });

    it('lets another invocation take the event once the lease has expired', async () => {
      const id = unique('event');
      await store.claimEvent(id, T0, LEASE_MS);
      expect(await store.claimEvent(id, at(LEASE_MS + 1), LEASE_MS)).toBe('claimed');
      // The new claim has its own lease.
      expect(await store.claimEvent(id, at(LEASE_MS + 2), LEASE_MS)).toBe('busy');
    });

    it('reports a completed event as done, forever after', async () => {
      const id = unique('event');
      await store.claimEvent(id, T0, LEASE_MS);
      await store.completeEvent(id, at(10), {
        eventName: 'OfferMatched',
        offerId: 'offer-1',
        outcome: 'decided',
      });
      expect(await store.claimEvent(id, at(20), LEASE_MS)).toBe('done');
      expect(await store.claimEvent(id, at(10 * LEASE_MS), LEASE_MS)).toBe('done');
    });

    it('frees a released event for an immediate retry', async () => {
      const id = unique('event');
      await store.claimEvent(id, T0, LEASE_MS);
      await store.releaseEvent(id);
      expect(await store.claimEvent(id, at(1), LEASE_MS)).toBe('claimed');
    });

    it('never forgets a completed event on release', async () => {
      const id = unique('event');
      await store.claimEvent(id, T0, LEASE_MS);
      await store.completeEvent(id, at(10), { eventName: 'OfferClosed', outcome: 'recorded' });
      await store.releaseEvent(id);
      expect(await store.claimEvent(id, at(20), LEASE_MS)).toBe('done');
    });

    it('keeps a failed attempt with its error (no message) and lets the next attempt claim it at once', async () => {
      const id = unique('event');
      await store.claimEvent(id, T0, LEASE_MS);
      await store.releaseEvent(id, {
        errorName: 'MarketplaceError',
        operation: 'acceptInboxOffer',
        status: 503,
        at: at(5).toISOString(),
      });
      expect(await store.claimEvent(id, at(10), LEASE_MS)).toBe('claimed');
      expect(await store.claimEvent(id, at(20), LEASE_MS)).toBe('busy');
      await store.releaseEvent(id, { errorName: 'UnitBusyError', at: at(30).toISOString() });
      await store.completeEvent(id, at(40), { eventName: 'OfferMatched', outcome: 'decided' });
      await store.releaseEvent(id, { errorName: 'Late', at: at(50).toISOString() });
      expect(await store.claimEvent(id, at(60), LEASE_MS)).toBe('done');
    });

    it('marks an unclaimed event done once a retry finishes it, only if an attempt left it failed', async () => {
      const outcome = { eventName: 'OfferMatched', outcome: 'recovered', offerId: 'offer-1' };
      const failed = unique('event');
      await store.releaseEvent(failed, { errorName: 'Error', at: at(5).toISOString() });
      await store.completeFailedEvent(failed, at(10), outcome);
      expect(await store.claimEvent(failed, at(20), LEASE_MS)).toBe('done');

      // No failure on record: nothing is written, so nothing is remembered done.
      const never = unique('event');
      await store.completeFailedEvent(never, at(10), outcome);
      expect(await store.claimEvent(never, at(20), LEASE_MS)).toBe('claimed');

      // Claimed (by an older version that claimed every event): left to its holder.
      const held = unique('event');
      await store.claimEvent(held, T0, LEASE_MS);
      await store.completeFailedEvent(held, at(10), outcome);
      expect(await store.claimEvent(held, at(20), LEASE_MS)).toBe('busy');
    });

    it('releases an unknown event without error', async () => {
      await expect(store.releaseEvent(unique('never-claimed'))).resolves.toBeUndefined();
    });
  });

  describe('offers', () => {
    it('returns undefined for an unknown offer', async () => {
      expect(await store.getOffer(unique('offer'))).toBeUndefined();
    });

    it('creates an offer from facts and merges later facts, leaving unspecified fields alone', async () => {
      const offerId = unique('offer');
      await store.recordOfferFacts({
        offerId,
        shiftId: 'shift-1',
        careType: 'psw',
        offerType: 'visit',
        lastEventName: 'OfferMatched',
        lastEventAt: '2026-05-01T08:00:00Z',
        matchResponse: 'pending',
        matchStatus: 'open',
        updatedAt: '2026-05-01T08:00:01Z',
      });
      await store.recordOfferFacts({
        offerId,
        lastEventName: 'OfferClosed',
        lastEventAt: '2026-05-01T09:00:00Z',
        updatedAt: '2026-05-01T09:00:01Z',
      });

      expect(await store.getOffer(offerId)).toEqual({
        offerId,
        shiftId: 'shift-1',
        careType: 'psw',
        offerType: 'visit',
        lastEventName: 'OfferClosed',
        lastEventAt: '2026-05-01T09:00:00Z',
        matchResponse: 'pending',
        matchStatus: 'open',
        updatedAt: '2026-05-01T09:00:01Z',
      });
    });

    it('stores a null match status', async () => {
      const offerId = unique('offer');
      await store.recordOfferFacts({
        offerId,
        matchResponse: 'accepted',
        matchStatus: null,
        updatedAt: T0.toISOString(),
      });
      expect((await store.getOffer(offerId))?.matchStatus).toBeNull();
    });

    it('creates the offer item from a decision alone', async () => {
      const offerId = unique('offer');
      await store.recordDecision(offerId, decision('intended'));
      expect(await store.getOffer(offerId)).toEqual({
        offerId,
        updatedAt: T0.toISOString(),
        decision: decision('intended'),
      });
    });

    it('never lets facts overwrite the decision', async () => {
      const offerId = unique('offer');
      await store.recordDecision(offerId, decision('applied'));
      await store.recordOfferFacts({
        offerId,
        careType: 'psw',
        matchResponse: 'accepted',
        lastEventName: 'OfferMatched',
        updatedAt: at(5000).toISOString(),
      });
      // Even a record that smuggles a decision in (the type forbids it; JavaScript does not).
      const smuggled = {
        offerId,
        lastEventName: 'OfferFulfilled',
        updatedAt: at(6000).toISOString(),
        decision: decision('intended', { action: 'decline' }),
      };
      await store.recordOfferFacts(smuggled);

      const record = await store.getOffer(offerId);
      expect(record?.decision).toEqual(decision('applied'));
      expect(record).toMatchObject({
        careType: 'psw',
        matchResponse: 'accepted',
        lastEventName: 'OfferFulfilled',
      });
    });

    it('moves a decision from intended to applied', async () => {
      const offerId = unique('offer');
      await store.recordDecision(offerId, decision('intended'));
      await store.recordDecision(offerId, decision('applied'));
      expect((await store.getOffer(offerId))?.decision?.state).toBe('applied');
    });

    it('never downgrades an applied decision to intended', async () => {
      const offerId = unique('offer');
      await store.recordDecision(offerId, decision('applied'));

      await expect(
        store.recordDecision(
          offerId,
          decision('intended', { action: 'decline', eventId: 'event-2' }),
        ),
      ).rejects.toBeInstanceOf(DecisionConflictError);
      expect((await store.getOffer(offerId))?.decision).toEqual(decision('applied'));
    });

    it('lets an intended decision replace a settled dry-run decision (a live connector asked to redecide)', async () => {
      const offerId = unique('offer');
      await store.recordDecision(offerId, decision('applied', { dryRun: true }));
      await store.recordDecision(offerId, decision('intended', { eventId: 'event-live' }));
      expect((await store.getOffer(offerId))?.decision).toEqual(
        decision('intended', { eventId: 'event-live' }),
      );
    });

    it('lets an intended decision replace exactly the settled decision it names (an operator replay), no other', async () => {
      const id = unique('offer');
      await store.recordDecision(id, decision('applied', { action: 'review', eventId: 'event-a' }));
      await expect(
        store.recordDecision(
          id,
          decision('intended', { eventId: 'event-b', replacesEventId: 'event-x' }),
        ),
      ).rejects.toBeInstanceOf(DecisionConflictError);
      await store.recordDecision(
        id,
        decision('intended', { eventId: 'event-b', replacesEventId: 'event-a' }),
      );
      expect((await store.getOffer(id))?.decision).toMatchObject({
        state: 'intended',
        eventId: 'event-b',
      });
    });

    it('keeps the events seen in order, once each, the latest MAX_SEEN_EVENTS', async () => {
      const id = unique('offer');
      const seen = (n: number) => ({
        name: n === 0 ? 'OfferMatched' : 'OfferClosed',
        at: at(n).toISOString(),
        eventId: `event-${n}`,
      });
      await store.recordOfferFacts({
        offerId: id,
        updatedAt: T0.toISOString(),
        seenEvent: seen(0),
      });
      // A retried write of the same event appends nothing.
      await store.recordOfferFacts({
        offerId: id,
        updatedAt: T0.toISOString(),
        seenEvent: seen(0),
      });
      await store.recordOfferFacts({
        offerId: id,
        updatedAt: T0.toISOString(),
        seenEvent: seen(1),
      });
      expect((await store.getOffer(id))?.events).toEqual([seen(0), seen(1)]);
      for (let n = 2; n < MAX_SEEN_EVENTS + 5; n++)
        await store.recordOfferFacts({
          offerId: id,
          updatedAt: T0.toISOString(),
          seenEvent: seen(n),
        });
      const events = (await store.getOffer(id))?.events ?? [];
      expect(events).toHaveLength(MAX_SEEN_EVENTS);
      expect(events[0]).toEqual(seen(5));
      expect(events.at(-1)).toEqual(seen(MAX_SEEN_EVENTS + 4));
    });

    it('writes a decision with the offer facts and event given, the event once on a retry', async () => {
      const offerId = unique('offer');
      const seen = { name: 'OfferMatched', at: T0.toISOString(), eventId: 'event-1' };
      const facts: OfferFacts = {
        offerId,
        careType: 'psw',
        offerType: 'visit',
        lastEventName: 'OfferMatched',
        lastEventAt: T0.toISOString(),
        matchResponse: 'pending',
        updatedAt: T0.toISOString(),
        seenEvent: seen,
      };
      await store.recordDecision(offerId, decision('intended'), facts);
      expect(await store.getOffer(offerId)).toMatchObject({
        careType: 'psw',
        decision: { state: 'intended' },
        events: [seen],
      });
      await store.recordDecision(offerId, decision('applied'), {
        ...facts,
        matchResponse: 'accepted',
        updatedAt: at(1).toISOString(),
      });
      expect(await store.getOffer(offerId)).toEqual({
        ...facts,
        seenEvent: undefined,
        matchResponse: 'accepted',
        updatedAt: at(1).toISOString(),
        decision: decision('applied'),
        events: [seen],
      });
      // An applied decision stays applied: an intended one with facts writes neither.
      await expect(store.recordDecision(offerId, decision('intended'), facts)).rejects.toThrow(
        DecisionConflictError,
      );
      await expect(
        store.recordDecision(offerId, decision('applied'), { ...facts, offerId: 'another' }),
      ).rejects.toThrow();
    });

    it('moves an assignment from intended to applied, and never back', async () => {
      const offerId = unique('offer');
      const assignment = (
        state: RecordedAssignment['state'],
        matchId = 'match-1',
      ): RecordedAssignment => ({
        matchId,
        policy: 'first-accepted',
        state,
        eventId: 'event-1',
        decidedAt: T0.toISOString(),
      });
      const at = T0.toISOString();
      await store.recordOfferFacts({ offerId, assignment: assignment('intended'), updatedAt: at });
      await store.recordOfferFacts({ offerId, assignment: assignment('applied'), updatedAt: at });

      await expect(
        store.recordOfferFacts({
          offerId,
          assignment: assignment('intended', 'match-2'),
          updatedAt: at,
        }),
      ).rejects.toBeInstanceOf(DecisionConflictError);
      // Facts without an assignment still update freely.
      await store.recordOfferFacts({ offerId, lastEventName: 'OfferAccepted', updatedAt: at });
      expect(await store.getOffer(offerId)).toMatchObject({
        assignment: assignment('applied'),
        lastEventName: 'OfferAccepted',
      });
    });

    it('keeps decision fields that are absent out of the stored decision', async () => {
      const offerId = unique('offer');
      const review: RecordedDecision = {
        action: 'review',
        rule: 'default',
        reason: 'no rule matched',
        state: 'applied',
        eventId: 'e',
        decidedAt: T0.toISOString(),
      };
      await store.recordDecision(offerId, review);
      expect((await store.getOffer(offerId))?.decision).toEqual(review);
    });
  });
});

describe('DynamoOfferStore item layout', () => {
  it('keys events EVENT#<id>/EVENT with a TTL about 30 days out, and offers OFFER#<id>/OFFER', async () => {
    const store = new DynamoOfferStore(table.documents(), TABLE);
    const eventId = unique('event');
    const offerId = unique('offer');
    await store.claimEvent(eventId, T0, LEASE_MS);
    await store.completeEvent(eventId, at(1000), {
      eventName: 'OfferMatched',
      offerId,
      outcome: 'decided',
    });
    await store.recordOfferFacts({ offerId, careType: 'nursing', updatedAt: T0.toISOString() });

    const event = await table.documentClient().send(
      new GetCommand({
        TableName: TABLE,
        Key: { [OFFER_TABLE.partitionKey]: `EVENT#${eventId}`, [OFFER_TABLE.sortKey]: 'EVENT' },
      }),
    );
    expect(event.Item).toMatchObject({
      status: 'done',
      eventName: 'OfferMatched',
      offerId,
      outcome: 'decided',
    });
    expect(event.Item?.leaseUntil).toBeUndefined();
    const ttl = event.Item?.[OFFER_TABLE.ttlAttribute] as number;
    expect(ttl).toBe(Math.floor(at(1000).getTime() / 1000) + EVENT_RETENTION_DAYS * 86400);

    const offer = await table.documentClient().send(
      new GetCommand({
        TableName: TABLE,
        Key: { [OFFER_TABLE.partitionKey]: `OFFER#${offerId}`, [OFFER_TABLE.sortKey]: 'OFFER' },
      }),
    );
    expect(offer.Item).toMatchObject({
      [OFFER_TABLE.partitionKey]: `OFFER#${offerId}`,
      careType: 'nursing',
      createdAt: T0.toISOString(),
    });
    // The key holds the offer id: the item keeps no copy of it (bytes are write units).
    expect(offer.Item).not.toHaveProperty('offerId');
    // Offers are the audit trail of decisions: they carry no TTL.
    expect(offer.Item?.[OFFER_TABLE.ttlAttribute]).toBeUndefined();
  });

  it('keeps createdAt from the first write', async () => {
    const store = new DynamoOfferStore(table.documents(), TABLE);
    const offerId = unique('offer');
    await store.recordOfferFacts({ offerId, updatedAt: '2026-05-01T08:00:00Z' });
    await store.recordOfferFacts({ offerId, updatedAt: '2026-05-02T08:00:00Z' });
    const offer = await table.documentClient().send(
      new GetCommand({
        TableName: TABLE,
        Key: { [OFFER_TABLE.partitionKey]: `OFFER#${offerId}`, [OFFER_TABLE.sortKey]: 'OFFER' },
      }),
    );
    expect(offer.Item).toMatchObject({
      createdAt: '2026-05-01T08:00:00Z',
      updatedAt: '2026-05-02T08:00:00Z',
    });
  });

  it('lets exactly one of two concurrent claims win', async () => {
    const a = new DynamoOfferStore(table.documents(), TABLE);
    const b = new DynamoOfferStore(table.documents(), TABLE);
    const id = unique('event');
    const results = await Promise.all([
      a.claimEvent(id, T0, LEASE_MS),
      b.claimEvent(id, T0, LEASE_MS),
    ]);
    expect(results.sort()).toEqual(['busy', 'claimed']);
  });
});

describe('DynamoOfferStore.completeFailedEvent when the event changes between its read and its write', () => {
  /** A store whose reads all find the event failed, whatever the table holds by the write. */
  function storeReadingFailed(): DynamoOfferStore {
    // Its own Documents: the table's is shared by every store of the file.
    const documents = new Documents(table.raw());
    documents.get = async () => ({ Item: { status: 'failed' } });
    return new DynamoOfferStore(documents, TABLE);
  }
  const outcome = { eventName: 'OfferMatched', outcome: 'recovered', offerId: 'offer-1' };

  it('leaves an event done meanwhile with its own outcome', async () => {
    const store = new DynamoOfferStore(table.documents(), TABLE);
    const id = unique('event');
    await store.releaseEvent(id, { errorName: 'Error', at: T0.toISOString() });
    await store.completeFailedEvent(id, at(10), { ...outcome, outcome: 'decided' });

    await storeReadingFailed().completeFailedEvent(id, at(20), {
      ...outcome,
      outcome: 'duplicate',
    });
    expect(await store.getEventRecord(id)).toMatchObject({ status: 'done', outcome: 'decided' });
  });

  it('leaves an event claimed meanwhile (an older version) to its holder', async () => {
    const store = new DynamoOfferStore(table.documents(), TABLE);
    const id = unique('event');
    await store.claimEvent(id, T0, LEASE_MS);

    await storeReadingFailed().completeFailedEvent(id, at(10), outcome);
    expect(await store.getEventRecord(id)).toMatchObject({ status: 'in_progress' });
    expect(await store.claimEvent(id, at(20), LEASE_MS)).toBe('busy');
  });

  it('creates no item for an event gone meanwhile (its TTL)', async () => {
    const store = new DynamoOfferStore(table.documents(), TABLE);
    const id = unique('event');

    await storeReadingFailed().completeFailedEvent(id, at(10), outcome);
    expect(await store.getEventRecord(id)).toBeUndefined();
  });
});
