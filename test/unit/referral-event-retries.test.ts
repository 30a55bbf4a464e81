/**
 * Covers retries of ReferralCreated on inbox-referrals (lambdas/core/referral-event.ts): each step
 * recorded on the offer so a retry after a crash between any two steps repeats nothing recorded
 * done (but a put whose record was lost: at least once); no event claim, the referral's lease per
 * attempt telling copies apart; failed, busy and unknown referrals. The steps themselves:
 * referral-event.test.ts; cancellations, demand, roles and topics: referral-event-sides.test.ts.
 */
import { DEFAULT_DECISION_LEASE_MS } from '../../lambdas/core/process-event';
import { ReferralBusyError } from '../../lambdas/core/referral-event';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { REFERRAL_ID, REFERRAL_OFFER_ID } from '../support/referral-fakes';
import { EVERY_STEP_REPORTED, NOW, referralEvent, setup } from '../support/referral-event-setup';

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

describe('ReferralCreated on inbox-referrals (supply)', () => {
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
