import type { InboxPage, InboxPageReader } from '../core/inbox-list';
import type { InboxOfferSummary } from '../core/reconcile';

/**
 * Reads every open match of the supply inbox for one reconciler run, in an order that cannot skip
 * an offer while the list changes under it (the worker answers offers during the run, the
 * marketplace adds and closes them).
 *
 * The list is sorted ascending by last modification (the only `sort_by` the API has) and read
 * from its last page to its first. An item that stays in the list, unmodified, for the whole run
 * can only move to lower positions (an item before it goes away) or stay (new and modified items
 * are appended after it): never up, past the page being read, onto a page already read. So it is
 * read at least once. Page 1 is read first to learn the page count and, when there is more than
 * one page, read again last. The price is duplicates (kept once, by offer id, as last read) and
 * one extra request. An item modified during the run may be missed: someone acted on it, and the
 * next run sees it.
 *
 * Each item is checked on its own (the `InboxPageReader` port): a malformed one is reported, never
 * fails the run.
 */

/** The API's default page size, asked for explicitly so the page count matches the pages read. */
export const INBOX_PAGE_SIZE = 100;

export type { InboxPageReader } from '../core/inbox-list';

/** A list item that failed its check: the offer id when one was readable, and the failing field paths. */
export interface MalformedItem {
  offerId?: string;
  fields: string[];
}

export interface InboxSnapshot {
  /** Every offer read with its offer and match, once each. */
  offers: InboxOfferSummary[];
  /** Items without an offer or a match part (both optional in the spec): nothing to check. */
  incomplete: number;
  malformed: MalformedItem[];
  /** Distinct items read: offers, incomplete and malformed. */
  listed: number;
  /** Requests made. */
  pagesRead: number;
}

export async function readOpenInbox(
  reader: InboxPageReader,
  pageSize = INBOX_PAGE_SIZE,
): Promise<InboxSnapshot> {
  const read = (page: number) =>
    reader.readInboxPage({
      status: 'open',
      sortBy: 'last_modified',
      sortOrder: 'asc',
      pageSize,
      page,
    });
  const collector = new Collector();
  const first = await read(1);
  let pagesRead = 1;
  if (first.totalPages <= 1) {
    collector.add(first);
  } else {
    // The first read only told the page count: page 1 is read again last (see above).
    for (let page = first.totalPages; page >= 1; page--) {
      collector.add(await read(page));
      pagesRead += 1;
    }
  }
  return { ...collector.result(), pagesRead };
}

class Collector {
  private readonly offers = new Map<string, InboxOfferSummary>();
  private readonly incompleteIds = new Set<string>();
  private readonly malformedById = new Map<string, MalformedItem>();
  /** Items without a readable id cannot be told apart: one read twice counts twice. */
  private anonymousIncomplete = 0;
  private readonly anonymousMalformed: MalformedItem[] = [];

  add(page: InboxPage): void {
    for (const entry of page.entries) {
      if (!entry.ok) {
        if (entry.offerId === undefined) this.anonymousMalformed.push({ fields: entry.fields });
        else
          this.malformedById.set(entry.offerId, { offerId: entry.offerId, fields: entry.fields });
        continue;
      }
      const { offer, match } = entry.item;
      if (offer === undefined || match === undefined) {
        if (offer === undefined) this.anonymousIncomplete += 1;
        else this.incompleteIds.add(offer.id);
        continue;
      }
      const summary: InboxOfferSummary = {
        offerId: offer.id,
        expiresAt: offer.expiresAt,
        matchedAt: match.createdAt,
        matchResponse: match.response,
        matchStatus: match.status,
      };
      if (offer.shiftId !== undefined) summary.shiftId = offer.shiftId;
      this.offers.set(offer.id, summary);
    }
  }

  result(): Omit<InboxSnapshot, 'pagesRead'> {
    // An item read well once is not malformed or incomplete: the good read is kept.
    const malformed = [...this.malformedById.values()].filter(
      (m) => m.offerId === undefined || !this.offers.has(m.offerId),
    );
    const incompleteIds = [...this.incompleteIds].filter(
      (id) => !this.offers.has(id) && !this.malformedById.has(id),
    );
    const incomplete = incompleteIds.length + this.anonymousIncomplete;
    const all = [...malformed, ...this.anonymousMalformed];
    return {
      offers: [...this.offers.values()],
      incomplete,
      malformed: all,
      listed: this.offers.size + incomplete + all.length,
    };
  }
}
