/**
 * Supply inbox offer schemas (`/offers/v1/inbox/offers`). The full list and detail schemas, which
 * only the CLI and the sandbox parse, are built on their first parse (`z.lazy`); the narrow reads
 * the worker and the reconciler make on every run are built when the module loads.
 */
import * as z from '../../../core/zod';
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
const inboxOfferCore = () =>
  z.looseObject({
    id,
    shift_id: z.optional(id),
    care_type: careType,
    offer_type: offerType,
    expires_at: dateTime,
    start_at: dateTime,
    end_at: z.optional(dateTime),
    created_at: dateTime,
    updated_at: z.optional(dateTime),
  });

export const inboxOfferListItemSchema = z.lazy(() =>
  z.looseObject({
    offer: z.optional(inboxOfferCore()),
    match: z.optional(offerMatch),
  }),
);
export const inboxOfferPageSchema = z.lazy(() => pageOf(inboxOfferListItemSchema, true));
export type InboxOfferListItem = z.infer<typeof inboxOfferListItemSchema>;

/** `InboxOfferDetailResponse`: anonymised, but with allergies, risks and custom fields. */
export const inboxOfferDetailSchema = z.lazy(() =>
  z.looseObject({
    offer: inboxOfferCore(),
    match: offerMatch,
    demand: party,
    client: z.looseObject({ address: anonAddress, custom_fields: z.optional(z.array(namedValue)) }),
    service: z.looseObject({ id, name: text }),
    price: z.optional(price),
    visits: z.optional(z.array(z.looseObject({ id, start_at: dateTime, end_at: dateTime }))),
  }),
);
export type InboxOfferDetail = z.infer<typeof inboxOfferDetailSchema>;

// The worker's read of the offer detail (`inboxOfferForWorkerSchema`) is in inbox-offer.ts.

/**
 * What the reconciler reads of one inbox list item (the worker's list reads are below; each is
 * built on its first parse, so neither function builds the other's). Checked item by item (see
 * `MarketplaceClient.listInboxOfferEntries`), and narrow on purpose: a care or offer type this
 * connector does not know must not hide an offer from the reconciler (the worker reviews it).
 * `offer` and `match` are optional, as in the spec's list item.
 */
export const inboxOfferSummaryItemSchema = z.lazy(() =>
  z.looseObject({
    offer: z.optional(z.looseObject({ id, shift_id: z.nullish(id), expires_at: dateTime })),
    match: z.optional(
      z.looseObject({
        response: z.enum(MATCH_RESPONSES),
        status: z.nullable(z.enum(MATCH_STATUSES)),
        created_at: dateTime,
      }),
    ),
  }),
);
export type InboxOfferSummaryItem = z.infer<typeof inboxOfferSummaryItemSchema>;

/** What `listShiftOffers` reads of an inbox list item: the offer's id (and shift, when given). */
export const inboxOfferIdPageSchema = z.lazy(() =>
  pageOf(z.looseObject({ offer: z.looseObject({ id, shift_id: z.nullish(id) }) }), true),
);
