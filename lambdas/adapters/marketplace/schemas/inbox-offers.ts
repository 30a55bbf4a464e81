/** Supply inbox offer schemas (`/offers/v1/inbox/offers`). */
import * as z from 'zod';
import {
  careType,
  dateTime,
  id,
  MATCH_RESPONSES,
  MATCH_STATUSES,
  offerType,
  pageOf,
  text,
} from './common';
import { anonAddress, namedValue, offerMatch, party, price } from './parts';

/** `InboxOfferCore`. */
const inboxOfferCore = z.looseObject({
  id,
  shift_id: id.optional(),
  care_type: careType,
  offer_type: offerType,
  expires_at: dateTime,
  start_at: dateTime,
  end_at: dateTime.optional(),
  created_at: dateTime,
  updated_at: dateTime.optional(),
});

export const inboxOfferListItemSchema = z.looseObject({
  offer: inboxOfferCore.optional(),
  match: offerMatch.optional(),
});
export const inboxOfferPageSchema = pageOf(inboxOfferListItemSchema, true);
export type InboxOfferListItem = z.infer<typeof inboxOfferListItemSchema>;

/** `InboxOfferDetailResponse`: anonymised, but with allergies, risks and custom fields. */
export const inboxOfferDetailSchema = z.looseObject({
  offer: inboxOfferCore,
  match: offerMatch,
  demand: party,
  client: z.looseObject({ address: anonAddress, custom_fields: z.array(namedValue).optional() }),
  service: z.looseObject({ id, name: text }),
  price: price.optional(),
  visits: z.array(z.looseObject({ id, start_at: dateTime, end_at: dateTime })).optional(),
});
export type InboxOfferDetail = z.infer<typeof inboxOfferDetailSchema>;

// The worker's read of the offer detail (`inboxOfferForWorkerSchema`) is in inbox-offer.ts.

/**
 * What the reconciler reads of one inbox list item. Checked item by item (see
 * `MarketplaceClient.listInboxOfferEntries`), and narrow on purpose: a care or offer type this
 * connector does not know must not hide an offer from the reconciler (the worker reviews it).
 * `offer` and `match` are optional, as in the spec's list item.
 */
export const inboxOfferSummaryItemSchema = z.looseObject({
  offer: z.looseObject({ id, shift_id: id.nullish(), expires_at: dateTime }).optional(),
  match: z
    .looseObject({
      response: z.enum(MATCH_RESPONSES),
      status: z.enum(MATCH_STATUSES).nullable(),
      created_at: dateTime,
    })
    .optional(),
});
export type InboxOfferSummaryItem = z.infer<typeof inboxOfferSummaryItemSchema>;

/** What `listShiftOffers` reads of an inbox list item: the offer's id (and shift, when given). */
export const inboxOfferIdPageSchema = pageOf(
  z.looseObject({ offer: z.looseObject({ id, shift_id: id.nullish() }) }),
  true,
);
