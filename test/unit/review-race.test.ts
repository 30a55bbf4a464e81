/**
 * Two events for one decision unit (a lone offer, or two offers of a shift), or two deliveries of
 * one event (an OfferMatched takes no event claim), one judged by a worker whose rules say review,
 * the other by a worker deployed later whose rules say accept.
 * Either worker is stopped for good at each of its steps (a crash), with the other let through,
 * and both events are then redelivered 3 minutes later (within the intent age). Counted where the
 * marketplace sees it: at most one answer per unit; every offer's record agrees with it; and no
 * person told "review" for a unit the connector then answered itself.
 */
import { parseRules, type Rules } from '../../lambdas/core/config';
import { RetryLaterError } from '../../lambdas/core/errors';
import type { InboxOffer, OfferNotification } from '../../lambdas/core/ports';
import { createEventProcessor } from '../../lambdas/core/process-event';
import type { QueuedEvent } from '../../lambdas/core/events';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { redeliverEach, Scheduler, stepsAlone, strategies, type Pick } from '../support/interleave';

const START = Date.parse('2026-05-01T08:01:00Z');
const REVIEW_ALL: Rules = parseRules(JSON.stringify({ defaultAction: 'review' }));
const ACCEPT_ALL: Rules = parseRules(JSON.stringify({ defaultAction: 'accept' }));

interface Scenario {
  name: string;
  offers: InboxOffer[];
  a: string;
  b: string;
  unit: string;
  /** Both workers get event `a` (same event_id), as two deliveries of it. */
  sameEvent?: boolean;
}
const shift = (id: string) => inboxOffer({ id, shiftId: 'shift-1' });
const SCENARIOS: Scenario[] = [
  {
    name: 'lone offer',
    offers: [inboxOffer({ id: 'offer-1' })],
    a: 'offer-1',
    b: 'offer-1',
    unit: 'offer-1',
  },
  { name: 'shift', offers: [shift('s-a'), shift('s-b')], a: 's-a', b: 's-b', unit: 'shift-1' },
  {
    name: 'one event of a lone offer delivered twice',
    offers: [inboxOffer({ id: 'offer-1' })],
    a: 'offer-1',
    b: 'offer-1',
    unit: 'offer-1',
    sameEvent: true,
  },
];

function world(s: Scenario) {
  const marketplace = fakeMarketplace(...s.offers);
  const store = new MemoryOfferStore();
  const clock = { ms: START };
  const told: OfferNotification[] = [];
  const a = queuedEvent(offerEvent({ offer_id: s.a, id: s.a, event_id: 'ev-a' }));
  const events: Record<'a' | 'b', QueuedEvent> = {
    a,
    b:
      s.sameEvent === true
        ? a
        : queuedEvent(offerEvent({ offer_id: s.b, id: s.b, event_id: 'ev-b' })),
  };
  const worker = (side: 'a' | 'b', sch?: Scheduler) => {
    const notifier = { notify: async (n: OfferNotification) => void told.push(n) };
    const p = createEventProcessor({
      marketplace: sch ? sch.gate(side, marketplace) : marketplace,
      store: sch ? sch.gate(side, store) : store,
      units: sch ? sch.gate(side, store) : store,
      notifier: sch ? sch.gate(side, notifier) : notifier,
      rules: side === 'a' ? REVIEW_ALL : ACCEPT_ALL,
      role: 'supply',
      now: () => new Date(clock.ms),
      leaseMs: 120_000,
      decisionLeaseMs: 150_000,
      actionBudgetMs: 30_000,
    });
    return (e: QueuedEvent) => p.process(e);
  };
  return { marketplace, store, clock, told, events, worker };
}
type W = ReturnType<typeof world>;

async function redeliver(w: W, afterMs: number, order: readonly ('a' | 'b')[]) {
  w.clock.ms += afterMs;
  await redeliverEach(
    order,
    (side) => w.worker(side)(w.events[side]),
    (error) => (error instanceof RetryLaterError ? (error.retryAfterMs ?? 5_000) : undefined),
    (ms) => (w.clock.ms += ms),
  );
}

function stepsOf(s: Scenario, side: 'a' | 'b'): Promise<number> {
  const w = world(s);
  return stepsAlone(side, (sch) => w.worker(side, sch)(w.events[side]));
}

describe.each(SCENARIOS)('$name: review (a) vs accept after a deploy (b)', (s) => {
  it('crash at any step, redelivered 3 min later (within the intent age): no answer contradicts a review notification', async () => {
    const bad: string[] = [];
    for (const [victim, other] of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const) {
      const n = await stepsOf(s, victim);
      for (let k = 0; k < n; k++) {
        const w = world(s);
        const sch = new Scheduler();
        const pick: Pick = strategies.crashAt(victim, k, [other]);
        await sch.run(
          { a: () => w.worker('a', sch)(w.events.a), b: () => w.worker('b', sch)(w.events.b) },
          pick,
        );
        await redeliver(w, 180_000, [other, victim]);
        const answers = w.marketplace.answersByUnit().get(s.unit) ?? [];
        expect(answers.length).toBeLessThanOrEqual(1);
        const final = answers[0] ?? 'review';
        for (const o of s.offers)
          expect(w.store.offers.get(o.id)?.decision).toMatchObject({
            state: 'applied',
            action: final,
          });
        if (answers.length > 0 && w.told.length > 0)
          bad.push(
            `${victim} crashed at step ${k}: told review x${w.told.length}, answered ${final}`,
          );
      }
    }
    expect(bad).toEqual([]);
  });
});
