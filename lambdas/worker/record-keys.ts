import type { SQSRecord } from 'aws-lambda';
import { QUEUE_ATTRIBUTES } from '../core/event-names';
import type { QueuedEvent } from '../core/events';
import type { MarketplaceEvent } from '../core/marketplace-event';

/**
 * The keys that name a record on every line the worker writes while it is at the record (and on
 * the line of a record it hands back unprocessed), so an operator finds them all by offer,
 * referral, event or SNS message. Ids only: the event's other fields (a referral's client
 * identifiers) are never read into them.
 */
export const RECORD_KEYS = [
  'snsMessageId',
  'correlationId',
  'eventId',
  'offerId',
  'referralId',
] as const;

export type RecordKeys = Partial<Record<(typeof RECORD_KEYS)[number], string>>;

/**
 * A record as it may arrive: the event types promise attributes that a hand-written or redriven
 * message can lack, so the worker reads them as optional.
 */
export interface ArrivingRecord {
  attributes?: Partial<SQSRecord['attributes']>;
  messageAttributes?: Partial<SQSRecord['messageAttributes']>;
}

function attribute(record: SQSRecord, name: string): string | undefined {
  const arriving: ArrivingRecord = record;
  const value = arriving.messageAttributes?.[name]?.stringValue;
  return value === undefined || value === '' ? undefined : value;
}

/** The keys the receiver's queue attributes give, before the body is read. */
export function attributeKeys(record: SQSRecord): RecordKeys {
  const keys: RecordKeys = {};
  const snsMessageId = attribute(record, QUEUE_ATTRIBUTES.snsMessageId);
  const correlationId = attribute(record, QUEUE_ATTRIBUTES.correlationId);
  if (snsMessageId !== undefined) keys.snsMessageId = snsMessageId;
  if (correlationId !== undefined) keys.correlationId = correlationId;
  return keys;
}

/** The keys the body gives: its SNS message and its event's ids. */
export function eventKeys(queued: QueuedEvent, event: MarketplaceEvent): RecordKeys {
  const keys: RecordKeys = { snsMessageId: queued.snsMessageId, eventId: event.event_id };
  if (event.offer_id !== undefined) keys.offerId = event.offer_id;
  if (event.referral_id !== undefined) keys.referralId = event.referral_id;
  return keys;
}
