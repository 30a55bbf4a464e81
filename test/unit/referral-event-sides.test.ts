/**
 * Covers the referral use case (lambdas/core/referral-event.ts) beyond a won ReferralCreated:
 * ReferralDemandCancelled (also before its ReferralCreated), the demand side's outbox referral
 * records, and each role and topic (or none, or no referral API). The win itself is in
 * referral-event.test.ts, its retries and lease in referral-event-retries.test.ts.
 */
import { createEventProcessor } from '../../lambdas/core/process-event';
import { ReferralSideError } from '../../lambdas/core/referral-event';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { REFERRAL_ID, REFERRAL_OFFER_ID } from '../support/referral-fakes';
import { NOW, referralEvent, setup } from '../support/referral-event-setup';

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
