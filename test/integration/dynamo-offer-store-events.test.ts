/**
 * Covers DynamoOfferStore's event claims against dynalite through the real AWS SDK document client
 * (claim, complete, release, busy, lease expiry, done stays done), the same contract run against
 * the in-memory fake the unit tests use; then TTL and key layout, concurrent claims, and
 * completeFailedEvent racing a change of the event. Sibling: dynamo-offer-store-offers.test.ts
 * (offer facts and decisions). How the use case drives these calls: test/unit/process-event.test.ts.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Documents } from '../../lambdas/adapters/dynamo-documents';
import { DynamoOfferStore, EVENT_RETENTION_DAYS } from '../../lambdas/adapters/dynamo-offer-store';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import type { OfferStore } from '../../lambdas/core/ports';
import { useOfferTable } from '../support/dynalite-table';
import { at, LEASE_MS, offerStoreCases, T0, unique } from '../support/dynamo-offer-store-cases';

const TABLE = 'offer-store-events-test';
const table = useOfferTable(TABLE);

describe.each(offerStoreCases(table, TABLE))('%s', (_name, makeStore) => {
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
