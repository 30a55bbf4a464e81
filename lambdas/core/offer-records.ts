/**
 * What the connector records about an offer (no client data): the decision and its states, the
 * demand-side assignment, the referral, the events seen, and the facts an event writes.
 */
import type { DemandAssignmentPolicy } from './connector-values';
import type { CareType, DecisionAction, OfferType } from './rules-schema';
import type { MatchStatus } from './marketplace-values';
import type { MatchResponse, ReferralStatus } from './marketplace-ports';

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

/** A decision's text, for people: why (`reason`) and the whole explanation. */
export type DecisionText = Pick<Decision, 'reason' | 'explanation'>;

/** What a recorded decision holds beyond the judged Decision (see RecordedDecision). */
interface DecisionRecord {
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

/**
 * A decision before the marketplace call, whole: a crashed intent is sent again, and a `review`
 * notified again, from it as stored.
 */
export interface IntendedDecision extends Decision, DecisionRecord {
  state: 'intended';
}

/**
 * A settled decision: `applied` after the call, `resolved` when the intent was closed by what the
 * marketplace showed instead (see `resolution`). Its text (`reason`, `explanation` and each
 * offer's explanation) is kept on its unit's record (a lone offer's own); the copies on a shift's
 * offers are stored without it (`storedDecision`). Items written by earlier versions read as they
 * are (a settled decision's text then on the deciding event's item).
 */
export interface SettledDecision extends Omit<Decision, 'reason'>, DecisionRecord {
  state: 'applied' | 'resolved';
  reason?: string;
}

/** A decision as stored: `intended` (whole) before the marketplace call, then settled. */
export type RecordedDecision = IntendedDecision | SettledDecision;

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
  /**
   * Steps an attempt that failed after them recorded done but could not report (counted in the
   * worker's metrics only when a handling finishes): the handling that finishes reports them.
   */
  unreported?: ReferralStep[];
}

/**
 * The steps of a won referral the worker counts (OffersWon, ReferralsMarkedProcessed,
 * ReferralEventsForwarded).
 */
export const REFERRAL_STEPS = ['won', 'markedProcessed', 'forwarded'] as const;
export type ReferralStep = (typeof REFERRAL_STEPS)[number];

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
/** What an event writes about itself on its offer: the last event (if newer) and the event seen. */
export type LastEvent = Pick<OfferRecord, 'lastEventName' | 'lastEventAt'> & {
  seenEvent?: SeenEvent;
};

/** The facts `recordOfferFacts` writes; `seenEvent` is appended to the record's `events`. */
export type OfferFacts = Omit<OfferRecord, 'decision' | 'events'> & { seenEvent?: SeenEvent };
