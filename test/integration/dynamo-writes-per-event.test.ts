/**
 * Counts the worker's DynamoDB calls per event at the SDK boundary (the real stores on dynalite,
 * every command seen by a middleware on the client), so that a change adding a round trip is seen:
 * each call is latency in the worker and a write unit or more on the bill (bench/cost).
 *
 * An OfferMatched answered at once, on a lone offer, whose unit is its offer's own item
 * (dynamo-unit-store.ts): the lease taken on the offer with its intended decision in one write,
 * then its applied decision with its text, facts and seen event and the lease given back in one
 * write: 2 writes and 1 read (the offer, before the lease). An OfferMatched or a referral event
 * takes no event claim (process-event.ts); every other event does, 2 writes of its own. Each
 * call's consumed capacity is counted too: with the example rules' decisions a lone offer's item
 * stays under 1 KB through its answer, lease included, so each of those writes costs 1 write unit
 * (an item past 1 KB costs 2 on every write to it). The settled decision keeps its text (reason,
 * explanation) on the offer, so the offer's write that follows an answer, a ReferralCreated's,
 * costs 2 units: its lease (no event claim), the win, mark and put together, the lease given
 * back: 3 writes, 4 units.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { parseRules } from '../../lambdas/core/config';
import { createEventProcessor } from '../../lambdas/core/process-event';
import type { MarketplaceEvent } from '../../lambdas/core/events';
import type { Notifier } from '../../lambdas/core/ports';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import {
  fakeReferralApi,
  memoryReferralPublisher,
  referralSummary,
} from '../support/referral-fakes';
import { useOfferTable } from '../support/dynalite-table';

const TABLE = 'writes-per-event-test';
const NOW = new Date('2026-05-01T08:01:00Z');
const table = useOfferTable(TABLE);

const ACCEPT_PSW = parseRules(
  JSON.stringify({
    defaultAction: 'review',
    rules: [{ name: 'psw visits', match: { care_type: ['psw'] }, action: 'accept' }],
  }),
);

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);
const READS = new Set(['GetItemCommand', 'QueryCommand']);

/**
 * DynamoDB commands sent since the last reset: the low-level name the wire sees, and the capacity
 * the table reports for it (each sent with ReturnConsumedCapacity TOTAL; dynalite bills as DynamoDB
 * does: a write by the larger of the item before and after, 1 unit per KB; a consistent read 1
 * unit per 4 KB). A refused conditional write costs DynamoDB 1 unit but reports none: it counts 1.
 */
let calls: { name: string; units: number }[] = [];

beforeAll(() => {
  table.raw().middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      try {
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } })
          .ConsumedCapacity;
        calls.push({ name, units: consumed?.CapacityUnits ?? Number.NaN });
        return result;
      } catch (error: unknown) {
        calls.push({ name, units: 1 });
        throw error;
      }
    },
    { step: 'initialize', name: 'countCalls' },
  );
});

function counts(): { writes: number; reads: number; other: string[] } {
  return {
    writes: calls.filter((c) => WRITES.has(c.name)).length,
    reads: calls.filter((c) => READS.has(c.name)).length,
    other: calls.filter((c) => !WRITES.has(c.name) && !READS.has(c.name)).map((c) => c.name),
  };
}

