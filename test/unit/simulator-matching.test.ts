/**
 * The simulator's matching and creation, over HTTP as a demand client meets them: a demand
 * persona's trusted network and an offer's `direct_supply_persona_ids` narrow who it is matched
 * to; an offer matched to no one, like one every match declined, is `declined_by_all`; a shift or
 * bundle is created all or none (a refusal of item n leaves nothing created, matched or
 * announced), and a bundle takes at most 10 items (400, the request validator's message).
 */
import {
  type MarketplaceSimulator,
  type SimulatorOrganization,
  startSimulator,
} from '../../sandbox/simulator/simulator';
import { type HttpAnswer, inAnHour, outboxItem, simulatorCaller } from '../support/simulator-http';

type Caller = (method: string, path: string, body?: unknown) => Promise<HttpAnswer>;

let sim: MarketplaceSimulator;
let second: SimulatorOrganization;
let third: SimulatorOrganization;

beforeAll(async () => {
  sim = await startSimulator();
  second = sim.addOrganization({ kind: 'supply', name: 'Second Supplier', careTypes: ['psw'] });
  third = sim.addOrganization({ kind: 'supply', name: 'Third Supplier', careTypes: ['psw'] });
});
afterAll(async () => {
  await sim.stop();
});

/** A demand organisation of its own (so each test sets its own trusted network) and its caller. */
async function newDemand(): Promise<{ org: SimulatorOrganization; call: Caller }> {
  const org = sim.addOrganization({ kind: 'demand' });
  return { org, call: await simulatorCaller(sim, org) };
}

async function postOffer(call: Caller, key: string, extra: Record<string, unknown> = {}) {
  const res = await call('POST', '/offers/v1/outbox/offers', {
    offer: { care_type: 'psw', offer_type: 'visit', expires_at: inAnHour() },
    ...outboxItem(key),
    ...extra,
  });
  expect(res.status).toBe(201);
  return (res.json as { offer: { id: string; status: string } }).offer;
}

const matchedTo = (offerId: string) =>
  sim
    .outboxMatches(offerId)
    .map((m) => m.supply.id)
    .sort();

async function outboxCount(call: Caller): Promise<number> {
  const res = await call('GET', '/offers/v1/outbox/offers');
  return (res.json as { total_items: number }).total_items;
}

describe('trusted networks and direct supply persona ids', () => {
  it('matches only the supply personas of the trusted network, and lists them', async () => {
    const { call } = await newDemand();
    const trusted = [sim.supplyOrganizationId, second.organizationId];
    const set = await call('POST', '/organizations/v1/demand_persona/trusted_network', {
      supply_persona_ids: trusted,
    });
    expect(set.status).toBe(204);

    const listed = await call('GET', '/organizations/v1/demand_persona/trusted_network');
    expect(listed.json).toMatchObject({ page: 1, total_items: 2 });
    expect((listed.json?.items as Array<{ id: string }>).map((i) => i.id).sort()).toEqual(
      [...trusted].sort(),
    );
    const offer = await postOffer(call, 'trusted');
    expect(matchedTo(offer.id)).toEqual([...trusted].sort());
  });

  it('matches every supply persona with the care type while the network was never set', async () => {
    const { call } = await newDemand();
    const offer = await postOffer(call, 'untrusted');
    expect(matchedTo(offer.id)).toEqual(
      [sim.supplyOrganizationId, second.organizationId, third.organizationId].sort(),
    );
  });

  it('refuses a network naming an organisation that is no supply persona (400) and keeps the old one', async () => {
    const { org, call } = await newDemand();
    sim.setTrustedNetwork(org.organizationId, [third.organizationId]);
    const res = await call('POST', '/organizations/v1/demand_persona/trusted_network', {
      supply_persona_ids: [second.organizationId, org.organizationId],
    });
    expect(res.status).toBe(400);
    expect(res.json?.message).toBe('Invalid request body');
    const offer = await postOffer(call, 'kept');
    expect(matchedTo(offer.id)).toEqual([third.organizationId]);
  });

  it('narrows matching to direct_supply_persona_ids', async () => {
    const { call } = await newDemand();
    const offer = await postOffer(call, 'direct', {
      direct_supply_persona_ids: [second.organizationId],
    });
    expect(matchedTo(offer.id)).toEqual([second.organizationId]);
    expect(offer.status).toBe('open');
  });

  it('matches no one named directly outside the trusted network: declined_by_all at once', async () => {
    const { org, call } = await newDemand();
    sim.setTrustedNetwork(org.organizationId, [sim.supplyOrganizationId]);
    const offer = await postOffer(call, 'outside', {
      direct_supply_persona_ids: [third.organizationId],
    });
    expect(offer.status).toBe('declined_by_all');
    expect(matchedTo(offer.id)).toEqual([]);
  });
});

