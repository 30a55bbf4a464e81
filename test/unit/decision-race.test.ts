/**
 * Race tests of the supply decision (decide-unit.ts through createEventProcessor): two worker
 * instances on one store, each with its own event for the same offer or the same shift (an SNS
 * delivery and the reconciler's event, or two offers of one shift), or both with the same event
 * (SQS delivers a message twice; an OfferMatched takes no event claim, so only the unit's lease,
 * held per attempt, keeps the copies apart), with the same or different rules (a deploy in
 * between). A cooperative scheduler (test/support/interleave.ts) stops them at
 * every call on a shared port: each is paused at every step while the other runs to the end, in
 * both orders; each is crashed at every step and the event redelivered after its leases run out;
 * and seeded random interleavings. Whatever happens, the marketplace (the fake's answer log, not
 * the connector's records) sees at most one answer per shift or offer, never an accept and a
 * decline for one unit, and every event ends decided once redelivery has done its work.
 */
import { parseRules, type Rules } from '../../lambdas/core/config';
import { RetryLaterError } from '../../lambdas/core/errors';
import type { InboxOffer } from '../../lambdas/core/ports';
import { createEventProcessor } from '../../lambdas/core/process-event';
import type { ProcessResult } from '../../lambdas/core/process-result';
import type { QueuedEvent } from '../../lambdas/core/events';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import {
  FakeMarketplaceError,
  fakeMarketplace,
  type FakeMarketplace,
} from '../support/offer-marketplace-fake';
import { MemoryAcceptCounter } from '../support/memory-accept-counter';
import { MemoryOfferStore } from '../support/offer-memory-store';
import {
  type Pick,
  redeliverEach,
  retryDelay,
  Scheduler,
  stepsAlone,
  strategies,
} from '../support/interleave';
import { seededRandom } from '../../sandbox/simulator/seeded-random';

const START = Date.parse('2026-05-01T08:01:00Z');
const EVENT_LEASE_MS = 120_000;
const UNIT_LEASE_MS = 150_000;

const rules = (json: object): Rules => parseRules(JSON.stringify(json));
const ACCEPT_PSW = rules({
  defaultAction: 'review',
  rules: [
    { name: 'psw', match: { care_type: ['psw'] }, action: 'accept' },
    {
      name: 'no nursing',
      match: { care_type: ['nursing'] },
      action: 'decline',
      declineReasonCode: 'no_capacity',
    },
  ],
});
/** ACCEPT_PSW under an accept cap: its accept takes a place under the lease, so the lease comes first. */
const ACCEPT_PSW_CAPPED = rules({
  defaultAction: 'review',
  timeZone: 'America/Toronto',
  limits: { accepts_per_day: 5 },
  rules: [{ name: 'psw', match: { care_type: ['psw'] }, action: 'accept' }],
});
/** The rules after a deploy: now PSW is declined and nursing accepted. */
const DECLINE_PSW = rules({
  defaultAction: 'review',
  rules: [
    { name: 'psw no more', match: { care_type: ['psw'] }, action: 'decline' },
    { name: 'nursing now', match: { care_type: ['nursing'] }, action: 'accept' },
  ],
});

interface Scenario {
  name: string;
  offers: InboxOffer[];
  /** The offer each of the two events names, and the rules its worker runs. */
  a: { offerId: string; rules: Rules };
  b: { offerId: string; rules: Rules };
  /** The answer expected in the end: one of these per unit. */
  unit: string;
  allowed: Array<'accept' | 'decline'>;
  /** Both workers get the very same event (`a`'s: same event_id), as two deliveries of it. */
  sameEvent?: boolean;
}

const lone = inboxOffer({ id: 'offer-1' });
const shift = (id: string, careType: 'psw' | 'nursing') =>
  inboxOffer({ id, shiftId: 'shift-1', careType });

