/**
 * The simulator's organisation with both personas, over HTTP as a client sees it: one login
 * serves its inbox (offers other demand organisations matched to it) and its outbox (offers it
 * posted), its events go to its own inbox and outbox topics, and it is never matched to its own
 * offers (by care type, by direct_supply_persona_ids, or in process). Also the assign log the
 * sandbox judges the demand side by, and that the seeded one-persona organisations keep their
 * 403 on the other side's routes.
 */
import {
  type MarketplaceSimulator,
  type SimulatorOrganization,
  startSimulator,
} from '../../sandbox/simulator/simulator';
import { inAnHour, outboxItem } from '../support/simulator-http';

let sim: MarketplaceSimulator;
let both: SimulatorOrganization;
let token: string;

beforeAll(async () => {
  sim = await startSimulator();
  both = sim.addOrganization({ kind: 'both', name: 'Riverside Care' });
  token = await login(both);
});
afterAll(async () => {
  await sim.stop();
});

async function login(org: { username: string; password: string }): Promise<string> {
  const res = await fetch(`${sim.url}/auth/v1/login`, {
    method: 'POST',
    body: JSON.stringify({ username: org.username, password: org.password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { IdToken: string }).IdToken;
}

async function call(method: string, path: string, body?: unknown, auth = token) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      authorization: auth,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

function createRequest(key: string, extra: Record<string, unknown> = {}) {
  return {
    offer: { care_type: 'psw', offer_type: 'visit', expires_at: inAnHour() },
    ...outboxItem(key),
    ...extra,
  };
}

const matchedOrganizations = async (offerId: string) => {
  const res = await call('GET', `/offers/v1/outbox/offers/${offerId}/matches`);
  expect(res.status).toBe(200);
  return (res.json?.items as Array<{ supply: { id: string } }>).map((item) => item.supply.id);
};

describe('an organisation with both personas', () => {
  it('logs in once, as itself, and holds the demand setting manual by default', async () => {
    const identity = await call('GET', '/auth/v1/current_identity');
    expect(identity.json).toMatchObject({
      organization_id: both.organizationId,
      name: 'Riverside Care',
    });
    expect(sim.organizations().find((o) => o.organizationId === both.organizationId)?.kind).toBe(
      'both',
    );
    expect((await call('GET', '/offers/v1/demand_personas/settings/assignment')).json).toEqual({
      offer_assignment: 'manual',
    });
  });

  it('sees an offer another demand organisation matched to it in its inbox, and answers it with the same token', async () => {
    const offer = sim.addOffer({
      supplyOrganizationId: both.organizationId,
      careType: 'psw',
      city: 'Ottawa',
    });
    const inbox = await call('GET', '/offers/v1/inbox/offers');
    expect(inbox.status).toBe(200);
    expect(
      (inbox.json?.items as Array<{ offer: { id: string } }>).map((i) => i.offer.id),
    ).toContain(offer.offer.id);
    const detail = await call('GET', `/offers/v1/inbox/offers/${offer.offer.id}`);
    expect(detail.json).toMatchObject({ demand: { id: sim.demandOrganizationId } });

    expect(
      (await call('POST', `/offers/v1/inbox/offers/${offer.offer.id}/accept`, {})).status,
    ).toBe(204);
    expect(sim.getOffer(offer.offer.id, both.organizationId)?.match.response).toBe('accepted');
    // Its inbox event went to its own inbox topic, the acceptance to the poster's outbox topic.
    const events = sim
      .events()
      .filter(
        (e) =>
          (e.channel === 'inbox-offers' || e.channel === 'outbox-offers') &&
          e.payload.offer_id === offer.offer.id,
      );
    expect(events.map((e) => [e.payload.event_name, e.topicArn])).toEqual([
      ['OfferMatched', sim.topicArn('inbox-offers', both.organizationId)],
      ['OfferAccepted', sim.outboxOffersTopicArn],
    ]);
  });

  it('posts outbox offers with the same token, matched to other suppliers but never to itself', async () => {
    const created = await call('POST', '/offers/v1/outbox/offers', createRequest('own-1'));
    expect(created.status).toBe(201);
    const offerId = (created.json?.offer as { id: string }).id;

    const matched = await matchedOrganizations(offerId);
    expect(matched).toContain(sim.supplyOrganizationId);
    expect(matched).not.toContain(both.organizationId);
    // Its own inbox does not show its own offer, and it cannot answer it.
    const inbox = await call('GET', '/offers/v1/inbox/offers');
    expect(
      (inbox.json?.items as Array<{ offer: { id: string } }>).map((i) => i.offer.id),
    ).not.toContain(offerId);
    expect((await call('POST', `/offers/v1/inbox/offers/${offerId}/accept`, {})).status).toBe(404);
    // Its outbox lists it; the seeded demand organisation's does not.
    const outbox = await call('GET', '/offers/v1/outbox/offers');
    expect(
      (outbox.json?.items as Array<{ offer: { id: string } }>).map((i) => i.offer.id),
    ).toContain(offerId);
    expect(
      sim
        .events()
        .find(
          (e) =>
            e.channel === 'inbox-offers' &&
            e.payload.offer_id === offerId &&
            e.organizationId === both.organizationId,
        ),
    ).toBeUndefined();
  });

  it('is not matched to its own offer even when it names itself as a direct supplier', async () => {
    const created = await call(
      'POST',
      '/offers/v1/outbox/offers',
      createRequest('own-2', {
        direct_supply_persona_ids: [both.organizationId, sim.supplyOrganizationId],
      }),
    );
    expect(created.status).toBe(201);
    expect(await matchedOrganizations((created.json?.offer as { id: string }).id)).toEqual([
      sim.supplyOrganizationId,
    ]);
    // In process, naming itself is a mistake, refused before anything is created.
    expect(() =>
      sim.postOffer(both.organizationId, { supplyOrganizationId: both.organizationId }),
    ).toThrow(/own offer/);
  });

  it('has its own outbox topic for the suppliers’ answers, and assigns an accepted match (logged with the accepted matches then)', async () => {
    const posted = sim.postOffer(both.organizationId, { careType: 'psw', city: 'Hamilton' });
    const offerId = posted.offer.id;
    sim.respondAs(sim.supplyOrganizationId, offerId, 'accept');
    const accepted = sim
      .events()
      .filter((e) => e.channel === 'outbox-offers' && e.payload.offer_id === offerId);
    expect(accepted.map((e) => [e.payload.event_name, e.topicArn])).toEqual([
      ['OfferAccepted', sim.topicArn('outbox-offers', both.organizationId)],
    ]);
    expect(sim.topicArn('outbox-offers', both.organizationId)).not.toBe(sim.outboxOffersTopicArn);

    const match = sim.outboxMatches(offerId).find((m) => m.match.response === 'accepted');
    expect(
      (
        await call('POST', `/offers/v1/outbox/offers/${offerId}/assign`, {
          offer_match_id: match?.match.id,
        })
      ).status,
    ).toBe(204);
    expect(sim.getOutboxOffer(offerId)?.offer.status).toBe('assigned');
    expect(sim.assignCalls().filter((c) => c.offerId === offerId)).toEqual([
      {
        offerId,
        matchId: match?.match.id,
        organizationId: both.organizationId,
        status: 204,
        at: expect.any(String) as unknown,
        setting: 'manual',
        acceptedOpen: [
          {
            matchId: match?.match.id,
            supplyOrganizationId: sim.supplyOrganizationId,
            createdAt: match?.match.created_at,
            acceptedAt: expect.any(String) as unknown,
          },
        ],
        assignedOfferIds: [offerId],
      },
    ]);
  });

  it('logs a refused assign too: 403 while its setting is auto', async () => {
    sim.setAssignment(both.organizationId, 'auto');
    try {
      const posted = sim.postOffer(both.organizationId, { careType: 'psw' });
      const match = sim.outboxMatches(posted.offer.id).at(0);
      expect(
        (
          await call('POST', `/offers/v1/outbox/offers/${posted.offer.id}/assign`, {
            offer_match_id: match?.match.id,
          })
        ).status,
      ).toBe(403);
      expect(sim.assignCalls().filter((c) => c.offerId === posted.offer.id)).toMatchObject([
        { status: 403, setting: 'auto' },
      ]);
    } finally {
      sim.setAssignment(both.organizationId, 'manual');
    }
  });

  it('leaves the seeded organisations one persona each', async () => {
    const supplyToken = await login({
      username: sim.credentials.username,
      password: sim.credentials.password,
    });
    const demandToken = await login(sim.demandCredentials);
    expect((await call('GET', '/offers/v1/outbox/offers', undefined, supplyToken)).status).toBe(
      403,
    );
    expect((await call('GET', '/offers/v1/inbox/offers', undefined, demandToken)).status).toBe(403);
    expect((await call('GET', '/offers/v1/inbox/offers', undefined, supplyToken)).status).toBe(200);
    expect((await call('GET', '/offers/v1/outbox/offers', undefined, demandToken)).status).toBe(
      200,
    );
  });
});
