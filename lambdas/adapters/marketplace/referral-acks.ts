/**
 * The referral calls the worker makes when an offer was won: a referral's status and its PHI-free
 * summary (ids, types, status and start: referral-summary.ts), and mark_processed. Referral
 * details carry full client PHI: read here only down to what the port returns, never logged.
 */
import type { MarketplaceReferralApi, ReferralStatus, ReferralSummary } from '../../core/ports';
import { referralSummarySchema, toReferralSummary } from './referral-summary';
import { inboxReferralPath, outboxReferralPath, statusVerdict } from './resources';
import { type InboxReferralDetail, inboxReferralDetailSchema } from './schemas/referrals';
import type { MarketplaceTransport } from './transport';

/** `GET /offers/v1/inbox/referrals/{id}`: full client PHI. Never log the result. */
export async function getInboxReferral(
  t: MarketplaceTransport,
  referralId: string,
): Promise<InboxReferralDetail> {
  return t.getJson('getInboxReferral', inboxReferralPath(referralId), inboxReferralDetailSchema);
}

/** Only the status of an inbox referral: the rest (PHI) is read and dropped here. */
export async function getInboxReferralStatus(
  t: MarketplaceTransport,
  referralId: string,
): Promise<ReferralStatus> {
  return (await getInboxReferral(t, referralId)).referral.status;
}

/** The worker's read of an inbox referral: ids, types, status and start only. */
export async function getInboxReferralSummary(
  t: MarketplaceTransport,
  referralId: string,
): Promise<ReferralSummary> {
  return toReferralSummary(
    await t.getJson(
      'getInboxReferralSummary',
      inboxReferralPath(referralId),
      referralSummarySchema,
    ),
  );
}

/** The worker's read of an outbox referral: ids, types, status and start only. */
export async function getOutboxReferralSummary(
  t: MarketplaceTransport,
  referralId: string,
): Promise<ReferralSummary> {
  return toReferralSummary(
    await t.getJson(
      'getOutboxReferralSummary',
      outboxReferralPath(referralId),
      referralSummarySchema,
    ),
  );
}

/** `POST .../inbox/referrals/{id}/mark_processed` (only while `assigned`). */
export async function markInboxReferralProcessed(
  t: MarketplaceTransport,
  referralId: string,
): Promise<void> {
  await t.action({
    operation: 'markInboxReferralProcessed',
    method: 'POST',
    path: `${inboxReferralPath(referralId)}/mark_processed`,
    verify: async () =>
      statusVerdict((await getInboxReferral(t, referralId)).referral.status, 'processed', [
        'assigned',
      ]),
  });
}

/** The worker's referral port on `t`. */
export function referralAckApi(t: MarketplaceTransport): MarketplaceReferralApi {
  return {
    getInboxReferralStatus: (referralId) => getInboxReferralStatus(t, referralId),
    markInboxReferralProcessed: (referralId) => markInboxReferralProcessed(t, referralId),
    getInboxReferralSummary: (referralId) => getInboxReferralSummary(t, referralId),
    getOutboxReferralSummary: (referralId) => getOutboxReferralSummary(t, referralId),
  };
}
