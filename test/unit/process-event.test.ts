/**
 * Covers the worker's use case (lambdas/core/process-event.ts) with a stateful fake marketplace
 * and the in-memory OfferStore: accept / decline / review, acting once per event, busy claims,
 * releasing a claim on failure, crash recovery from an `intended` decision, offers no longer
 * actionable, other events (recorded and acknowledged), malformed messages, and the demand side
 * (OfferAccepted assigned by policy with a stateful demand API fake: setting, offer status,
 * intended/applied assignment, redelivery, crash recovery).
 * Rule matching details are in rules.test.ts; DynamoDB semantics in
 * test/integration/dynamo-offer-store.test.ts; SQS batching and logging in worker.test.ts.
 */
import { parseRules, type Role, type Rules } from '../../lambdas/core/config';
import type {
  AcceptedMatch,
  InboxOffer,
  MarketplaceDemandApi,
  OfferAssignmentSetting,
  OfferStatus,
  RecordedDecision,
} from '../../lambdas/core/ports';
import { UnitBusyError } from '../../lambdas/core/decide-unit';
import { OutOfTimeError } from '../../lambdas/core/errors';
import {
  createEventProcessor,
  DEFAULT_LEASE_MS,
  DemandWiringError,
  EventBusyError,
  MalformedEventError,
} from '../../lambdas/core/process-event';
import { inboxOffer, OFFER_ID, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace, type FakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';

const NOW = new Date('2026-05-01T08:01:00Z');

const ACCEPT_PSW: Rules = parseRules(
  JSON.stringify({
    defaultAction: 'review',
    rules: [
      {
        name: 'psw visits',
        match: { care_type: ['psw'], offer_type: ['visit'] },
        action: 'accept',
        comment: 'Glad to help',
      },
      {
        name: 'no nursing',
        match: { care_type: ['nursing'] },
        action: 'decline',
        declineReasonCode: 'no_capacity',
        comment: 'No nurses free',
      },
    ],
  }),
);

interface Setup {
  marketplace: FakeMarketplace;
  store: MemoryOfferStore;
  process: ReturnType<typeof createEventProcessor>['process'];
}

function setup(
  options: { offer?: InboxOffer; rules?: Rules; role?: Role; store?: MemoryOfferStore } = {},
): Setup {
  const marketplace = fakeMarketplace(options.offer ?? inboxOffer());
  const store = options.store ?? new MemoryOfferStore();
  const processor = createEventProcessor({
    marketplace,
    store,
    units: store,
    rules: options.rules ?? ACCEPT_PSW,
    role: options.role ?? 'supply',
    now: () => NOW,
  });
  return { marketplace, store, process: processor.process.bind(processor) };
}

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
    const store = new MemoryOfferStore();
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
    store.units.set(`offer#${OFFER_ID}`, { decision: intended });
    await store.recordDecision(OFFER_ID, intended);
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
    const store = new MemoryOfferStore();
    // An earlier run recorded its intent, made the call, and died before recording it applied.
    const intended: RecordedDecision = {
      action: 'accept',
      rule: 'psw visits',
      reason: 'rule "psw visits": care_type matched',
      state: 'intended',
      eventId: 'earlier',
      decidedAt: NOW.toISOString(),
    };
    store.units.set(`offer#${OFFER_ID}`, { decision: intended });
    await store.recordDecision(OFFER_ID, intended);
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
    const store = new MemoryOfferStore();
    const intended: RecordedDecision = {
      action: 'accept',
      rule: 'psw visits',
      reason: 'rule "psw visits": care_type matched',
      state: 'intended',
      eventId: 'earlier',
      decidedAt: NOW.toISOString(),
    };
    store.units.set(`offer#${OFFER_ID}`, { decision: intended });
    await store.recordDecision(OFFER_ID, intended);
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

// ---------------------------------------------------------------------------------------------
// Demand side

interface DemandFake extends MarketplaceDemandApi {
  setting: OfferAssignmentSetting;
  status: OfferStatus;
  matches: AcceptedMatch[];
  assigned: { offerId: string; matchId: string }[];
  /** Methods in call order. */
  calls: string[];
  failAssign: boolean;
}

/** A stateful demand API: an assign moves the offer to `assigned` (as the marketplace does). */
function demandFake(
  overrides: Partial<Pick<DemandFake, 'setting' | 'status' | 'matches'>> = {},
): DemandFake {
  const fake: DemandFake = {
    setting: overrides.setting ?? 'manual',
    status: overrides.status ?? 'open',
    matches: overrides.matches ?? [
      { id: 'match-late', createdAt: '2026-05-01T09:00:00Z', status: 'open' },
      { id: 'match-early', createdAt: '2026-05-01T08:30:00Z', status: 'open' },
    ],
    assigned: [],
    calls: [],
    failAssign: false,
    getAssignmentSetting: async () => {
      fake.calls.push('getAssignmentSetting');
      return fake.setting;
    },
    getOutboxOfferStatus: async () => {
      fake.calls.push('getOutboxOfferStatus');
      return fake.status;
    },
    listAcceptedMatches: async () => {
      fake.calls.push('listAcceptedMatches');
      return structuredClone(fake.matches);
    },
    assignOutboxOffer: async (offerId, matchId) => {
      fake.calls.push('assignOutboxOffer');
      if (fake.failAssign) {
        fake.failAssign = false;
        throw new Error('HTTP 503 from marketplace');
      }
      fake.assigned.push({ offerId, matchId });
      fake.status = 'assigned';
      for (const match of fake.matches) match.status = match.id === matchId ? 'assigned' : 'closed';
    },
  };
  return fake;
}

function demandSetup(options: { demand?: DemandFake; role?: Role; store?: MemoryOfferStore } = {}) {
  const demand = options.demand ?? demandFake();
  const store = options.store ?? new MemoryOfferStore();
  const marketplace = fakeMarketplace();
  const processor = createEventProcessor({
    marketplace,
    store,
    units: store,
    rules: ACCEPT_PSW,
    role: options.role ?? 'demand',
    demandAssignment: 'first-accepted',
    demandMarketplace: demand,
    now: () => NOW,
  });
  return { demand, store, marketplace, process: processor.process.bind(processor) };
}

const accepted = (overrides: Record<string, unknown> = {}) =>
  queuedEvent(offerEvent({ event_name: 'OfferAccepted', ...overrides }));

describe('OfferAccepted, demand side', () => {
  it('assigns the earliest accepted match, recording intent before the call and applied after', async () => {
    const { demand, store, marketplace, process } = demandSetup();
    let storedAtCall: string | undefined;
    const assign = demand.assignOutboxOffer.bind(demand);
    demand.assignOutboxOffer = async (offerId, matchId) => {
      storedAtCall = store.offers.get(offerId)?.assignment?.state;
      return assign(offerId, matchId);
    };
    const queued = accepted();

    const result = await process(queued);

    expect(result).toMatchObject({
      outcome: 'assigned',
      eventName: 'OfferAccepted',
      offerId: OFFER_ID,
      assignment: { matchId: 'match-early' },
    });
    expect(result.decision).toBeUndefined();
    expect(demand.assigned).toEqual([{ offerId: OFFER_ID, matchId: 'match-early' }]);
    expect(storedAtCall).toBe('intended');
    expect(await store.getOffer(OFFER_ID)).toMatchObject({
      lastEventName: 'OfferAccepted',
      assignment: {
        matchId: 'match-early',
        policy: 'first-accepted',
        state: 'applied',
        decidedAt: NOW.toISOString(),
      },
    });
    // The supply side's records and calls are untouched.
    expect(store.callsTo('recordDecision')).toEqual([]);
    expect(marketplace.calls).toEqual([]);
    expect(store.events.size).toBe(1);
    expect([...store.events.values()][0]).toMatchObject({
      status: 'done',
      outcome: { eventName: 'OfferAccepted', outcome: 'assigned' },
    });
  });

  it('assigns once when two suppliers’ OfferAccepted events are handled at the same moment', async () => {
    const { demand, process } = demandSetup();
    const first = accepted();
    const second = accepted();
    const results = await Promise.allSettled([process(first), process(second)]);
    // One holds the offer's lease and assigns; the other is busy and comes back in seconds.
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: expect.any(UnitBusyError),
    });
    const loser = results.at(0)?.status === 'rejected' ? first : second;
    await expect(process(loser)).resolves.toMatchObject({ outcome: 'already-assigned' });
    expect(demand.assigned).toHaveLength(1);
  });

  it('in a dry run, records the chosen match as a dry run and makes no assign call', async () => {
    const demand = demandFake();
    const store = new MemoryOfferStore();
    const processor = createEventProcessor({
      marketplace: fakeMarketplace(),
      store,
      units: store,
      rules: ACCEPT_PSW,
      role: 'demand',
      demandAssignment: 'first-accepted',
      demandMarketplace: demand,
      now: () => NOW,
      dryRun: true,
    });
    await expect(processor.process(accepted())).resolves.toMatchObject({
      outcome: 'assigned',
      dryRun: true,
      assignment: { matchId: 'match-early' },
    });
    expect(demand.assigned).toEqual([]);
    expect((await store.getOffer(OFFER_ID))?.assignment).toMatchObject({
      matchId: 'match-early',
      state: 'applied',
      dryRun: true,
    });
  });

  it('acts once when the same event is delivered twice', async () => {
    const { demand, process } = demandSetup();
    const queued = accepted();
    await process(queued);
    await expect(process(queued)).resolves.toMatchObject({ outcome: 'duplicate' });
    expect(demand.assigned).toHaveLength(1);
  });

  it('does not assign again on a second OfferAccepted event (another supplier accepted)', async () => {
    const { demand, process } = demandSetup();
    await process(accepted());
    await expect(process(accepted())).resolves.toMatchObject({
      outcome: 'already-assigned',
      offerId: OFFER_ID,
    });
    expect(demand.assigned).toHaveLength(1);
    expect(demand.calls.filter((call) => call === 'assignOutboxOffer')).toHaveLength(1);
  });

  it('records without calling assign when the organisation assigns automatically', async () => {
    const { demand, store, process } = demandSetup({ demand: demandFake({ setting: 'auto' }) });
    await expect(process(accepted())).resolves.toMatchObject({
      outcome: 'recorded',
      offerId: OFFER_ID,
    });
    expect(demand.calls).toEqual(['getAssignmentSetting']);
    expect((await store.getOffer(OFFER_ID))?.assignment).toBeUndefined();
  });

  it.each(['assigned', 'closed', 'expired', 'declined_by_all'] as const)(
    'records and acknowledges an offer already %s',
    async (status) => {
      const { demand, store, process } = demandSetup({ demand: demandFake({ status }) });
      const result = await process(accepted());
      expect(result).toMatchObject({ outcome: 'not-actionable', offerId: OFFER_ID });
      expect(result.assignment).toBeUndefined();
      expect(demand.calls).not.toContain('assignOutboxOffer');
      expect(await store.getOffer(OFFER_ID)).toMatchObject({ lastEventName: 'OfferAccepted' });
      expect((await store.getOffer(OFFER_ID))?.assignment).toBeUndefined();
    },
  );

  it('records and acknowledges when no accepted match is still open', async () => {
    const demand = demandFake({
      matches: [{ id: 'gone', createdAt: '2026-05-01T08:00:00Z', status: 'closed' }],
    });
    const { process } = demandSetup({ demand });
    await expect(process(accepted())).resolves.toMatchObject({ outcome: 'not-actionable' });
    expect(demand.assigned).toEqual([]);
  });

  it('releases the claim when assign fails, then re-applies the same intended match', async () => {
    const { demand, store, process } = demandSetup();
    demand.failAssign = true;
    const queued = accepted();

    await expect(process(queued)).rejects.toThrow('HTTP 503');
    expect((await store.getOffer(OFFER_ID))?.assignment).toMatchObject({
      matchId: 'match-early',
      state: 'intended',
    });
    expect(store.callsTo('releaseEvent')).toHaveLength(1);

    // Meanwhile a newer match appears earlier in the list: the intent, not a new choice, is applied.
    demand.matches.unshift({
      id: 'match-earliest',
      createdAt: '2026-05-01T07:00:00Z',
      status: 'open',
    });
    await expect(process(queued)).resolves.toMatchObject({
      outcome: 'recovered',
      assignment: { matchId: 'match-early' },
    });
    expect(demand.assigned).toEqual([{ offerId: OFFER_ID, matchId: 'match-early' }]);
    expect((await store.getOffer(OFFER_ID))?.assignment?.state).toBe('applied');
  });

  it('marks an intended assignment applied, without calling again, when the offer shows it assigned', async () => {
    const store = new MemoryOfferStore();
    const demand = demandFake();
    const first = demandSetup({ demand, store });
    // The assign went through but recording it failed (the second write: intended, then applied).
    const original = store.recordOfferFacts.bind(store);
    let writes = 0;
    store.recordOfferFacts = async (record) => {
      writes += 1;
      if (writes === 2) throw new Error('DynamoDB unavailable');
      return original(record);
    };
    await expect(first.process(accepted())).rejects.toThrow();
    store.recordOfferFacts = original;
    const intendedBefore = (await store.getOffer(OFFER_ID))?.assignment;
    expect(intendedBefore?.state).toBe('intended');

    const result = await first.process(accepted());

    expect(result).toMatchObject({
      outcome: 'not-actionable',
      assignment: { matchId: intendedBefore?.matchId },
    });
    expect(demand.assigned).toHaveLength(1);
    expect((await store.getOffer(OFFER_ID))?.assignment).toMatchObject({
      matchId: intendedBefore?.matchId,
      state: 'applied',
    });
  });

  it('leaves an intended assignment unconfirmed when the offer was assigned to another match', async () => {
    const store = new MemoryOfferStore();
    await store.recordOfferFacts({
      offerId: OFFER_ID,
      updatedAt: NOW.toISOString(),
      assignment: {
        matchId: 'match-early',
        policy: 'first-accepted',
        state: 'intended',
        eventId: 'e-0',
        decidedAt: NOW.toISOString(),
      },
    });
    const demand = demandFake({
      status: 'assigned',
      matches: [
        { id: 'match-early', createdAt: '2026-05-01T08:30:00Z', status: 'closed' },
        { id: 'match-person', createdAt: '2026-05-01T09:00:00Z', status: 'assigned' },
      ],
    });
    const { process } = demandSetup({ demand, store });

    const result = await process(accepted());

    expect(result).toMatchObject({ outcome: 'not-actionable' });
    expect(result.assignment).toBeUndefined();
    expect(demand.calls).not.toContain('assignOutboxOffer');
    expect((await store.getOffer(OFFER_ID))?.assignment).toMatchObject({
      matchId: 'match-early',
      state: 'intended',
    });
  });

  it('acts on OfferAccepted when the role is both, and only records it for supply', async () => {
    const both = demandSetup({ role: 'both' });
    await expect(both.process(accepted())).resolves.toMatchObject({ outcome: 'assigned' });

    const supply = demandSetup({ role: 'supply' });
    await expect(supply.process(accepted())).resolves.toMatchObject({ outcome: 'recorded' });
    expect(supply.demand.calls).toEqual([]);
  });

  it('only records OfferAccepted from another event source', async () => {
    const { demand, process } = demandSetup();
    await expect(process(accepted({ event_source: 'alayamarket.other' }))).resolves.toMatchObject({
      outcome: 'recorded',
    });
    expect(demand.calls).toEqual([]);
  });

  it('refuses to build a demand assignment processor without the demand API', () => {
    expect(() =>
      createEventProcessor({
        marketplace: fakeMarketplace(),
        store: new MemoryOfferStore(),
        units: new MemoryOfferStore(),
        rules: ACCEPT_PSW,
        role: 'demand',
        demandAssignment: 'first-accepted',
      }),
    ).toThrow(DemandWiringError);
  });
});
