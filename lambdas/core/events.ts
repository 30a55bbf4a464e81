import * as z from 'zod/mini';

/**
 * Marketplace events as published on AlayaCare's SNS topics (AsyncAPI), and the envelope the
 * receiver puts on the SQS queue. Events are thin: ids and a name, never a status, so the worker
 * fetches the resource before it acts.
 */

/** The `event_source` of offer events (inbox and outbox alike). */
export const OFFER_EVENT_SOURCE = 'alayamarket.offers';

/** Event names per topic, from the AsyncAPI specification. */
export const TOPIC_EVENTS = {
  'inbox-offers': ['OfferMatched', 'OfferClosed', 'OfferExpired', 'OfferFulfilled'],
  'inbox-referrals': ['ReferralCreated', 'ReferralDemandCancelled'],
  'outbox-offers': ['OfferAccepted', 'OfferDeclined', 'OfferDeclinedByAll', 'OfferExpired'],
  'outbox-referrals': ['ReferralCreated', 'ReferralProcessed', 'ReferralSupplyCancelled'],
} as const;

export type TopicName = keyof typeof TOPIC_EVENTS;

/**
 * The fields every marketplace event carries. Unknown extra fields are kept (passthrough) but
 * never logged: some events (referrals) carry client identifiers.
 */
export const marketplaceEventSchema = z.looseObject({
  event_id: z.string().check(z.minLength(1), z.maxLength(128)),
  event_name: z.string().check(z.minLength(1), z.maxLength(128)),
  event_source: z.string().check(z.minLength(1), z.maxLength(128)),
  timestamp: z.string().check(z.minLength(1), z.maxLength(64)),
  offer_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  referral_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

export type MarketplaceEvent = z.infer<typeof marketplaceEventSchema>;

export const INBOX_OFFER_EVENT_NAMES = TOPIC_EVENTS['inbox-offers'];

/**
 * What travels on the SQS events queue. `message` is the SNS `Message` string exactly as
 * received (the marketplace event JSON); the worker parses and validates it.
 */
export const queuedEventSchema = z.strictObject({
  version: z.literal(1),
  /**
   * `sns` for deliveries through the receiver; `reconciler` for events it synthesised; `operator`
   * for `connector replay`.
   */
  origin: z.enum(['sns', 'reconciler', 'operator']),
  topicArn: z.string().check(z.minLength(1)),
  snsMessageId: z.string().check(z.minLength(1)),
  /** ISO-8601 time the SNS message was published (its `Timestamp`). */
  publishedAt: z.string().check(z.minLength(1)),
  message: z.string(),
  /**
   * Only with origin `operator`: judge the offer again even when its decision is settled (`force`),
   * as long as the marketplace shows its match pending and open. Ignored on any other origin.
   */
  replay: z.optional(z.strictObject({ force: z.boolean() })),
});

export type QueuedEvent = z.infer<typeof queuedEventSchema>;

/** SQS message attributes set by the receiver, so logs can correlate without reading bodies. */
export const QUEUE_ATTRIBUTES = {
  snsMessageId: 'snsMessageId',
  correlationId: 'correlationId',
  topicArn: 'topicArn',
} as const;

/** The topic name is the last segment of its ARN (`arn:aws:sns:region:account:inbox-offers`). */
export function topicNameOf(topicArn: string): string {
  return topicArn.slice(topicArn.lastIndexOf(':') + 1);
}

/**
 * The marketplace channel a topic carries, from its name: the channel name it contains, so a
 * prefixed or suffixed name (`prod-outbox-offers`, `outbox-offers-<org id>`) still names its
 * channel. AlayaCare does not publish its topic names; the channel names are the AsyncAPI's.
 * Undefined for a topic of no known channel (and for the reconciler's own events).
 */
export function channelOf(topicArn: string): TopicName | undefined {
  const name = topicNameOf(topicArn);
  const channels = Object.keys(TOPIC_EVENTS) as TopicName[];
  return (
    channels.find((channel) => name === channel) ??
    channels.find((channel) => name.includes(channel))
  );
}
