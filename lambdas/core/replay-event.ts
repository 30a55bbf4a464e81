import * as v from 'valibot';
import {
  marketplaceEventSchema,
  OFFER_EVENT_SOURCE,
  type MarketplaceEvent,
  type QueuedEvent,
} from './events';

/**
 * The event `connector replay` enqueues: a synthetic `OfferMatched` for one offer, like the
 * reconciler's (reconcile.ts), with origin `operator` so the worker honours its `replay` flag
 * (see replay.ts). Its `event_id` includes the time, so each replay is a new event; the decision
 * records are what stop a second answer.
 */

/** `topicArn` of every replay event (no SNS topic sent it). */
export const OPERATOR_TOPIC_ARN = 'operator';

export class ReplayEventError extends Error {
  override readonly name = 'ReplayEventError';
}

export function replayEvent(
  offerId: string,
  now: Date,
  snsMessageId: string,
  options: { force: boolean },
): { event: QueuedEvent; message: MarketplaceEvent } {
  const at = now.toISOString();
  const message: MarketplaceEvent = {
    event_source: OFFER_EVENT_SOURCE,
    event_name: 'OfferMatched',
    event_id: `operator-${offerId}-${now.getTime()}`,
    timestamp: at,
    offer_id: offerId,
    id: offerId,
  };
  // The worker would send an event it cannot read to the DLQ: refuse it here instead.
  if (!v.is(marketplaceEventSchema, message))
    throw new ReplayEventError(
      `offer id ${JSON.stringify(offerId.slice(0, 40))} cannot make a valid event (at most 128 characters)`,
    );
  return {
    message,
    event: {
      version: 1,
      origin: 'operator',
      topicArn: OPERATOR_TOPIC_ARN,
      snsMessageId,
      publishedAt: at,
      message: JSON.stringify(message),
      replay: { force: options.force },
    },
  };
}
