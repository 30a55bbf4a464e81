/**
 * The whole AlayaMarket HTTP API client, for the CLI, the sandbox and tests: every resource module
 * of `marketplace/` on one transport (login and identity, supply inbox offers and referrals,
 * demand outbox offers, shifts, bundles, matches, assign, close, referrals, the assignment setting
 * and organisation subscriptions).
 *
 * The Lambdas do not import this file: each builds a `MarketplaceTransport` and the port objects
 * of the resource modules it calls (`inboxOfferApi`, `demandOfferApi`, `referralAckApi`,
 * `inboxPageReader`), so its bundle carries only those. Resilience and privacy are the
 * transport's (marketplace/transport.ts, session.ts, retry.ts, errors.ts).
 */
import type {
  AcceptedMatch,
  InboxOffer,
  MarketplaceApi,
  MarketplaceDemandApi,
  MarketplaceReferralApi,
  OfferAssignmentSetting,
  OfferStatus,
  ReferralStatus,
  ReferralSummary,
} from '../core/ports';
import type { InboxPage, InboxPageQuery, InboxPageReader } from '../core/inbox-list';
import * as demand from './marketplace/demand-offers';
import * as entries from './marketplace/inbox-offer-entries';
import * as inboxLists from './marketplace/inbox-offer-lists';
import * as inbox from './marketplace/inbox-offers';
import * as organizations from './marketplace/organizations';
import * as outbox from './marketplace/outbox-offers';
import * as referralAcks from './marketplace/referral-acks';
import * as referralLists from './marketplace/referral-lists';
import type {
  OutboxBundleOfferCreateRequest,
  OutboxOfferCreateRequest,
  OutboxShiftOfferCreateRequest,
} from './marketplace/requests';
import type {
  BundleCreateResponse,
  CurrentIdentity,
  InboxOfferDetail,
  InboxOfferListItem,
  InboxOfferSummaryItem,
  InboxReferralDetail,
  InboxReferralListItem,
  OutboxMatchItem,
  OutboxOfferDetail,
  OutboxOfferListItem,
  OutboxReferralDetail,
  OutboxReferralListItem,
  Page,
  ReasonCode,
  ShiftCreateResponse,
  SubscribeResponse,
} from './marketplace/schemas';
import { MarketplaceTransport } from './marketplace/transport';

export { MarketplaceError } from './marketplace/errors';
export { DEFAULT_TIMEOUT_MS } from './marketplace/options';
export type {
  LoginOutcome,
  MarketplaceClientOptions,
  MarketplaceLogEntry,
} from './marketplace/options';
export type { MatchQuery } from './marketplace/demand-offers';
export type { EntryPage } from './marketplace/inbox-offer-entries';
export type { InboxOfferQuery } from './marketplace/inbox-offers';
export type { SubscriptionRequest } from './marketplace/organizations';
export type { OutboxOfferQuery } from './marketplace/outbox-offers';
export type {
  InboxReferralQuery,
  OutboxReferralQuery,
  RevisionsFilter,
} from './marketplace/referral-lists';
export type { PageQuery } from './marketplace/resources';
export type { LoginResult } from './marketplace/session';
export type { RetryPolicy } from './marketplace/retry';
export type * from './marketplace/schemas';
export type * from './marketplace/requests';

type Rest<F> = F extends (t: MarketplaceTransport, ...rest: infer A) => unknown ? A : never;

