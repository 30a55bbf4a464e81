/**
 * Covers MarketplaceClient (lambdas/adapters/marketplace-client.ts) over real HTTP against a
 * small AlayaMarket stand-in on 127.0.0.1: login and the raw Authorization header, token caching
 * and refresh before ExpiresIn, one shared login for concurrent callers, exactly one re-login on
 * a 401, the per-request timeout, accept/decline bodies, response validation, error typing, and
 * that credentials, tokens and client health data never leave the adapter; then, with an injected
 * fetch, clock, sleep and random: backoff with full jitter, Retry-After, bounded attempts and
 * time, the state read before any retry of an action whose outcome is unknown, and paging.
 * The client against the full simulator (every operation, every fault) is test/integration/
 * marketplace-contract.test.ts; the full simulator and the end-to-end flow belong to the sandbox and e2e layers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MarketplaceClient, MarketplaceError } from '../../lambdas/adapters/marketplace-client';
import type { CredentialsProvider, MarketplaceCredentials } from '../../lambdas/core/ports';
import { inboxOffer, OFFER_ID, offerDetailJson, PHI } from '../support/offer-fixtures';
import { requestUrl } from '../support/request-url';
import { without } from '../support/without';

const CREDENTIALS: MarketplaceCredentials = {
  username: 'connector@example.org',
  password: 'S3cret-Passw0rd!',
};

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Reply = { status: number; json?: unknown; text?: string; hang?: boolean };
type Route = (request: Seen, api: FakeApi) => Reply | undefined;

/** The stand-in API: issues tokens, checks them, and lets each test override any route. */
class FakeApi {
  readonly requests: Seen[] = [];
  readonly validTokens = new Set<string>();
  logins = 0;
  expiresIn: number | undefined = 3600;
  route: Route = () => undefined;
  private server: Server | undefined;

