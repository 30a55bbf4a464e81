/**
 * A shift (offers sharing a `shift_id`) is one unit for every action the marketplace takes on it,
 * not only accept and decline: one assign (manual over HTTP, or automatic on an accept) assigns
 * the same supplier on each offer of the shift, one close closes each open offer of it, and its
 * offers expire together. Each with the events and referrals that follow.
 */
import {
  type MarketplaceSimulator,
  type SimulatorOrganization,
  startSimulator,
} from '../../sandbox/simulator/simulator';
import { type HttpAnswer, simulatorCaller } from '../support/simulator-http';

let sim: MarketplaceSimulator;
let otherSupplier: SimulatorOrganization;
let demand: (method: string, path: string, body?: unknown) => Promise<HttpAnswer>;

beforeAll(async () => {
  sim = await startSimulator();
  otherSupplier = sim.addOrganization({ kind: 'supply', name: 'Second Supplier' });
  demand = await simulatorCaller(sim, sim.demandCredentials);
});
afterAll(async () => {
  await sim.stop();
});

const postShift = () =>
  sim.postShift(sim.demandOrganizationId, [{ careType: 'psw' }, { careType: 'psw' }]);

const statusOf = (offerId: string) => sim.getOutboxOffer(offerId)?.offer.status;

const matchOf = (offerId: string, supplyOrganizationId: string) => {
  const item = sim.outboxMatches(offerId).find((m) => m.supply.id === supplyOrganizationId);
  if (!item) throw new Error('no such match');
  return item.match;
};

const eventsFor = (offerIds: string[], eventName: string) =>
  sim.events().filter((e) => offerIds.includes(e.payload.id) && e.payload.event_name === eventName);

describe('assign over a shift', () => {
  it('assigns the supplier on every offer of the shift with one call, a referral each, the other supplier fulfilled', async () => {
    const [first, second] = postShift().map((d) => d.offer.id);
    expect(sim.respondAs(sim.supplyOrganizationId, first, 'accept')).toEqual([first, second]);
    const winner = matchOf(first, sim.supplyOrganizationId);

    const res = await demand('POST', `/offers/v1/outbox/offers/${first}/assign`, {
      offer_match_id: winner.id,
    });

    expect(res.status).toBe(204);
    for (const offerId of [first, second]) {
      expect(statusOf(offerId)).toBe('assigned');
      expect(sim.getOutboxOffer(offerId)?.supply?.id).toBe(sim.supplyOrganizationId);
      expect(matchOf(offerId, sim.supplyOrganizationId).status).toBe('assigned');
      expect(matchOf(offerId, otherSupplier.organizationId).status).toBe('fulfilled');
    }
    const referrals = sim.referrals().filter((r) => [first, second].includes(r.offer_id));
    expect(referrals.map((r) => r.offer_id).sort()).toEqual([first, second].sort());
    expect(eventsFor([first, second], 'OfferFulfilled')).toHaveLength(2);
    expect(sim.assignCalls().at(-1)).toMatchObject({
      offerId: first,
      status: 204,
      assignedOfferIds: [first, second],
    });
  });

  it('refuses a second assign on the shift with 409, changing nothing', async () => {
    const [first, second] = postShift().map((d) => d.offer.id);
    sim.respondAs(sim.supplyOrganizationId, first, 'accept');
    const assign = (offerId: string) =>
      demand('POST', `/offers/v1/outbox/offers/${offerId}/assign`, {
        offer_match_id: matchOf(offerId, sim.supplyOrganizationId).id,
      });
    expect((await assign(first)).status).toBe(204);
    const referralsBefore = sim.referrals().length;

    expect((await assign(second)).status).toBe(409);

    expect(sim.referrals()).toHaveLength(referralsBefore);
    expect(sim.assignCalls().at(-1)).toMatchObject({
      offerId: second,
      status: 409,
      assignedOfferIds: [],
    });
  });

  it('assigns the whole shift on one accept when the organisation assigns automatically', () => {
    sim.setAssignment(sim.demandOrganizationId, 'auto');
    try {
      const [first, second] = postShift().map((d) => d.offer.id);
      sim.respondAs(otherSupplier.organizationId, second, 'accept');
      for (const offerId of [first, second]) {
        expect(statusOf(offerId)).toBe('assigned');
        expect(sim.getOutboxOffer(offerId)?.supply?.id).toBe(otherSupplier.organizationId);
        expect(matchOf(offerId, sim.supplyOrganizationId).status).toBe('fulfilled');
      }
    } finally {
      sim.setAssignment(sim.demandOrganizationId, 'manual');
    }
  });
});

describe('close over a shift', () => {
  it('closes every open offer of the shift with one call, OfferClosed to each match', async () => {
    const [first, second] = postShift().map((d) => d.offer.id);

    const res = await demand('POST', `/offers/v1/outbox/offers/${second}/close`, {
      reason_code: 'client_request',
    });

    expect(res.status).toBe(204);
    for (const offerId of [first, second]) {
      const detail = sim.getOutboxOffer(offerId);
      expect(detail?.offer).toMatchObject({ status: 'closed', reason_code: 'client_request' });
      expect(sim.outboxMatches(offerId).map((m) => m.match.status)).toEqual(['closed', 'closed']);
    }
    // Two offers, each matched to two suppliers.
    expect(eventsFor([first, second], 'OfferClosed')).toHaveLength(4);
    expect((await demand('POST', `/offers/v1/outbox/offers/${first}/close`, {})).status).toBe(409);
  });

  it('closes the in-process way over the shift too', () => {
    const [first, second] = postShift().map((d) => d.offer.id);
    sim.closeOffer(first);
    expect([statusOf(first), statusOf(second)]).toEqual(['closed', 'closed']);
  });
});

describe('expiry over a shift', () => {
  it('expires the offers of a shift together, at the earliest expiry among them', async () => {
    let clock = Date.parse('2030-01-01T08:00:00Z');
    const timed = await startSimulator({ now: () => new Date(clock), sweepIntervalMs: 60_000 });
    try {
      const [first, second] = timed
        .addShift([{ expiresInMs: 1000 }, { expiresInMs: 60_000 }])
        .map((d) => d.offer.id);
      clock += 2000;
      timed.sweep();
      expect(timed.getOutboxOffer(first)?.offer.status).toBe('expired');
      expect(timed.getOutboxOffer(second)?.offer.status).toBe('expired');
      const expired = timed
        .events()
        .flatMap((e) =>
          e.channel === 'outbox-offers' && e.payload.event_name === 'OfferExpired'
            ? [e.payload.offer_id]
            : [],
        );
      expect(expired.sort()).toEqual([first, second].sort());
    } finally {
      await timed.stop();
    }
  });
});
