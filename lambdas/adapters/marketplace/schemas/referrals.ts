/** Referral schemas (`/offers/v1/inbox/referrals`, `/offers/v1/outbox/referrals`): full client PHI. */
import * as z from '../../../core/zod';
import {
  careType,
  dateTime,
  id,
  offerType,
  pageOf,
  REASON_CODES,
  REFERRAL_STATUSES,
  text,
} from './common';
import { demographics, fullAddress, inboxListRevision, party, price, revision } from './parts';

const referralCore = () =>
  z.looseObject({
    id,
    sequence_id: z.optional(id),
    offer_id: z.optional(id),
    shift_id: z.optional(id),
    care_type: careType,
    referral_type: offerType,
    status: z.enum(REFERRAL_STATUSES),
    start_at: dateTime,
    end_at: z.optional(dateTime),
    created_at: dateTime,
    updated_at: z.optional(dateTime),
    reason_code: z.optional(z.enum(REASON_CODES)),
  });

export const inboxReferralListItemSchema = z.lazy(() =>
  z.looseObject({
    referral: referralCore(),
    revision: inboxListRevision,
  }),
);
export const inboxReferralPageSchema = z.lazy(() => pageOf(inboxReferralListItemSchema, true));
export type InboxReferralListItem = z.infer<typeof inboxReferralListItemSchema>;

/** `InboxReferralDetailResponse`: full client PHI. Never log it. */
export const inboxReferralDetailSchema = z.lazy(() =>
  z.looseObject({
    referral: referralCore(),
    demand: party,
    client: z.looseObject({ id, address: fullAddress, demographics }),
    service: z.looseObject({ id, name: text }),
    visits: z.optional(z.array(z.looseObject({ id, start_at: dateTime, end_at: dateTime }))),
    price: z.optional(price),
    revision,
  }),
);
export type InboxReferralDetail = z.infer<typeof inboxReferralDetailSchema>;

const outboxReferralCore = () => z.extend(referralCore(), { sequence_id: id });

export const outboxReferralListItemSchema = z.lazy(() =>
  z.looseObject({
    referral: outboxReferralCore(),
    supply: party,
    client: z.looseObject({ id, outbox_id: text, demographics }),
    service: z.looseObject({ id, outbox_id: text, name: text }),
    /** Optional in the list, but when present it says whether AlayaCare authorised the referral. */
    alayacare: z.optional(z.looseObject({ has_authorization: z.boolean() })),
    revision,
  }),
);
export const outboxReferralPageSchema = z.lazy(() => pageOf(outboxReferralListItemSchema, false));
export type OutboxReferralListItem = z.infer<typeof outboxReferralListItemSchema>;

/** `OutboxReferralDetailResponse`: full client PHI. Never log it. */
export const outboxReferralDetailSchema = z.lazy(() =>
  z.looseObject({
    referral: outboxReferralCore(),
    supply: party,
    client: z.looseObject({ id, outbox_id: text, address: fullAddress, demographics }),
    service: z.looseObject({ id, outbox_id: text, name: text }),
    visits: z.optional(z.array(z.looseObject({ id, start_at: dateTime, end_at: dateTime }))),
    revision,
  }),
);
export type OutboxReferralDetail = z.infer<typeof outboxReferralDetailSchema>;
