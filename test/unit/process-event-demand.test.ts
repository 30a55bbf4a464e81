/**
 * Covers the demand side of lambdas/core/process-event.ts: OfferAccepted assigned by policy with a
 * stateful demand API fake (setting, offer status, intended/applied assignment, redelivery, crash
 * recovery, roles and wiring). The supply side is in process-event.test.ts and
 * process-event-recovery.test.ts; other and malformed events in process-event-other-events.test.ts.
 * The pure choice of match is in demand-assignment.test.ts.
 */
import type { Role } from '../../lambdas/core/config';
import type {
  AcceptedMatch,
  MarketplaceDemandApi,
  OfferAssignmentSetting,
  OfferStatus,
} from '../../lambdas/core/ports';
import { UnitBusyError } from '../../lambdas/core/decide-unit';
import { createEventProcessor, DemandWiringError } from '../../lambdas/core/process-event';
import { OFFER_ID, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { ACCEPT_PSW, NOW } from '../support/process-event-setup';

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