const SCENARIOS: Scenario[] = [
  {
    name: 'SNS and reconciler events for one offer, same rules',
    offers: [lone],
    a: { offerId: 'offer-1', rules: ACCEPT_PSW },
    b: { offerId: 'offer-1', rules: ACCEPT_PSW },
    unit: 'offer-1',
    allowed: ['accept'],
  },
  {
    name: 'two events for one offer across a deploy that reversed the rules',
    offers: [lone],
    a: { offerId: 'offer-1', rules: ACCEPT_PSW },
    b: { offerId: 'offer-1', rules: DECLINE_PSW },
    unit: 'offer-1',
    allowed: ['accept', 'decline'],
  },
  {
    name: 'two events for one offer, one worker under an accept cap (its lease before its intent), across a deploy',
    offers: [lone],
    a: { offerId: 'offer-1', rules: DECLINE_PSW },
    b: { offerId: 'offer-1', rules: ACCEPT_PSW_CAPPED },
    unit: 'offer-1',
    allowed: ['accept', 'decline'],
  },
  {
    name: 'one event delivered twice at once, for a lone offer',
    offers: [lone],
    a: { offerId: 'offer-1', rules: ACCEPT_PSW },
    b: { offerId: 'offer-1', rules: ACCEPT_PSW },
    unit: 'offer-1',
    allowed: ['accept'],
    sameEvent: true,
  },
  {
    name: 'one event delivered twice at once, to workers on either side of a deploy that reversed the rules',
    offers: [lone],
    a: { offerId: 'offer-1', rules: ACCEPT_PSW },
    b: { offerId: 'offer-1', rules: DECLINE_PSW },
    unit: 'offer-1',
    allowed: ['accept', 'decline'],
    sameEvent: true,
  },
  {
    name: 'one event of a shift delivered twice at once',
    offers: [shift('s-a', 'psw'), shift('s-b', 'nursing')],
    a: { offerId: 's-a', rules: ACCEPT_PSW },
    b: { offerId: 's-a', rules: ACCEPT_PSW },
    unit: 'shift-1',
    allowed: ['decline'],
    sameEvent: true,
  },
  {
    name: 'events for two offers of one shift that the rules judge differently',
    offers: [shift('s-a', 'psw'), shift('s-b', 'nursing'), shift('s-c', 'psw')],
    a: { offerId: 's-a', rules: ACCEPT_PSW },
    b: { offerId: 's-b', rules: ACCEPT_PSW },
    unit: 'shift-1',
    allowed: ['decline'],
  },
  {
    name: 'events for two offers of one shift across a deploy',
    offers: [shift('s-a', 'psw'), shift('s-b', 'psw')],
    a: { offerId: 's-a', rules: ACCEPT_PSW },
    b: { offerId: 's-b', rules: DECLINE_PSW },
    unit: 'shift-1',
    allowed: ['accept', 'decline'],
  },
];

interface World {
  marketplace: FakeMarketplace;
  store: MemoryOfferStore;
  /** The accept caps' counter, shared as the table is (called only under rules with limits). */
  counter: MemoryAcceptCounter;
  clock: { ms: number };
  events: Record<'a' | 'b', QueuedEvent>;
  /** A worker instance for side `a` or `b`; `gated` routes its port calls through the scheduler. */
  worker(side: 'a' | 'b', scheduler?: Scheduler): (event: QueuedEvent) => Promise<ProcessResult>;
}

function world(scenario: Scenario): World {
  const marketplace = fakeMarketplace(...scenario.offers);
  const store = new MemoryOfferStore();
  const counter = new MemoryAcceptCounter();
  const clock = { ms: START };
  const a = queuedEvent(offerEvent({ offer_id: scenario.a.offerId, id: scenario.a.offerId }));
  const events = {
    a,
    b:
      scenario.sameEvent === true
        ? a
        : queuedEvent(
            offerEvent({
              offer_id: scenario.b.offerId,
              id: scenario.b.offerId,
              timestamp: '2026-05-01T08:00:40Z',
            }),
          ),
  };
  return {
    marketplace,
    store,
    counter,
    clock,
    events,
    worker(side, scheduler) {
      const shared =
        scheduler === undefined
          ? { marketplace, store, counter }
          : {
              marketplace: scheduler.gate(side, marketplace),
              store: scheduler.gate(side, store),
              counter: scheduler.gate(side, counter),
            };
      const processor = createEventProcessor({
        marketplace: shared.marketplace,
        store: shared.store,
        units: shared.store,
        counter: shared.counter,
        rules: scenario[side].rules,
        role: 'supply',
        now: () => new Date(clock.ms),
        leaseMs: EVENT_LEASE_MS,
        decisionLeaseMs: UNIT_LEASE_MS,
        actionBudgetMs: 30_000,
      });
      return (event) => processor.process(event);
    },
  };
}

