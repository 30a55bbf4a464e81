/** Object parts shared by several resources' schemas (matches, parties, addresses, revisions). */
import * as v from 'valibot';
import { dateTime, id, int, MATCH_RESPONSES, MATCH_STATUSES, PRICE_UNITS, text } from './common';

/** `OfferMatchCore`. */
export const offerMatch = v.looseObject({
  id,
  response: v.picklist(MATCH_RESPONSES),
  status: v.nullable(v.picklist(MATCH_STATUSES)),
  sequence_id: id,
  created_at: dateTime,
  updated_at: v.optional(dateTime),
  reason_code: v.optional(text),
  comment: v.optional(text),
});

export const party = v.looseObject({ id, name: text });
export const price = v.looseObject({ rate: v.number(), unit: v.picklist(PRICE_UNITS) });
export const namedValue = v.looseObject({ name: text, value: text });
export const fullAddress = v.looseObject({
  address: text,
  city: text,
  state: text,
  zip: text,
  country: text,
});
export const anonAddress = v.looseObject({ city: text, state: text, zip: text, country: text });
export const demographics = v.looseObject({ first_name: text, last_name: text });
export const responseCounts = v.looseObject({
  modified_at: v.optional(dateTime),
  sent: v.optional(int),
  accepted: v.optional(int),
  declined: v.optional(int),
});
/**
 * `ReferralRevisionResponse` (inbox and outbox referral details) and
 * `OutboxReferralCollectionRevisionResponse` (outbox referral list): the same required fields.
 */
export const revision = v.looseObject({
  revision_group_id: id,
  revision_number: int,
  is_latest_revision: v.boolean(),
  revision_reasons: v.optional(v.array(text)),
  revision_comment: v.optional(text),
});

/**
 * `InboxReferralCollectionRevisionResponse` (inbox referral list): the spec publishes no
 * `is_latest_revision` here, so it is read when present and never required.
 */
export const inboxListRevision = v.looseObject({
  revision_group_id: id,
  revision_number: int,
  is_latest_revision: v.optional(v.boolean()),
});
