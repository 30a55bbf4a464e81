/**
 * Covers the referral use case (lambdas/core/referral-event.ts) through the event processor:
 * ReferralCreated on inbox-referrals marks the offer won, marks the referral processed and puts
 * ReferralReceived (each per config), each step recorded on the offer so a retry after a crash
 * between any two steps repeats nothing recorded done (but a put whose record was lost: at least
 * once); no event claim, the referral's lease per attempt telling copies apart; a 409/503 on
 * mark_processed; cancelled referrals; the demand side's records; each role and topic; no client
 * identifier is stored.
 */
import type { Role } from '../../lambdas/core/config';
import type { MarketplaceEvent } from '../../lambdas/core/events';
import { createEventProcessor, DEFAULT_DECISION_LEASE_MS } from '../../lambdas/core/process-event';
import { ReferralBusyError, ReferralSideError } from '../../lambdas/core/referral-event';
import { FakeMarketplaceError, fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import {
  fakeReferralApi,
  memoryReferralPublisher,
  REFERRAL_ID,
  REFERRAL_OFFER_ID,
  referralSummary,
} from '../support/referral-fakes';

const NOW = new Date('2026-05-01T09:00:00Z');
const CLIENT = { id: 'client-PHI-4242', outbox_id: 'client-outbox-PHI-4242' };

let counter = 0;
function referralEvent(
  eventName: string,
  overrides: Record<string, unknown> = {},
): MarketplaceEvent {
  counter += 1;
  return {
    event_id: `ref-event-${counter}`,
    event_name: eventName,
    event_source: 'alayamarket.referrals',
    timestamp: `2026-05-01T08:00:${String(counter % 60).padStart(2, '0')}Z`,
    id: REFERRAL_ID,
    referral_id: REFERRAL_ID,
    sequence_id: 'seq-1',
    client: CLIENT,
    ...overrides,
  };
}

function setup(options: { role?: Role; markProcessed?: boolean; publish?: boolean } = {}) {
  let clock = NOW;
  /** Moves the processor's clock on (a lease running out). */
  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };
  const store = new MemoryOfferStore();
  const api = fakeReferralApi(
    [referralSummary({ shiftId: 'shift-9' })],
    [referralSummary({ id: 'out-ref-1', offerId: 'our-offer-1' })],
  );
  const publisher = memoryReferralPublisher();
  const processor = createEventProcessor({
    marketplace: fakeMarketplace(),
    store,
    units: store,
    rules: { defaultAction: 'review', rules: [] } as never,
    role: options.role ?? 'supply',
    referralMarketplace: api,
    markReferralsProcessed: options.markProcessed ?? true,
    ...(options.publish === false ? {} : { referralPublisher: publisher }),
    now: () => clock,
  });
  const inbox = (event: MarketplaceEvent) =>
    processor.processEvent(event, { topicName: 'inbox-referrals' });
  const outbox = (event: MarketplaceEvent) =>
    processor.processEvent(event, { topicName: 'outbox-referrals' });
  return { store, api, publisher, processor, inbox, outbox, advance };
}

/** Makes the store's nth recordOfferFacts call (from now) throw, as a process dying there would. */
/**
 * The process dies at its `nth` offer write: that write and every later one of the attempt never
 * happen. The returned function starts the next process, whose writes land.
 */
function crashOnFactsWrite(store: MemoryOfferStore, nth: number): () => void {
  const original = store.recordOfferFacts.bind(store);
  let calls = 0;
  store.recordOfferFacts = async (record) => {
    calls += 1;
    if (calls >= nth) throw new Error('process died');
    return original(record);
  };
  return () => {
    store.recordOfferFacts = original;
  };
}

/**
 * The referral in the result of a handling that reports every step of the win (each done by it or
 * left unreported by an attempt before it).
 */
const EVERY_STEP_REPORTED = {
  id: REFERRAL_ID,
  side: 'inbox',
  status: 'processed',
  won: true,
  markedProcessed: true,
  forwarded: true,
};

