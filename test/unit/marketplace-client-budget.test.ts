/**
 * Covers the time bound of MarketplaceClient calls (lambdas/adapters/marketplace-client.ts with
 * CallBudget, callWorstCaseMs and actionWorstCaseMs from lambdas/adapters/marketplace/retry.ts),
 * which the worker's time guard is built on: with a fake clock, a sleep that advances it and a
 * fetch that takes whatever time an adversary picks (never answering until the timeout, 5xx, 401
 * on a revoked token, slow logins), no read takes longer than callWorstCaseMs and no accept with
 * its state reads longer than actionWorstCaseMs. Named cases pin the two gaps this closed: a
 * login (or the repeat after a 401) inside an attempt, and a retry judged before a slow state read.
 * What the client sends and retries is covered by marketplace-client-offers.test.ts and
 * marketplace-client-retries.test.ts.
 */
import {
  DEFAULT_TIMEOUT_MS,
  MarketplaceClient,
  MarketplaceError,
} from '../../lambdas/adapters/marketplace-client';
import {
  actionWorstCaseMs,
  callWorstCaseMs,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
} from '../../lambdas/adapters/marketplace/retry';
import { OFFER_ID, offerDetailJson } from '../support/offer-fixtures';
import { requestUrl } from '../support/request-url';

const T = DEFAULT_TIMEOUT_MS;

/** What one network attempt does: take `ms` and answer, or hang until the client's timeout. */
type Move = { kind: 'hang' } | { kind: 'answer'; ms: number; status: number };

interface Call {
  login: boolean;
  method: string;
}

/**
 * A client on a fake clock whose fetch plays `adversary` (given each network attempt and its index
 * since the client was made); `calls` and `elapsed()` count from the last `start()`.
 */
function harness(adversary: (call: Call, index: number) => Move, retry: Partial<RetryPolicy> = {}) {
  let clock = 0;
  let startedAt = 0;
  const calls: Call[] = [];
  let index = 0;
  let tokens = 0;
  const fakeFetch: typeof fetch = async (input, init) => {
    const url = new URL(requestUrl(input));
    const call = { login: url.pathname === '/auth/v1/login', method: init?.method ?? 'GET' };
    calls.push(call);
    const move = adversary(call, index++);
    if (move.kind === 'hang') {
      // What AbortSignal.timeout does to a request that never gets an answer.
      clock += T;
      throw Object.assign(new Error('The operation was aborted due to timeout'), {
        name: 'TimeoutError',
      });
    }
    clock += move.ms;
    if (move.status !== 200)
      return new Response(JSON.stringify({ message: 'no' }), { status: move.status });
    if (call.login)
      return new Response(JSON.stringify({ IdToken: `token-${++tokens}`, ExpiresIn: 3600 }), {
        status: 200,
      });
    return call.method === 'POST'
      ? new Response(null, { status: 204 })
      : new Response(JSON.stringify(offerDetailJson()), { status: 200 });
  };
  const client = new MarketplaceClient({
    baseUrl: 'https://api.test',
    credentials: async () => ({ username: 'u', password: 'p' }),
    fetch: fakeFetch,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    random: () => 0.5,
    retry,
  });
  return {
    client,
    calls,
    start: () => {
      startedAt = clock;
      calls.length = 0;
    },
    elapsed: () => clock - startedAt,
  };
}

const READ_BOUND = callWorstCaseMs(DEFAULT_RETRY_POLICY, T);
const ACTION_BOUND = actionWorstCaseMs(DEFAULT_RETRY_POLICY, T);

