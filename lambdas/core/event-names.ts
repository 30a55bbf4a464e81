/**
 * The marketplace's event names and topics (AsyncAPI) and the attributes the receiver sets on the
 * queue: plain values, no schema, so the receiver (which only sets the attributes) builds no event
 * schema at start-up. events.ts re-exports them with the schemas.
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

export const INBOX_OFFER_EVENT_NAMES = TOPIC_EVENTS['inbox-offers'];

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
