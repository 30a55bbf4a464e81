/**
 * The ports between the core and the outside world. Adapters in `lambdas/adapters/` implement
 * them for AWS and HTTP; tests pass plain object literals.
 */
import type {
  CareType,
  DecisionAction,
  DemandAssignmentPolicy,
  OfferType,
  PriceUnit,
  Rules,
} from './config';
import type { QueuedEvent } from './events';
import type { MatchStatus, OfferStatus } from './marketplace-values';

// ---------------------------------------------------------------------------------------------
// Marketplace API (supply side, inbox offers)

export type { MatchStatus, OfferStatus };
export type MatchResponse = 'pending' | 'accepted' | 'declined';

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

// ---------------------------------------------------------------------------------------------
// Rules and notifications

/** The rules in force and their version (recorded with every decision). */
export interface RulesSnapshot {
  rules: Rules;
  version: string;
}

/**
 * Where the worker reads its rules: a cached, validated store in AWS that keeps the last good
 * version when a new one is invalid; a fixed set in tests and the sandbox.
 */
export interface RulesSource {
  current(): Promise<RulesSnapshot>;
}

/**
 * What a person is told about an offer that needs them (a `review` decision, or a demand-side
 * alert). Ids, types, city and time only: never the client's name, address or health data.
 */
export interface OfferNotification {
  kind: 'review' | 'declined-by-all' | 'expired';
  offerId: string;
  shiftId?: string;
  careType?: string;
  offerType?: string;
  city?: string;
  startAt?: string;
  rule?: string;
  explanation?: string[];
}