async function settle(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('the derived worst cases', () => {
  it('are 15 s for a read and 30 s for an accept or decline with the default policy and timeout', () => {
    expect(READ_BOUND).toBe(15_000);
    expect(ACTION_BOUND).toBe(30_000);
  });
});

describe('a read', () => {
  it('that never gets an answer ends within the bound', async () => {
    const h = harness((call) =>
      call.login ? { kind: 'answer', ms: 5, status: 200 } : { kind: 'hang' },
    );
    h.start();
    expect(await settle(h.client.getInboxOffer(OFFER_ID))).toBeInstanceOf(MarketplaceError);
    expect(h.elapsed()).toBeLessThanOrEqual(READ_BOUND);
  });

  it('whose login never answers ends within the bound', async () => {
    const h = harness(() => ({ kind: 'hang' }));
    h.start();
    expect(await settle(h.client.getInboxOffer(OFFER_ID))).toMatchObject({ operation: 'login' });
    expect(h.elapsed()).toBeLessThanOrEqual(READ_BOUND);
  });

  it('answered 5xx just under the timeout, then never, ends exactly at the bound', async () => {
    const h = harness((call, i) =>
      call.login
        ? { kind: 'answer', ms: 0, status: 200 }
        : i === 1
          ? { kind: 'answer', ms: 4_900, status: 503 }
          : { kind: 'hang' },
    );
    h.start();
    expect(await settle(h.client.getInboxOffer(OFFER_ID))).toMatchObject({
      operation: 'getInboxOffer',
    });
    // 4.9 s, a 100 ms backoff, then a whole 10 s attempt: the last one the budget lets start.
    expect(h.elapsed()).toBe(READ_BOUND);
  });

  it('counts the re-login after a 401 and the repeat against its budget (no repeat that could end past it)', async () => {
    const h = harness((call, i) => {
      if (i === 0) return { kind: 'answer', ms: 0, status: 200 }; // the login that caches the token
      if (i === 1) return { kind: 'answer', ms: 0, status: 200 }; // a first read with it
      if (i === 2) return { kind: 'answer', ms: 4_000, status: 401 }; // the token was revoked
      if (call.login) return { kind: 'answer', ms: 4_000, status: 200 };
      return { kind: 'hang' };
    });
    await h.client.getInboxOffer(OFFER_ID);
    h.start();
    const error = await settle(h.client.getInboxOffer(OFFER_ID));
    // Before, the repeat went out at 8 s regardless and ended at 18 s.
    expect(error).toMatchObject({ operation: 'getInboxOffer', status: undefined });
    expect(h.calls.map((c) => (c.login ? 'login' : c.method))).toEqual(['GET', 'login']);
    expect(h.elapsed()).toBe(8_000);
  });

  it('still re-logs in and repeats after a 401 when there is room', async () => {
    const h = harness((_call, i) =>
      i === 1 ? { kind: 'answer', ms: 50, status: 401 } : { kind: 'answer', ms: 50, status: 200 },
    );
    h.start();
    await expect(h.client.getInboxOffer(OFFER_ID)).resolves.toMatchObject({ id: OFFER_ID });
    expect(h.calls.map((c) => (c.login ? 'login' : c.method))).toEqual([
      'login',
      'GET',
      'login',
      'GET',
    ]);
  });
});

describe('an accept', () => {
  it('judges a retry after the state read, not before it', async () => {
    // The accept fails fast, the state read takes 15 s and shows it still pending: there is no
    // room left for another accept. Before, the retry was judged before the read and went out.
    let reads = 0;
    const h = harness((call) => {
      if (call.login) return { kind: 'answer', ms: 0, status: 200 };
      if (call.method === 'POST') return { kind: 'answer', ms: 100, status: 503 };
      reads += 1;
      return reads === 1
        ? { kind: 'answer', ms: 4_900, status: 503 }
        : { kind: 'answer', ms: 9_900, status: 200 };
    });
    h.start();
    expect(await settle(h.client.acceptInboxOffer(OFFER_ID))).toMatchObject({
      status: 503,
      outcomeUnknown: false,
    });
    expect(h.calls.filter((c) => !c.login && c.method === 'POST')).toHaveLength(1);
    expect(h.elapsed()).toBeLessThanOrEqual(ACTION_BOUND);
  });

  it('whose answer and state read never come ends within the bound, outcome unknown', async () => {
    const h = harness((call) =>
      call.login ? { kind: 'answer', ms: 0, status: 200 } : { kind: 'hang' },
    );
    h.start();
    expect(await settle(h.client.acceptInboxOffer(OFFER_ID))).toMatchObject({
      outcomeUnknown: true,
    });
    expect(h.elapsed()).toBeLessThanOrEqual(ACTION_BOUND);
  });
});

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hangs, slow 5xx and 429, 401s on API calls, slow successes; accept/decline state reads show pending. */
function adversary(random: () => number): (call: Call) => Move {
  return (call) => {
    const roll = random();
    const ms = Math.floor(random() * T);
    if (roll < 0.3) return { kind: 'hang' };
    if (roll < 0.55) return { kind: 'answer', ms, status: 503 };
    if (roll < 0.6) return { kind: 'answer', ms, status: 429 };
    if (roll < 0.75 && !call.login) return { kind: 'answer', ms, status: 401 };
    return { kind: 'answer', ms, status: 200 };
  };
}

describe.each([
  ['the default policy', {}],
  ['many attempts (the budget, not the count, binds)', { maxAttempts: 20 }],
])('whatever the API does, with %s', (_label, retry: Partial<RetryPolicy>) => {
  const TRIALS = 300;

  it.each([
    ['a read', READ_BOUND, (c: MarketplaceClient) => c.getInboxOffer(OFFER_ID)],
    [
      'an accept with its state reads',
      ACTION_BOUND,
      (c: MarketplaceClient) => c.acceptInboxOffer(OFFER_ID),
    ],
    [
      'a decline with its state reads',
      ACTION_BOUND,
      (c: MarketplaceClient) => c.declineInboxOffer(OFFER_ID, {}),
    ],
  ])('%s never takes longer than its derived worst case', async (_what, bound, run) => {
    const random = prng(7);
    let longest = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const h = harness(adversary(random), retry);
      // Half the trials start with a cached token (a 401 then forces a re-login), half cold.
      if (trial % 2 === 0) await settle(h.client.login());
      h.start();
      await settle(run(h.client));
      longest = Math.max(longest, h.elapsed());
      expect(h.elapsed()).toBeLessThanOrEqual(bound);
    }
    // The adversary does push calls close to the bound, so the check above is not vacuous.
    expect(longest).toBeGreaterThan(bound * 0.6);
  });
});
