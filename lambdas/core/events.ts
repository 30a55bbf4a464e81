import * as v from 'valibot';
import { OFFER_EVENT_SOURCE } from './event-names';
import { marketplaceEventSchema, type MarketplaceEvent } from './marketplace-event';
import { parseJsonWith } from './parse-json';

/**
 * The envelope the receiver puts on the SQS queue, the worker's parsers of it and of the
 * marketplace event it carries, with that event's schema (marketplace-event.ts) and names
 * (event-names.ts) re-exported: one import for the worker, the CLI and the tests. A function that
 * needs only the names or only the event schema imports those modules, and builds no more schemas
 * at start-up than it uses.
 */

export * from './event-names';
export * from './marketplace-event';

/**
 * What travels on the SQS events queue. `message` is the SNS `Message` string exactly as
 * received (the marketplace event JSON); the worker parses and validates it.
 */
export const queuedEventSchema = v.strictObject({
  version: v.literal(1),
  /**
   * `sns` for deliveries through the receiver; `reconciler` for events it synthesised; `operator`
   * for `connector replay`.
   */
  origin: v.picklist(['sns', 'reconciler', 'operator']),
  topicArn: v.pipe(v.string(), v.minLength(1)),
  snsMessageId: v.pipe(v.string(), v.minLength(1)),
  /** ISO-8601 time the SNS message was published (its `Timestamp`). */
  publishedAt: v.pipe(v.string(), v.minLength(1)),
  message: v.string(),
  /**
   * Only with origin `operator`: judge the offer again even when its decision is settled (`force`),
   * as long as the marketplace shows its match pending and open. Ignored on any other origin.
   */
  replay: v.optional(v.strictObject({ force: v.boolean() })),
});

export type QueuedEvent = v.InferOutput<typeof queuedEventSchema>;

/** The queued message is not a marketplace event. Retrying will not help: it ends in the DLQ. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

export function isOfferMatched(event: MarketplaceEvent): boolean {
  return event.event_name === 'OfferMatched' && event.event_source === OFFER_EVENT_SOURCE;
}

export function isOfferAccepted(event: MarketplaceEvent): boolean {
  return event.event_name === 'OfferAccepted' && event.event_source === OFFER_EVENT_SOURCE;
}

/**
 * Parses the SNS `Message` string into a marketplace event. Throws a MalformedEventError naming
 * the bad fields, never quoting the payload (events can carry client identifiers).
 */
export function parseMarketplaceMessage(message: string): MarketplaceEvent {
  const result = parseJsonWith(marketplaceEventSchema, message);
  if (!result.ok) {
    throw new MalformedEventError(`message is not a marketplace event: ${result.problem}`);
  }
  const event = result.value;
  if (isOfferMatched(event) && event.offer_id === undefined) {
    throw new MalformedEventError('OfferMatched event has no offer_id');
  }
  return event;
}

/** The SQS body is not the receiver's envelope. */
export class MalformedRecordError extends Error {
  override readonly name = 'MalformedRecordError';
}

/** Parses an SQS body into the receiver's envelope; a MalformedRecordError names the bad fields. */
export function parseQueuedEvent(body: string): QueuedEvent {
  const result = parseJsonWith(queuedEventSchema, body);
  if (!result.ok)
    throw new MalformedRecordError(`SQS body is not a queued event: ${result.problem}`);
  return result.value;
}
