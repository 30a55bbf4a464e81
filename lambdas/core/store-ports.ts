/**
 * The core's storage ports: offer state and event de-duplication (`OfferStore`), and one decision
 * at a time per decision unit (`UnitStore`). DynamoDB in AWS and in the sandbox.
 */
import type { EventFailure, OfferFacts, OfferRecord, RecordedDecision } from './offer-records';

export type EventClaim = 'claimed' | 'done' | 'busy';

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
