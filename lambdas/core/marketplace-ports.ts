/**
 * The core's ports on the marketplace API: the inbox offer as the rules read it, and the supply,
 * referral and demand actions (`MarketplaceClient` implements them), with the login they use.
 */
import type { CareType, OfferType, PriceUnit } from './rules-schema';
import type { MatchResponse, MatchStatus, OfferStatus } from './marketplace-values';

export type { MatchResponse, MatchStatus, OfferStatus };

/** A visit's times as the offer detail gives them (ISO 8601 date-times). */
export interface OfferVisit {
  startAt: string;
  endAt: string;
}

/**
 * The parts of `GET /offers/v1/inbox/offers/{id}` the connector uses: what its rules can read.
 * The detail is anonymised (approximate location) but still carries health data (allergies,
 * risks, instructions) that the adapter drops before it reaches the core.
 *
 * The fields the spec makes optional are optional here: absent when the detail leaves them out.
 * One the detail sends but in a shape this connector cannot read is absent too, and its path is
 * listed in `unreadable`, so a rule reading it does not hold (and says which field), instead of
 * the event failing.
 */
export interface InboxOffer {
  id: string;
  shiftId?: string;
  /**
   * `unknown` when the marketplace sent a value this connector does not know (the API grew): the
   * offer is never judged by a rule then, it goes to `review` with a reason naming the field.
   */
  careType: CareType | 'unknown';
  offerType: OfferType | 'unknown';
  expiresAt: string;
  startAt: string;
  /** `offer.end_at`. */
  endAt?: string;
  /**
   * The supply organisation's match: its response and whether it is still open. A `null` status
   * (the spec allows it) is read as "not known to be open": never answered, sent to `review`.
   */
  match: { id: string; response: MatchResponse; status: MatchStatus | null };
  location: {
    city: string;
    state: string;
    zip: string;
    country: string;
    /** `client.address.approx_*`: a point near the client and how far from it they may live. */
    approx?: { latitude: number; longitude: number; radiusMeters?: number };
  };
  demand: { id: string; name: string };
  /** `visits[]`: start and end only (a visit's instructions and tasks are client data). */
  visits?: OfferVisit[];
  /** `price`; `unit` is `unknown` for a unit the spec does not list. */
  price?: { rate: number; unit: PriceUnit | 'unknown' };
  /** `service.skills`: what the service requires, as published (may name health needs: never log). */
  requiredSkills?: string[];
  /** Paths of optional fields sent in a shape this connector cannot read (no values). */
  unreadable?: string[];
}

export interface MarketplaceApi {
  getInboxOffer(offerId: string): Promise<InboxOffer>;
  /**
   * Every offer of a shift or bundle that this organisation was matched to
   * (`GET /offers/v1/inbox/offers?shift_id=`, every page, then each offer's detail), in a stable
   * order (by offer id). The marketplace answers them together.
   */
  listShiftOffers(shiftId: string): Promise<InboxOffer[]>;
  acceptInboxOffer(offerId: string, body?: { comment?: string }): Promise<void>;
  declineInboxOffer(
    offerId: string,
    body?: { reason_code?: string; comment?: string },
  ): Promise<void>;
}

export type ReferralStatus = 'assigned' | 'processed' | 'cancelled';

/**
 * Supply-side referral actions, for a worker that acknowledges referrals (`ReferralCreated` on
 * `inbox-referrals` is the signal that an offer was won). Referral details carry full client PHI,
 * so only ids and statuses cross this port. `MarketplaceClient` implements it.
 */
export interface MarketplaceReferralApi {
  /** The referral's status, read from `GET /offers/v1/inbox/referrals/{id}` (nothing else of it). */
  getInboxReferralStatus(referralId: string): Promise<ReferralStatus>;
  /** `POST .../inbox/referrals/{id}/mark_processed`; a lost answer is checked, never resent blindly. */
  markInboxReferralProcessed(referralId: string): Promise<void>;
  /** `GET /offers/v1/inbox/referrals/{id}`, read down to its PHI-free summary. */
  getInboxReferralSummary(referralId: string): Promise<ReferralSummary>;
  /** `GET /offers/v1/outbox/referrals/{id}`, read down to its PHI-free summary. */
  getOutboxReferralSummary(referralId: string): Promise<ReferralSummary>;
}

/**
 * What the connector reads of a referral detail: ids, types, status and start only. The detail
 * carries the client's name, address, demographics and health data; the adapter drops them.
 */
export interface ReferralSummary {
  id: string;
  offerId: string;
  shiftId?: string;
  /** `unknown` for a value this connector does not know (the API grew). */
  careType: CareType | 'unknown';
  offerType: OfferType | 'unknown';
  status: ReferralStatus;
  startAt: string;
}

/**
 * `ReferralReceived`, the event put on the organisation's EventBridge bus when an offer is won:
 * ids, types and the start time, nothing else (no client data). Delivery is at least once:
 * consumers de-duplicate on `referralId`.
 */
export interface ReferralReceivedEvent {
  offerId: string;
  referralId: string;
  shiftId?: string;
  careType: string;
  offerType: string;
  startAt: string;
}

/** Where won referrals are announced (an EventBridge bus in AWS); resolves once the event is accepted. */
export interface ReferralEventPublisher {
  publishReferralReceived(event: ReferralReceivedEvent): Promise<void>;
}

/** The demand organisation's `offer_assignment` setting: assign calls are allowed only when `manual`. */
export type OfferAssignmentSetting = 'auto' | 'manual';

/** An accepted match on one of our outbox offers: ids, times and status only (no supplier details). */
export interface AcceptedMatch {
  id: string;
  createdAt: string;
  status: MatchStatus | null;
}

/**
 * Demand-side actions for the worker (assigning an offer once a supplier accepted it). Outbox
 * offers carry full client PHI, so only ids, times and statuses cross this port.
 * `MarketplaceClient` implements it.
 */
export interface MarketplaceDemandApi {
  /** `GET /offers/v1/demand_personas/settings/assignment`. */
  getAssignmentSetting(): Promise<OfferAssignmentSetting>;
  /** Every match on the offer whose response is `accepted` (all pages). */
  listAcceptedMatches(offerId: string): Promise<AcceptedMatch[]>;
  /** `POST .../outbox/offers/{id}/assign`; a lost answer is checked, never resent blindly. */
  assignOutboxOffer(offerId: string, offerMatchId: string): Promise<void>;
  /** The outbox offer's status (nothing else of it). */
  getOutboxOfferStatus(offerId: string): Promise<OfferStatus>;
}

export interface MarketplaceCredentials {
  username: string;
  password: string;
}

/**
 * Where the marketplace login comes from. `refresh: true` asks for the value at its source rather
 * than from any cache: the client asks so once after the marketplace refused a login, so a
 * password fixed or rotated at the source is used at once instead of when the cache runs out.
 */
export type CredentialsProvider = (options?: {
  refresh?: boolean;
}) => Promise<MarketplaceCredentials>;
