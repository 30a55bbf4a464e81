import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DemandAssignmentPolicy, Role, Rules } from '../core/config';
import { QUEUE_ATTRIBUTES, queuedEventSchema, topicNameOf, type QueuedEvent } from '../core/events';
import type { MarketplaceApi, MarketplaceDemandApi, OfferStore, UnitStore } from '../core/ports';
import { parseJsonWith } from '../core/parse-json';
import { createEventProcessor, MalformedEventError, parseMarketplaceMessage, type ProcessResult } from '../core/process-event';
import { describeError } from '../adapters/error-fields';

/**
 * The worker: drains a batch of queued marketplace events. Records run one after another so a
 * batch never puts more than one request at a time on the marketplace API; a failing record is
 * reported alone (partial batch response) and comes back after its visibility timeout, ending in
 * the DLQ after maxReceiveCount.
 */

export interface WorkerDeps {
  marketplace: MarketplaceApi;
  store: OfferStore;
  /** Decision units' leases and decisions. */
  units: UnitStore;
  rules: Rules;
  role: Role;
  /** Demand side: the assignment policy for `OfferAccepted` (default `none`: only recorded). */
  demandAssignment?: DemandAssignmentPolicy;
  /** Required when `demandAssignment` is not `none`. */
  demandMarketplace?: MarketplaceDemandApi;
  logger: Logger;
  metrics?: Metrics;
  now?: () => Date;
}

export const WORKER_METRICS = {
  accepted: 'OffersAccepted',
  declined: 'OffersDeclined',
  review: 'OffersForReview',
  duplicate: 'DuplicateEvents',
  failed: 'RecordsFailed',
  assigned: 'OffersAssigned',
  declinedByAll: 'OutboxOffersDeclinedByAll',
  expired: 'OutboxOffersExpired',
} as const;

/** Outbox events an operator must hear about: no supplier will take the offer. */
const OUTBOX_ALERTS: Readonly<Record<string, { metric: string; message: string }>> = {
  OfferDeclinedByAll: { metric: WORKER_METRICS.declinedByAll, message: 'Outbox offer declined by every supplier; it needs a person' },
  OfferExpired: { metric: WORKER_METRICS.expired, message: 'Outbox offer expired without an assignment; it needs a person' },
};

const DECISION_METRIC = { accept: WORKER_METRICS.accepted, decline: WORKER_METRICS.declined, review: WORKER_METRICS.review } as const;

const RECORD_KEYS = ['snsMessageId', 'correlationId', 'eventId', 'offerId'] as const;

/** The SQS body is not the receiver's envelope. */
export class MalformedRecordError extends Error {
  override readonly name = 'MalformedRecordError';
}

function parseBody(body: string): QueuedEvent {
  const result = parseJsonWith(queuedEventSchema, body);
  if (!result.ok) throw new MalformedRecordError(`SQS body is not a queued event: ${result.problem}`);
  return result.value;
}

function attribute(record: SQSRecord, name: string): string | undefined {
  const value = record.messageAttributes?.[name]?.stringValue;
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Left for one record before the Lambda timeout: below this the rest of the batch is handed back
 * unprocessed, rather than a timeout returning the whole batch (processed records included).
 * One record costs at most three marketplace calls (fetch, action, and a state read when the
 * action's outcome is unknown), each within the client's 15 s retry budget.
 */
export const MIN_REMAINING_MS_PER_RECORD = 45_000;

/**
 * Builds the SQS handler. The optional Lambda context adds the request id to logs and lets the
 * worker hand back records it has no time left for.
 */
export function createWorker(deps: WorkerDeps): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const { logger, metrics } = deps;
  const processor = createEventProcessor({
    marketplace: deps.marketplace,
    store: deps.store,
    units: deps.units,
    rules: deps.rules,
    role: deps.role,
    ...(deps.demandAssignment ? { demandAssignment: deps.demandAssignment } : {}),
    ...(deps.demandMarketplace ? { demandMarketplace: deps.demandMarketplace } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });

  function count(name: string): void {
    metrics?.addMetric(name, MetricUnit.Count, 1);
  }

  function report(result: ProcessResult, topicName: string): void {
    if (result.outcome === 'duplicate') count(WORKER_METRICS.duplicate);
    if (result.assignment !== undefined) {
      count(WORKER_METRICS.assigned);
      logger.info('Offer assigned', { offerId: result.offerId, matchId: result.assignment.matchId, outcome: result.outcome });
    }
    // OfferExpired is published on both offer topics: only the outbox one is ours to chase.
    const alert = topicName === 'outbox-offers' && result.outcome !== 'duplicate' ? OUTBOX_ALERTS[result.eventName] : undefined;
    if (alert !== undefined) {
      count(alert.metric);
      logger.warn(alert.message, { offerId: result.offerId, eventName: result.eventName });
    }
    if (result.decision !== undefined) {
      count(DECISION_METRIC[result.decision.action]);
      logger.info('Offer decision', {
        offerId: result.offerId,
        action: result.decision.action,
        rule: result.decision.rule,
        reason: result.decision.reason,
        outcome: result.outcome,
      });
    }
    logger.info('Event processed', { eventName: result.eventName, outcome: result.outcome });
  }

  async function processRecord(record: SQSRecord): Promise<void> {
    const keys: Record<string, string> = {};
    const snsMessageId = attribute(record, QUEUE_ATTRIBUTES.snsMessageId);
    const correlationId = attribute(record, QUEUE_ATTRIBUTES.correlationId);
    if (snsMessageId !== undefined) keys.snsMessageId = snsMessageId;
    if (correlationId !== undefined) keys.correlationId = correlationId;
    logger.appendKeys(keys);

    const queued = parseBody(record.body);
    keys.snsMessageId = queued.snsMessageId;
    const event = parseMarketplaceMessage(queued.message);
    keys.eventId = event.event_id;
    if (event.offer_id !== undefined) keys.offerId = event.offer_id;
    logger.appendKeys(keys);

    report(await processor.processEvent(event), topicNameOf(queued.topicArn));
  }

  return async (event, context) => {
    if (context !== undefined) logger.addContext(context);
    const batchItemFailures: SQSBatchItemFailure[] = [];
    try {
      for (const [index, record] of event.Records.entries()) {
        if (context !== undefined && context.getRemainingTimeInMillis() < MIN_REMAINING_MS_PER_RECORD) {
          const deferred = event.Records.slice(index);
          logger.warn('Not enough time left; handing records back to the queue', { deferred: deferred.length });
          batchItemFailures.push(...deferred.map((r) => ({ itemIdentifier: r.messageId })));
          break;
        }
        try {
          await processRecord(record);
        } catch (error: unknown) {
          count(WORKER_METRICS.failed);
          // Malformed input will fail the same way on every attempt: say so, it heads for the DLQ.
          const permanent = error instanceof MalformedEventError || error instanceof MalformedRecordError;
          logger.error(permanent ? 'Record is malformed; it will reach the DLQ' : 'Record failed; it will be retried', {
            messageId: record.messageId,
            receiveCount: record.attributes?.ApproximateReceiveCount,
            ...describeError(error),
          });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        } finally {
          logger.removeKeys([...RECORD_KEYS]);
        }
      }
    } finally {
      if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
    return { batchItemFailures };
  };
}
