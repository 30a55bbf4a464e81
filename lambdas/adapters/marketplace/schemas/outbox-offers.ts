/** Demand outbox offer schemas (`/offers/v1/outbox/offers`, shifts, bundles, matches, settings). */
import * as v from 'valibot';
import {
  careType,
  dateTime,
  id,
  OFFER_ASSIGNMENTS,
  OFFER_STATUSES,
  offerType,
  pageOf,
  REASON_CODES,
  text,
} from './common';
import { demographics, fullAddress, offerMatch, party, responseCounts } from './parts';

/** `OutboxOfferCore` as answered (with id, status and timestamps). */
const outboxOfferCore = v.looseObject({
  id,
  shift_id: v.optional(id),
  care_type: careType,
  offer_type: offerType,
  status: v.picklist(OFFER_STATUSES),
  expires_at: dateTime,
  start_at: dateTime,
  end_at: v.optional(dateTime),
  created_at: dateTime,
  updated_at: v.optional(dateTime),
  comment: v.optional(text),
  reason_code: v.optional(v.picklist(REASON_CODES)),
  reason_comment: v.optional(text),
});

/** The client and service of a list item or a created offer: ids and the client's name only. */
const outboxClient = v.looseObject({ outbox_id: text, demographics });
const outboxService = v.looseObject({ outbox_id: text, name: text });

/** `OutboxOfferDetailResponse` (also the 201 body of a create): full client PHI. */
export const outboxOfferDetailSchema = v.looseObject({
  offer: outboxOfferCore,
  demand: party,
  supply: v.optional(party),
  client: v.looseObject({ address: fullAddress, demographics, outbox_id: text }),
  service: v.looseObject({ id, outbox_id: text, name: text }),
  visits: v.optional(
    v.array(v.looseObject({ id, outbox_id: text, start_at: dateTime, end_at: dateTime })),
  ),
  response_counts: responseCounts,
});
export type OutboxOfferDetail = v.InferOutput<typeof outboxOfferDetailSchema>;

export const outboxOfferListItemSchema = v.looseObject({
  offer: outboxOfferCore,
  client: outboxClient,
  service: outboxService,
  response_counts: responseCounts,
});
export const outboxOfferPageSchema = pageOf(outboxOfferListItemSchema, false);
export type OutboxOfferListItem = v.InferOutput<typeof outboxOfferListItemSchema>;

export const outboxMatchItemSchema = v.looseObject({
  match: v.optional(offerMatch),
  supply: v.optional(party),
});
export const outboxMatchPageSchema = pageOf(outboxMatchItemSchema, false);
export type OutboxMatchItem = v.InferOutput<typeof outboxMatchItemSchema>;

/** `OutboxShiftOfferCreateResponse`. */
export const shiftCreateResponseSchema = v.looseObject({
  shift: v.looseObject({ id }),
  items: v.array(
    v.looseObject({
      offer: v.looseObject({
        id,
        care_type: careType,
        start_at: dateTime,
        end_at: dateTime,
        expires_at: dateTime,
      }),
      client: outboxClient,
      service: outboxService,
      visits: v.array(v.looseObject({ id, outbox_id: text })),
      response_counts: responseCounts,
    }),
  ),
});
export type ShiftCreateResponse = v.InferOutput<typeof shiftCreateResponseSchema>;

/** `OutboxBundleOfferCreateResponse`. */
export const bundleCreateResponseSchema = v.looseObject({
  bundle: v.looseObject({ id }),
  items: v.array(
    v.looseObject({
      offer: v.looseObject({
        id,
        care_type: careType,
        status: v.optional(v.picklist(OFFER_STATUSES)),
        start_at: dateTime,
        expires_at: dateTime,
      }),
      client: outboxClient,
      service: outboxService,
      response_counts: responseCounts,
    }),
  ),
});
export type BundleCreateResponse = v.InferOutput<typeof bundleCreateResponseSchema>;

/** `OutboxOfferAssignmentSettingUpdateResponse`. */
export const assignmentSettingSchema = v.looseObject({
  offer_assignment: v.picklist(OFFER_ASSIGNMENTS),
});
export type AssignmentSetting = v.InferOutput<typeof assignmentSettingSchema>;
