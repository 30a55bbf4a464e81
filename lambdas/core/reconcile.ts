import { randomUUID } from 'node:crypto';
import { marketplaceEventSchema, type MarketplaceEvent, type QueuedEvent } from './events';
import type { MatchResponse, MatchStatus, OfferRecord } from './ports';
import { OFFER_EVENT_SOURCE } from './process-event';

/**
 * The reconciler's use case: SNS gives up on an HTTPS delivery after about a minute, so the
 * inbox is polled for offers still waiting on this organisation and a synthesised `OfferMatched`
 * is planned for each one the connector has not decided. The worker handles it like any other
 * event; its offer-level decision record keeps an offer that SNS did deliver from being decided
 * twice.
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

/** What the reconciler needs to know of one inbox offer (from the inbox list, no client data). */
export interface InboxOfferSummary {
  offerId: string;
  expiresAt: string;
  /** When the match was created (the list's `match.created_at`). */
  matchedAt: string;
  matchResponse: MatchResponse;
  matchStatus: MatchStatus | null;
}

export interface PlannedEvent {
  offerId: string;
  event: QueuedEvent;
}

/** Why an offer seen in the inbox got no event. */
export type SkipReason =
  /** Match not pending, or not open. */
  | 'not-actionable'
  /** `expires_at` has passed (or cannot be read). */
  | 'expired'
  /** Matched too recently: SNS may still deliver it. */
  | 'too-recent'
  /** The offer has an applied decision. */
  | 'decided'
  /** The synthesised event would not pass the worker's validation (e.g. an over-long id). */
  | 'invalid';

export interface ReconciliationPlan {
  /** Events to enqueue, at most `maxEvents`. */
  events: PlannedEvent[];
  /** Offers read from the inbox. */
  seen: number;
  skipped: Record<SkipReason, number>;
  /**
   * Offers that passed the inbox checks after the cap was reached; their store record was not
   * read, so some may be decided already. The next run looks at them again.
   */
  skippedByCap: number;
}

export interface ReconcileOptions {
  /** @default DEFAULT_MAX_EVENTS_PER_RUN */
  maxEvents?: number;
  /** @default DEFAULT_MIN_MATCH_AGE_MS */
  minMatchAgeMs?: number;
  /** Fresh id for each event's `snsMessageId`. @default crypto.randomUUID */
  newId?: () => string;
}

/**
 * The `QueuedEvent` the reconciler enqueues for one offer at run time `now`. Its `event_id`
 * includes the run time, so each run's event is new to the worker's event claim; the worker's
 * offer-level decision record is what stops a second action.
 */
export function reconcilerEvent(offerId: string, now: Date, snsMessageId: string): { event: QueuedEvent; message: MarketplaceEvent } {
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
    event: { version: 1, origin: 'reconciler', topicArn: RECONCILER_TOPIC_ARN, snsMessageId, publishedAt: at, message: JSON.stringify(message) },
  };
}

/**
 * Plans one reconciliation run over the inbox `offers` (read lazily, page by page): an
 * `OfferMatched` event for each offer whose match is pending and open, that has not expired, was
 * matched at least `minMatchAgeMs` ago, and has no applied decision in the store (`getOffer`).
 * The store is read only for offers that pass the inbox checks, and not at all past the cap.
 * Errors from `offers` or `getOffer` propagate: a run that cannot read is a failed run.
 */
export async function planReconciliation(
  offers: AsyncIterable<InboxOfferSummary> | Iterable<InboxOfferSummary>,
  getOffer: (offerId: string) => Promise<OfferRecord | undefined>,
  now: Date,
  options: ReconcileOptions = {},
): Promise<ReconciliationPlan> {
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS_PER_RUN;
  const minMatchAgeMs = options.minMatchAgeMs ?? DEFAULT_MIN_MATCH_AGE_MS;
  const newId = options.newId ?? randomUUID;
  const plan: ReconciliationPlan = {
    events: [],
    seen: 0,
    skipped: { 'not-actionable': 0, expired: 0, 'too-recent': 0, decided: 0, invalid: 0 },
    skippedByCap: 0,
  };

  for await (const offer of offers) {
    plan.seen += 1;
    const reason = inboxSkipReason(offer, now, minMatchAgeMs);
    if (reason !== undefined) {
      plan.skipped[reason] += 1;
      continue;
    }
    if (plan.events.length >= maxEvents) {
      plan.skippedByCap += 1;
      continue;
    }
    const planned = reconcilerEvent(offer.offerId, now, newId());
    if (!marketplaceEventSchema.safeParse(planned.message).success) {
      plan.skipped.invalid += 1;
      continue;
    }
    const record = await getOffer(offer.offerId);
    if (record?.decision?.state === 'applied') {
      plan.skipped.decided += 1;
      continue;
    }
    plan.events.push({ offerId: offer.offerId, event: planned.event });
  }
  return plan;
}

function inboxSkipReason(offer: InboxOfferSummary, now: Date, minMatchAgeMs: number): SkipReason | undefined {
  if (offer.matchResponse !== 'pending' || offer.matchStatus !== 'open') return 'not-actionable';
  const expiresAt = Date.parse(offer.expiresAt);
  // An unreadable expiry is treated as passed: acting on an offer of unknown state is worse than waiting.
  if (Number.isNaN(expiresAt) || expiresAt <= now.getTime()) return 'expired';
  const matchedAt = Date.parse(offer.matchedAt);
  if (!Number.isNaN(matchedAt) && now.getTime() - matchedAt < minMatchAgeMs) return 'too-recent';
  return undefined;
}
