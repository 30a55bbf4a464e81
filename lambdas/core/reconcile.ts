import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { OFFER_EVENT_SOURCE } from './event-names';
import type { QueuedEvent } from './events';
import { marketplaceEventSchema, type MarketplaceEvent } from './marketplace-event';
import { isFinal, type MatchResponse, type MatchStatus, type OfferRecord } from './ports';

/**
 * The reconciler's use case: SNS gives up on an HTTPS delivery after about a minute, so the
 * inbox is polled for offers still waiting on this organisation and a synthesised `OfferMatched`
 * is planned for each one the connector has not decided, is not deciding right now, and has not
 * enqueued too recently (backoff). The worker handles it like any other event; its decision
 * records keep an offer that SNS did deliver from being decided twice.
 */

/** `topicArn` of every event the reconciler synthesises (no SNS topic sent it). */
export const RECONCILER_TOPIC_ARN = 'reconciler';

/** Most events one run enqueues; the rest wait for the next run. */
export const DEFAULT_MAX_EVENTS_PER_RUN = 200;

/**
 * Offers matched more recently than this are left alone: SNS may still be delivering (or
 * retrying) their event, and a second event at the same moment only makes two workers race.
 */
export const DEFAULT_MIN_MATCH_AGE_MS = 2 * 60 * 1000;

/**
 * An `intended` decision younger than this may be a worker at work on the offer (an invocation
 * runs at most 2 minutes, its leases last 5): no second event. An older intent is what a crash
 * leaves behind, and exactly what a re-enqueue repairs.
 */
export const DEFAULT_INTENT_GRACE_MS = 10 * 60 * 1000;

/**
 * Backoff between the reconciler's enqueues of one offer: 10 minutes after the first, doubling
 * with each enqueue, at most 6 hours. With the default 15-minute schedule an offer is enqueued on
 * the runs at about 0, 15 min, 45 min, 1.5 h, 3 h, 5.75 h, 11.25 h and then every 6 hours: an
 * offer the worker keeps failing on costs a few events a day, not one per run, and a passing
 * failure (a marketplace outage) is still retried within the hour.
 */
export const BACKOFF_BASE_MS = 10 * 60 * 1000;
export const BACKOFF_MAX_MS = 6 * 60 * 60 * 1000;

/** How long after its `enqueues`-th enqueue an offer is left alone (0 when never enqueued). */
export function reconcilerBackoffMs(enqueues: number): number {
  if (enqueues <= 0) return 0;
  return Math.min(BACKOFF_BASE_MS * 2 ** (enqueues - 1), BACKOFF_MAX_MS);
}

/** What the reconciler needs to know of one inbox offer (from the inbox list, no client data). */
export interface InboxOfferSummary {
  offerId: string;
  /** The shift or bundle of the offer: the worker decides all of its offers as one unit. */
  shiftId?: string;
  expiresAt: string;
  /** When the match was created (the list's `match.created_at`). */
  matchedAt: string;
  matchResponse: MatchResponse;
  matchStatus: MatchStatus | null;
}

export interface PlannedEvent {
  offerId: string;
  event: QueuedEvent;
  /** How many times the reconciler enqueued this offer before this run. */
  previousEnqueues: number;
}

/** Why an offer seen in the inbox got no event. */
export type SkipReason =
  /** Match not pending, or not open. */
  | 'not-actionable'
  /** `expires_at` has passed (or cannot be read). */
  | 'expired'
  /** Matched too recently: SNS may still deliver it. */
  | 'too-recent'
  /** The offer's decision is settled (applied, or resolved by the marketplace's state). */
  | 'decided'
  /** A worker holds the offer: its `intended` decision is younger than the intent grace. */
  | 'in-flight'
  /** Enqueued by an earlier run within the backoff that its enqueue count gives. */
  | 'backed-off'
  /** Another offer of the same shift carries (or holds back) the shift's one event this run. */
  | 'same-shift'
  /** The synthesised event would not pass the worker's validation (e.g. an over-long id). */
  | 'invalid';