describe('declined_by_all', () => {
  it('is where an offer with no supplier to match goes, with OfferDeclinedByAll and no OfferMatched', async () => {
    const { org, call } = await newDemand();
    sim.setTrustedNetwork(org.organizationId, []);
    const offer = await postOffer(call, 'nobody');
    expect(offer.status).toBe('declined_by_all');
    const events = sim.events().filter((e) => e.payload.id === offer.id);
    expect(events.map((e) => [e.channel, e.payload.event_name])).toEqual([
      ['outbox-offers', 'OfferDeclinedByAll'],
    ]);
    expect(events[0]?.topicArn).toBe(sim.topicArn('outbox-offers', org.organizationId));
  });

  it('is where an offer goes once every matched supplier declined', async () => {
    const { org, call } = await newDemand();
    sim.setTrustedNetwork(org.organizationId, [second.organizationId, third.organizationId]);
    const offer = await postOffer(call, 'declined');
    sim.respondAs(second.organizationId, offer.id, 'decline');
    expect(sim.getOutboxOffer(offer.id)?.offer.status).toBe('open');
    sim.respondAs(third.organizationId, offer.id, 'decline');
    expect(sim.getOutboxOffer(offer.id)?.offer.status).toBe('declined_by_all');
    expect(sim.outboxMatches(offer.id).map((m) => m.match.status)).toEqual(['closed', 'closed']);
  });
});

describe('shift and bundle creation, all or none', () => {
  it('refuses a shift whose item 2 covers a visit already offered (409), creating nothing', async () => {
    const { call } = await newDemand();
    await postOffer(call, 'taken', {});
    const before = { offers: await outboxCount(call), events: sim.events().length };

    const res = await call('POST', '/offers/v1/outbox/shift/offers', {
      offer: { care_type: 'psw', expires_at: inAnHour() },
      items: [outboxItem('fresh'), outboxItem('again', { visit: 'visit-taken' })],
    });

    expect(res.status).toBe(409);
    expect(await outboxCount(call)).toBe(before.offers);
    expect(sim.events()).toHaveLength(before.events);
  });

  it('refuses a shift two of whose items cover the same visit (409), creating nothing', async () => {
    const { call } = await newDemand();
    const res = await call('POST', '/offers/v1/outbox/shift/offers', {
      offer: { care_type: 'psw', expires_at: inAnHour() },
      items: [outboxItem('a', { visit: 'same' }), outboxItem('b', { visit: 'same' })],
    });
    expect(res.status).toBe(409);
    expect(await outboxCount(call)).toBe(0);
  });

  const bundleItem = (key: string) => {
    const { client, service, visits } = outboxItem(key);
    return { care_type: 'psw', client, service: { ...service, start_at: visits[0].start_at } };
  };

  it('creates a bundle of 10 items, one shared bundle id', async () => {
    const { call } = await newDemand();
    const items = Array.from({ length: 10 }, (_, i) => bundleItem(`ten-${i}`));
    const res = await call('POST', '/offers/v1/outbox/bundle/offers', {
      offer: { expires_at: inAnHour() },
      items,
    });
    expect(res.status).toBe(201);
    const created = res.json as { bundle: { id: string }; items: Array<{ offer: { id: string } }> };
    expect(created.items).toHaveLength(10);
    for (const item of created.items)
      expect(sim.getOutboxOffer(item.offer.id)?.offer.shift_id).toBe(created.bundle.id);
  });

  it('refuses a bundle of 11 items with the validator’s 400, creating nothing', async () => {
    const { call } = await newDemand();
    const before = sim.events().length;
    const res = await call('POST', '/offers/v1/outbox/bundle/offers', {
      offer: { expires_at: inAnHour() },
      items: Array.from({ length: 11 }, (_, i) => bundleItem(`eleven-${i}`)),
    });
    expect(res).toEqual({
      status: 400,
      json: {
        message: 'Invalid request body',
        description:
          '[array is too long: must have at most 10 elements but instance has 11 elements]',
      },
    });
    expect(await outboxCount(call)).toBe(0);
    expect(sim.events()).toHaveLength(before);
  });

  it('refuses a bundle whose item 3 is invalid (400), creating nothing', async () => {
    const { call } = await newDemand();
    const items = [bundleItem('x'), bundleItem('y'), { ...bundleItem('z'), care_type: 'dental' }];
    const res = await call('POST', '/offers/v1/outbox/bundle/offers', {
      offer: { expires_at: inAnHour() },
      items,
    });
    expect(res.status).toBe(400);
    expect(await outboxCount(call)).toBe(0);
  });
});