/**
 * Redelivers (like SQS) every event until it ends without a retryable error, with the clock
 * moved past every lease when something crashed. Returns the final outcomes.
 */
async function redeliver(w: World, afterCrashMs: number): Promise<ProcessResult[]> {
  w.clock.ms += afterCrashMs;
  return redeliverEach(
    ['a', 'b'] as const,
    (side) => w.worker(side)(w.events[side]),
    retryDelay(faulted),
    (ms) => (w.clock.ms += ms),
  );
}

function expectOneConsistentAnswer(w: World, scenario: Scenario): void {
  const answers = w.marketplace.answersByUnit().get(scenario.unit) ?? [];
  // The marketplace's own log: exactly one answer for the unit, of an allowed kind.
  expect(answers).toHaveLength(1);
  expect(scenario.allowed).toContain(answers[0]);
  for (const offer of scenario.offers) {
    const decision = w.store.offers.get(offer.id)?.decision;
    expect(decision?.state).toBe('applied');
    expect(decision?.action).toBe(answers[0]);
  }
}

async function runRace(
  scenario: Scenario,
  pick: Pick,
  prepare?: (w: World) => void,
): Promise<{ w: World; crashed: boolean }> {
  const w = world(scenario);
  prepare?.(w);
  const scheduler = new Scheduler();
  const procs = await scheduler.run(
    {
      a: () => w.worker('a', scheduler)(w.events.a),
      b: () => w.worker('b', scheduler)(w.events.b),
    },
    pick,
  );
  const crashed = [...procs.values()].some((p) => p.crashed);
  for (const p of procs.values()) {
    // A process that ended did so as decided, already decided, or a retryable refusal: never a contradiction.
    if (p.result?.ok === false && !faulted(p.result.error))
      expect(p.result.error).toBeInstanceOf(RetryLaterError);
  }
  return { w, crashed };
}

/** How many port calls each side makes when it runs alone: the pause and crash points. */
function stepsOf(scenario: Scenario, side: 'a' | 'b'): Promise<number> {
  const w = world(scenario);
  return stepsAlone(side, (scheduler) => w.worker(side, scheduler)(w.events[side]));
}

/** An injected marketplace fault (503 before or after acting): the record fails and is redelivered. */
function faulted(error: unknown): boolean {
  return error instanceof FakeMarketplaceError && error.status === 503;
}

describe.each(SCENARIOS)('$name', (scenario) => {
  it('one answer when either worker is paused at any step while the other runs to the end (both orders)', async () => {
    for (const [first, second] of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const) {
      const steps = await stepsOf(scenario, first);
      expect(steps).toBeGreaterThanOrEqual(5);
      for (let k = 0; k <= steps; k++) {
        const { w } = await runRace(scenario, strategies.pauseAt(first, k, [first, second]));
        await redeliver(w, 0);
        expectOneConsistentAnswer(w, scenario);
      }
    }
  });

  it.each([
    ['within the intent age', 6 * 60_000],
    ['past the intent age (re-judged)', 11 * 60_000],
  ])(
    'one answer when a worker crashes at any step and the events are redelivered %s',
    async (_name, afterMs) => {
      for (const [victim, other] of [
        ['a', 'b'],
        ['b', 'a'],
      ] as const) {
        const steps = await stepsOf(scenario, victim);
        for (let k = 0; k < steps; k++) {
          const { w } = await runRace(scenario, strategies.crashAt(victim, k, [other]));
          await redeliver(w, afterMs);
          expectOneConsistentAnswer(w, scenario);
        }
      }
    },
  );

  it('one answer under 300 seeded random interleavings', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { w } = await runRace(scenario, strategies.random(seededRandom(seed)));
      await redeliver(w, 0);
      expectOneConsistentAnswer(w, scenario);
    }
  });
});

