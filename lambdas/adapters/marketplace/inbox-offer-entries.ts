/**
 * The supply inbox list as the reconciler reads it: one page at a time, the page itself checked
 * as usual, then each item on its own against the narrow `inboxOfferSummaryItemSchema`. An item
 * that fails becomes an entry with the failing field paths and its offer id when one is readable,
 * never its content. `inboxPageReader` adapts it to the core port the reconciler is typed against.
 */
import type { InboxListEntry, InboxPage, InboxPageReader } from '../../core/inbox-list';
import type { InboxOfferQuery } from './inbox-offers';
import { type Page, type PageEntry, rawItemPageSchema, readEntry } from './schemas/common';
import { type InboxOfferSummaryItem, inboxOfferSummaryItemSchema } from './schemas/inbox-offers';
import type { MarketplaceTransport } from './transport';

/** A page whose items were checked one by one. */
export interface EntryPage<T> extends Omit<Page<T>, 'items'> {
  entries: PageEntry<T>[];
}

/** `GET /offers/v1/inbox/offers`, one page, for a reader that must get past a bad item. */
export async function listInboxOfferEntries(
  t: MarketplaceTransport,
  query: InboxOfferQuery = {},
): Promise<EntryPage<InboxOfferSummaryItem>> {
  const { items, ...frame } = await t.getJson(
    'listInboxOfferEntries',
    '/offers/v1/inbox/offers',
    rawItemPageSchema,
    { ...query },
  );
  return {
    page: frame.page,
    items_per_page: frame.items_per_page,
    total_items: frame.total_items,
    total_pages: frame.total_pages,
    entries: items.map((raw) => readEntry(inboxOfferSummaryItemSchema, raw)),
  };
}

/** One checked list item in the core's terms (the wire's field names stay here). */
export function toInboxListEntry(entry: PageEntry<InboxOfferSummaryItem>): InboxListEntry {
  if (!entry.ok) return entry;
  const { offer, match } = entry.item;
  return {
    ok: true,
    item: {
      ...(offer !== undefined
        ? {
            offer: {
              id: offer.id,
              expiresAt: offer.expires_at,
              ...(typeof offer.shift_id === 'string' ? { shiftId: offer.shift_id } : {}),
            },
          }
        : {}),
      ...(match !== undefined
        ? { match: { response: match.response, status: match.status, createdAt: match.created_at } }
        : {}),
    },
  };
}

/** The reconciler's inbox port on `t`. */
export function inboxPageReader(t: MarketplaceTransport): InboxPageReader {
  return {
    async readInboxPage(query): Promise<InboxPage> {
      const page = await listInboxOfferEntries(t, {
        status: query.status,
        sort_by: query.sortBy,
        sort_order: query.sortOrder,
        items_per_page: query.pageSize,
        page: query.page,
      });
      return { totalPages: page.total_pages, entries: page.entries.map(toInboxListEntry) };
    },
  };
}