export interface ReconciliationPlan {
  /** Events to enqueue, at most `maxEvents`, offers never enqueued before first. */
  events: PlannedEvent[];
  /** Offers read from the inbox. */
  seen: number;
  skipped: Record<SkipReason, number>;
  /** Offers (one per shift) that were due but beyond the cap; the next run looks at them again. */
  skippedByCap: number;
}

export interface ReconcileOptions {
  /** @default DEFAULT_MAX_EVENTS_PER_RUN */
  maxEvents?: number;
  /** @default DEFAULT_MIN_MATCH_AGE_MS */
  minMatchAgeMs?: number;
  /** @default DEFAULT_INTENT_GRACE_MS */
  intentGraceMs?: number;
  /** Fresh id for each event's `snsMessageId`. @default crypto.randomUUID */
  newId?: () => string;
  /** A live connector asked to decide dry-run decisions again: those offers are not `decided`. */
  redecideDryRun?: boolean;
}

/**
 * The `QueuedEvent` the reconciler enqueues for one offer at run time `now`. Its `event_id`
 * includes the run time, so each run's event is new to the worker; the worker's offer-level
 * decision record is what stops a second action.
 */
export function reconcilerEvent(
  offerId: string,
  now: Date,
  snsMessageId: string,
): { event: QueuedEvent; message: MarketplaceEvent } {
  const at = now.toISOString();
  const message: MarketplaceEvent = {
    event_source: OFFER_EVENT_SOURCE,
    event_name: 'OfferMatched',
    event_id: `reconciler-${offerId}-${now.getTime()}`,
    timestamp: at,
    offer_id: offerId,
    id: offerId,
  };
  return {
    message,
    event: {
      version: 1,
      origin: 'reconciler',
      topicArn: RECONCILER_TOPIC_ARN,
      snsMessageId,
      publishedAt: at,
      message: JSON.stringify(message),
    },
  };
}

interface Candidate {
  offer: InboxOfferSummary;
  enqueues: number;
}

/**
 * Plans one reconciliation run over the inbox `offers`: an `OfferMatched` event for each offer
 * that is pending, open and unexpired, was matched at least `minMatchAgeMs` ago, and in the store
 * (`getOffer`) is neither settled, nor held by a worker (an intent younger than `intentGraceMs`),
 * nor within its backoff since the reconciler last enqueued it. The offers of one shift are one
 * unit: one event for the first of them by offer id, none at all while one of them is held or
 * backed off. Due units are ordered fewest earlier enqueues first, then soonest to expire, so
 * offers that keep failing cannot crowd new ones out of the per-run cap. Every offer that passes
 * the inbox checks is read from the store (the order needs its enqueue count).
 * Errors from `getOffer` propagate: a run that cannot read is a failed run.
 */
