/**
 * Covers an operator's replay through the worker (lambdas/worker/worker.ts, process-event.ts,
 * decide-unit.ts, replay.ts): the event `connector replay` enqueues re-judges a settled `review`
 * when the match is still pending and open; `force` re-judges any settled decision under the same
 * condition and does nothing once the match is answered; the `replay` flag counts only on origin
 * `operator`; and no unit is ever answered twice (counted at the fake marketplace).
 */
import * as v from 'valibot';
import { parseRules, type Rules } from '../../lambdas/core/config';
import { queuedEventSchema } from '../../lambdas/core/events';
import { replayEvent, ReplayEventError } from '../../lambdas/core/replay-event';
import { createWorker } from '../../lambdas/worker/worker';
import { inboxOffer, OFFER_ID, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryAcceptCounter } from '../support/memory-accept-counter';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { CapturingLogger, sqsRecord } from '../support/worker-observability';

const NOW = new Date('2026-05-01T08:01:00Z');
// One accept a day at most, counted in Toronto (08:01 UTC is 04:01 there, on 2026-05-01).
const ONE_A_DAY = { timeZone: 'America/Toronto', limits: { accepts_per_day: 1 } };
const rulesSaying = (action: 'accept' | 'review', extra: object = {}): Rules =>
  parseRules(
    JSON.stringify({
      defaultAction: 'review',
      rules: [{ name: `psw ${action}`, match: { care_type: ['psw'] }, action }],
      ...extra,
    }),
  );

function setup(counter?: MemoryAcceptCounter) {
  const marketplace = fakeMarketplace(inboxOffer());
  const store = new MemoryOfferStore();
  let rules = rulesSaying('review');
  let clock = NOW.getTime();
  const worker = createWorker({
    marketplace,
    store,
    units: store,
    ...(counter !== undefined ? { counter } : {}),
    rules: { current: async () => ({ rules, version: 'v-test' }) },
    role: 'supply',
    logger: new CapturingLogger(),
    now: () => new Date(clock),
  });
  const run = async (queued: Parameters<typeof sqsRecord>[0]) => {
    clock += 1000;
    const response = await worker({ Records: [sqsRecord(queued)] });
    expect(response.batchItemFailures).toEqual([]);
  };
  const replay = (force: boolean) =>
    replayEvent(OFFER_ID, new Date(clock + 500), `replay-${clock}`, { force }).event;
  return {
    marketplace,
    store,
    run,
    replay,
    setRules: (action: 'accept' | 'review', extra: object = {}) =>
      (rules = rulesSaying(action, extra)),
  };
}

describe('replay events', () => {
  it('are valid queued events with origin operator, and refuse an offer id the worker could not read', () => {
    const { event } = replayEvent(OFFER_ID, NOW, 'id-1', { force: true });
    expect(v.parse(queuedEventSchema, event)).toMatchObject({
      origin: 'operator',
      replay: { force: true },
    });
    expect(JSON.parse(event.message)).toMatchObject({
      event_name: 'OfferMatched',
      offer_id: OFFER_ID,
    });
    expect(() => replayEvent('x'.repeat(200), NOW, 'id-2', { force: false })).toThrow(
      ReplayEventError,
    );
  });
});

