/**
 * The reconciler's port on the supply inbox list, in the core's terms: the adapter
 * (adapters/marketplace/inbox-offer-entries.ts) maps the API's wire items to these.
 */
import type { MatchResponse, MatchStatus } from './ports';

/** Which page of the supply inbox list to read, and in what order. */
export interface InboxPageQuery {
  status: MatchStatus;
  /** The only order the API has: by last modification. */
  sortBy: 'last_modified';
  sortOrder: 'asc' | 'desc';
  pageSize: number;
  /** From 1. */
  page: number;
}

/** One inbox list item as the reconciler reads it; both parts are optional, as in the API's list. */
export interface InboxListItem {
  offer?: { id: string; shiftId?: string; expiresAt: string };
  match?: { response: MatchResponse; status: MatchStatus | null; createdAt: string };
}

/**
 * A list item checked on its own: the item, or the paths of the fields that failed and the offer
 * id when one is readable (id-shaped). Never any of the item's content.
 */
export type InboxListEntry =
  { ok: true; item: InboxListItem } | { ok: false; offerId?: string; fields: string[] };

export interface InboxPage {
  totalPages: number;
  entries: InboxListEntry[];
}

/** The reconciler's read of the supply inbox list, one page at a time (a bad item never fails it). */
export interface InboxPageReader {
  readInboxPage(query: InboxPageQuery): Promise<InboxPage>;
}
