/**
 * The marketplace simulator's HTTP API on a loopback port, as a client sees it: login and its
 * errors, the raw-IdToken authorizer, the inbox offer detail and list, accept/decline status
 * codes and bodies, shifts answered together, the call log the e2e test relies on, and for the
 * demand side: role checks, create validation naming the missing fields, subscribe validation,
 * and injected 503/429 answers. State rules in isolation are in simulator-offers-supply.test.ts
 * and simulator-offers-demand.test.ts; the connector's own client against every route and fault
 * is in test/integration/marketplace-contract-*.test.ts.
 */
import { type MarketplaceSimulator, startSimulator } from '../../sandbox/simulator/simulator';

let sim: MarketplaceSimulator;
let token: string;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(async () => {
  token = await login();
});

async function login(): Promise<string> {
  const res = await fetch(`${sim.url}/auth/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(sim.credentials),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { IdToken: string };
  return body.IdToken;
}

async function call(
  method: string,
  path: string,
  options: { body?: string; auth?: string | null } = {},
) {
  const headers: Record<string, string> = {};
  const auth = options.auth === undefined ? token : options.auth;
  if (auth !== null) headers.authorization = auth;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

describe('auth', () => {
  it('answers a login with Cognito-shaped tokens', async () => {
    const res = await fetch(`${sim.url}/auth/v1/login`, {
      method: 'POST',
      body: JSON.stringify(sim.credentials),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(body).toEqual({
      AccessToken: expect.any(String),
      ExpiresIn: 3600,
      IdToken: expect.any(String),
      RefreshToken: expect.any(String),
      TokenType: 'Bearer',
    });
  });

  it.each([
    ['no body', undefined],
    ['not JSON', 'username=a'],
    ['a missing password', JSON.stringify({ username: 'a' })],
    ['an empty username', JSON.stringify({ username: '', password: 'x' })],
    ['a JSON array', '[]'],
  ])('answers 400 {message, description} for %s', async (_label, body) => {
    const res = await call('POST', '/auth/v1/login', {
      ...(body !== undefined ? { body } : {}),
      auth: null,
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ message: expect.any(String), description: expect.any(String) });
  });

  it('answers 401 {message} for a wrong password, without saying which part was wrong', async () => {
    const res = await call('POST', '/auth/v1/login', {
      body: JSON.stringify({ ...sim.credentials, password: 'wrong' }),
      auth: null,
    });
    expect(res.status).toBe(401);
    expect(Object.keys(res.json ?? {})).toEqual(['message']);
    expect(res.text).not.toContain(sim.credentials.username);
  });

  it('tells the caller its identity and organisation', async () => {
    const res = await call('GET', '/auth/v1/current_identity');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      organization_id: sim.supplyOrganizationId,
      groups: ['org_admin'],
      email: expect.any(String),
    });
  });

  it.each([
    ['no Authorization header', null],
    ['a Bearer prefix', 'bearer'],
    ['an unknown token', 'not-a-token'],
  ])('answers 401 {message: Unauthorized} with %s', async (_label, auth) => {
    const res = await call('GET', '/offers/v1/inbox/offers', {
      auth: auth === 'bearer' ? `Bearer ${token}` : auth,
    });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ message: 'Unauthorized' });
  });

  it('answers 401 once the token has expired, and a new login works again', async () => {
    sim.expireTokens();
    expect((await call('GET', '/auth/v1/current_identity')).status).toBe(401);
    token = await login();
    expect((await call('GET', '/auth/v1/current_identity')).status).toBe(200);
  });

  it("answers API Gateway's 403 for an unknown route, authenticated or not", async () => {
    expect((await call('GET', '/offers/v1/nowhere')).status).toBe(403);
    expect((await call('DELETE', '/offers/v1/inbox/offers', { auth: null })).status).toBe(403);
  });
});

describe('inbox offers', () => {
  it('serves the offer detail in the published shape, health data included', async () => {
    const created = sim.addOffer({
      careType: 'psw',
      offerType: 'visit',
      city: 'Toronto',
      allergies: [{ name: 'Peanuts' }],
    });
    const res = await call('GET', `/offers/v1/inbox/offers/${created.offer.id}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      offer: {
        id: created.offer.id,
        care_type: 'psw',
        offer_type: 'visit',
        expires_at: expect.any(String),
        start_at: expect.any(String),
      },
      match: {
        id: expect.any(String),
        response: 'pending',
        status: 'open',
        sequence_id: expect.any(String),
      },
      demand: { id: expect.any(String), name: expect.any(String) },
      client: {
        address: { city: 'Toronto', state: 'ON', zip: expect.any(String), country: 'CA' },
        allergies: [{ name: 'Peanuts' }],
      },
      service: { id: expect.any(String), name: expect.any(String) },
      price: { rate: expect.any(Number), unit: 'per_hour' },
    });
  });

  it('answers 404 for an unknown offer', async () => {
    const res = await call('GET', '/offers/v1/inbox/offers/00000000-0000-0000-0000-000000000000');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ message: expect.any(String) });
  });

  it('lists the inbox one page at a time and refuses bad paging parameters', async () => {
    sim.addOffer();
    sim.addOffer();
    const res = await call('GET', '/offers/v1/inbox/offers?page=1&items_per_page=1');
    expect(res.status).toBe(200);
    const page = res.json as {
      total_items: number;
      total_pages: number;
      items: Array<{ offer: unknown; match: unknown }>;
    };
    expect(page.items).toHaveLength(1);
    expect(page.total_pages).toBe(page.total_items);
    expect(Object.keys(page.items[0]).sort()).toEqual(['match', 'offer']);
    for (const query of ['page=0', 'items_per_page=x', 'status=pending', 'sort_order=up']) {
      expect((await call('GET', `/offers/v1/inbox/offers?${query}`)).status).toBe(400);
    }
  });

  it('accepts with 204 and no body, then refuses a second answer with 409 {message}', async () => {
    const { offer } = sim.addOffer();
    const accepted = await call('POST', `/offers/v1/inbox/offers/${offer.id}/accept`);
    expect(accepted).toMatchObject({ status: 204, text: '' });
    const again = await call('POST', `/offers/v1/inbox/offers/${offer.id}/decline`, { body: '{}' });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ message: expect.any(String) });
    expect(sim.getOffer(offer.id)?.match.response).toBe('accepted');
    expect(
      sim
        .calls()
        .filter((c) => c.offerId === offer.id)
        .map((c) => [c.action, c.status]),
    ).toEqual([
      ['accept', 204],
      ['decline', 409],
    ]);
  });

  it('requires a JSON body on decline and checks its field types', async () => {
    const { offer } = sim.addOffer();
    expect((await call('POST', `/offers/v1/inbox/offers/${offer.id}/decline`)).status).toBe(400);
    expect(
      (
        await call('POST', `/offers/v1/inbox/offers/${offer.id}/decline`, {
          body: '{"reason_code": 7}',
        })
      ).status,
    ).toBe(400);
    expect(sim.getOffer(offer.id)?.match.response).toBe('pending');
    const declined = await call('POST', `/offers/v1/inbox/offers/${offer.id}/decline`, {
      body: '{"reason_code":"offer_price","comment":"no"}',
    });
    expect(declined.status).toBe(204);
    expect(sim.getOffer(offer.id)?.match).toMatchObject({
      response: 'declined',
      reason_code: 'offer_price',
    });
  });

  it('accepts both offers of a shift with one call and records that call once', async () => {
    const [a, b] = sim.addShift([{}, {}]);
    expect(
      (
        await call('POST', `/offers/v1/inbox/offers/${a.offer.id}/accept`, {
          body: '{"comment":"yes"}',
        })
      ).status,
    ).toBe(204);
    expect(sim.getOffer(b.offer.id)?.match.response).toBe('accepted');
    const shiftCalls = sim
      .calls()
      .filter((c) => c.offerId === a.offer.id || c.offerId === b.offer.id);
    expect(shiftCalls).toHaveLength(1);
    expect(shiftCalls[0].affectedOfferIds.sort()).toEqual([a.offer.id, b.offer.id].sort());
    expect((await call('POST', `/offers/v1/inbox/offers/${b.offer.id}/accept`)).status).toBe(409);
  });

  it('refuses accept/decline without a valid token and changes nothing', async () => {
    const { offer } = sim.addOffer();
    expect(
      (await call('POST', `/offers/v1/inbox/offers/${offer.id}/accept`, { auth: null })).status,
    ).toBe(401);
    expect(sim.getOffer(offer.id)?.match.response).toBe('pending');
  });
});

