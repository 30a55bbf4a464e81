/**
 * For the MarketplaceClient list suites (test/unit/marketplace-client-lists-referrals.test.ts and
 * test/unit/marketplace-client-lists-offers.test.ts): a client over a scripted fetch (no HTTP) that
 * answers login itself and records every API call, and the page frame the lists answer with.
 */
import { MarketplaceClient } from '../../lambdas/adapters/marketplace-client';
import { requestUrl } from './request-url';

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
}

/** A client whose fetch answers login itself and every API call from `answer`. */
export function scripted(answer: (call: Call) => { status: number; json?: unknown }) {
  const calls: Call[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(requestUrl(input));
    if (url.pathname === '/auth/v1/login')
      return new Response(JSON.stringify({ IdToken: 'token', ExpiresIn: 3600 }), { status: 200 });
    const call = { method: init?.method ?? 'GET', path: url.pathname, query: url.searchParams };
    calls.push(call);
    const reply = answer(call);
    return new Response(reply.json === undefined ? null : JSON.stringify(reply.json), {
      status: reply.status,
    });
  };
  const client = new MarketplaceClient({
    baseUrl: 'https://api.test',
    credentials: async () => ({ username: 'u', password: 'p' }),
    fetch,
    sleep: async () => undefined,
    retry: { maxAttempts: 1 },
  });
  return { client, calls };
}

/** One page of a list, with `items` on it. */
export const page = (items: unknown[], pageNumber = 1, totalPages = 1) => ({
  page: pageNumber,
  items_per_page: 100,
  total_items: items.length,
  total_pages: totalPages,
  items,
});
