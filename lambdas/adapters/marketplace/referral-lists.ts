/**
 * Referral calls the Lambdas never make (the CLI, the sandbox and tests): the inbox and outbox
 * lists, the outbox detail, and cancel on either side. Full client PHI: never log results.
 */
import { getInboxReferral } from './referral-acks';
import {
  inboxReferralPath,
  outboxReferralPath,
  paginate,
  type PageQuery,
  pick,
  statusVerdict,
} from './resources';
import type { Page, ReasonCode, ReferralStatus } from './schemas/common';
import {
  type InboxReferralListItem,
  inboxReferralPageSchema,
  type OutboxReferralDetail,
  outboxReferralDetailSchema,
  type OutboxReferralListItem,
  outboxReferralPageSchema,
} from './schemas/referrals';
import type { MarketplaceTransport } from './transport';

/** `RevisionsQueryParam`: every revision of a referral, only the latest (the API's default), or only archived ones. */
export type RevisionsFilter = 'all' | 'latest' | 'archived';

export interface InboxReferralQuery extends PageQuery {
  referral_status?: ReferralStatus;
  sequence_id?: string;
  offer_id?: string;
  shift_id?: string;
  revisions?: RevisionsFilter;
}

export interface OutboxReferralQuery extends Omit<PageQuery, 'sort_by'> {
  supply_persona_id?: string;
  status?: ReferralStatus;
  shift_id?: string;
  offer_id?: string;
  care_type?: 'psw' | 'nursing';
  referral_type?: 'visit' | 'service';
  client_outbox_id?: string;
  /** Referrals carrying this label set by the demand organisation. */
  demand_label?: string;
  has_alayacare_authorization?: boolean;
  revisions?: RevisionsFilter;
  revision_group_id?: string;
  sequence_id?: string;
  sort_by?: 'last_modified' | 'revision_number';
}

export async function listInboxReferrals(
  t: MarketplaceTransport,
  query: InboxReferralQuery = {},
): Promise<Page<InboxReferralListItem>> {
  return t.getJson('listInboxReferrals', '/offers/v1/inbox/referrals', inboxReferralPageSchema, {
    ...query,
  });
}

export function inboxReferrals(
  t: MarketplaceTransport,
  query: Omit<InboxReferralQuery, 'page'> = {},
): AsyncGenerator<InboxReferralListItem> {
  return paginate((page) => listInboxReferrals(t, { ...query, page }));
}

/** `POST .../inbox/referrals/{id}/cancel` (while `assigned` or `processed`). */
export async function cancelInboxReferral(
  t: MarketplaceTransport,
  referralId: string,
  body?: { reason_code?: ReasonCode },
): Promise<void> {
  await t.action({
    operation: 'cancelInboxReferral',
    method: 'POST',
    path: `${inboxReferralPath(referralId)}/cancel`,
    body: pick(body, ['reason_code']),
    verify: async () =>
      statusVerdict((await getInboxReferral(t, referralId)).referral.status, 'cancelled', [
        'assigned',
        'processed',
      ]),
  });
}

export async function listOutboxReferrals(
  t: MarketplaceTransport,
  query: OutboxReferralQuery = {},
): Promise<Page<OutboxReferralListItem>> {
  return t.getJson('listOutboxReferrals', '/offers/v1/outbox/referrals', outboxReferralPageSchema, {
    ...query,
  });
}

export function outboxReferrals(
  t: MarketplaceTransport,
  query: Omit<OutboxReferralQuery, 'page'> = {},
): AsyncGenerator<OutboxReferralListItem> {
  return paginate((page) => listOutboxReferrals(t, { ...query, page }));
}

/** `GET /offers/v1/outbox/referrals/{id}`: full client PHI. Never log the result. */
export async function getOutboxReferral(
  t: MarketplaceTransport,
  referralId: string,
): Promise<OutboxReferralDetail> {
  return t.getJson('getOutboxReferral', outboxReferralPath(referralId), outboxReferralDetailSchema);
}

/** `POST .../outbox/referrals/{id}/cancel` (while `assigned` or `processed`). */
export async function cancelOutboxReferral(
  t: MarketplaceTransport,
  referralId: string,
  body?: { reason_code?: ReasonCode; comment?: string },
): Promise<void> {
  await t.action({
    operation: 'cancelOutboxReferral',
    method: 'POST',
    path: `${outboxReferralPath(referralId)}/cancel`,
    body: pick(body, ['reason_code', 'comment']),
    verify: async () =>
      statusVerdict((await getOutboxReferral(t, referralId)).referral.status, 'cancelled', [
        'assigned',
        'processed',
      ]),
  });
}
