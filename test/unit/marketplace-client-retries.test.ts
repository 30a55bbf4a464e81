/**
 * Covers MarketplaceClient (lambdas/adapters/marketplace-client.ts) with a scripted fetch, clock,
 * sleep and random (no HTTP, no waits): backoff with full jitter, Retry-After, bounded attempts
 * and time, the state read before any retry of an action whose outcome is unknown, paging, and no
 * password or token in any error or log line. Over real HTTP: marketplace-client-login.test.ts and
 * marketplace-client-offers.test.ts; against the full simulator: marketplace-contract-*.test.ts.
 */
import { MarketplaceClient } from '../../lambdas/adapters/marketplace-client';
import { OFFER_ID, offerDetailJson } from '../support/offer-fixtures';
import { CREDENTIALS, failure } from '../support/marketplace-client-stand-in';
import { requestUrl } from '../support/request-url';

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