describe('replay through the worker', () => {
  it('re-judges a settled review with the current rules while the match is pending and open, answering once', async () => {
    const { marketplace, store, run, replay, setRules } = setup();
    await run(queuedEvent(offerEvent()));
    expect((await store.getOffer(OFFER_ID))?.decision).toMatchObject({
      action: 'review',
      state: 'applied',
    });
    expect(marketplace.actions()).toHaveLength(0);

    setRules('accept');
    await run(replay(false));
    const decision = (await store.getOffer(OFFER_ID))?.decision;
    expect(decision).toMatchObject({ action: 'accept', state: 'applied', rule: 'psw accept' });
    expect(decision?.replacesEventId).toBeDefined();
    expect(marketplace.actions()).toEqual([
      expect.objectContaining({ method: 'acceptInboxOffer', offerId: OFFER_ID }),
    ]);

    // A second replay, forced: the match is answered now, so nothing more is sent.
    await run(replay(true));
    expect(marketplace.answersByUnit().get(OFFER_ID)).toEqual(['accept']);
    expect((await store.getOffer(OFFER_ID))?.decision).toMatchObject({
      action: 'accept',
      state: 'applied',
    });
  });

  it('without force, leaves an applied accept alone even if the marketplace still shows it pending', async () => {
    const { marketplace, store, run, replay, setRules } = setup();
    setRules('accept');
    await run(queuedEvent(offerEvent()));
    const before = (await store.getOffer(OFFER_ID))?.decision;
    // Someone reset the match in the marketplace (or the store and the marketplace disagree).
    const offer = marketplace.offers.get(OFFER_ID);
    if (offer) offer.match.response = 'pending';

    await run(replay(false));
    expect((await store.getOffer(OFFER_ID))?.decision).toEqual(before);
    expect(marketplace.actions()).toHaveLength(1);
  });

  it('with force, decides again a settled decision whose match is still pending and open', async () => {
    const { marketplace, store, run, replay, setRules } = setup();
    setRules('accept');
    await run(queuedEvent(offerEvent()));
    const offer = marketplace.offers.get(OFFER_ID);
    if (offer) offer.match.response = 'pending';

    await run(replay(true));
    expect(marketplace.actions()).toHaveLength(2);
    expect((await store.getOffer(OFFER_ID))?.decision).toMatchObject({
      action: 'accept',
      state: 'applied',
      replacesEventId: expect.any(String),
    });
  });

  it.each([
    ['in turn', false],
    ['at once, the second copy having read the offer before the first decided', true],
  ])(
    'with force, delivered twice %s, decides once: a replay leaves the decision it made itself',
    async (_name, staleRead) => {
      const { marketplace, store, run, replay, setRules } = setup();
      setRules('accept');
      await run(queuedEvent(offerEvent()));
      const offer = marketplace.offers.get(OFFER_ID);
      if (offer) offer.match.response = 'pending';
      const forced = replay(true);
      const before = await store.getOffer(OFFER_ID);
      await run(forced);
      expect(marketplace.actions()).toHaveLength(2);
      const replayed = (await store.getOffer(OFFER_ID))?.decision;

      // The marketplace still shows the match pending (its read lags, or someone reset it), and a
      // copy of the same replay comes again (an SQS duplicate, a hand-back, a redriven dead
      // letter). At once: its offer read is older than the first copy's decision, which it then
      // finds under the unit's lease.
      if (offer) offer.match.response = 'pending';
      if (staleRead) {
        const read = store.getOffer.bind(store);
        store.getOffer = async () => {
          store.getOffer = read;
          return before;
        };
      }
      await run(forced);

      expect(marketplace.actions()).toHaveLength(2);
      expect((await store.getOffer(OFFER_ID))?.decision).toEqual(replayed);
    },
  );

  it('with force, gives a replaced accept its place under the caps back before judging again', async () => {
    const counter = new MemoryAcceptCounter();
    const { marketplace, store, run, replay, setRules } = setup(counter);
    setRules('accept', ONE_A_DAY);
    await run(queuedEvent(offerEvent()));
    expect(counter.count('accepts/day/2026-05-01')).toBe(1);
    const offer = marketplace.offers.get(OFFER_ID);
    if (offer) offer.match.response = 'pending';

    // Judged again as an accept: the unit still holds the day's one place, once.
    await run(replay(true));
    expect(counter.count('accepts/day/2026-05-01')).toBe(1);
    expect((await store.getOffer(OFFER_ID))?.decision).toMatchObject({ action: 'accept' });

    // Judged again as a review: the place is free for another unit's accept.
    if (offer) offer.match.response = 'pending';
    setRules('review', ONE_A_DAY);
    await run(replay(true));
    expect((await store.getOffer(OFFER_ID))?.decision).toMatchObject({ action: 'review' });
    expect(counter.count('accepts/day/2026-05-01')).toBe(0);
  });

  it('with force, does nothing once the match is answered', async () => {
    const { marketplace, store, run, replay, setRules } = setup();
    setRules('accept');
    await run(queuedEvent(offerEvent()));
    const before = (await store.getOffer(OFFER_ID))?.decision;

    await run(replay(true));
    expect(marketplace.answersByUnit().get(OFFER_ID)).toEqual(['accept']);
    expect((await store.getOffer(OFFER_ID))?.decision).toEqual(before);
  });

  it('ignores a replay flag on any origin but operator', async () => {
    const { marketplace, store, run, setRules } = setup();
    await run(queuedEvent(offerEvent()));
    setRules('accept');
    await run({ ...queuedEvent(offerEvent()), replay: { force: true } });
    expect((await store.getOffer(OFFER_ID))?.decision).toMatchObject({ action: 'review' });
    expect(marketplace.actions()).toHaveLength(0);
  });

  it('records each event seen on the offer, in order', async () => {
    const { store, run, replay } = setup();
    const first = offerEvent();
    await run(queuedEvent(first));
    await run(replay(false));
    const events = (await store.getOffer(OFFER_ID))?.events ?? [];
    expect(events.map((e) => e.name)).toEqual(['OfferMatched', 'OfferMatched']);
    expect(events[0]?.eventId).toBe(first.event_id);
    expect(events[1]?.eventId).toMatch(/^operator-/);
  });
});
