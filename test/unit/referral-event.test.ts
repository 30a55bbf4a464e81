/**
 * Covers the referral use case (lambdas/core/referral-event.ts) through the event processor:
 * ReferralCreated on inbox-referrals marks the offer won, marks the referral processed and puts
 * ReferralReceived (each per config, in one write); redelivery; referrals processed or cancelled;
 * a 409/503 on mark_processed; a failed put; no client identifier stored. Crashes and the lease:
 * referral-event-retries.test.ts; cancellations, demand, roles: referral-event-sides.test.ts.
 */
import { FakeMarketplaceError } from '../support/offer-marketplace-fake';
import { REFERRAL_ID, REFERRAL_OFFER_ID } from '../support/referral-fakes';
import { EVERY_STEP_REPORTED, NOW, referralEvent, setup } from '../support/referral-event-setup';

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
});
