/**
 * The worker's read of a referral detail (`GET /offers/v1/inbox/referrals/{id}` and
 * `GET /offers/v1/outbox/referrals/{id}`): ONLY `referral.{id, offer_id, shift_id, care_type,
 * referral_type, status, start_at}` is checked and kept. The detail also carries the client (name,
 * address, demographics, allergies, risks), the service and the visits: full PHI, never looked at
 * here (not even validated, so nothing of it can end in an error message) and dropped, the summary
 * built field by field.
 */
import * as v from 'valibot';
import type { ReferralSummary } from '../../core/ports';
import { CARE_TYPES, instant, knownOr, OFFER_TYPES, REFERRAL_STATUSES } from './schemas/common';

const referralId = v.pipe(v.string(), v.minLength(1), v.maxLength(128));

/**
 * What the worker requires of a referral detail. `offer_id` is optional in the specification, but
 * a referral without one cannot be tied to its offer: it fails with an error naming the field.
 */
export const referralSummarySchema = v.looseObject({
  referral: v.looseObject({
    id: referralId,
    offer_id: referralId,
    shift_id: v.nullish(referralId),
    care_type: knownOr(CARE_TYPES),
    referral_type: knownOr(OFFER_TYPES),
    status: v.picklist(REFERRAL_STATUSES),
    start_at: instant,
  }),
});
export type ReferralSummaryDetail = v.InferOutput<typeof referralSummarySchema>;

/** The summary of a parsed detail, field by field: nothing else of the detail rides along. */
export function toReferralSummary(detail: ReferralSummaryDetail): ReferralSummary {
  const { referral } = detail;
  const summary: ReferralSummary = {
    id: referral.id,
    offerId: referral.offer_id,
    careType: referral.care_type,
    offerType: referral.referral_type,
    status: referral.status,
    startAt: referral.start_at,
  };
  if (typeof referral.shift_id === 'string') summary.shiftId = referral.shift_id;
  return summary;
}