describe('demand side, roles and faults over HTTP', () => {
  async function demandToken(): Promise<string> {
    const res = await fetch(`${sim.url}/auth/v1/login`, {
      method: 'POST',
      body: JSON.stringify(sim.demandCredentials),
    });
    return ((await res.json()) as { IdToken: string }).IdToken;
  }

  it('keeps each organisation to its own side of the API (403 {message})', async () => {
    const demand = await demandToken();
    expect((await call('GET', '/offers/v1/outbox/offers')).status).toBe(403);
    expect((await call('GET', '/offers/v1/inbox/offers', { auth: demand })).status).toBe(403);
    const own = await call('GET', '/offers/v1/outbox/offers', { auth: demand });
    expect(own.status).toBe(200);
    expect(own.json).toMatchObject({ page: 1, items_per_page: 100 });
  });

  it('answers a create without required fields with 400 naming each of them', async () => {
    const demand = await demandToken();
    const res = await call('POST', '/offers/v1/outbox/offers', {
      auth: demand,
      body: JSON.stringify({
        offer: { care_type: 'psw', offer_type: 'visit' },
        client: { outbox_id: 'c' },
        service: { name: 'x' },
      }),
    });
    expect(res.status).toBe(400);
    expect(res.json?.message).toBe('Invalid request body');
    for (const field of [
      'offer.expires_at',
      'client.address',
      'client.demographics',
      'service.outbox_id',
    ])
      expect(String(res.json?.description)).toContain(field);
  });

  it('validates subscribe requests against the published topics and protocols', async () => {
    const bad = await call('POST', '/organizations/v1/subscribe', {
      body: JSON.stringify({
        subscriptions: [{ topic: 'everything', protocol: 'https', endpoint: 'https://x' }],
      }),
    });
    expect(bad.status).toBe(400);
    const email = await call('POST', '/organizations/v1/subscribe', {
      body: JSON.stringify({
        subscriptions: [{ topic: 'inbox-offers', protocol: 'email', endpoint: 'ops@example.test' }],
      }),
    });
    expect(email.status).toBe(200);
    expect(email.json).toEqual({
      subscriptions: [
        {
          topic: 'inbox-offers',
          protocol: 'email',
          endpoint: 'ops@example.test',
          subscription_arn: 'pending confirmation',
        },
      ],
    });
  });

  it('answers injected faults: 503 {message} before acting, 429 with Retry-After', async () => {
    sim.faults.script(
      { kind: 'error', method: 'GET', path: '/inbox/offers' },
      { kind: 'throttle', method: 'GET', path: '/inbox/offers', retryAfter: '4' },
    );
    try {
      expect((await call('GET', '/offers/v1/inbox/offers')).status).toBe(503);
      const res = await fetch(`${sim.url}/offers/v1/inbox/offers`, {
        headers: { authorization: token },
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('4');
      expect((await call('GET', '/offers/v1/inbox/offers')).status).toBe(200);
    } finally {
      sim.faults.clear();
    }
  });
});
