/** Demand outbox offer schemas (`/offers/v1/outbox/offers`, shifts, bundles, matches, settings). */
import * as z from '../../../core/zod';
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
const outboxOfferCore = () =>
  z.looseObject({
    id,
    shift_id: z.optional(id),
    care_type: careType,
    offer_type: offerType,
    status: z.enum(OFFER_STATUSES),
    expires_at: dateTime,
    start_at: dateTime,
    end_at: z.optional(dateTime),
    created_at: dateTime,
    updated_at: z.optional(dateTime),
    comment: z.optional(text),
    reason_code: z.optional(z.enum(REASON_CODES)),
    reason_comment: z.optional(text),
  });

/** `OutboxOfferDetailResponse` (also the 201 body of a create): full client PHI. */
export const outboxOfferDetailSchema = z.lazy(() =>
  z.looseObject({
    offer: outboxOfferCore(),
    demand: party,
    supply: z.optional(party),
    client: z.looseObject({ address: fullAddress, demographics, outbox_id: text }),
    service: z.looseObject({ id, outbox_id: text, name: text }),
    visits: z.optional(
      z.array(z.looseObject({ id, outbox_id: text, start_at: dateTime, end_at: dateTime })),
    ),
    response_counts: responseCounts,
  }),
);
export type OutboxOfferDetail = z.infer<typeof outboxOfferDetailSchema>;

export const outboxOfferListItemSchema = z.lazy(() =>
  z.looseObject({
    offer: outboxOfferCore(),
    client: z.looseObject({ outbox_id: text, demographics }),
    service: z.looseObject({ outbox_id: text, name: text }),
    response_counts: responseCounts,
  }),
);
export const outboxOfferPageSchema = z.lazy(() => pageOf(outboxOfferListItemSchema, false));
export type OutboxOfferListItem = z.infer<typeof outboxOfferListItemSchema>;

export const outboxMatchItemSchema = z.lazy(() =>
  z.looseObject({
    match: z.optional(offerMatch),
    supply: z.optional(party),
  }),
);
export const outboxMatchPageSchema = z.lazy(() => pageOf(outboxMatchItemSchema, false));
export type OutboxMatchItem = z.infer<typeof outboxMatchItemSchema>;

/** `OutboxShiftOfferCreateResponse`. */
export const shiftCreateResponseSchema = z.lazy(() =>
  z.looseObject({
    shift: z.looseObject({ id }),
    items: z.array(
      z.looseObject({
        offer: z.looseObject({
          id,
          care_type: careType,
          start_at: dateTime,
          end_at: dateTime,
          expires_at: dateTime,
        }),
        client: z.looseObject({ outbox_id: text, demographics }),
        service: z.looseObject({ outbox_id: text, name: text }),
        visits: z.array(z.looseObject({ id, outbox_id: text })),
        response_counts: responseCounts,
      }),
    ),
  }),
);
export type ShiftCreateResponse = z.infer<typeof shiftCreateResponseSchema>;

/** `OutboxBundleOfferCreateResponse`. */
export const bundleCreateResponseSchema = z.lazy(() =>
  z.looseObject({
    bundle: z.looseObject({ id }),
    items: z.array(
      z.looseObject({
        offer: z.looseObject({
          id,
          care_type: careType,
          status: z.optional(z.enum(OFFER_STATUSES)),
          start_at: dateTime,
          expires_at: dateTime,
        }),
        client: z.looseObject({ outbox_id: text, demographics }),
        service: z.looseObject({ outbox_id: text, name: text }),
        response_counts: responseCounts,
      }),
    ),
  }),
);
export type BundleCreateResponse = z.infer<typeof bundleCreateResponseSchema>;

/** `OutboxOfferAssignmentSettingUpdateResponse`. */
export const assignmentSettingSchema = z.lazy(() =>
  z.looseObject({
    offer_assignment: z.enum(OFFER_ASSIGNMENTS),
  }),
);
export type AssignmentSetting = z.infer<typeof assignmentSettingSchema>;
