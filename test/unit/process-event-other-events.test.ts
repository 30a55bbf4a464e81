/**
 * Covers lambdas/core/process-event.ts for events other than a supply-side OfferMatched (recorded
 * and acknowledged, never hiding a newer event or the decision) and for malformed messages (refused
 * without a write or quoting the payload). Siblings: process-event.test.ts,
 * process-event-recovery.test.ts and process-event-demand.test.ts.
 */
import { MalformedEventError } from '../../lambdas/core/events';
import { inboxOffer, OFFER_ID, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { setup } from '../support/process-event-setup';

describe('other events', () => {
  it.each([
    ['OfferClosed', 'alayamarket.offers'],
    ['OfferExpired', 'alayamarket.offers'],
    ['OfferFulfilled', 'alayamarket.offers'],
    ['OfferAccepted', 'alayamarket.offers'],
    ['SomethingNew', 'alayamarket.offers'],
    ['OfferMatched', 'alayamarket.other'],
  ])('records %s (%s) as the last event and acknowledges it', async (eventName, source) => {
    const { marketplace, store, process } = setup();
    const event = offerEvent({ event_name: eventName, event_source: source });

    const result = await process(queuedEvent(event));

    expect(result).toMatchObject({ outcome: 'recorded', eventName, offerId: OFFER_ID });
    expect(marketplace.calls).toEqual([]);
    expect(await store.getOffer(OFFER_ID)).toMatchObject({
      lastEventName: eventName,
      lastEventAt: event.timestamp,
    });
    expect(store.events.get(String(event.event_id))?.status).toBe('done');
  });

  it('acknowledges an event without an offer_id and records no offer', async () => {
    const { store, process } = setup();
    const event = offerEvent({
      event_name: 'ReferralCreated',
      event_source: 'alayamarket.referrals',
      offer_id: undefined,
      referral_id: 'r-1',
    });

    await expect(process(queuedEvent(event))).resolves.toMatchObject({ outcome: 'recorded' });
    expect(store.offers.size).toBe(0);
    expect(store.events.get(String(event.event_id))?.status).toBe('done');
  });

  it('keeps the decision when a later event is recorded', async () => {
    const { process, store } = setup();
    await process(queuedEvent(offerEvent()));
    await process(
      queuedEvent(offerEvent({ event_name: 'OfferFulfilled', timestamp: '2026-05-03T11:00:00Z' })),
    );
    const record = await store.getOffer(OFFER_ID);
    expect(record).toMatchObject({
      lastEventName: 'OfferFulfilled',
      decision: { action: 'accept', state: 'applied' },
      careType: 'psw',
    });
  });

  it('does not let an older event hide a newer one', async () => {
    const { process, store } = setup({
      offer: inboxOffer({ match: { id: 'm-1', response: 'pending', status: 'closed' } }),
    });
    await process(
      queuedEvent(offerEvent({ event_name: 'OfferClosed', timestamp: '2026-05-01T09:00:00Z' })),
    );
    await process(
      queuedEvent(offerEvent({ event_name: 'OfferMatched', timestamp: '2026-05-01T08:00:00Z' })),
    );
    expect(await store.getOffer(OFFER_ID)).toMatchObject({
      lastEventName: 'OfferClosed',
      lastEventAt: '2026-05-01T09:00:00Z',
      matchStatus: 'closed',
    });
  });
});

describe('malformed messages', () => {
  it.each([
    ['not JSON', '{"event_id": '],
    ['a JSON array', '[]'],
    [
      'no event_id',
      JSON.stringify({
        event_name: 'OfferMatched',
        event_source: 'alayamarket.offers',
        timestamp: 't',
        offer_id: OFFER_ID,
      }),
    ],
    [
      'a numeric event_name',
      JSON.stringify({
        event_id: 'e',
        event_name: 7,
        event_source: 'alayamarket.offers',
        timestamp: 't',
      }),
    ],
    [
      'OfferMatched without offer_id',
      JSON.stringify({
        event_id: 'e',
        event_name: 'OfferMatched',
        event_source: 'alayamarket.offers',
        timestamp: 't',
      }),
    ],
  ])('throws MalformedEventError for %s and changes nothing', async (_label, message) => {
    const { marketplace, store, process } = setup();

    await expect(process(queuedEvent(message))).rejects.toBeInstanceOf(MalformedEventError);

    expect(store.calls).toEqual([]);
    expect(marketplace.calls).toEqual([]);
  });

  it('does not quote the payload in the error', async () => {
    const { process } = setup();
    const secretish = JSON.stringify({
      event_id: 'e',
      event_name: 'ReferralCreated',
      event_source: 'x',
      timestamp: 'PATIENT-NAME-PHI'.repeat(10),
    });
    const error = await process(queuedEvent(secretish)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedEventError);
    expect((error as Error).message).toContain('timestamp');
    expect((error as Error).message).not.toContain('PATIENT-NAME-PHI');
  });
});
