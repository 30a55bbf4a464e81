/**
 * Covers the worker's use case (lambdas/core/process-event.ts), supply side, with a stateful fake
 * marketplace and the in-memory OfferStore: accept / decline / review, acting once per event, busy
 * units and claims, lost or expired leases. Siblings: process-event-recovery, -other-events and
 * -demand (.test.ts). Rule matching is in rules.test.ts; DynamoDB semantics in
 * test/integration/dynamo-offer-store-*.test.ts; SQS batching and logging in worker.test.ts.
 */
import { parseRules } from '../../lambdas/core/config';
import type { RecordedDecision } from '../../lambdas/core/ports';
import { UnitBusyError } from '../../lambdas/core/decide-unit';
import { DEFAULT_LEASE_MS, EventBusyError } from '../../lambdas/core/process-event';
import { inboxOffer, OFFER_ID, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { NOW, setup } from '../support/process-event-setup';

describe('OfferMatched, supply side', () => {
  it('accepts when a rule says accept, recording intent before the call and applied after', async () => {
    const { marketplace, store, process } = setup();
    const event = offerEvent();
    // What the store held at the moment of the marketplace call.
    let storedAtCall: string | undefined;
    const accept = marketplace.acceptInboxOffer.bind(marketplace);
    marketplace.acceptInboxOffer = async (offerId, body) => {
      storedAtCall = store.offers.get(offerId)?.decision?.state;
      return accept(offerId, body);
    };

    const result = await process(queuedEvent(event));

    expect(result).toMatchObject({
      outcome: 'decided',
      offerId: OFFER_ID,
      decision: { action: 'accept', rule: 'psw visits' },
    });
    expect(marketplace.actions()).toEqual([
      { method: 'acceptInboxOffer', offerId: OFFER_ID, body: { comment: 'Glad to help' } },
    ]);
    // A lone offer's unit is its offer: each decision is one fenced unit write, no separate copy;
    // the intent goes in the write that takes the lease (the offer had no decision on record).
    const state = (call: unknown[], at: number) => (call[at] as RecordedDecision).state;
    expect(store.callsTo('acquireWithIntent').map((call) => state(call, 4))).toEqual(['intended']);
    expect(store.callsTo('acquireUnitLease')).toEqual([]);
    expect(store.callsTo('recordUnitDecision').map((call) => state(call, 3))).toEqual(['applied']);
    expect(store.callsTo('recordDecision')).toEqual([]);
    expect(storedAtCall).toBe('intended');
    const record = await store.getOffer(OFFER_ID);
    expect(record).toMatchObject({
      offerId: OFFER_ID,
      careType: 'psw',
      offerType: 'visit',
      lastEventName: 'OfferMatched',
      lastEventAt: event.timestamp,
      matchResponse: 'accepted',
      matchStatus: 'open',
      decision: {
        action: 'accept',
        rule: 'psw visits',
        state: 'applied',
        eventId: event.event_id,
        decidedAt: NOW.toISOString(),
      },
    });
    // No event claim: the unit's lease and the offer's record stand for it (no event item).
    expect(store.callsTo('claimEvent')).toEqual([]);
    expect(store.events.size).toBe(0);
    expect(record?.events?.map((seen) => seen.eventId)).toEqual([event.event_id]);
  });

  it('declines with the rule reason code and comment', async () => {
    const { marketplace, store, process } = setup({ offer: inboxOffer({ careType: 'nursing' }) });

    const result = await process(queuedEvent(offerEvent()));

    expect(result.decision).toMatchObject({
      action: 'decline',
      rule: 'no nursing',
      declineReasonCode: 'no_capacity',
    });
    expect(marketplace.actions()).toEqual([
      {
        method: 'declineInboxOffer',
        offerId: OFFER_ID,
        body: { reason_code: 'no_capacity', comment: 'No nurses free' },
      },
    ]);
    expect((await store.getOffer(OFFER_ID))?.decision).toMatchObject({
      action: 'decline',
      state: 'applied',
    });
    expect((await store.getOffer(OFFER_ID))?.matchResponse).toBe('declined');
  });

  it('sends an empty decline body when the rule has no reason code or comment', async () => {
    const rules = parseRules(JSON.stringify({ defaultAction: 'decline' }));
    const { marketplace, process } = setup({ rules });
    await process(queuedEvent(offerEvent()));
    expect(marketplace.actions()).toEqual([
      { method: 'declineInboxOffer', offerId: OFFER_ID, body: {} },
    ]);
  });

  it('flags for review without calling the marketplace', async () => {
    const { marketplace, store, process } = setup({ offer: inboxOffer({ offerType: 'service' }) });

    const result = await process(queuedEvent(offerEvent()));

    expect(result).toMatchObject({
      outcome: 'decided',
      decision: { action: 'review', rule: 'default' },
    });
    expect(marketplace.actions()).toEqual([]);
    const record = await store.getOffer(OFFER_ID);
    expect(record?.decision).toMatchObject({ action: 'review', state: 'applied' });
    expect(record?.matchResponse).toBe('pending');
  });

  it('acts once when the same event is delivered twice', async () => {
    const { marketplace, process } = setup();
    const event = offerEvent();

    const first = await process(queuedEvent(event, 'sns-1'));
    const second = await process(queuedEvent(event, 'sns-2'));

    expect(first.outcome).toBe('decided');
    expect(second).toMatchObject({ outcome: 'duplicate', eventId: event.event_id });
    expect(second.decision).toBeUndefined();
    expect(marketplace.actions()).toHaveLength(1);
    // Once to learn the offer's decision unit (a lone offer undecided: not again under the lease);
    // the duplicate reads the offer's record only, which shows the event seen, and writes nothing.
    expect(marketplace.callsTo('getInboxOffer')).toHaveLength(1);
  });

  it('writes nothing for a redelivery of the event that decided the offer', async () => {
    const { process, store } = setup();
    const event = offerEvent();
    await process(queuedEvent(event, 'sns-1'));
    store.calls.length = 0;

    await expect(process(queuedEvent(event, 'sns-2'))).resolves.toMatchObject({
      outcome: 'duplicate',
    });

    expect(store.calls.map((c) => c.method)).toEqual(['getOffer']);
  });

  it('does not act again on a second OfferMatched event for an offer already decided', async () => {
    const { marketplace, process } = setup();
    await process(queuedEvent(offerEvent()));

    const again = await process(queuedEvent(offerEvent({ timestamp: '2026-05-01T08:05:00Z' })));

    expect(again.outcome).toBe('already-decided');
    expect(again.decision).toBeUndefined();
    expect(marketplace.actions()).toHaveLength(1);
  });

  it.each([
    ['another attempt at it', '#other-attempt'],
    ['an earlier version deciding it (its lease named by the event itself)', ''],
  ])('throws UnitBusyError while %s holds the unit, sending nothing', async (_name, tag) => {
    const { marketplace, store, process } = setup();
    const event = offerEvent();
    // Another delivery of this very event, being decided by another invocation.
    await store.acquireUnitLease(
      `offer#${OFFER_ID}`,
      `${String(event.event_id)}${tag}`,
      new Date(NOW.getTime() - 1000),
      DEFAULT_LEASE_MS,
    );
    store.calls.length = 0;

    await expect(process(queuedEvent(event))).rejects.toBeInstanceOf(UnitBusyError);

    // A unit busy is no failure of the event: nothing is put on record for it. The intent's write
    // with the lease is refused, then the lease alone finds the unit busy.
    expect(store.calls.map((c) => c.method)).toEqual([
      'getOffer',
      'acquireWithIntent',
      'acquireUnitLease',
    ]);
    expect(store.events.size).toBe(0);
    expect(marketplace.actions()).toEqual([]);
    expect(store.offers.get(OFFER_ID)?.decision).toBeUndefined();
  });

  it('gives back a lease whose write landed but whose answer was lost, so the retry decides at once', async () => {
    // An offer with an intent on record: the lease is taken alone.
    const store = new MemoryOfferStore();
    const event = offerEvent();
    await store.recordDecision(OFFER_ID, {
      action: 'accept',
      rule: 'psw visits',
      reason: 'rule "psw visits" matched',
      state: 'intended',
      eventId: 'earlier-event',
      decidedAt: new Date(NOW.getTime() - 60_000).toISOString(),
    });
    const { marketplace, process } = setup({ store });
    const acquire = store.acquireUnitLease.bind(store);
    store.acquireUnitLease = async (...args) => {
      store.acquireUnitLease = acquire;
      await acquire(...args);
      throw new Error('socket hang up');
    };

    await expect(process(queuedEvent(event))).rejects.toThrow('socket hang up');
    // The retry of the same event, seconds later, is not kept out by its own lost attempt.
    await expect(process(queuedEvent(event))).resolves.toMatchObject({ outcome: 'recovered' });
    expect(marketplace.actions()).toHaveLength(1);
  });

  it('gives back a lease taken with its intent whose answer was lost, so the retry sends that intent at once', async () => {
    const { marketplace, store, process } = setup();
    const event = offerEvent();
    const acquire = store.acquireWithIntent.bind(store);
    store.acquireWithIntent = async (...args) => {
      store.acquireWithIntent = acquire;
      await acquire(...args);
      throw new Error('socket hang up');
    };

    await expect(process(queuedEvent(event))).rejects.toThrow('socket hang up');
    expect(store.offers.get(OFFER_ID)?.decision).toMatchObject({ state: 'intended' });
    expect(marketplace.actions()).toEqual([]);
    // The retry finds the intent (no longer undecided) and its lease given back: it sends it.
    await expect(process(queuedEvent(event))).resolves.toMatchObject({ outcome: 'recovered' });
    expect(marketplace.actions()).toHaveLength(1);
    expect(store.offers.get(OFFER_ID)?.decision).toMatchObject({
      state: 'applied',
      eventId: event.event_id,
    });
  });

  it('finds its own lease when the write of the intent with it landed but came back refused (sent again)', async () => {
    const { marketplace, store, process } = setup();
    const event = offerEvent();
    const acquire = store.acquireWithIntent.bind(store);
    // The SDK sends a write again whose answer was lost: the second finds the first's decision.
    store.acquireWithIntent = async (...args) => {
      await acquire(...args);
      return acquire(...args);
    };

    await expect(process(queuedEvent(event))).resolves.toMatchObject({ outcome: 'recovered' });
    expect(marketplace.actions()).toHaveLength(1);
    expect(store.offers.get(OFFER_ID)?.decision).toMatchObject({
      state: 'applied',
      eventId: event.event_id,
    });
  });

  it('throws EventBusyError while another invocation holds an event it claims, touching nothing else', async () => {
    const { marketplace, store, process } = setup();
    const event = offerEvent({ event_name: 'OfferClosed' });
    await store.claimEvent(
      String(event.event_id),
      new Date(NOW.getTime() - 1000),
      DEFAULT_LEASE_MS,
    );
    store.calls.length = 0;

    await expect(process(queuedEvent(event))).rejects.toBeInstanceOf(EventBusyError);

    expect(store.calls.map((c) => c.method)).toEqual(['claimEvent']);
    expect(marketplace.calls).toEqual([]);
  });

  it('takes over a unit whose lease has run out (its holder crashed)', async () => {
    const { marketplace, process, store } = setup();
    const event = offerEvent();
    await store.acquireUnitLease(
      `offer#${OFFER_ID}`,
      `${String(event.event_id)}#crashed-attempt`,
      new Date(NOW.getTime() - DEFAULT_LEASE_MS - 1000),
      DEFAULT_LEASE_MS,
    );

    await expect(process(queuedEvent(event))).resolves.toMatchObject({ outcome: 'decided' });
    expect(marketplace.actions()).toHaveLength(1);
  });
});