export class MarketplaceClient
  extends MarketplaceTransport
  implements MarketplaceApi, MarketplaceReferralApi, MarketplaceDemandApi, InboxPageReader
{
  // --- identity and organizations -------------------------------------------------------------
  currentIdentity(): Promise<CurrentIdentity> {
    return organizations.currentIdentity(this);
  }
  subscribe(...a: Rest<typeof organizations.subscribe>): Promise<SubscribeResponse> {
    return organizations.subscribe(this, ...a);
  }

  // --- inbox offers (supply) ------------------------------------------------------------------
  listInboxOffers(
    ...a: Rest<typeof inboxLists.listInboxOffers>
  ): Promise<Page<InboxOfferListItem>> {
    return inboxLists.listInboxOffers(this, ...a);
  }
  inboxOffers(...a: Rest<typeof inboxLists.inboxOffers>): AsyncGenerator<InboxOfferListItem> {
    return inboxLists.inboxOffers(this, ...a);
  }
  listInboxOfferEntries(
    ...a: Rest<typeof entries.listInboxOfferEntries>
  ): Promise<entries.EntryPage<InboxOfferSummaryItem>> {
    return entries.listInboxOfferEntries(this, ...a);
  }
  readInboxPage(query: InboxPageQuery): Promise<InboxPage> {
    return entries.inboxPageReader(this).readInboxPage(query);
  }
  getInboxOffer(offerId: string): Promise<InboxOffer> {
    return inbox.getInboxOffer(this, offerId);
  }
  listShiftOffers(shiftId: string): Promise<InboxOffer[]> {
    return inbox.listShiftOffers(this, shiftId);
  }
  getInboxOfferDetail(offerId: string): Promise<InboxOfferDetail> {
    return inboxLists.getInboxOfferDetail(this, offerId);
  }
  acceptInboxOffer(...a: Rest<typeof inbox.acceptInboxOffer>): Promise<void> {
    return inbox.acceptInboxOffer(this, ...a);
  }
  declineInboxOffer(...a: Rest<typeof inbox.declineInboxOffer>): Promise<void> {
    return inbox.declineInboxOffer(this, ...a);
  }

  // --- outbox offers (demand) -----------------------------------------------------------------
  createOutboxOffer(request: OutboxOfferCreateRequest): Promise<OutboxOfferDetail> {
    return outbox.createOutboxOffer(this, request);
  }
  createShiftOffers(request: OutboxShiftOfferCreateRequest): Promise<ShiftCreateResponse> {
    return outbox.createShiftOffers(this, request);
  }
  createBundleOffers(request: OutboxBundleOfferCreateRequest): Promise<BundleCreateResponse> {
    return outbox.createBundleOffers(this, request);
  }
  listOutboxOffers(...a: Rest<typeof outbox.listOutboxOffers>): Promise<Page<OutboxOfferListItem>> {
    return outbox.listOutboxOffers(this, ...a);
  }
  outboxOffers(...a: Rest<typeof outbox.outboxOffers>): AsyncGenerator<OutboxOfferListItem> {
    return outbox.outboxOffers(this, ...a);
  }
  getOutboxOffer(offerId: string): Promise<OutboxOfferDetail> {
    return demand.getOutboxOffer(this, offerId);
  }
  listOutboxOfferMatches(
    ...a: Rest<typeof demand.listOutboxOfferMatches>
  ): Promise<Page<OutboxMatchItem>> {
    return demand.listOutboxOfferMatches(this, ...a);
  }
  outboxOfferMatches(
    ...a: Rest<typeof demand.outboxOfferMatches>
  ): AsyncGenerator<OutboxMatchItem> {
    return demand.outboxOfferMatches(this, ...a);
  }
  getOutboxOfferStatus(offerId: string): Promise<OfferStatus> {
    return demand.getOutboxOfferStatus(this, offerId);
  }
  listAcceptedMatches(offerId: string): Promise<AcceptedMatch[]> {
    return demand.listAcceptedMatches(this, offerId);
  }
  assignOutboxOffer(offerId: string, offerMatchId: string): Promise<void> {
    return demand.assignOutboxOffer(this, offerId, offerMatchId);
  }
  closeOutboxOffer(
    offerId: string,
    body?: { reason_code?: ReasonCode; reason_comment?: string },
  ): Promise<void> {
    return outbox.closeOutboxOffer(this, offerId, body);
  }
  getAssignmentSetting(): Promise<OfferAssignmentSetting> {
    return demand.getAssignmentSetting(this);
  }

  // --- referrals ------------------------------------------------------------------------------
  listInboxReferrals(
    ...a: Rest<typeof referralLists.listInboxReferrals>
  ): Promise<Page<InboxReferralListItem>> {
    return referralLists.listInboxReferrals(this, ...a);
  }
  inboxReferrals(
    ...a: Rest<typeof referralLists.inboxReferrals>
  ): AsyncGenerator<InboxReferralListItem> {
    return referralLists.inboxReferrals(this, ...a);
  }
  getInboxReferral(referralId: string): Promise<InboxReferralDetail> {
    return referralAcks.getInboxReferral(this, referralId);
  }
  getInboxReferralStatus(referralId: string): Promise<ReferralStatus> {
    return referralAcks.getInboxReferralStatus(this, referralId);
  }
  getInboxReferralSummary(referralId: string): Promise<ReferralSummary> {
    return referralAcks.getInboxReferralSummary(this, referralId);
  }
  getOutboxReferralSummary(referralId: string): Promise<ReferralSummary> {
    return referralAcks.getOutboxReferralSummary(this, referralId);
  }
  markInboxReferralProcessed(referralId: string): Promise<void> {
    return referralAcks.markInboxReferralProcessed(this, referralId);
  }
  cancelInboxReferral(...a: Rest<typeof referralLists.cancelInboxReferral>): Promise<void> {
    return referralLists.cancelInboxReferral(this, ...a);
  }
  listOutboxReferrals(
    ...a: Rest<typeof referralLists.listOutboxReferrals>
  ): Promise<Page<OutboxReferralListItem>> {
    return referralLists.listOutboxReferrals(this, ...a);
  }
  outboxReferrals(
    ...a: Rest<typeof referralLists.outboxReferrals>
  ): AsyncGenerator<OutboxReferralListItem> {
    return referralLists.outboxReferrals(this, ...a);
  }
  getOutboxReferral(referralId: string): Promise<OutboxReferralDetail> {
    return referralLists.getOutboxReferral(this, referralId);
  }
  cancelOutboxReferral(...a: Rest<typeof referralLists.cancelOutboxReferral>): Promise<void> {
    return referralLists.cancelOutboxReferral(this, ...a);
  }
}
