/** Small helpers the resource modules share: resource paths, pagination, bodies, verdicts. */
import type { Page } from './schemas/common';
import type { Verdict } from './transport';

export const inboxOfferPath = (id: string) => `/offers/v1/inbox/offers/${encodeURIComponent(id)}`;
export const outboxOfferPath = (id: string) => `/offers/v1/outbox/offers/${encodeURIComponent(id)}`;
export const inboxReferralPath = (id: string) =>
  `/offers/v1/inbox/referrals/${encodeURIComponent(id)}`;
export const outboxReferralPath = (id: string) =>
  `/offers/v1/outbox/referrals/${encodeURIComponent(id)}`;

export interface PageQuery {
  page?: number;
  items_per_page?: number;
  /** `SortByCore`: the lists sort by last modification only (outbox referrals also by revision). */
  sort_by?: 'last_modified';
  /** The API's default is `desc`. */
  sort_order?: 'asc' | 'desc';
}

/** Every item of every page, fetched one page at a time as the caller iterates. */
export async function* paginate<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
): AsyncGenerator<T> {
  for (let page = 1; ; page++) {
    const current = await fetchPage(page);
    yield* current.items;
    if (current.items.length === 0 || page >= current.total_pages) return;
  }
}

/** The listed fields of an optional body that are set: always an object (`{}` at least). */
export function pick<K extends string>(
  body: Partial<Record<K, string>> | undefined,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = body?.[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Done when `status` is `done`, not done while it is one of `pending`, else impossible. */
export function statusVerdict(
  status: string,
  done: string,
  pending: readonly string[],
): Verdict<undefined> {
  if (status === done) return { kind: 'done', value: undefined };
  if (pending.includes(status)) return { kind: 'not-done' };
  return { kind: 'impossible', state: `status ${status}` };
}