describe('ReferralCreated on inbox-referrals (supply)', () => {
  it('records the offer won, marks the referral processed and forwards ReferralReceived, once each', async () => {
    const { store, api, publisher, inbox } = setup();

    const result = await inbox(referralEvent('ReferralCreated'));

    expect(result).toMatchObject({
      outcome: 'won',
      offerId: REFERRAL_OFFER_ID,
      referral: EVERY_STEP_REPORTED,
    });
    expect(api.callsTo('markInboxReferralProcessed')).toEqual([REFERRAL_ID]);
    expect(api.inbox.get(REFERRAL_ID)?.status).toBe('processed');
    expect(publisher.events).toEqual([
      {
        offerId: REFERRAL_OFFER_ID,
        referralId: REFERRAL_ID,
        shiftId: 'shift-9',
        careType: 'psw',
        offerType: 'visit',
        startAt: '2026-05-03T09:00:00Z',
      },
    ]);
    const offer = store.offers.get(REFERRAL_OFFER_ID);
    expect(offer?.referral).toEqual({
      id: REFERRAL_ID,
      side: 'inbox',
      status: 'processed',
      lastEventName: 'ReferralCreated',
      lastEventAt: expect.any(String),
      wonAt: NOW.toISOString(),
      processedAt: NOW.toISOString(),
      forwardedAt: NOW.toISOString(),
    });
    expect(offer).toMatchObject({
      careType: 'psw',
      offerType: 'visit',
      shiftId: 'shift-9',
      lastEventName: 'ReferralCreated',
    });
    // The event's client identifiers are never stored.
    expect(JSON.stringify([...store.offers.values(), ...store.events.values()])).not.toContain(
      'PHI',
    );
  });

  it('records the win, the mark and the put in one write, with the facts and the seen event', async () => {
    const { store, inbox } = setup();
    const written: Record<string, unknown>[] = [];
    const original = store.recordOfferFacts.bind(store);
    store.recordOfferFacts = async (record) => {
      written.push({ ...record });
      return original(record);
    };
    const event = referralEvent('ReferralCreated');

    await inbox(event);

    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      careType: 'psw',
      lastEventName: 'ReferralCreated',
      seenEvent: { eventId: event.event_id, name: 'ReferralCreated' },
      referral: {
        wonAt: NOW.toISOString(),
        processedAt: NOW.toISOString(),
        forwardedAt: NOW.toISOString(),
      },
    });
    expect(store.offers.get(REFERRAL_OFFER_ID)?.events).toEqual([
      { name: 'ReferralCreated', at: event.timestamp, eventId: event.event_id },
    ]);
  });

  it('with markProcessed off and no bus: only records the offer won', async () => {
    const { store, api, publisher, inbox } = setup({ markProcessed: false, publish: false });

    const result = await inbox(referralEvent('ReferralCreated'));

    expect(result.referral).toEqual({
      id: REFERRAL_ID,
      side: 'inbox',
      status: 'assigned',
      won: true,
    });
    expect(api.callsTo('markInboxReferralProcessed')).toEqual([]);
    expect(publisher.events).toEqual([]);
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({
      status: 'assigned',
      wonAt: NOW.toISOString(),
    });
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral?.processedAt).toBeUndefined();
  });

  it('with a bus and markProcessed off: forwards without marking', async () => {
    const { api, publisher, inbox } = setup({ markProcessed: false });
    await inbox(referralEvent('ReferralCreated'));
    expect(api.callsTo('markInboxReferralProcessed')).toEqual([]);
    expect(publisher.events.map((e) => e.referralId)).toEqual([REFERRAL_ID]);
  });

  it('a redelivered event is a duplicate: nothing is marked or forwarded again', async () => {
    const { api, publisher, inbox } = setup();
    const event = referralEvent('ReferralCreated');
    await inbox(event);
    await expect(inbox(event)).resolves.toMatchObject({ outcome: 'duplicate' });
    expect(api.callsTo('markInboxReferralProcessed')).toHaveLength(1);
    expect(publisher.events).toHaveLength(1);
  });

  it('a referral already processed (by a person) counts as done: not marked, still forwarded', async () => {
    const { api, publisher, inbox, store } = setup();
    (api.inbox.get(REFERRAL_ID) as { status: string }).status = 'processed';
    const result = await inbox(referralEvent('ReferralCreated'));
    expect(api.callsTo('markInboxReferralProcessed')).toEqual([]);
    expect(result.referral).toMatchObject({ status: 'processed', won: true, forwarded: true });
    expect(result.referral?.markedProcessed).toBeUndefined();
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral?.processedAt).toBe(NOW.toISOString());
    expect(publisher.events).toHaveLength(1);
  });

  it('a cancelled referral is recorded, not an error: neither marked nor forwarded', async () => {
    const { api, publisher, inbox, store } = setup();
    (api.inbox.get(REFERRAL_ID) as { status: string }).status = 'cancelled';
    const result = await inbox(referralEvent('ReferralCreated'));
    expect(result).toMatchObject({ outcome: 'won', referral: { status: 'cancelled', won: true } });
    expect(api.callsTo('markInboxReferralProcessed')).toEqual([]);
    expect(publisher.events).toEqual([]);
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({
      status: 'cancelled',
      cancelledAt: NOW.toISOString(),
      wonAt: NOW.toISOString(),
    });
  });

  it('a 409 on mark_processed because the demand side cancelled meanwhile: recorded cancelled, not forwarded', async () => {
    const { api, publisher, inbox, store } = setup();
    const mark = api.markInboxReferralProcessed.bind(api);
    api.markInboxReferralProcessed = async (id) => {
      (api.inbox.get(id) as { status: string }).status = 'cancelled';
      return mark(id);
    };
    const result = await inbox(referralEvent('ReferralCreated'));
    expect(result.referral).toMatchObject({ status: 'cancelled', won: true });
    expect(publisher.events).toEqual([]);
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({ status: 'cancelled' });
  });

  it('a 503 on mark_processed (not applied) fails the record, the win recorded unreported; the retry marks it once and reports the win', async () => {
    const { api, publisher, inbox, store, advance } = setup();
    const event = referralEvent('ReferralCreated');
    api.failNext(
      'markInboxReferralProcessed',
      new FakeMarketplaceError('markInboxReferralProcessed: 503', 503, true),
    );

    await expect(inbox(event)).rejects.toThrow('503');
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({
      status: 'assigned',
      wonAt: NOW.toISOString(),
      unreported: ['won'],
    });
    expect(store.events.get(event.event_id)).toMatchObject({
      status: 'failed',
      lastError: { errorName: 'MarketplaceError', status: 503 },
    }); // released for the retry, its error kept
    expect(publisher.events).toEqual([]);

    advance(1_000);
    const retry = await inbox(event);
    // The win counted by the handling that finished, once; its time is the first attempt's.
    expect(retry.referral).toMatchObject({ won: true, markedProcessed: true, forwarded: true });
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({
      wonAt: NOW.toISOString(),
    });
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).not.toHaveProperty('unreported');
    expect(api.inbox.get(REFERRAL_ID)?.status).toBe('processed');
    expect(publisher.events).toHaveLength(1);
    await expect(inbox(event)).resolves.toMatchObject({ outcome: 'duplicate' });
  });

  it('a lost answer after mark_processed took effect is checked, not resent', async () => {
    const { api, inbox } = setup();
    api.failNextMarkAfterActing();
    const result = await inbox(referralEvent('ReferralCreated'));
    expect(api.callsTo('markInboxReferralProcessed')).toHaveLength(1);
    expect(api.callsTo('getInboxReferralStatus')).toEqual([REFERRAL_ID]);
    expect(result.referral).toMatchObject({ status: 'processed', markedProcessed: true });
  });

  it('a failure whose status check fails too rethrows the original failure', async () => {
    const { api, inbox } = setup();
    api.failNext('markInboxReferralProcessed', new FakeMarketplaceError('mark: 503', 503, true));
    api.failNext('getInboxReferralStatus');
    await expect(inbox(referralEvent('ReferralCreated'))).rejects.toThrow('mark: 503');
  });

  it('a PutEvents failure fails the record; the retry forwards without marking again', async () => {
    const { api, publisher, inbox, store } = setup();
    const event = referralEvent('ReferralCreated');
    publisher.failNext(new Error('PutEvents refused ReferralReceived: InternalFailure'));
    await expect(inbox(event)).rejects.toThrow('InternalFailure');
    // The win and the mark recorded before the failure is rethrown.
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({
      status: 'processed',
      wonAt: NOW.toISOString(),
      processedAt: NOW.toISOString(),
      unreported: ['won', 'markedProcessed'],
    });
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral?.forwardedAt).toBeUndefined();

    const retry = await inbox(event);
    // Each step reported once, by the handling that finished.
    expect(retry.referral).toEqual(EVERY_STEP_REPORTED);
    expect(api.callsTo('markInboxReferralProcessed')).toHaveLength(1);
    expect(publisher.events).toHaveLength(1);
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral?.forwardedAt).toBe(NOW.toISOString());
  });

  describe('the process dies between two steps; the retry finishes the rest and repeats nothing recorded done', () => {
    it('at the mark, before it takes effect: the retry marks and puts once', async () => {
      const { api, publisher, inbox, store } = setup();
      const event = referralEvent('ReferralCreated');
      // Dying there: the mark never takes effect and nothing is written.
      api.failNext('markInboxReferralProcessed', new Error('process died'));
      const restart = crashOnFactsWrite(store, 1);
      await expect(inbox(event)).rejects.toThrow('process died');
      restart();
      expect(store.offers.get(REFERRAL_OFFER_ID)).toBeUndefined();
      const retry = await inbox(event);
      expect(retry.referral).toMatchObject({ won: true, markedProcessed: true, forwarded: true });
      expect(api.callsTo('markInboxReferralProcessed')).toHaveLength(2);
      expect(api.inbox.get(REFERRAL_ID)?.status).toBe('processed');
      expect(publisher.events).toHaveLength(1);
    });

    it('after mark_processed, before the put: the retry finds it processed (not marked again) and puts once', async () => {
      const { api, publisher, inbox, store } = setup();
      const event = referralEvent('ReferralCreated');
      // Dying there: the put never happens and nothing is written.
      publisher.failNext(new Error('process died'));
      const restart = crashOnFactsWrite(store, 1);
      await expect(inbox(event)).rejects.toThrow('process died');
      restart();
      expect(api.inbox.get(REFERRAL_ID)?.status).toBe('processed');
      expect(store.offers.get(REFERRAL_OFFER_ID)).toBeUndefined();
      const retry = await inbox(event);
      expect(api.callsTo('markInboxReferralProcessed')).toHaveLength(1);
      // The win is this handling's: the one before it recorded nothing.
      expect(retry.referral).toMatchObject({ won: true, status: 'processed', forwarded: true });
      expect(retry.referral).not.toHaveProperty('markedProcessed');
      expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({
        wonAt: NOW.toISOString(),
        processedAt: NOW.toISOString(),
        forwardedAt: NOW.toISOString(),
      });
      expect(publisher.events).toHaveLength(1);
    });

    it('after the put, before the one record: not marked again, put again (at least once; consumers dedupe on referralId)', async () => {
      const { api, publisher, inbox, store } = setup();
      const event = referralEvent('ReferralCreated');
      const restart = crashOnFactsWrite(store, 1);
      await expect(inbox(event)).rejects.toThrow('process died');
      restart();
      const retry = await inbox(event);
      expect(api.callsTo('markInboxReferralProcessed')).toHaveLength(1);
      expect(retry.referral).toMatchObject({ won: true, status: 'processed', forwarded: true });
      expect(publisher.events.map((e) => e.referralId)).toEqual([REFERRAL_ID, REFERRAL_ID]);
      expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({
        wonAt: NOW.toISOString(),
        processedAt: NOW.toISOString(),
        forwardedAt: NOW.toISOString(),
      });
    });

    it('the one record fails (not the process): tried once more with the steps to report; the retry repeats nothing and counts each once', async () => {
      const { api, publisher, inbox, store } = setup();
      const event = referralEvent('ReferralCreated');
      // Only that write: a throttle, a lost answer.
      store.failNext('recordOfferFacts', new Error('write failed'));
      await expect(inbox(event)).rejects.toThrow('write failed');
      expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({
        wonAt: NOW.toISOString(),
        processedAt: NOW.toISOString(),
        forwardedAt: NOW.toISOString(),
        unreported: ['won', 'markedProcessed', 'forwarded'],
      });
      const retry = await inbox(event);
      expect(retry.referral).toEqual(EVERY_STEP_REPORTED);
      expect(api.callsTo('markInboxReferralProcessed')).toHaveLength(1);
      expect(publisher.events).toHaveLength(1);
      expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).not.toHaveProperty('unreported');
    });

    it('after every step, before the lease is given back done: once the lease runs out, a redelivery repeats nothing recorded done', async () => {
      const { api, publisher, inbox, store, advance } = setup();
      const event = referralEvent('ReferralCreated');
      // A release that fails leaves the attempt's lease to run out: handled, not remembered done.
      store.failNext('releaseUnitLease', new Error('process died'));
      await expect(inbox(event)).resolves.toMatchObject({ outcome: 'won' });
      await expect(inbox(event)).rejects.toThrow(ReferralBusyError);
      advance(DEFAULT_DECISION_LEASE_MS + 1);
      const retry = await inbox(event);
      expect(retry).toMatchObject({ outcome: 'won', referral: { status: 'processed' } });
      expect(retry.referral).not.toHaveProperty('won');
      expect(retry.referral).not.toHaveProperty('markedProcessed');
      expect(retry.referral).not.toHaveProperty('forwarded');
      expect(api.callsTo('markInboxReferralProcessed')).toHaveLength(1);
      expect(publisher.events).toHaveLength(1);
      await expect(inbox(event)).resolves.toMatchObject({ outcome: 'duplicate' });
    });
  });

  it('takes no event claim: the referral lease, given back done, tells a redelivery apart', async () => {
    const { store, inbox } = setup();
    const event = referralEvent('ReferralCreated');
    await inbox(event);
    await expect(inbox(event)).resolves.toMatchObject({
      outcome: 'duplicate',
      referral: { id: REFERRAL_ID, side: 'inbox' },
    });
    const methods = store.calls.map((call) => call.method);
    expect(methods).not.toContain('claimEvent');
    expect(methods).not.toContain('completeEvent');
    // Each attempt holds the lease under a name of its own; the first gives it back done.
    const attempt = expect.stringMatching(new RegExp(`^${event.event_id}#.+`));
    expect(store.callsTo('releaseUnitLease')).toEqual([
      [`referral#${REFERRAL_ID}`, attempt, { done: event.event_id }],
      [`referral#${REFERRAL_ID}`, attempt],
    ]);
    const [first, second] = store.callsTo('acquireUnitLease').map((args) => args[1]);
    expect(first).not.toBe(second);
    // The lease is free again after the duplicate: the next event of the referral goes ahead.
    await expect(inbox(referralEvent('ReferralDemandCancelled'))).resolves.toMatchObject({
      outcome: 'recorded',
    });
  });

  it('two copies of one event at the same moment: one handles it, the other finds the referral busy', async () => {
    const { api, publisher, inbox } = setup();
    const event = referralEvent('ReferralCreated');
    const results = await Promise.allSettled([inbox(event), inbox(event)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(ReferralBusyError);
    expect(api.callsTo('markInboxReferralProcessed')).toHaveLength(1);
    expect(publisher.events).toHaveLength(1);
    // Its retry, once the first is done, is a duplicate.
    await expect(inbox(event)).resolves.toMatchObject({ outcome: 'duplicate' });
  });

  it('a handling whose lease ran out is not remembered done: a redelivery repeats nothing recorded done', async () => {
    const { api, publisher, inbox, store } = setup();
    const event = referralEvent('ReferralCreated');
    const key = `referral#${REFERRAL_ID}`;
    const summary = api.getInboxReferralSummary.bind(api);
    api.getInboxReferralSummary = async (id) => {
      // The lease runs out, and another attempt takes it and gives it back, meanwhile.
      const holder = store.units.get(key)?.leaseOwner;
      if (holder !== undefined) await store.releaseUnitLease(key, holder);
      return summary(id);
    };
    await expect(inbox(event)).resolves.toMatchObject({ outcome: 'won', referral: { won: true } });
    api.getInboxReferralSummary = summary;
    const again = await inbox(event);
    expect(again).toMatchObject({ outcome: 'won' });
    expect(again.referral).not.toHaveProperty('won');
    expect(api.callsTo('markInboxReferralProcessed')).toHaveLength(1);
    expect(publisher.events).toHaveLength(1);
  });

  it('a lease whose write landed but whose answer was lost is given back: the retry goes ahead', async () => {
    const { store, inbox } = setup();
    const event = referralEvent('ReferralCreated');
    const acquire = store.acquireUnitLease.bind(store);
    store.acquireUnitLease = async (...args) => {
      await acquire(...args);
      store.acquireUnitLease = acquire;
      throw new Error('socket hang up');
    };
    await expect(inbox(event)).rejects.toThrow('socket hang up');
    await expect(inbox(event)).resolves.toMatchObject({ outcome: 'won', referral: { won: true } });
  });

  it('a failed handling is not remembered done: its retry handles it', async () => {
    const { api, store, inbox } = setup();
    const event = referralEvent('ReferralCreated');
    api.failNext('getInboxReferralSummary');
    await expect(inbox(event)).rejects.toThrow();
    expect(store.events.get(event.event_id)).toMatchObject({ status: 'failed' });
    await expect(inbox(event)).resolves.toMatchObject({ outcome: 'won', referral: { won: true } });
  });

  it('a retried delivery that finishes marks the failure on record done', async () => {
    const { api, store, processor } = setup();
    const event = referralEvent('ReferralCreated');
    api.failNext('getInboxReferralSummary');
    await expect(processor.processEvent(event, { topicName: 'inbox-referrals' })).rejects.toThrow();

    await expect(
      processor.processEvent(event, { topicName: 'inbox-referrals', retried: true }),
    ).resolves.toMatchObject({ outcome: 'won' });
    expect(store.events.get(event.event_id)).toMatchObject({
      status: 'done',
      outcome: { eventName: 'ReferralCreated', outcome: 'won', offerId: REFERRAL_OFFER_ID },
      failedAttempts: 1,
    });
  });

  it('another event of the same referral in progress: retried later, nothing done, nothing recorded failed', async () => {
    const { api, inbox, store, processor } = setup();
    await store.acquireUnitLease(`referral#${REFERRAL_ID}`, 'other-event', NOW, 60_000);
    const event = referralEvent('ReferralCreated');
    await expect(inbox(event)).rejects.toBeInstanceOf(ReferralBusyError);
    expect(api.calls).toEqual([]);
    // No failure record: it would release an older version's claim on the event (a deploy).
    expect(store.events.get(event.event_id)).toBeUndefined();
    // Unless the record heads for the dead-letter queue now: then it is on record for people.
    await expect(
      processor.processEvent(event, { topicName: 'inbox-referrals', lastReceive: true }),
    ).rejects.toBeInstanceOf(ReferralBusyError);
    expect(store.events.get(event.event_id)).toMatchObject({
      status: 'failed',
      lastError: { errorName: 'ReferralBusyError' },
    });
  });

  it('a referral the marketplace cannot find fails the record (retried, then the DLQ)', async () => {
    const { inbox, store } = setup();
    await expect(
      inbox(referralEvent('ReferralCreated', { referral_id: 'missing', id: 'missing' })),
    ).rejects.toThrow('Referral not found');
    expect(store.offers.size).toBe(0);
  });
});