export async function planReconciliation(
  offers: AsyncIterable<InboxOfferSummary> | Iterable<InboxOfferSummary>,
  getOffer: (offerId: string) => Promise<OfferRecord | undefined>,
  now: Date,
  options: ReconcileOptions = {},
): Promise<ReconciliationPlan> {
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS_PER_RUN;
  const minMatchAgeMs = options.minMatchAgeMs ?? DEFAULT_MIN_MATCH_AGE_MS;
  const intentGraceMs = options.intentGraceMs ?? DEFAULT_INTENT_GRACE_MS;
  const newId = options.newId ?? randomUUID;
  const plan: ReconciliationPlan = {
    events: [],
    seen: 0,
    skipped: {
      'not-actionable': 0,
      expired: 0,
      'too-recent': 0,
      decided: 0,
      'in-flight': 0,
      'backed-off': 0,
      'same-shift': 0,
      invalid: 0,
    },
    skippedByCap: 0,
  };
  const candidates: Candidate[] = [];
  /** Shifts with an offer held by a worker or backed off: the shift's unit is not due this run. */
  const heldShifts = new Set<string>();

  for await (const offer of offers) {
    plan.seen += 1;
    const reason =
      inboxSkipReason(offer, now, minMatchAgeMs) ??
      (isValidEvent(offer.offerId, now) ? undefined : 'invalid');
    if (reason !== undefined) {
      plan.skipped[reason] += 1;
      continue;
    }
    const record = await getOffer(offer.offerId);
    const storeReason = storeSkipReason(
      record,
      now,
      intentGraceMs,
      options.redecideDryRun === true,
    );
    if (storeReason !== undefined) {
      plan.skipped[storeReason] += 1;
      if (storeReason !== 'decided' && offer.shiftId !== undefined) heldShifts.add(offer.shiftId);
      continue;
    }
    candidates.push({ offer, enqueues: record?.reconciler?.enqueues ?? 0 });
  }

  const due: Candidate[] = [];
  const unitsTaken = new Set<string>();
  for (const candidate of [...candidates].sort((a, b) =>
    compareIds(a.offer.offerId, b.offer.offerId),
  )) {
    const shiftId = candidate.offer.shiftId;
    if (shiftId !== undefined && (heldShifts.has(shiftId) || unitsTaken.has(shiftId))) {
      plan.skipped['same-shift'] += 1;
      continue;
    }
    if (shiftId !== undefined) unitsTaken.add(shiftId);
    due.push(candidate);
  }
  due.sort(byPriority);

  for (const { offer, enqueues } of due) {
    if (plan.events.length >= maxEvents) {
      plan.skippedByCap += 1;
      continue;
    }
    plan.events.push({
      offerId: offer.offerId,
      event: reconcilerEvent(offer.offerId, now, newId()).event,
      previousEnqueues: enqueues,
    });
  }
  return plan;
}

function inboxSkipReason(
  offer: InboxOfferSummary,
  now: Date,
  minMatchAgeMs: number,
): SkipReason | undefined {
  if (offer.matchResponse !== 'pending' || offer.matchStatus !== 'open') return 'not-actionable';
  const expiresAt = Date.parse(offer.expiresAt);
  // An unreadable expiry is treated as passed: acting on an offer of unknown state is worse than waiting.
  if (Number.isNaN(expiresAt) || expiresAt <= now.getTime()) return 'expired';
  const matchedAt = Date.parse(offer.matchedAt);
  if (!Number.isNaN(matchedAt) && now.getTime() - matchedAt < minMatchAgeMs) return 'too-recent';
  return undefined;
}

/** Whether the event for the offer would pass the worker's validation (else it only feeds the DLQ). */
function isValidEvent(offerId: string, now: Date): boolean {
  return v.is(marketplaceEventSchema, reconcilerEvent(offerId, now, 'check').message);
}

function storeSkipReason(
  record: OfferRecord | undefined,
  now: Date,
  intentGraceMs: number,
  redecideDryRun: boolean,
): SkipReason | undefined {
  if (isFinal(record?.decision, { redecideDryRun })) return 'decided';
  if (
    record?.decision?.state === 'intended' &&
    ageMs(record.decision.decidedAt, now) < intentGraceMs
  )
    return 'in-flight';
  const marks = record?.reconciler;
  if (marks !== undefined && ageMs(marks.lastEnqueuedAt, now) < reconcilerBackoffMs(marks.enqueues))
    return 'backed-off';
  return undefined;
}

/** Age of a stored time at `now`; an unreadable time counts as long ago, so the offer is repaired, not left stuck. */
function ageMs(at: string, now: Date): number {
  const time = Date.parse(at);
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : now.getTime() - time;
}

function byPriority(a: Candidate, b: Candidate): number {
  return (
    a.enqueues - b.enqueues ||
    Date.parse(a.offer.expiresAt) - Date.parse(b.offer.expiresAt) ||
    compareIds(a.offer.offerId, b.offer.offerId)
  );
}

/** Plain code-unit order, the same in every locale (as the worker's listShiftOffers sorts). */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
