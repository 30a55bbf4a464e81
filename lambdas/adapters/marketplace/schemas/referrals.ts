/** Referral schemas (`/offers/v1/inbox/referrals`, `/offers/v1/outbox/referrals`): full client PHI. */
import * as v from 'valibot';
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

const referralCore = v.looseObject({
  id,
  sequence_id: v.optional(id),
  offer_id: v.optional(id),
  shift_id: v.optional(id),
  care_type: careType,
  referral_type: offerType,
  status: v.picklist(REFERRAL_STATUSES),
  start_at: dateTime,
  end_at: v.optional(dateTime),
  created_at: dateTime,
  updated_at: v.optional(dateTime),
  reason_code: v.optional(v.picklist(REASON_CODES)),
});

export const inboxReferralListItemSchema = v.looseObject({
  referral: referralCore,
  revision: inboxListRevision,
});
export const inboxReferralPageSchema = pageOf(inboxReferralListItemSchema, true);
export type InboxReferralListItem = v.InferOutput<typeof inboxReferralListItemSchema>;

/** `InboxReferralDetailResponse`: full client PHI. Never log it. */
export const inboxReferralDetailSchema = v.looseObject({
  referral: referralCore,
  demand: party,
  client: v.looseObject({ id, address: fullAddress, demographics }),
  service: v.looseObject({ id, name: text }),
  visits: v.optional(v.array(v.looseObject({ id, start_at: dateTime, end_at: dateTime }))),
  price: v.optional(price),
  revision,
});
export type InboxReferralDetail = v.InferOutput<typeof inboxReferralDetailSchema>;

const outboxReferralCore = v.looseObject({ ...referralCore.entries, sequence_id: id });

export const outboxReferralListItemSchema = v.looseObject({
  referral: outboxReferralCore,
  supply: party,
  client: v.looseObject({ id, outbox_id: text, demographics }),
  service: v.looseObject({ id, outbox_id: text, name: text }),
  /** Optional in the list, but when present it says whether AlayaCare authorised the referral. */
  alayacare: v.optional(v.looseObject({ has_authorization: v.boolean() })),
  revision,
});
export const outboxReferralPageSchema = pageOf(outboxReferralListItemSchema, false);
export type OutboxReferralListItem = v.InferOutput<typeof outboxReferralListItemSchema>;

/** `OutboxReferralDetailResponse`: full client PHI. Never log it. */
export const outboxReferralDetailSchema = v.looseObject({
  referral: outboxReferralCore,
  supply: party,
  client: v.looseObject({ id, outbox_id: text, address: fullAddress, demographics }),
  service: v.looseObject({ id, outbox_id: text, name: text }),
  visits: v.optional(v.array(v.looseObject({ id, start_at: dateTime, end_at: dateTime }))),
  revision,
});
export type OutboxReferralDetail = v.InferOutput<typeof outboxReferralDetailSchema>;
