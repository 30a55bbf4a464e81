/**
 * Supply inbox offer schemas (`/offers/v1/inbox/offers`): the full list and detail schemas, which
 * only the CLI and the sandbox parse, and the narrow reads the worker and the reconciler make on
 * every run.
 */
import * as v from 'valibot';
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
const inboxOfferCore = v.looseObject({
  id,
  shift_id: v.optional(id),
  care_type: careType,
  offer_type: offerType,
  expires_at: dateTime,
  start_at: dateTime,
  end_at: v.optional(dateTime),
  created_at: dateTime,
  updated_at: v.optional(dateTime),
});

export const inboxOfferListItemSchema = v.looseObject({
  offer: v.optional(inboxOfferCore),
  match: v.optional(offerMatch),
});
export const inboxOfferPageSchema = pageOf(inboxOfferListItemSchema, true);
export type InboxOfferListItem = v.InferOutput<typeof inboxOfferListItemSchema>;

/** `InboxOfferDetailResponse`: anonymised, but with allergies, risks and custom fields. */
export const inboxOfferDetailSchema = v.looseObject({
  offer: inboxOfferCore,
  match: offerMatch,
  demand: party,
  client: v.looseObject({ address: anonAddress, custom_fields: v.optional(v.array(namedValue)) }),
  service: v.looseObject({ id, name: text }),
  price: v.optional(price),
  visits: v.optional(v.array(v.looseObject({ id, start_at: dateTime, end_at: dateTime }))),
});
export type InboxOfferDetail = v.InferOutput<typeof inboxOfferDetailSchema>;

// The worker's read of the offer detail (`inboxOfferForWorkerSchema`) is in inbox-offer.ts.

/**
 * What the reconciler reads of one inbox list item (the worker's list reads are below). Checked
 * item by item (see `MarketplaceClient.listInboxOfferEntries`), and narrow on purpose: a care or
 * offer type this connector does not know must not hide an offer from the reconciler (the worker
 * reviews it). `offer` and `match` are optional, as in the spec's list item.
 */
export const inboxOfferSummaryItemSchema = v.looseObject({
  offer: v.optional(v.looseObject({ id, shift_id: v.nullish(id), expires_at: dateTime })),
  match: v.optional(
    v.looseObject({
      response: v.picklist(MATCH_RESPONSES),
      status: v.nullable(v.picklist(MATCH_STATUSES)),
      created_at: dateTime,
    }),
  ),
});
export type InboxOfferSummaryItem = v.InferOutput<typeof inboxOfferSummaryItemSchema>;

/** What `listShiftOffers` reads of an inbox list item: the offer's id (and shift, when given). */
export const inboxOfferIdPageSchema = pageOf(
  v.looseObject({ offer: v.looseObject({ id, shift_id: v.nullish(id) }) }),
  true,
);
