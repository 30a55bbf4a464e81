/**
 * Supply inbox reads the Lambdas never make (the CLI, the sandbox and tests): the list, page by
 * page or item by item, and the whole offer detail (allergies and risks: never log it).
 */
import type { InboxOfferQuery } from './inbox-offers';
import { inboxOfferPath, paginate } from './resources';
import type { Page } from './schemas/common';
import {
  type InboxOfferDetail,
  inboxOfferDetailSchema,
  type InboxOfferListItem,
  inboxOfferPageSchema,
} from './schemas/inbox-offers';
import type { MarketplaceTransport } from './transport';

/** `GET /offers/v1/inbox/offers`: one page. */
export async function listInboxOffers(
  t: MarketplaceTransport,
  query: InboxOfferQuery = {},
): Promise<Page<InboxOfferListItem>> {
  return t.getJson('listInboxOffers', '/offers/v1/inbox/offers', inboxOfferPageSchema, {
    ...query,
  });
}

/** Every inbox offer matching `query`, page after page (`for await`). */
export function inboxOffers(
  t: MarketplaceTransport,
  query: Omit<InboxOfferQuery, 'page'> = {},
): AsyncGenerator<InboxOfferListItem> {
  return paginate((page) => listInboxOffers(t, { ...query, page }));
}

/** The whole inbox offer detail, typed. Carries allergies and risks: never log it. */
export async function getInboxOfferDetail(
  t: MarketplaceTransport,
  offerId: string,
): Promise<InboxOfferDetail> {
  return t.getJson('getInboxOfferDetail', inboxOfferPath(offerId), inboxOfferDetailSchema);
}
