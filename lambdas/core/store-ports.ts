/**
 * The core's storage ports: offer state and event de-duplication (`OfferStore`), and one decision
 * at a time per decision unit (`UnitStore`). DynamoDB in AWS and in the sandbox.
 */
import type { EventFailure, OfferFacts, OfferRecord, RecordedDecision } from './offer-records';

export type EventClaim = 'claimed' | 'done' | 'busy';

/** What `OfferStore.completeEvent` keeps on the event (no client data). */
export interface EventCompletion {
  eventName: string;
  offerId?: string;
  /** The processing's outcome, e.g. `decided`, `already-decided`, `recorded`. */
  outcome: string;
}

/** Offer state, decisions and event de-duplication (DynamoDB in AWS and in the sandbox). */
export interface OfferStore {
  /**
   * Claims an event for processing so the same `event_id` acts once: `claimed` (go on), `done`
   * (already processed: acknowledge), `busy` (another invocation holds an unexpired lease: retry).
   */
  claimEvent(eventId: string, now: Date, leaseMs: number): Promise<EventClaim>;
  /** Marks a claimed event processed, with a short outcome (no client data). */
  completeEvent(eventId: string, now: Date, outcome: EventCompletion): Promise<void>;
  /**
   * Gives a claim back after a failure so a retry can take it at once; with `failure`, the event
   * is kept as `failed` with it (for `connector dlq list`) and its attempts counted, claimed or
   * not (an `OfferMatched` takes no claim), unless it is done.
   */
  releaseEvent(eventId: string, failure?: EventFailure): Promise<void>;
  /**
   * An unclaimed event that a later attempt finished: if an earlier attempt left it `failed`
   * (releaseEvent with a failure), marks it done with `outcome`, keeping the failure's history;
   * with no failure on record, writes nothing (no event item is created).
   */
  completeFailedEvent(eventId: string, now: Date, outcome: EventCompletion): Promise<void>;
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

/** Most finished events a unit remembers (`UnitStore.releaseUnitLease`), the latest ones. */
export const MAX_DONE_EVENTS = 10;

/** A decision unit's lease and decision, as `UnitStore.acquireUnitLease` finds them. */
export type UnitLease =
  /**
   * `owner` holds the lease; `decision` is the unit's recorded decision, if any; `done` when the
   * unit remembers as finished the event `owner` is (or is an attempt at: isOwnerOf), given as
   * `releaseUnitLease`'s `done` by an earlier holder.
   */
  | { kind: 'acquired'; decision?: RecordedDecision; done?: true }
  /** Another owner holds an unexpired lease until `until` (epoch ms). */
  | { kind: 'busy'; until: number };

/** What `UnitStore.recordUnitDecision` writes with the decision. */
export interface UnitDecisionOptions {
  /** A settled decision gives the lease back in the same write (ignored for `intended`). */
  releaseLease?: boolean;
  /**
   * A lone offer's unit only: that offer's facts (its `offerId` the unit's offer), written as
   * `OfferStore.recordOfferFacts` writes them, in the same write as the decision.
   */
  facts?: OfferFacts;
}

/**
 * One decision at a time per decision unit (a shift or bundle by its shift id, or a lone offer):
 * a lease held by one event, and the unit's decision, written only by the lease holder.
 *
 * A lone offer's unit (`offer#<id>`, see `loneOfferOfUnit`) is that offer's own record: its lease
 * is held on the offer, and its decision IS the offer's `decision` (as `OfferStore.getOffer` reads
 * it), so recording the unit's decision records the offer's, fenced by the lease, with the offer's
 * facts when given: one write where a separate unit would take two. A lease taken on an offer the
 * store has no record of yet creates the record (no facts, no decision). Other units (shifts,
 * referrals, outbox offers) have their own record, and their offers carry copies of the decision.
 */
export interface UnitStore {
  /**
   * Takes the unit's lease for `owner` until `now + leaseMs`, when no one holds it, the holder's
   * lease has run out, or `owner` holds it already. Returns the unit's decision with it (a lone
   * offer's unit: the offer's decision).
   */
  acquireUnitLease(unitKey: string, owner: string, now: Date, leaseMs: number): Promise<UnitLease>;
  /**
   * A lone offer's first decision, `intended`, in the write that takes its lease for `owner` until
   * `now + leaseMs`: only when no one holds an unexpired lease and the offer has no decision at
   * all (creating the record as `acquireUnitLease` does). Returns whether it was written; false:
   * nothing was, and the caller takes the lease as usual and finds what is there. A unit that is
   * no lone offer's is refused (an error, nothing written).
   */
  acquireWithIntent(
    unitKey: string,
    owner: string,
    now: Date,
    leaseMs: number,
    decision: RecordedDecision,
  ): Promise<boolean>;
  /**
   * Writes the unit's decision, only while `owner` holds an unexpired lease at `now` (else
   * LeaseLostError), and never an `intended` over a settled one (DecisionConflictError). With
   * `releaseLease`, a settled decision gives the lease back in the same write; with `facts` (a
   * lone offer's unit only, else an error and nothing written), the offer's facts and seen event
   * go in the same write too (and an intended assignment over an applied one is refused with
   * DecisionConflictError, as `recordOfferFacts` refuses it). The owner's own settled decision
   * (its `eventId` the owner's event: isOwnerOf) written again after it landed, its lease given
   * back, is done.
   */
  recordUnitDecision(
    unitKey: string,
    owner: string,
    now: Date,
    decision: RecordedDecision,
    options?: UnitDecisionOptions,
  ): Promise<void>;
  /**
   * Gives the lease back (only if `owner` holds it), so the next event need not wait for expiry.
   * With `done` (an event id), the unit also remembers that event as finished (its latest
   * MAX_DONE_EVENTS), and a later `acquireUnitLease` by an attempt at it says so: a referral's
   * redelivered event is told apart without a claim of its own.
   */
  releaseUnitLease(unitKey: string, owner: string, options?: { done?: string }): Promise<void>;
  getUnitDecision(unitKey: string): Promise<RecordedDecision | undefined>;
}