/** The write units of each write, in order. */
function writeUnits(): number[] {
  return calls.filter((c) => WRITES.has(c.name)).map((c) => c.units);
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-0000-4000-8000-000000000000`;

/** The example configuration's rules: comments, a decline reason, explanations of real length. */
const EXAMPLE_RULES = parseRules(
  JSON.stringify(
    (
      JSON.parse(
        readFileSync(path.join(__dirname, '../../config/connector.example.json'), 'utf8'),
      ) as { rules: unknown }
    ).rules,
  ),
);

function processorFor(...offers: ReturnType<typeof inboxOffer>[]) {
  return processorWith(ACCEPT_PSW, ...offers);
}

function processorWith(
  rules: ReturnType<typeof parseRules>,
  ...offers: ReturnType<typeof inboxOffer>[]
) {
  return processorTelling(undefined, rules, ...offers);
}

/** As processorWith, with `notifier` told of each review (a review topic, as deployed). */
function processorTelling(
  notifier: Notifier | undefined,
  rules: ReturnType<typeof parseRules>,
  ...offers: ReturnType<typeof inboxOffer>[]
) {
  const documents = table.documents();
  const store = new DynamoOfferStore(documents, TABLE);
  return createEventProcessor({
    marketplace: fakeMarketplace(...offers),
    store,
    units: new DynamoUnitStore(documents, TABLE),
    rules,
    role: 'supply',
    now: () => NOW,
    ...(notifier !== undefined ? { notifier } : {}),
  });
}

/** An offer's location in Toronto, where the example rules accept PSW visits. */
const TORONTO = { ...inboxOffer().location, city: 'Toronto' };

/**
 * A processor for referral events on the same table: the offer's won referral marked processed
 * and forwarded (config `referrals.markProcessed` and a bus), against fakes of the marketplace's
 * referral API and of the bus.
 */
function referralProcessor(offerId: string, referralId: string) {
  const documents = table.documents();
  const api = fakeReferralApi([referralSummary({ id: referralId, offerId })]);
  const publisher = memoryReferralPublisher();
  const processor = createEventProcessor({
    marketplace: fakeMarketplace(),
    store: new DynamoOfferStore(documents, TABLE),
    units: new DynamoUnitStore(documents, TABLE),
    rules: ACCEPT_PSW,
    role: 'supply',
    now: () => NOW,
    referralMarketplace: api,
    markReferralsProcessed: true,
    referralPublisher: publisher,
  });
  return { processor, api, publisher };
}

function referralCreated(referralId: string): MarketplaceEvent {
  return {
    event_id: unique('event'),
    event_name: 'ReferralCreated',
    event_source: 'alayamarket.referrals',
    timestamp: '2026-05-01T09:00:00Z',
    id: referralId,
    referral_id: referralId,
    sequence_id: 'seq-1',
  };
}

describe('DynamoDB calls per event', () => {
  beforeEach(() => {
    calls = [];
  });

  it('answers a lone offer in 2 writes and 1 read, and a redelivery in 1 read', async () => {
    const offer = inboxOffer({ id: unique('offer') });
    const processor = processorFor(offer);
    const event = offerEvent({ offer_id: offer.id, id: offer.id });

    const result = await processor.process(queuedEvent(event));
    expect(result.outcome).toBe('decided');
    expect(counts()).toEqual({ writes: 2, reads: 1, other: [] });

    calls = [];
    expect((await processor.process(queuedEvent(event))).outcome).toBe('duplicate');
    // The offer read: decided, the event among those it has seen.
    expect(counts()).toEqual({ writes: 0, reads: 1, other: [] });
  });

  it('reads the event once more on a retried delivery, and writes it only when a failure is on record', async () => {
    const offer = inboxOffer({ id: unique('offer') });
    const marketplace = fakeMarketplace(offer);
    const documents = table.documents();
    const store = new DynamoOfferStore(documents, TABLE);
    const processor = createEventProcessor({
      marketplace,
      store,
      units: new DynamoUnitStore(documents, TABLE),
      rules: ACCEPT_PSW,
      role: 'supply',
      now: () => NOW,
    });
    const event = offerEvent({ offer_id: offer.id, id: offer.id });
    marketplace.failNext('acceptInboxOffer', new Error('HTTP 503'));
    await expect(processor.process(queuedEvent(event))).rejects.toThrow('HTTP 503');

    calls = [];
    const retry = await processor.process(queuedEvent(event), { retried: true });
    expect(retry.outcome).toBe('recovered');
    // The recovery's own 2 writes and 2 reads (the offer read, the lease taken, the offer read
    // under it, the answer applied), then the event read, found failed, and marked done.
    expect(counts()).toEqual({ writes: 3, reads: 3, other: [] });
    expect(calls.slice(-2).map((c) => c.name)).toEqual(['GetItemCommand', 'UpdateItemCommand']);
    expect(await store.getEventRecord(String(event.event_id))).toMatchObject({
      status: 'done',
      outcome: 'recovered',
      offerId: offer.id,
      failedAttempts: 1,
      lastError: { errorName: 'Error' },
    });

    // A retried delivery that left no failure (say a shift's offer that waited): one read more.
    const other = inboxOffer({ id: unique('offer') });
    const waited = offerEvent({ offer_id: other.id, id: other.id });
    calls = [];
    await processorFor(other).process(queuedEvent(waited), { retried: true });
    expect(counts()).toEqual({ writes: 2, reads: 2, other: [] });
    expect(await store.getEventRecord(String(waited.event_id))).toBeUndefined();
  });

  it('leaves a lone offer for review, with nobody to tell, in 2 writes: nothing sent or told, so no intent first', async () => {
    // ACCEPT_PSW's default is review: a nursing offer is left for a person.
    const offer = inboxOffer({ id: unique('offer'), careType: 'nursing' });
    const processor = processorFor(offer);

    const result = await processor.process(
      queuedEvent(offerEvent({ offer_id: offer.id, id: offer.id })),
    );

    expect(result).toMatchObject({ outcome: 'decided', decision: { action: 'review' } });
    // Lease on the offer, offer applied with its facts (the lease given back).
    expect(counts()).toEqual({ writes: 2, reads: 1, other: [] });
    const store = new DynamoOfferStore(table.documents(), TABLE);
    expect((await store.getOffer(offer.id))?.decision).toMatchObject({
      state: 'applied',
      action: 'review',
    });
  });

  it('leaves a lone offer for review in 2 writes when a person is told: its intent first, as for an answer', async () => {
    const offer = inboxOffer({ id: unique('offer'), careType: 'nursing' });
    const told: string[] = [];
    const processor = processorTelling(
      { notify: async (n) => void told.push(n.offerId) },
      ACCEPT_PSW,
      offer,
    );

    const result = await processor.process(
      queuedEvent(offerEvent({ offer_id: offer.id, id: offer.id })),
    );

    expect(result).toMatchObject({ outcome: 'decided', decision: { action: 'review' } });
    expect(told).toEqual([offer.id]);
    // Lease on the offer with its intent, applied with its facts (the lease given back).
    expect(counts()).toEqual({ writes: 2, reads: 1, other: [] });
  });

  it('leaves a shift of two offers for review, with nobody to tell, in 4 writes: its unit, then each offer', async () => {
    const shiftId = unique('shift');
    const first = inboxOffer({ id: unique('offer'), shiftId, careType: 'nursing' });
    const second = inboxOffer({ id: unique('offer'), shiftId, careType: 'nursing' });
    const processor = processorFor(first, second);

    const result = await processor.process(
      queuedEvent(offerEvent({ offer_id: first.id, id: first.id })),
    );

    expect(result).toMatchObject({ outcome: 'decided', decision: { action: 'review' } });
    // Lease on the unit, unit applied (lease given back), each offer applied.
    expect(counts()).toEqual({ writes: 4, reads: 1, other: [] });
  });

  it("keeps a lone offer's item under 1 KB through its answer: each of its 2 writes costs 1 write unit", async () => {
    // Declined by the example rules' second rule: a decline reason, a comment, two explanation
    // lines; the offer item then holds the decision, the facts and the event seen. Each write is
    // billed by the larger of the item before and after it: past 1 KB it would cost 2.
    const offer = inboxOffer({ id: unique('offer'), careType: 'nursing', offerType: 'service' });
    const processor = processorWith(EXAMPLE_RULES, offer);

    const result = await processor.process(
      queuedEvent(offerEvent({ offer_id: offer.id, id: offer.id })),
    );

    expect(result).toMatchObject({ outcome: 'decided', decision: { action: 'decline' } });
    expect(counts()).toEqual({ writes: 2, reads: 1, other: [] });
    // Lease on the offer with its intent, then applied with its text, facts and seen event (the
    // lease given back).
    expect(writeUnits()).toEqual([1, 1]);
  });

  it.each([
    ['accepted', { careType: 'psw', offerType: 'visit', location: TORONTO }, 'accept'],
    ['declined', { careType: 'nursing', offerType: 'service' }, 'decline'],
  ] as const)(
    "keeps an answered lone offer's text on its item, on no event item; its ReferralCreated then takes 3 writes, its offer's 2 units (%s)",
    async (_name, fields, action) => {
      // With the example rules. The decision's text is on the offer: the facts write a
      // ReferralCreated makes after the answer (the referral won, marked processed and forwarded,
      // with the event seen) takes the item past 1 KB.
      const offer = inboxOffer({ id: unique('offer'), ...fields });
      const processor = processorWith(EXAMPLE_RULES, offer);
      const event = offerEvent({ offer_id: offer.id, id: offer.id });
      const result = await processor.process(queuedEvent(event));
      expect(result).toMatchObject({ outcome: 'decided', decision: { action } });

      const store = new DynamoOfferStore(table.documents(), TABLE);
      expect((await store.getOffer(offer.id))?.decision).toMatchObject({
        state: 'applied',
        action,
        reason: result.decision?.reason,
        explanation: result.decision?.explanation,
      });
      expect(await store.getEventRecord(String(event.event_id))).toBeUndefined();

      calls = [];
      const referralId = unique('referral');
      const referrals = referralProcessor(offer.id, referralId);
      const created = referralCreated(referralId);
      const won = await referrals.processor.processEvent(created, { topicName: 'inbox-referrals' });
      expect(won.referral).toMatchObject({ won: true, markedProcessed: true, forwarded: true });
      // The referral's lease (no event claim), the win, mark and put together, the lease given
      // back with the event remembered done.
      expect(counts()).toEqual({ writes: 3, reads: 1, other: [] });
      expect(writeUnits()).toEqual([1, 2, 1]);
      expect(await store.getEventRecord(created.event_id)).toBeUndefined();

      // A later copy: the lease taken and given back, nothing read, sent or written else.
      calls = [];
      const apiCalls = referrals.api.calls.length;
      const again = await referrals.processor.processEvent(created, {
        topicName: 'inbox-referrals',
      });
      expect(again.outcome).toBe('duplicate');
      expect(counts()).toEqual({ writes: 2, reads: 0, other: [] });
      expect(referrals.api.calls).toHaveLength(apiCalls);
      expect(referrals.publisher.events).toHaveLength(1);
    },
  );

  it('answers a shift of two offers in 7 writes: one more intended and one more applied copy', async () => {
    const shiftId = unique('shift');
    const first = inboxOffer({ id: unique('offer'), shiftId });
    const second = inboxOffer({ id: unique('offer'), shiftId });
    const processor = processorFor(first, second);

    const result = await processor.process(
      queuedEvent(offerEvent({ offer_id: first.id, id: first.id })),
    );
    expect(result.outcome).toBe('decided');
    expect(counts()).toEqual({ writes: 7, reads: 1, other: [] });

    // The other offer's event finds the unit settled on its own offer: the first offer read to
    // see its copy complete, then 1 write (its facts).
    calls = [];
    const other = await processor.process(
      queuedEvent(offerEvent({ offer_id: second.id, id: second.id })),
    );
    expect(other.outcome).toBe('already-decided');
    expect(counts()).toEqual({ writes: 1, reads: 2, other: [] });
  });
});
