/**
 * Covers the supply side of lambdas/core/process-event.ts when things go wrong, with a stateful
 * fake marketplace and the in-memory OfferStore: releasing a claim on failure, the failure record
 * on retries, running out of time, crash recovery from an `intended` decision, offers no longer
 * actionable, and the roles. The happy path and busy units: process-event.test.ts; other and
 * malformed events: process-event-other-events.test.ts; demand: process-event-demand.test.ts.
 */
import type { RecordedDecision } from '../../lambdas/core/ports';
import { OutOfTimeError } from '../../lambdas/core/errors';
import { inboxOffer, OFFER_ID, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { NOW, setup } from '../support/process-event-setup';

/** A store holding `intended` as an earlier run left it: on the lone offer's unit and on the offer. */
async function storeWithIntent(intended: RecordedDecision): Promise<MemoryOfferStore> {
  const store = new MemoryOfferStore();
  store.units.set(`offer#${OFFER_ID}`, { decision: intended });
  await store.recordDecision(OFFER_ID, intended);
  return store;
}

/** An accept an earlier run intended (event `earlier`), its call's outcome unknown. */
const EARLIER_ACCEPT: RecordedDecision = {
  action: 'accept',
  rule: 'psw visits',
  reason: 'rule "psw visits": care_type matched',
  state: 'intended',
  eventId: 'earlier',
  decidedAt: NOW.toISOString(),
};

describe('OfferMatched, supply side', () => {
  it('records the failed attempt and rethrows when the marketplace call fails, then re-applies the same intent', async () => {
    const { marketplace, store, process } = setup();
    const event = offerEvent();
    marketplace.failNext('acceptInboxOffer', new Error('HTTP 503'));

    await expect(process(queuedEvent(event))).rejects.toThrow('HTTP 503');
    // Kept as failed, with the error's name only (no message); the unit's lease given back.
    expect(store.callsTo('releaseEvent')).toEqual([
      [event.event_id, { errorName: 'Error', at: expect.any(String) }],
    ]);
    expect(store.events.get(String(event.event_id))).toMatchObject({
      status: 'failed',
      failedAttempts: 1,
      lastError: { errorName: 'Error' },
    });
    expect((await store.getOffer(OFFER_ID))?.decision?.state).toBe('intended');

    const retry = await process(queuedEvent(event));
    expect(retry).toMatchObject({ outcome: 'recovered', decision: { action: 'accept' } });
    expect(marketplace.actions()).toHaveLength(2);
    expect((await store.getOffer(OFFER_ID))?.decision).toMatchObject({
      state: 'applied',
      eventId: event.event_id,
    });
  });

  it('marks the failure record done when a retried delivery finishes the OfferMatched', async () => {
    const { marketplace, store, process } = setup();
    const event = offerEvent();
    marketplace.failNext('acceptInboxOffer', new Error('HTTP 503'));
    await expect(process(queuedEvent(event))).rejects.toThrow('HTTP 503');

    await expect(process(queuedEvent(event), { retried: true })).resolves.toMatchObject({
      outcome: 'recovered',
    });

    // `connector status` counts it done now, its failure history kept.
    expect(store.events.get(String(event.event_id))).toEqual({
      status: 'done',
      outcome: { eventName: 'OfferMatched', outcome: 'recovered', offerId: OFFER_ID },
      failedAttempts: 1,
      lastError: { errorName: 'Error', at: expect.any(String) },
    });
    expect(marketplace.actions()).toHaveLength(2);
  });

  it('leaves the event record alone on a first receive, and creates none for a retry that never failed', async () => {
    const first = setup();
    const failed = offerEvent();
    first.marketplace.failNext('acceptInboxOffer', new Error('HTTP 503'));
    await expect(first.process(queuedEvent(failed))).rejects.toThrow('HTTP 503');
    // Another message of the same event, received for the first time (a second SNS copy): no
    // look-up, so the failure stays until the failed message's own retry finds the offer decided.
    await first.process(queuedEvent(failed));
    expect(first.store.callsTo('completeFailedEvent')).toEqual([]);
    expect(first.store.events.get(String(failed.event_id))?.status).toBe('failed');

    // A retried record whose earlier receive left no failure (a shift's offer that waited).
    const second = setup();
    const waited = offerEvent();
    await second.process(queuedEvent(waited), { retried: true });
    expect(second.store.callsTo('completeFailedEvent')).toHaveLength(1);
    expect(second.store.events.has(String(waited.event_id))).toBe(false);
  });

  it('puts no failure on record when it has no time left to answer (the record is handed back), unless it is the last receive', async () => {
    const { marketplace, store, process } = setup();
    const event = offerEvent();

    await expect(process(queuedEvent(event), { remainingMs: () => 1 })).rejects.toBeInstanceOf(
      OutOfTimeError,
    );
    expect(marketplace.actions()).toEqual([]);
    // The worker re-sends it as a new message, whose finish no receive count would link to a
    // failure here.
    expect(store.events.has(String(event.event_id))).toBe(false);

    await expect(
      process(queuedEvent(event), { remainingMs: () => 1, lastReceive: true }),
    ).rejects.toBeInstanceOf(OutOfTimeError);
    expect(store.events.get(String(event.event_id))).toMatchObject({
      status: 'failed',
      lastError: { errorName: 'OutOfTimeError' },
    });
  });

  it('keeps the answer when marking the failure record done fails', async () => {
    const { marketplace, store, process } = setup();
    const event = offerEvent();
    marketplace.failNext('acceptInboxOffer', new Error('HTTP 503'));
    await expect(process(queuedEvent(event))).rejects.toThrow('HTTP 503');
    store.failNext('completeFailedEvent');

    await expect(process(queuedEvent(event), { retried: true })).resolves.toMatchObject({
      outcome: 'recovered',
    });
    expect(store.events.get(String(event.event_id))?.status).toBe('failed');
    expect((await store.getOffer(OFFER_ID))?.decision?.state).toBe('applied');
  });

  it('re-applies an intended decision after a crash without re-evaluating the rules', async () => {
    const crashed = offerEvent();
    // An earlier run decided to decline under rules since changed, then crashed before the call.
    const intended: RecordedDecision = {
      action: 'decline',
      rule: 'old rule',
      reason: 'rule "old rule": city matched',
      declineReasonCode: 'out_of_area',
      state: 'intended',
      eventId: String(crashed.event_id),
      decidedAt: '2026-05-01T08:00:30Z',
    };
    // The intent lives on the decision unit (a lone offer here) and on the offer.
    const store = await storeWithIntent(intended);
    const { marketplace, process } = setup({ store });

    const result = await process(queuedEvent(offerEvent()));

    expect(result).toMatchObject({
      outcome: 'recovered',
      decision: { action: 'decline', rule: 'old rule' },
    });
    expect(marketplace.actions()).toEqual([
      { method: 'declineInboxOffer', offerId: OFFER_ID, body: { reason_code: 'out_of_area' } },
    ]);
    // Applied with its text, under the intent's event.
    expect((await store.getOffer(OFFER_ID))?.decision).toEqual({ ...intended, state: 'applied' });
  });

  it('marks an intended decision applied, without calling again, when the marketplace shows it took effect', async () => {
    // An earlier run recorded its intent, made the call, and died before recording it applied.
    const store = await storeWithIntent(EARLIER_ACCEPT);
    const { marketplace, process } = setup({
      store,
      offer: inboxOffer({ match: { id: 'm-1', response: 'accepted', status: 'open' } }),
    });

    const result = await process(queuedEvent(offerEvent()));

    expect(result).toMatchObject({ outcome: 'recovered', decision: { action: 'accept' } });
    expect(marketplace.actions()).toEqual([]);
    expect((await store.getOffer(OFFER_ID))?.decision).toMatchObject({
      state: 'applied',
      eventId: 'earlier',
    });
  });

  it('closes an intended decision as resolved when the marketplace shows another answer (a person declined)', async () => {
    const store = await storeWithIntent(EARLIER_ACCEPT);
    const { marketplace, process } = setup({
      store,
      offer: inboxOffer({ match: { id: 'm-1', response: 'declined', status: 'open' } }),
    });

    const result = await process(queuedEvent(offerEvent()));

    expect(result).toMatchObject({ outcome: 'resolved', resolution: 'answered' });
    expect(result.decision).toBeUndefined();
    expect(marketplace.actions()).toEqual([]);
    expect((await store.getOffer(OFFER_ID))?.decision).toMatchObject({
      state: 'resolved',
      resolution: 'answered',
      marketplaceResponse: 'declined',
      action: 'accept',
    });
  });

  it('recovers when recording the applied decision fails after a successful call, acting only once', async () => {
    const { marketplace, store, process } = setup();
    const event = offerEvent();
    // The lone offer's applied decision (its unit's write after the call) fails.
    const realRecord = store.recordUnitDecision.bind(store);
    store.recordUnitDecision = async (...args) => {
      if (args[3].state === 'applied' && args[3].eventId === event.event_id) {
        store.recordUnitDecision = realRecord;
        throw new Error('DynamoDB unavailable');
      }
      return realRecord(...args);
    };

    await expect(process(queuedEvent(event))).rejects.toThrow('DynamoDB unavailable');
    expect((await store.getOffer(OFFER_ID))?.decision?.state).toBe('intended');
    const retry = await process(queuedEvent(event));

    // The intent is still recorded and the marketplace shows it took effect: confirmed, not sent again.
    expect(retry).toMatchObject({ outcome: 'recovered', decision: { action: 'accept' } });
    expect(marketplace.actions()).toHaveLength(1);
    expect((await store.getOffer(OFFER_ID))?.decision?.state).toBe('applied');
  });

  it.each([
    ['accepted', 'open'],
    ['declined', 'open'],
    ['pending', 'closed'],
    ['pending', 'expired'],
  ] as const)(
    'does not act on a match that is %s / %s, but records its facts',
    async (response, status) => {
      const offer = inboxOffer({ match: { id: 'm-1', response, status } });
      const { marketplace, store, process } = setup({ offer });

      const result = await process(queuedEvent(offerEvent()));

      expect(result.outcome).toBe('not-actionable');
      expect(result.decision).toBeUndefined();
      expect(marketplace.actions()).toEqual([]);
      const record = await store.getOffer(OFFER_ID);
      expect(record).toMatchObject({
        matchResponse: response,
        matchStatus: status,
        lastEventName: 'OfferMatched',
      });
      expect(record?.decision).toBeUndefined();
    },
  );

  it('records but does not act on OfferMatched when the role is demand', async () => {
    const { marketplace, store, process } = setup({ role: 'demand' });
    const result = await process(queuedEvent(offerEvent()));
    expect(result.outcome).toBe('recorded');
    expect(marketplace.calls).toEqual([]);
    expect(await store.getOffer(OFFER_ID)).toMatchObject({ lastEventName: 'OfferMatched' });
  });

  it('acts on OfferMatched when the role is both', async () => {
    const { marketplace, process } = setup({ role: 'both' });
    await expect(process(queuedEvent(offerEvent()))).resolves.toMatchObject({ outcome: 'decided' });
    expect(marketplace.actions()).toHaveLength(1);
  });
});
