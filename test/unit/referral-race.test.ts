/**
 * Race tests of a won referral (referral-event.ts through createEventProcessor): two worker
 * instances on one store handle the same `ReferralCreated` (SQS delivers a message twice; a
 * referral event takes no event claim, so only the referral's lease, held per attempt, keeps the
 * copies apart). A cooperative scheduler (test/support/interleave.ts) stops them at every call on a
 * shared port (store, referral API, event bus): each is paused at every step while the other runs
 * to the end, in both orders; each is crashed at every step and the event redelivered after its
 * leases run out; and seeded random interleavings, with and without faults. Whatever happens, the
 * marketplace (the fake's own state and call log, not the connector's records) is never sent a
 * mark for a referral it already shows processed, the bus gets ReferralReceived once (twice only
 * when a process died after the put and before its record: at least once), the win and the mark
 * are counted once (at most once when a process died), and the referral ends recorded won,
 * processed and forwarded.
 */
import { RetryLaterError } from '../../lambdas/core/errors';
import type { MarketplaceEvent } from '../../lambdas/core/events';
import { createEventProcessor } from '../../lambdas/core/process-event';
import type { ProcessResult } from '../../lambdas/core/process-result';
import { FakeMarketplaceError, fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import {
  fakeReferralApi,
  type FakeReferralApi,
  memoryReferralPublisher,
  type MemoryReferralPublisher,
  REFERRAL_ID,
  REFERRAL_OFFER_ID,
  referralSummary,
} from '../support/referral-fakes';
import {
  type Pick,
  redeliverEach,
  retryDelay,
  Scheduler,
  stepsAlone,
  strategies,
} from '../support/interleave';
import { seededRandom } from '../../sandbox/simulator/seeded-random';

const START = Date.parse('2026-05-01T09:00:00Z');
const LEASE_MS = 150_000;

const EVENT: MarketplaceEvent = {
  event_id: 'ref-event-1',
  event_name: 'ReferralCreated',
  event_source: 'alayamarket.referrals',
  timestamp: '2026-05-01T08:59:00Z',
  id: REFERRAL_ID,
  referral_id: REFERRAL_ID,
  sequence_id: 'seq-1',
};

interface World {
  api: FakeReferralApi;
  publisher: MemoryReferralPublisher;
  store: MemoryOfferStore;
  clock: { ms: number };
  /** Every result a handling returned, redeliveries included: what the worker counts metrics from. */
  results: ProcessResult[];
  /** Marks sent for a referral the marketplace already showed processed: must stay 0. */
  marksOnProcessed: number;
  worker(side: 'a' | 'b', scheduler?: Scheduler): () => Promise<ProcessResult>;
}

function world(): World {
  const api = fakeReferralApi([referralSummary()]);
  const publisher = memoryReferralPublisher();
  const store = new MemoryOfferStore();
  const w: World = {
    api,
    publisher,
    store,
    clock: { ms: START },
    results: [],
    marksOnProcessed: 0,
    worker(side, scheduler) {
      const gate = <T extends object>(target: T): T =>
        scheduler === undefined ? target : scheduler.gate(side, target);
      const processor = createEventProcessor({
        marketplace: fakeMarketplace(),
        store: gate(store),
        units: gate(store),
        rules: { defaultAction: 'review', rules: [] } as never,
        role: 'supply',
        referralMarketplace: gate(api),
        markReferralsProcessed: true,
        referralPublisher: gate(publisher),
        now: () => new Date(w.clock.ms),
        leaseMs: LEASE_MS,
        decisionLeaseMs: LEASE_MS,
      });
      return async () => {
        const result = await processor.processEvent(EVENT, { topicName: 'inbox-referrals' });
        w.results.push(result);
        return result;
      };
    },
  };
  const mark = api.markInboxReferralProcessed.bind(api);
  api.markInboxReferralProcessed = async (id) => {
    if (api.inbox.get(id)?.status === 'processed') w.marksOnProcessed += 1;
    return mark(id);
  };
  return w;
}

/** An injected fault: the record fails and is redelivered. */
/** An injected failure of the offer's write (a throttle, a lost answer). */
const OFFER_WRITE_FAULT = 'offer write failed';

function faulted(error: unknown): boolean {
  return (
    (error instanceof FakeMarketplaceError && (error.status ?? 0) >= 500) ||
    (error instanceof Error && error.message.includes('PutEvents failed')) ||
    (error instanceof Error && error.message === OFFER_WRITE_FAULT)
  );
}

async function runRace(pick: Pick, prepare?: (w: World) => void) {
  const w = world();
  prepare?.(w);
  const scheduler = new Scheduler();
  const procs = await scheduler.run(
    { a: () => w.worker('a', scheduler)(), b: () => w.worker('b', scheduler)() },
    pick,
  );
  for (const p of procs.values()) {
    // A copy that ended either handled the event, found it done, or was told to retry.
    if (p.result?.ok === false && !faulted(p.result.error))
      expect(p.result.error).toBeInstanceOf(RetryLaterError);
  }
  return { w };
}

/** Redelivers both copies until each ends (the clock past every lease when something crashed). */
async function redeliver(w: World, afterMs: number): Promise<void> {
  w.clock.ms += afterMs;
  await redeliverEach(
    ['a', 'b'] as const,
    (side) => w.worker(side)(),
    retryDelay(faulted),
    (ms) => (w.clock.ms += ms),
  );
}

/**
 * `crashed`: a process died, perhaps after a step and before its record: then a step may go
 * uncounted. Otherwise the win and the mark are counted exactly once, a failed attempt's steps by
 * the handling that finished.
 */
function expectHandledOnce(w: World, putMayRepeat: boolean, crashed = false): void {
  expect(w.marksOnProcessed).toBe(0);
  expect(w.api.inbox.get(REFERRAL_ID)?.status).toBe('processed');
  const puts = w.publisher.events.length;
  if (putMayRepeat) expect([1, 2]).toContain(puts);
  else expect(puts).toBe(1);
  const flags = (flag: 'won' | 'markedProcessed' | 'forwarded') =>
    w.results.filter((r) => r.referral?.[flag] === true).length;
  if (crashed) {
    expect(flags('won')).toBeLessThanOrEqual(1);
    expect(flags('markedProcessed')).toBeLessThanOrEqual(1);
  } else {
    expect(flags('won')).toBe(1);
    expect(flags('markedProcessed')).toBe(1);
  }
  expect(flags('forwarded')).toBeLessThanOrEqual(puts);
  expect(w.store.offers.get(REFERRAL_OFFER_ID)?.referral).not.toHaveProperty('unreported');
  expect(w.store.offers.get(REFERRAL_OFFER_ID)?.referral).toMatchObject({
    status: 'processed',
    wonAt: expect.any(String),
    processedAt: expect.any(String),
    forwardedAt: expect.any(String),
  });
}

/** Once the event has ended, another copy is a duplicate and calls the marketplace for nothing. */
async function expectLaterCopyDuplicate(w: World): Promise<void> {
  const calls = w.api.calls.length;
  await expect(w.worker('a')()).resolves.toMatchObject({ outcome: 'duplicate' });
  expect(w.api.calls.length).toBe(calls);
}

const stepsOf = (side: 'a' | 'b') => {
  const w = world();
  return stepsAlone(side, (scheduler) => w.worker(side, scheduler)());
};

describe('one ReferralCreated delivered twice at once', () => {
  it('is handled once when either copy is paused at any step while the other runs to the end (both orders)', async () => {
    for (const [first, second] of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const) {
      const steps = await stepsOf(first);
      expect(steps).toBeGreaterThan(5);
      for (let k = 0; k <= steps; k++) {
        const { w } = await runRace(strategies.pauseAt(first, k, [first, second]));
        await redeliver(w, 0);
        expectHandledOnce(w, false);
        await expectLaterCopyDuplicate(w);
      }
    }
  });

  it('is handled once when a copy crashes at any step and both are redelivered after the leases run out', async () => {
    for (const [victim, other] of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const) {
      const steps = await stepsOf(victim);
      for (let k = 0; k < steps; k++) {
        const { w } = await runRace(strategies.crashAt(victim, k, [other]));
        const putBeforeCrash = w.publisher.events.length > 0;
        await redeliver(w, LEASE_MS + 1);
        // A second put only when the victim may have died between its put and their record.
        expectHandledOnce(w, putBeforeCrash, true);
        await expectLaterCopyDuplicate(w);
      }
    }
  });

  it('is handled once under 300 seeded random interleavings', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { w } = await runRace(strategies.random(seededRandom(seed)));
      await redeliver(w, 0);
      expectHandledOnce(w, false);
    }
  });

  it('is handled once under random interleavings with a 503 before or after the mark and a failed put', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed * 7919);
      const { w } = await runRace(strategies.random(random), (fresh) => {
        const roll = random();
        if (roll < 0.3) fresh.api.failNext('markInboxReferralProcessed');
        else if (roll < 0.6) fresh.api.failNextMarkAfterActing();
        if (random() < 0.3) fresh.publisher.failNext();
      });
      await redeliver(w, 0);
      expectHandledOnce(w, false);
    }
  });

  it("is handled once, each step counted once, under random interleavings with the offer's write failing once", async () => {
    // The write that records the steps fails (a throttle, a lost answer): the attempt writes them
    // once more, with the steps it could not report, and the retry reports them.
    for (let seed = 1; seed <= 200; seed++) {
      const { w } = await runRace(strategies.random(seededRandom(seed * 104729)), (fresh) => {
        fresh.store.failNext('recordOfferFacts', new Error(OFFER_WRITE_FAULT));
      });
      await redeliver(w, 0);
      expectHandledOnce(w, false);
    }
  });

  it('the scheduler reaches the window: copies under one name (the first version) mark and put twice', async () => {
    // Both copies hold the lease under the event's own id, as the first version of this change
    // did: some interleaving lets both handle the event in full.
    let doubled = false;
    for (let k = 0; k <= (await stepsOf('a')) && !doubled; k++) {
      const { w } = await runRace(strategies.pauseAt('a', k, ['a', 'b']), (fresh) => {
        const acquire = fresh.store.acquireUnitLease.bind(fresh.store);
        fresh.store.acquireUnitLease = (key, owner, now, ms) =>
          acquire(key, owner.split('#')[0] ?? owner, now, ms);
        const release = fresh.store.releaseUnitLease.bind(fresh.store);
        fresh.store.releaseUnitLease = (key, owner, options) =>
          release(key, owner.split('#')[0] ?? owner, options);
      });
      doubled = w.publisher.events.length > 1;
    }
    expect(doubled).toBe(true);
  });
});
