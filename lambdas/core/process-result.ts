import type { Decision, DecisionResolution } from './ports';
import type { ReferralResult } from './referral-event';

/** What the worker's use case (process-event.ts) returns for one event, and its outcomes. */

export type DemandAlert = 'declined-by-all' | 'expired';

export type EventOutcome =
  /** The event was processed before: acknowledged, nothing done. */
  | 'duplicate'
  /** Rules were evaluated and the decision applied (`review`: recorded, no marketplace call). */
  | 'decided'
  /** A decision left `intended` by an earlier attempt was applied. */
  | 'recovered'
  /** The offer's unit already has a settled decision (another event answered it). */
  | 'already-decided'
  /** An intended answer was refused or overtaken: closed with what the marketplace shows. */
  | 'resolved'
  /** The match is no longer pending or open: nothing to act on. */
  | 'not-actionable'
  /** Demand side: the offer was assigned to the match the policy chose. */
  | 'assigned'
  /** Demand side: the offer already has an applied assignment. */
  | 'already-assigned'
  /** Any other event: its name recorded on the offer (if it names one) and acknowledged. */
  | 'recorded'
  /** Supply side: `ReferralCreated`, the offer won (see `referral` for the steps done now). */
  | 'won'
  /** A referral event for a side the role does not take part in. */
  | 'ignored';

export interface ProcessResult {
  outcome: EventOutcome;
  eventId: string;
  eventName: string;
  offerId?: string;
  /**
   * The decision this processing applied or confirmed as applied, so the caller counts it once;
   * absent when nothing was decided now.
   */
  decision?: Decision;
  /** Set with outcome `resolved`: why the intent was closed without our answer. */
  resolution?: DecisionResolution;
  /** An outbox event a person must hear about: no supplier will take our offer. */
  demandAlert?: DemandAlert;
  /** The decision or assignment was made in dry-run mode: nothing was sent. */
  dryRun?: boolean;
  /** The version of the rules the decision was judged by. */
  rulesVersion?: string;
  /** The decision unit (`shift#...` or `offer#...`) an OfferMatched was decided for. */
  unitKey?: string;
  /** Demand side: the assignment this processing applied or confirmed as applied. */
  assignment?: { matchId: string };
  /** A referral event: the referral and the steps this processing did (referral-event.ts). */
  referral?: ReferralResult['referral'];
}