/** Sends notifications (an SNS topic in AWS); resolves once the message is accepted. */
export interface Notifier {
  notify(notification: OfferNotification): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Queue

export interface EventQueue {
  /** Resolves only once SQS has stored the message; returns the SQS MessageId. */
  send(
    event: QueuedEvent,
    attributes: { snsMessageId: string; correlationId: string },
  ): Promise<string>;
}

// ---------------------------------------------------------------------------------------------
// HTTP for the receiver (certificate fetch, subscription confirmation)

export interface HttpGetResult {
  status: number;
  body: string;
}

/** A GET with a timeout; rejects on network errors and timeouts. */
export type HttpGet = (url: string, options: { timeoutMs: number }) => Promise<HttpGetResult>;

// ---------------------------------------------------------------------------------------------
// Decisions and state

export interface Decision {
  action: DecisionAction;
  /** The rule that decided, or `default` when none matched. */
  rule: string;
  /** Why, in words free of client data. */
  reason: string;
  /**
   * The whole explanation, one line each, in words that name fields and limits, never client
   * values: the rule that decided, and for each earlier rule the first condition that did not hold.
   */
  explanation?: string[];
  declineReasonCode?: string;
  comment?: string;
}

/**
 * Why an intended answer was closed without it taking effect (a refused or unneeded call, resolved
 * by reading the offer): someone answered the match first (a person, or the same answer by us
 * that was not recorded), or the match expired, closed or was assigned to another supplier.
 */
export type DecisionResolution = 'answered' | 'expired' | 'closed' | 'assigned-elsewhere';

/** One offer's own result within a shift decision (the shift is answered by the most cautious). */
export interface OfferResult {
  offerId: string;
  action: DecisionAction;
  rule: string;
  reason: string;
  /** The offer's own explanation (see Decision.explanation). */
  explanation?: string[];
}

/**
 * A decision as stored: `intended` before the marketplace call, `applied` after it, `resolved`
 * when the intent was closed by what the marketplace showed instead (see `resolution`).
 */
export interface RecordedDecision extends Decision {
  state: 'intended' | 'applied' | 'resolved';
  /** The event that led to the decision. */
  eventId: string;
  decidedAt: string;
  /** The decision unit: `shift#<shift id>` or `offer#<offer id>`. */
  unitKey?: string;
  /** For a shift or bundle: every offer's own result; the decision above is their combination. */
  offers?: OfferResult[];
  /** Every offer of the unit when it was decided (each carries this decision). */
  offerIds?: string[];
  /** The offer whose accept/decline call answered the unit. */
  answeredVia?: string;
  /** Set with state `resolved`. */
  resolution?: DecisionResolution;
  /** For `resolved` with `answered`: what the marketplace shows the match was answered with. */
  marketplaceResponse?: MatchResponse;
  /** The version of the rules the decision was judged by (see RulesSource). */
  rulesVersion?: string;
  /** Decided in dry-run mode: recorded and notified, never sent to the marketplace. */
  dryRun?: boolean;
  /**
   * An operator's replay judged again the settled decision of this event id (its match still
   * pending and open): the stores let this `intended` replace exactly that decision, nothing else.
   */
  replacesEventId?: string;
  /** The cap counters (`rules.limits`) this accept was counted on, to give back if it fails. */
  capKeys?: string[];
}

/** Whether a decision needs nothing more: applied, or resolved by the marketplace's state. */
export function isSettled(decision: RecordedDecision | undefined): boolean {
  return decision?.state === 'applied' || decision?.state === 'resolved';
}

/**
 * Whether a decision ends the matter for a connector: settled, unless it was made in a dry run and
 * the connector, now live, was asked to decide dry-run decisions again (`redecideDryRun`).
 */
export function isFinal(
  decision: RecordedDecision | undefined,
  options: { redecideDryRun?: boolean } = {},
): boolean {
  return isSettled(decision) && !(options.redecideDryRun === true && decision?.dryRun === true);
}

/**
 * A demand-side assignment as stored on the offer: `intended` before the assign call, `applied`
 * after it. Kept apart from `decision` (supply side), whose actions are accept/decline/review/ignore.
 */
export interface RecordedAssignment {
  /** The match the offer was assigned to. */
  matchId: string;
  policy: Exclude<DemandAssignmentPolicy, 'none'>;
  state: 'intended' | 'applied';
  /** Chosen in dry-run mode: recorded, never sent. */
  dryRun?: boolean;
  /** The event that led to the assignment. */
  eventId: string;
  decidedAt: string;
}

/**
 * A referral as recorded on its offer. The step times make a retried event finish what an earlier
 * attempt left undone without repeating what it did: `wonAt` (supply: recorded won),
 * `processedAt` (marked processed, or found so), `forwardedAt` (ReferralReceived put on the bus).
 */
export interface OfferReferral {
  id: string;
  /** `inbox`: a referral we received (supply); `outbox`: one for our own offer (demand). */
  side: 'inbox' | 'outbox';
  status: ReferralStatus;
  lastEventName: string;
  lastEventAt: string;
  wonAt?: string;
  processedAt?: string;
  forwardedAt?: string;
  cancelledAt?: string;
}

/** One marketplace event seen for an offer: its name, time and id (no client data). */
export interface SeenEvent {
  name: string;
  at: string;
  eventId: string;
}

/** Most events an offer record keeps in `events` (the latest ones). */
export const MAX_SEEN_EVENTS = 20;

/** What a failed processing attempt leaves on its event: the error's name, never its message. */
export interface EventFailure {
  errorName: string;
  /** For marketplace errors: the client operation and the HTTP status. */
  operation?: string;
  status?: number;
  at: string;
}

/** What the connector knows about one offer. Holds no client data. */
export interface OfferRecord {
  offerId: string;
  shiftId?: string;
  careType?: CareType | 'unknown';
  offerType?: OfferType | 'unknown';
  /** The last marketplace event seen for the offer, e.g. `OfferMatched`, `OfferClosed`. */
  lastEventName?: string;
  lastEventAt?: string;
  /** The events processed for the offer, in the order they were processed (at most MAX_SEEN_EVENTS, the latest). */
  events?: SeenEvent[];
  matchResponse?: MatchResponse;
  matchStatus?: MatchStatus | null;
  decision?: RecordedDecision;
  /** Demand side: the assignment of our outbox offer (written with the facts, see recordOfferFacts). */
  assignment?: RecordedAssignment;
  /** The offer's referral (supply: the offer was won; demand: our offer's referral). Ids, status and times only. */
  referral?: OfferReferral;
  /** The reconciler's enqueues of this offer, so an offer that keeps failing is backed off. */
  reconciler?: { lastEnqueuedAt: string; enqueues: number };
  updatedAt: string;
}

export type EventClaim = 'claimed' | 'done' | 'busy';

/** What an event writes about itself on its offer: the last event (if newer) and the event seen. */
export type LastEvent = Pick<OfferRecord, 'lastEventName' | 'lastEventAt'> & {
  seenEvent?: SeenEvent;
};

/** The facts `recordOfferFacts` writes; `seenEvent` is appended to the record's `events`. */
export type OfferFacts = Omit<OfferRecord, 'decision' | 'events'> & { seenEvent?: SeenEvent };

/** Offer state, decisions and event de-duplication (DynamoDB in AWS and in the sandbox). */
export interface OfferStore {
  /**
   * Claims an event for processing so the same `event_id` acts once: `claimed` (go on), `done`
   * (already processed: acknowledge), `busy` (another invocation holds an unexpired lease: retry).
   */
  claimEvent(eventId: string, now: Date, leaseMs: number): Promise<EventClaim>;
  /** Marks a claimed event processed, with a short outcome (no client data). */
  completeEvent(
    eventId: string,
    now: Date,
    outcome: { eventName: string; offerId?: string; outcome: string },
  ): Promise<void>;
  /**
   * Gives a claim back after a failure so a retry can take it at once; with `failure`, the event
   * is kept as `failed` with it (for `connector dlq list`) and its attempts counted.
   */
  releaseEvent(eventId: string, failure?: EventFailure): Promise<void>;
  getOffer(offerId: string): Promise<OfferRecord | undefined>;
  /**
   * Creates or updates the offer's facts, last event and `assignment` (if given); never touches
   * `decision`. Like `recordDecision`, it refuses (throws) to replace an `applied` assignment with
   * an `intended` one, so a racing event cannot make an applied assignment look unfinished.
   */
  recordOfferFacts(record: OfferFacts): Promise<void>;
  /**
   * Stores a decision on the offer (creating the item if needed). An `intended` decision never
   * replaces a settled one (DecisionConflictError), except a dry run's and the one its
   * `replacesEventId` names. With `facts` (of the same offer), they are written as by
   * `recordOfferFacts`, in the same write when the decision is settled (one round trip).
   */
  recordDecision(offerId: string, decision: RecordedDecision, facts?: OfferFacts): Promise<void>;
  /** The reconciler enqueued an event for the offer at `at`: sets the time, counts one more. */
  recordReconcilerEnqueue(offerId: string, at: Date): Promise<void>;
}

/** A decision unit's lease and decision, as `UnitStore.acquireUnitLease` finds them. */
export type UnitLease =
  /** `owner` holds the lease; `decision` is the unit's recorded decision, if any. */
  | { kind: 'acquired'; decision?: RecordedDecision }
  /** Another owner holds an unexpired lease until `until` (epoch ms). */
  | { kind: 'busy'; until: number };

/**
 * One decision at a time per decision unit (a shift or bundle by its shift id, or a lone offer):
 * a lease held by one event, and the unit's decision, written only by the lease holder.
 */
export interface UnitStore {
  /**
   * Takes the unit's lease for `owner` until `now + leaseMs`, when no one holds it, the holder's
   * lease has run out, or `owner` holds it already. Returns the unit's decision with it.
   */
  acquireUnitLease(unitKey: string, owner: string, now: Date, leaseMs: number): Promise<UnitLease>;
  /**
   * Writes the unit's decision, only while `owner` holds an unexpired lease at `now` (else
   * LeaseLostError), and never an `intended` over a settled one (DecisionConflictError). With
   * `releaseLease`, a settled decision gives the lease back in the same write.
   */
  recordUnitDecision(
    unitKey: string,
    owner: string,
    now: Date,
    decision: RecordedDecision,
    options?: { releaseLease?: boolean },
  ): Promise<void>;
  /** Gives the lease back (only if `owner` holds it), so the next event need not wait for expiry. */
  releaseUnitLease(unitKey: string, owner: string): Promise<void>;
  getUnitDecision(unitKey: string): Promise<RecordedDecision | undefined>;
}