  get apiRequests(): Seen[] {
    return this.requests.filter((r) => r.path !== '/auth/v1/login');
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server?.close(() => {
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen: Seen = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    };
    this.requests.push(seen);
    const reply = this.route(seen, this) ?? this.defaultReply(seen);
    if (reply.hang) return; // never answer: the client's timeout must end it
    if (reply.json !== undefined) {
      res
        .writeHead(reply.status, { 'Content-Type': 'application/json' })
        .end(JSON.stringify(reply.json));
    } else {
      res.writeHead(reply.status, { 'Content-Type': 'text/html' }).end(reply.text ?? '');
    }
  }

  issueToken(): string {
    this.logins += 1;
    const token = `id-token-${this.logins}-${'x'.repeat(20)}`;
    this.validTokens.add(token);
    return token;
  }

  private defaultReply(seen: Seen): Reply {
    if (seen.method === 'POST' && seen.path === '/auth/v1/login') {
      const body = JSON.parse(seen.body) as { username?: string; password?: string };
      if (body.username !== CREDENTIALS.username || body.password !== CREDENTIALS.password) {
        return { status: 401, json: { message: 'Incorrect username or password.' } };
      }
      const json: Record<string, unknown> = {
        AccessToken: 'access',
        IdToken: this.issueToken(),
        RefreshToken: 'refresh',
        TokenType: 'Bearer',
      };
      if (this.expiresIn !== undefined) json.ExpiresIn = this.expiresIn;
      return { status: 200, json };
    }
    if (!this.validTokens.has(String(seen.headers.authorization)))
      return { status: 401, json: { message: 'Unauthorized' } };
    const offerPath = `/offers/v1/inbox/offers/${OFFER_ID}`;
    if (seen.method === 'GET' && seen.path === offerPath)
      return { status: 200, json: offerDetailJson() };
    if (
      seen.method === 'POST' &&
      (seen.path === `${offerPath}/accept` || seen.path === `${offerPath}/decline`)
    )
      return { status: 204 };
    return { status: 404, json: { message: 'Not Found' } };
  }
}

let api: FakeApi;
let baseUrl: string;
let clock: number;

beforeEach(async () => {
  api = new FakeApi();
  baseUrl = await api.start();
  clock = Date.parse('2026-05-01T08:00:00Z');
});

afterEach(async () => {
  await api.stop();
});

function client(
  options: { timeoutMs?: number; credentials?: CredentialsProvider } = {},
): MarketplaceClient {
  return new MarketplaceClient({
    baseUrl,
    credentials: options.credentials ?? (async () => CREDENTIALS),
    now: () => clock,
    // Retries wait for nothing here; their timing is covered under 'retries' below.
    sleep: async () => undefined,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}

async function failure(promise: Promise<unknown>): Promise<MarketplaceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MarketplaceError);
  return error as MarketplaceError;
}

describe('login and authorization', () => {
  it('logs in with the credentials and sends the IdToken as the raw Authorization header', async () => {
    await client().getInboxOffer(OFFER_ID);

    const [login, get] = api.requests;
    expect(login).toMatchObject({ method: 'POST', path: '/auth/v1/login' });
    expect(JSON.parse(login.body)).toEqual(CREDENTIALS);
    expect(login.headers['content-type']).toBe('application/json');
    expect(get.headers.authorization).toBe('id-token-1-xxxxxxxxxxxxxxxxxxxx');
    expect(get.headers.authorization).not.toMatch(/^Bearer/i);
  });

  it('reuses the token across calls', async () => {
    const c = client();
    await c.getInboxOffer(OFFER_ID);
    await c.acceptInboxOffer(OFFER_ID);
    await c.getInboxOffer(OFFER_ID);
    expect(api.logins).toBe(1);
    expect(new Set(api.apiRequests.map((r) => r.headers.authorization)).size).toBe(1);
  });

  it('logs in again 60 s before ExpiresIn runs out', async () => {
    api.expiresIn = 600;
    const c = client();
    await c.getInboxOffer(OFFER_ID);
    clock += 539_000;
    await c.getInboxOffer(OFFER_ID);
    expect(api.logins).toBe(1);
    clock += 2_000; // now 541 s after login: inside the last minute
    await c.getInboxOffer(OFFER_ID);
    expect(api.logins).toBe(2);
    expect(api.apiRequests.at(-1)?.headers.authorization).toMatch(/^id-token-2-/);
  });

  it('assumes an hour when login gives no ExpiresIn', async () => {
    api.expiresIn = undefined;
    const c = client();
    await c.getInboxOffer(OFFER_ID);
    clock += 3_539_000;
    await c.getInboxOffer(OFFER_ID);
    expect(api.logins).toBe(1);
    clock += 2_000;
    await c.getInboxOffer(OFFER_ID);
    expect(api.logins).toBe(2);
  });

  it('shares one login between concurrent callers', async () => {
    let credentialReads = 0;
    const c = client({
      credentials: async () => {
        credentialReads += 1;
        return CREDENTIALS;
      },
    });
    await Promise.all(Array.from({ length: 5 }, () => c.getInboxOffer(OFFER_ID)));
    expect(api.logins).toBe(1);
    expect(credentialReads).toBe(1);
    expect(api.apiRequests).toHaveLength(5);
  });

  it('logs in again once and retries when the API answers 401', async () => {
    const c = client();
    await c.getInboxOffer(OFFER_ID);
    api.validTokens.clear(); // the marketplace revoked the token early

    await expect(c.getInboxOffer(OFFER_ID)).resolves.toMatchObject({ id: OFFER_ID });
    expect(api.logins).toBe(2);
    expect(api.apiRequests.map((r) => r.headers.authorization)).toEqual([
      'id-token-1-xxxxxxxxxxxxxxxxxxxx',
      'id-token-1-xxxxxxxxxxxxxxxxxxxx',
      'id-token-2-xxxxxxxxxxxxxxxxxxxx',
    ]);
  });

  it('gives up after one re-login when the API keeps answering 401', async () => {
    api.route = (seen) =>
      seen.path.startsWith('/offers/')
        ? { status: 401, json: { message: 'Unauthorized' } }
        : undefined;

    const error = await failure(client().getInboxOffer(OFFER_ID));

    expect(error).toMatchObject({ status: 401, operation: 'getInboxOffer' });
    expect(api.logins).toBe(2);
    expect(api.apiRequests).toHaveLength(2);
  });

  it('reports a failed login as a login error, without retrying it or quoting the credentials', async () => {
    // A gateway that echoes what it was sent.
    api.route = (seen) =>
      seen.path === '/auth/v1/login'
        ? { status: 401, json: { message: `bad login ${seen.body}` } }
        : undefined;

    const error = await failure(client().getInboxOffer(OFFER_ID));

    expect(error).toMatchObject({ status: 401, operation: 'login' });
    expect(error.message).toContain('bad login');
    expect(error.message).not.toContain(CREDENTIALS.password);
    expect(api.requests).toHaveLength(1);
  });

  it('reads the credentials again after a refused login and logs in with the fixed password at once', async () => {
    // The provider's cache still holds the old password; the source (Secrets Manager) has the fixed one.
    const asked: Array<{ refresh?: boolean } | undefined> = [];
    const credentials = async (options?: { refresh?: boolean }) => {
      asked.push(options);
      return options?.refresh === true
        ? CREDENTIALS
        : { ...CREDENTIALS, password: 'the-old-password' };
    };

    await expect(client({ credentials }).getInboxOffer(OFFER_ID)).resolves.toMatchObject({
      id: OFFER_ID,
    });

    expect(asked).toEqual([undefined, { refresh: true }]);
    expect(api.requests.filter((r) => r.path === '/auth/v1/login')).toHaveLength(2);
    expect(api.logins).toBe(1);
  });

  it('reads the credentials again once and does not try the same refused login twice', async () => {
    const asked: Array<{ refresh?: boolean } | undefined> = [];
    const wrong = { ...CREDENTIALS, password: 'still-wrong' };
    const credentials = async (options?: { refresh?: boolean }) => {
      asked.push(options);
      return wrong;
    };

    const error = await failure(client({ credentials }).getInboxOffer(OFFER_ID));

    expect(error).toMatchObject({ status: 401, operation: 'login' });
    expect(error.message).not.toContain('still-wrong');
    expect(asked).toEqual([undefined, { refresh: true }]);
    expect(api.requests).toHaveLength(1);
  });

  it('does not read the credentials again when a login fails for another reason', async () => {
    const asked: Array<{ refresh?: boolean } | undefined> = [];
    api.route = (seen) =>
      seen.path === '/auth/v1/login'
        ? { status: 400, json: { message: 'Invalid request body' } }
        : undefined;
    const credentials = async (options?: { refresh?: boolean }) => {
      asked.push(options);
      return CREDENTIALS;
    };
    await failure(client({ credentials }).getInboxOffer(OFFER_ID));
    expect(asked).toEqual([undefined]);
  });

  it('reports a login response without IdToken', async () => {
    api.route = (seen) =>
      seen.path === '/auth/v1/login' ? { status: 200, json: { AccessToken: 'a' } } : undefined;
    const error = await failure(client().getInboxOffer(OFFER_ID));
    expect(error).toMatchObject({ operation: 'login', status: 200 });
    expect(error.message).toContain('IdToken');
  });
});

describe('offers', () => {
  it('maps the offer detail to InboxOffer and drops everything else, health data included', async () => {
    const offer = await client().getInboxOffer(OFFER_ID);

    expect(offer).toEqual(inboxOffer({ shiftId: 'a3d7c0de-5f61-4b7b-8c1e-2f9a0b4c6d02' }));
    const serialized = JSON.stringify(offer);
    // Allergies, risks, custom fields, the case manager, service and visit instructions, tasks.
    for (const value of Object.values(PHI)) expect(serialized).not.toContain(value);
    for (const field of [
      'allergies',
      'risks',
      'custom_fields',
      'instructions',
      'tasks',
      'case_manager',
      'comment',
    ])
      expect(serialized).not.toContain(field);
    // Field by field: exactly what the rules read, nothing else of the detail (no spread of it).
    expect(Object.keys(offer).sort()).toEqual(
      [
        'careType',
        'demand',
        'endAt',
        'expiresAt',
        'id',
        'location',
        'match',
        'offerType',
        'price',
        'requiredSkills',
        'shiftId',
        'startAt',
        'visits',
      ].sort(),
    );
    expect(Object.keys(offer.location).sort()).toEqual([
      'approx',
      'city',
      'country',
      'state',
      'zip',
    ]);
    expect(offer.visits?.map((visit) => Object.keys(visit).sort())).toEqual([['endAt', 'startAt']]);
  });

  it('accepts extra fields and a null match status, and leaves out an absent shift_id', async () => {
    const detail = offerDetailJson() as {
      offer: Record<string, unknown>;
      match: Record<string, unknown>;
    };
    delete detail.offer.shift_id;
    detail.offer.brand_new_field = { nested: true };
    detail.match.status = null;
    api.route = (seen) => (seen.method === 'GET' ? { status: 200, json: detail } : undefined);

    const offer = await client().getInboxOffer(OFFER_ID);

    expect(offer.match.status).toBeNull();
    expect('shiftId' in offer).toBe(false);
  });

  it.each([
    ['offer', 'care_type'],
    ['match', 'response'],
    ['demand', 'id'],
  ])('names a missing required field (%s.%s) in the error', async (parent, field) => {
    const detail = offerDetailJson() as Record<string, Record<string, unknown>>;
    detail[parent] = without(detail[parent], field);
    api.route = (seen) => (seen.method === 'GET' ? { status: 200, json: detail } : undefined);

    const error = await failure(client().getInboxOffer(OFFER_ID));

    expect(error.operation).toBe('getInboxOffer');
    expect(error.message).toContain(`${parent}.${field}`);
  });

  it('names a missing client address field without quoting the address', async () => {
    const detail = offerDetailJson() as { client: { address: Record<string, unknown> } };
    delete detail.client.address.zip;
    api.route = (seen) => (seen.method === 'GET' ? { status: 200, json: detail } : undefined);

    const error = await failure(client().getInboxOffer(OFFER_ID));

    expect(error.message).toContain('client.address.zip');
    expect(error.message).not.toContain('Montréal');
    for (const value of Object.values(PHI)) expect(error.message).not.toContain(value);
  });

  it('rejects a 200 answer that is not JSON', async () => {
    api.route = (seen) =>
      seen.method === 'GET' ? { status: 200, text: '<html>maintenance</html>' } : undefined;
    const error = await failure(client().getInboxOffer(OFFER_ID));
    expect(error.message).toContain('not JSON');
  });

  it('accepts with a comment', async () => {
    await client().acceptInboxOffer(OFFER_ID, { comment: 'Glad to help' });
    const [accept] = api.apiRequests;
    expect(accept).toMatchObject({
      method: 'POST',
      path: `/offers/v1/inbox/offers/${OFFER_ID}/accept`,
    });
    expect(JSON.parse(accept.body)).toEqual({ comment: 'Glad to help' });
  });

  it('declines with reason_code and comment', async () => {
    await client().declineInboxOffer(OFFER_ID, {
      reason_code: 'no_capacity',
      comment: 'Fully booked',
    });
    const [decline] = api.apiRequests;
    expect(decline).toMatchObject({
      method: 'POST',
      path: `/offers/v1/inbox/offers/${OFFER_ID}/decline`,
    });
    expect(decline.headers['content-type']).toBe('application/json');
    expect(JSON.parse(decline.body)).toEqual({
      reason_code: 'no_capacity',
      comment: 'Fully booked',
    });
  });

  it('sends {} as the required decline body when there is nothing to say', async () => {
    await client().declineInboxOffer(OFFER_ID);
    expect(api.apiRequests[0].body).toBe('{}');
  });

  it('escapes the offer id in the path', async () => {
    await failure(client().getInboxOffer('../../auth/v1/login'));
    expect(api.apiRequests[0].path).toBe('/offers/v1/inbox/offers/..%2F..%2Fauth%2Fv1%2Flogin');
  });
});

describe('errors', () => {
  it('types an API error with status, operation and the body message', async () => {
    api.route = (seen) =>
      seen.path.endsWith('/accept')
        ? { status: 409, json: { message: 'Offer is not open', description: 'match closed' } }
        : undefined;

    const error = await failure(client().acceptInboxOffer(OFFER_ID));

    expect(error).toMatchObject({
      name: 'MarketplaceError',
      status: 409,
      operation: 'acceptInboxOffer',
    });
    expect(error.message).toContain('Offer is not open');
    expect(error.message).toContain('match closed');
  });

  it('reads a non-JSON error body defensively and leaves it out', async () => {
    api.route = (seen) =>
      seen.method === 'GET'
        ? { status: 502, text: '<html><body>Bad gateway PHI-ECHO</body></html>' }
        : undefined;

    const error = await failure(client().getInboxOffer(OFFER_ID));

    expect(error).toMatchObject({ status: 502, operation: 'getInboxOffer' });
    expect(error.message).not.toContain('PHI-ECHO');
  });

  it('never puts the token in an error message, even when the API echoes it', async () => {
    api.route = (seen) =>
      seen.path.endsWith('/decline')
        ? { status: 403, json: { message: `forbidden for ${String(seen.headers.authorization)}` } }
        : undefined;

    const error = await failure(client().declineInboxOffer(OFFER_ID, {}));

    expect(error.status).toBe(403);
    expect(error.message).toContain('forbidden for');
    expect(error.message).not.toContain('id-token-1');
    expect(error.message).not.toContain(CREDENTIALS.password);
  });

  it('ends a request that gets no answer with a timeout error', async () => {
    api.route = (seen) => (seen.method === 'GET' ? { status: 0, hang: true } : undefined);

    const error = await failure(client({ timeoutMs: 200 }).getInboxOffer(OFFER_ID));

    expect(error.status).toBeUndefined();
    expect(error.operation).toBe('getInboxOffer');
    expect(error.message).toContain('no response within 200 ms');
  });

  it('types a network failure', async () => {
    await api.stop();
    const error = await failure(client().getInboxOffer(OFFER_ID));
    expect(error).toMatchObject({ operation: 'login', status: undefined });
    expect(error.message).not.toContain(CREDENTIALS.password);
  });
});

describe('injected fetch', () => {
  it('uses the fetch it is given', async () => {
    const urls: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      const url = requestUrl(input);
      urls.push(url);
      if (url.endsWith('/auth/v1/login'))
        return new Response(JSON.stringify({ IdToken: 't', ExpiresIn: 3600 }), { status: 200 });
      return new Response(null, { status: 204 });
    };
    const c = new MarketplaceClient({
      baseUrl: 'https://api.sandbox.alayamarket.ca/',
      credentials: async () => CREDENTIALS,
      fetch: fakeFetch,
    });

    await c.acceptInboxOffer('o-1');

    expect(urls).toEqual([
      'https://api.sandbox.alayamarket.ca/auth/v1/login',
      'https://api.sandbox.alayamarket.ca/offers/v1/inbox/offers/o-1/accept',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Retries and unknown outcomes, with a scripted fetch: no HTTP, no real waits.

type Scripted =
  { status: number; json?: unknown; headers?: Record<string, string> } | 'timeout' | 'network';

interface Script {
  fetch: typeof fetch;
  calls: Array<{ method: string; path: string }>;
}

/** A fetch that answers login itself and each API call from `answer` (called with the call index). */
function scripted(
  answer: (call: { method: string; path: string }, index: number) => Scripted,
): Script {
  const calls: Array<{ method: string; path: string }> = [];
  let logins = 0;
  const fakeFetch: typeof fetch = async (input, init) => {
    const url = new URL(requestUrl(input));
    if (url.pathname === '/auth/v1/login') {
      logins++;
      return new Response(
        JSON.stringify({ IdToken: `token-${logins}-secret-value`, ExpiresIn: 3600 }),
        { status: 200 },
      );
    }
    const call = { method: init?.method ?? 'GET', path: url.pathname + url.search };
    calls.push(call);
    const reply = answer(call, calls.length - 1);
    if (reply === 'timeout')
      throw Object.assign(new Error('The operation was aborted due to timeout'), {
        name: 'TimeoutError',
      });
    if (reply === 'network') throw new TypeError('fetch failed');
    return new Response(reply.json === undefined ? null : JSON.stringify(reply.json), {
      status: reply.status,
      headers: reply.headers ?? {},
    });
  };
  return { fetch: fakeFetch, calls };
}

function retrying(
  script: Script,
  extra: {
    now?: () => number;
    log?: (e: unknown) => void;
    maxAttempts?: number;
    maxTotalMs?: number;
  } = {},
) {
  const sleeps: number[] = [];
  const c = new MarketplaceClient({
    baseUrl: 'https://api.test',
    credentials: async () => CREDENTIALS,
    fetch: script.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...(extra.now ? { now: extra.now } : {}),
    ...(extra.log ? { log: extra.log } : {}),
    retry: {
      maxAttempts: extra.maxAttempts ?? 4,
      ...(extra.maxTotalMs !== undefined ? { maxTotalMs: extra.maxTotalMs } : {}),
    },
  });
  return { client: c, sleeps };
}

const pendingDetail = () => offerDetailJson();
const withMatch = (response: string, status: string | null) => {
  const detail = offerDetailJson() as { match: Record<string, unknown> };
  return { ...detail, match: { ...detail.match, response, status } };
};
const posts = (script: Script) => script.calls.filter((c) => c.method === 'POST');

describe('retries', () => {
  it('retries a read on 503 with exponential backoff and full jitter, then succeeds', async () => {
    const script = scripted((_, i) =>
      i < 2 ? { status: 503, json: { message: 'busy' } } : { status: 200, json: pendingDetail() },
    );
    const { client: c, sleeps } = retrying(script);
    await expect(c.getInboxOffer(OFFER_ID)).resolves.toMatchObject({ id: OFFER_ID });
    // random 0.5 of a cap of 200 ms, then of 400 ms.
    expect(sleeps).toEqual([100, 200]);
    expect(script.calls).toHaveLength(3);
  });

  it('honours Retry-After in seconds and as an HTTP date', async () => {
    const start = Date.parse('2026-03-01T12:00:00Z');
    const script = scripted((_, i) =>
      i === 0
        ? { status: 429, headers: { 'retry-after': '3' } }
        : i === 1
          ? { status: 429, headers: { 'retry-after': new Date(start + 5000).toUTCString() } }
          : { status: 200, json: pendingDetail() },
    );
    const { client: c, sleeps } = retrying(script, { now: () => start });
    await c.getInboxOffer(OFFER_ID);
    expect(sleeps).toEqual([3000, 5000]);
  });

  it('stops after maxAttempts and reports the last status', async () => {
    const script = scripted(() => ({ status: 502, json: { message: 'Bad gateway' } }));
    const { client: c, sleeps } = retrying(script, { maxAttempts: 3 });
    const error = await failure(c.getInboxOffer(OFFER_ID));
    expect(error).toMatchObject({
      status: 502,
      operation: 'getInboxOffer',
      apiMessage: 'Bad gateway',
    });
    expect(script.calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('does not wait past the total time budget (a long Retry-After ends the call at once)', async () => {
    const script = scripted(() => ({
      status: 429,
      headers: { 'retry-after': '60' },
      json: { message: 'Too Many Requests' },
    }));
    // Room for the login and one 10 s attempt (the login counts against the budget), not for 60 s more.
    const { client: c, sleeps } = retrying(script, { maxTotalMs: 20_000 });
    const error = await failure(c.getInboxOffer(OFFER_ID));
    expect(error.status).toBe(429);
    expect(sleeps).toEqual([]);
    expect(script.calls).toHaveLength(1);
  });

  it('starts no retry that could end past the total budget (wait plus a whole attempt)', async () => {
    let clock = 0;
    const script = scripted(() => {
      clock += 2000; // each attempt takes 2 s to fail
      return { status: 503 };
    });
    const sleeps: number[] = [];
    const c = new MarketplaceClient({
      baseUrl: 'https://api.test',
      credentials: async () => CREDENTIALS,
      fetch: script.fetch,
      now: () => clock,
      timeoutMs: 1000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0,
      retry: { maxAttempts: 10, maxTotalMs: 4500 },
    });
    expect(await failure(c.getInboxOffer(OFFER_ID))).toMatchObject({ status: 503 });
    // After 2 attempts 4 s have passed: another (up to 1 s) could end past 4.5 s.
    expect(script.calls).toHaveLength(2);
  });

  it('does not retry a 4xx other than 429', async () => {
    const script = scripted(() => ({ status: 404, json: { message: 'Offer not found' } }));
    const { client: c } = retrying(script);
    expect(await failure(c.getInboxOffer(OFFER_ID))).toMatchObject({ status: 404 });
    expect(script.calls).toHaveLength(1);
  });

  it('retries a throttled action (429: refused unprocessed) without reading state first', async () => {
    const script = scripted((_, i) => (i === 0 ? { status: 429 } : { status: 204 }));
    const { client: c } = retrying(script);
    await c.acceptInboxOffer(OFFER_ID);
    expect(script.calls.map((x) => x.method)).toEqual(['POST', 'POST']);
  });

  it('after a 5xx on accept, reads the offer and does not resend when the accept took effect', async () => {
    const script = scripted((call) =>
      call.method === 'POST'
        ? { status: 503 }
        : { status: 200, json: withMatch('accepted', 'open') },
    );
    const { client: c } = retrying(script);
    await expect(c.acceptInboxOffer(OFFER_ID)).resolves.toBeUndefined();
    expect(posts(script)).toHaveLength(1);
    expect(script.calls.map((x) => x.method)).toEqual(['POST', 'GET']);
  });

  it('after a timeout on decline, reads the offer and resends only because it is still pending', async () => {
    const script = scripted((call, i) =>
      call.method === 'GET'
        ? { status: 200, json: pendingDetail() }
        : i === 0
          ? 'timeout'
          : { status: 204 },
    );
    const { client: c } = retrying(script);
    await c.declineInboxOffer(OFFER_ID, { reason_code: 'no_capacity' });
    expect(script.calls.map((x) => x.method)).toEqual(['POST', 'GET', 'POST']);
  });

  it('after a network error, treats a 409 on the resend as success when the state shows the action done', async () => {
    let accepted = false;
    const script = scripted((call, i) => {
      if (call.method === 'GET')
        return { status: 200, json: accepted ? withMatch('accepted', 'open') : pendingDetail() };
      if (i === 0) return 'network';
      accepted = true; // the resend raced with the first attempt, which had landed
      return { status: 409, json: { message: 'Offer match is not pending' } };
    });
    const { client: c } = retrying(script);
    await expect(c.acceptInboxOffer(OFFER_ID)).resolves.toBeUndefined();
  });

  it('never resends when the state cannot be read, and says the outcome is unknown', async () => {
    const script = scripted((call) => (call.method === 'POST' ? { status: 500 } : { status: 500 }));
    const { client: c } = retrying(script);
    const error = await failure(c.acceptInboxOffer(OFFER_ID));
    expect(error).toMatchObject({
      operation: 'acceptInboxOffer',
      status: 500,
      outcomeUnknown: true,
    });
    expect(posts(script)).toHaveLength(1);
  });

  it('stops when the state shows the action can no longer happen', async () => {
    const script = scripted((call) =>
      call.method === 'POST'
        ? { status: 503 }
        : { status: 200, json: withMatch('pending', 'closed') },
    );
    const { client: c } = retrying(script);
    const error = await failure(c.acceptInboxOffer(OFFER_ID));
    expect(error.message).toContain('match pending/closed');
    expect(error.outcomeUnknown).toBe(false);
    expect(posts(script)).toHaveLength(1);
  });

  it('pages with for await until total_pages, asking for each page in turn', async () => {
    const pageOf = (page: number) => ({
      page,
      items_per_page: 2,
      total_items: 5,
      total_pages: 3,
      items: Array.from({ length: page < 3 ? 2 : 1 }, (_, k) => ({ marker: `o-${page}-${k}` })),
    });
    const script = scripted((call) => ({
      status: 200,
      json: pageOf(Number(new URL(`https://x${call.path}`).searchParams.get('page'))),
    }));
    const { client: c } = retrying(script);
    const ids: string[] = [];
    for await (const item of c.inboxOffers({ items_per_page: 2 })) ids.push(String(item.marker));
    expect(ids).toEqual(['o-1-0', 'o-1-1', 'o-2-0', 'o-2-1', 'o-3-0']);
    expect(script.calls.map((x) => x.path)).toEqual(
      [1, 2, 3].map((p) => `/offers/v1/inbox/offers?items_per_page=2&page=${p}`),
    );
  });

  it('names a missing required field of an outbox offer detail', async () => {
    const script = scripted(() => ({
      status: 200,
      json: { offer: {}, demand: { id: 'd', name: 'D' } },
    }));
    const { client: c } = retrying(script);
    const error = await failure(c.getOutboxOffer('o-1'));
    expect(error.message).toContain('response_counts');
    expect(error.message).toContain('offer.status');
  });

  it('puts no password or token in any error or log line, whatever fails', async () => {
    const lines: string[] = [];
    const echo = { message: `bad token token-1-secret-value for ${CREDENTIALS.password}` };
    const script = scripted((_, i) =>
      i % 3 === 0
        ? 'network'
        : i % 3 === 1
          ? { status: 503, json: echo }
          : { status: 500, json: echo },
    );
    const { client: c } = retrying(script, { log: (entry) => lines.push(JSON.stringify(entry)) });
    const errors = await Promise.all([
      failure(c.getInboxOffer(OFFER_ID)),
      failure(c.acceptInboxOffer(OFFER_ID)),
      failure(c.closeOutboxOffer('o-2')),
      failure(c.getInboxReferral('r-1')),
    ]);
    for (const e of errors) lines.push(e.message, String(e.apiMessage), JSON.stringify(e));
    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines) {
      expect(line).not.toContain('token-1-secret-value');
      expect(line).not.toContain(CREDENTIALS.password);
    }
  });
});