describe('ReferralDemandCancelled (supply)', () => {
  it('records the referral cancelled and its last event on the offer', async () => {
    const { api, inbox, store } = setup();
    await inbox(referralEvent('ReferralCreated'));
    (api.inbox.get(REFERRAL_ID) as { status: string }).status = 'cancelled';

    const result = await inbox(referralEvent('ReferralDemandCancelled'));

    expect(result).toMatchObject({
      outcome: 'recorded',
      offerId: REFERRAL_OFFER_ID,
      referral: { status: 'cancelled' },
    });
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({
      status: 'cancelled',
      lastEventName: 'ReferralDemandCancelled',
      cancelledAt: NOW.toISOString(),
      wonAt: NOW.toISOString(),
      forwardedAt: NOW.toISOString(),
    });
  });

  it('before its ReferralCreated (out of order): the late ReferralCreated records the win and neither marks nor forwards', async () => {
    const { api, publisher, inbox, store } = setup();
    (api.inbox.get(REFERRAL_ID) as { status: string }).status = 'cancelled';
    const created = referralEvent('ReferralCreated');
    await inbox(referralEvent('ReferralDemandCancelled'));
    await inbox(created);
    expect(api.callsTo('markInboxReferralProcessed')).toEqual([]);
    expect(publisher.events).toEqual([]);
    // The cancellation is the later event: it stays the referral's last.
    expect(store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({
      status: 'cancelled',
      lastEventName: 'ReferralDemandCancelled',
      wonAt: NOW.toISOString(),
    });
  });
});

describe('outbox referrals (demand)', () => {
  const outboxEvent = (name: string) =>
    referralEvent(name, { referral_id: 'out-ref-1', id: 'out-ref-1' });

  it.each(['ReferralCreated', 'ReferralProcessed', 'ReferralSupplyCancelled'])(
    '%s is recorded on our outbox offer',
    async (name) => {
      const { api, publisher, outbox, store } = setup({ role: 'demand' });
      if (name === 'ReferralSupplyCancelled')
        (api.outbox.get('out-ref-1') as { status: string }).status = 'cancelled';
      if (name === 'ReferralProcessed')
        (api.outbox.get('out-ref-1') as { status: string }).status = 'processed';

      const result = await outbox(outboxEvent(name));

      expect(result).toMatchObject({
        outcome: 'recorded',
        offerId: 'our-offer-1',
        referral: { id: 'out-ref-1', side: 'outbox' },
      });
      expect(store.offers.get('our-offer-1')?.referral).toMatchObject({
        id: 'out-ref-1',
        side: 'outbox',
        status: api.outbox.get('out-ref-1')?.status,
        lastEventName: name,
      });
      expect(store.offers.get('our-offer-1')?.lastEventName).toBe(name);
      expect(api.callsTo('getOutboxReferralSummary')).toEqual(['out-ref-1']);
      expect(api.callsTo('markInboxReferralProcessed')).toEqual([]);
      expect(publisher.events).toEqual([]);
    },
  );
});

describe('roles and topics', () => {
  it('role supply ignores outbox referrals; role demand ignores inbox referrals', async () => {
    const supply = setup({ role: 'supply' });
    await expect(supply.outbox(referralEvent('ReferralCreated'))).resolves.toMatchObject({
      outcome: 'ignored',
      referral: { side: 'outbox' },
    });
    expect(supply.api.calls).toEqual([]);
    expect(supply.store.offers.size).toBe(0);

    const demand = setup({ role: 'demand' });
    await expect(demand.inbox(referralEvent('ReferralCreated'))).resolves.toMatchObject({
      outcome: 'ignored',
      referral: { side: 'inbox' },
    });
    expect(demand.api.calls).toEqual([]);
  });

  it('role both handles ReferralCreated by the topic it came on', async () => {
    const both = setup({ role: 'both' });
    await expect(both.inbox(referralEvent('ReferralCreated'))).resolves.toMatchObject({
      outcome: 'won',
    });
    await expect(
      both.outbox(referralEvent('ReferralCreated', { referral_id: 'out-ref-1', id: 'out-ref-1' })),
    ).resolves.toMatchObject({ outcome: 'recorded', offerId: 'our-offer-1' });
    expect(both.api.callsTo('markInboxReferralProcessed')).toEqual([REFERRAL_ID]);
    expect(both.publisher.events).toHaveLength(1);
  });

  it('without a referral topic: a one-side name or a one-side role tells the side; role both and ReferralCreated cannot', async () => {
    const both = setup({ role: 'both' });
    await expect(
      both.processor.processEvent(referralEvent('ReferralProcessed', { referral_id: 'out-ref-1' })),
    ).resolves.toMatchObject({ referral: { side: 'outbox' } });
    await expect(
      both.processor.processEvent(referralEvent('ReferralCreated')),
    ).rejects.toBeInstanceOf(ReferralSideError);
    const supply = setup({ role: 'supply' });
    await expect(
      supply.processor.processEvent(referralEvent('ReferralCreated')),
    ).resolves.toMatchObject({ outcome: 'won' });
  });

  it('without a referral API (older wiring) a referral event is only acknowledged', async () => {
    const store = new MemoryOfferStore();
    const processor = createEventProcessor({
      marketplace: fakeMarketplace(),
      store,
      units: store,
      rules: { defaultAction: 'review', rules: [] } as never,
      role: 'supply',
      now: () => NOW,
    });
    await expect(
      processor.processEvent(referralEvent('ReferralCreated'), { topicName: 'inbox-referrals' }),
    ).resolves.toMatchObject({ outcome: 'recorded' });
    expect(store.offers.size).toBe(0);
  });
});