describe('with marketplace faults', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    'one answer under random interleavings with 503s before and after acting: %s',
    async (_name, scenario) => {
      for (let seed = 1; seed <= 200; seed++) {
        const random = seededRandom(seed * 7919);
        const { w } = await runRace(scenario, strategies.random(random), (fresh) => {
          for (const method of ['acceptInboxOffer', 'declineInboxOffer'] as const) {
            const roll = random();
            if (roll < 0.3) fresh.marketplace.failNext(method);
            else if (roll < 0.6) fresh.marketplace.failNextAfterActing(method);
          }
          if (random() < 0.3) fresh.marketplace.failNext('listShiftOffers');
        });
        await redeliver(w, 0);
        expectOneConsistentAnswer(w, scenario);
      }
    },
  );
});

describe('the scheduler itself', () => {
  it("runs both ways of taking a lone offer's lease in the scenario that mixes them", async () => {
    // `b`, under an accept cap, takes the lease alone and holds a place under the cap before its
    // intent; `a` takes the lease with its intent: the race above pits the two paths.
    const scenario = SCENARIOS.find((s) => s.name.includes('accept cap'));
    if (scenario === undefined) throw new Error('no scenario');
    for (const side of ['a', 'b'] as const) {
      const w = world(scenario);
      await w.worker(side)(w.events[side]);
      const withIntent = w.store.callsTo('acquireWithIntent').length;
      expect([withIntent, w.store.callsTo('acquireUnitLease').length]).toEqual(
        side === 'a' ? [1, 0] : [0, 1],
      );
      expect(w.counter.periods.size).toBe(side === 'a' ? 0 : 1);
    }
  });

  it("reaches the window between a lone offer's judgement and its lease taken with the intent", async () => {
    // `a` (accept) judged, paused before its write; `b` (decline, after a deploy) took the lease
    // with its intent and answered; `a`'s write is refused, and its lease alone finds the offer
    // decided: one answer, `b`'s.
    const scenario = SCENARIOS.at(1);
    if (scenario === undefined) throw new Error('no scenario');
    const { w } = await runRace(scenario, strategies.pauseAt('a', 2, ['a', 'b']));

    const actions = w.store
      .callsTo('acquireWithIntent')
      .map((args) => (args[4] as { action: string }).action);
    expect(actions).toEqual(['decline', 'accept']);
    expect(w.store.callsTo('acquireUnitLease')).toHaveLength(1);
    expect(w.marketplace.answersByUnit().get('offer-1')).toEqual(['decline']);
    expect(w.store.offers.get('offer-1')?.decision).toMatchObject({
      state: 'applied',
      action: 'decline',
      eventId: (JSON.parse(w.events.b.message) as { event_id: string }).event_id,
    });
  });

  it('finds the double answer of a processor without the unit lease (the race this suite guards)', async () => {
    // Two workers that skip the lease (a unit store that always grants it) answer twice when
    // interleaved: proof that the interleavings above reach the dangerous window.
    const scenario = SCENARIOS.at(1);
    if (scenario === undefined) throw new Error('no scenario');
    const w = world(scenario);
    const leaky = Object.assign(Object.create(w.store) as MemoryOfferStore, {
      acquireUnitLease: async () => ({ kind: 'acquired' as const }),
      acquireWithIntent: async () => true,
      recordUnitDecision: async () => undefined,
      releaseUnitLease: async () => undefined,
    });
    const scheduler = new Scheduler();
    const make = (side: 'a' | 'b') =>
      createEventProcessor({
        marketplace: scheduler.gate(side, w.marketplace),
        store: scheduler.gate(side, w.store),
        units: scheduler.gate(side, leaky),
        rules: scenario[side].rules,
        role: 'supply',
        now: () => new Date(w.clock.ms),
      });
    const a = make('a');
    const b = make('b');
    let turn = 0;
    await scheduler.run(
      { a: () => a.process(w.events.a), b: () => b.process(w.events.b) },
      (waiting) => waiting[turn++ % waiting.length] ?? 'a',
    );
    expect(w.marketplace.answersByUnit().get('offer-1')?.length).toBeGreaterThan(1);
  });
});
