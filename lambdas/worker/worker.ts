import type { RecordRetry } from '../adapters/record-retry';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  Context,
  SQSBatchItemFailure,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import type { DemandAssignmentPolicy, Role } from '../core/connector-values';
import type { Rules } from '../core/rules-schema';
import {
  channelOf,
  MalformedEventError,
  MalformedRecordError,
  parseMarketplaceMessage,
  parseQueuedEvent,
} from '../core/events';
import type { AcceptCounter } from '../core/caps';
import { OutOfTimeError, RetryLaterError } from '../core/errors';
import type {
  Decision,
  MarketplaceApi,
  MarketplaceDemandApi,
  MarketplaceReferralApi,
  Notifier,
  OfferStore,
  ReferralEventPublisher,
  RulesSource,
  UnitStore,
} from '../core/ports';
import { WORKER_METRICS } from '../core/metric-names';
import { createEventProcessor, type ProcessOptions } from '../core/process-event';
import type { DemandAlert, ProcessResult } from '../core/process-result';
import { describeError } from '../adapters/error-fields';
import type { MetricsSink } from '../adapters/observability';
import {
  type ArrivingRecord,
  attributeKeys,
  eventKeys,
  RECORD_KEYS,
  type RecordKeys,
} from './record-keys';
import { resendDelaySeconds, retryDelaySeconds, WORKER_TIMING, type WorkerTiming } from './timing';

/**
 * The worker: drains a batch of queued marketplace events. Records run one after another so a
 * batch never puts more than one request at a time on the marketplace API; a failing record is
 * reported alone (partial batch response) and comes back after a short, growing delay (see
 * timing.ts), ending in the DLQ after maxReceiveCount receives. A record the invocation has no
 * time left for is re-sent as a copy instead, so it is not charged a receive.
 */

export interface WorkerDeps {
  marketplace: MarketplaceApi;
  store: OfferStore;
  /** Decision units' leases and decisions. */
  units: UnitStore;
  /** Counters for the accept caps (`rules.limits`); none: accepts are not capped. */
  counter?: AcceptCounter;
  /** Decide, record and notify, never answer (config `mode: "dry-run"`). */
  dryRun?: boolean;
  /** Live: decide again what a dry run decided (config `redecideDryRun`). */
  redecideDryRun?: boolean;
  rules: Rules | RulesSource;
  role: Role;
  /** Demand side: the assignment policy for `OfferAccepted` (default `none`: only recorded). */
  demandAssignment?: DemandAssignmentPolicy;
  /** Required when `demandAssignment` is not `none`. */
  demandMarketplace?: MarketplaceDemandApi;
  /**
   * Told of `review` decisions and of outbox offers declined by all or expired (the review topic in
   * AWS), before the record is acknowledged; none: nobody is told.
   */
  notifier?: Notifier;
  /** Referral events are read through this (PHI-free summaries); none: they are only recorded. */
  referralMarketplace?: MarketplaceReferralApi;
  /** Supply side: mark won referrals processed (config `referrals.markProcessed`). */
  markReferralsProcessed?: boolean;
  /** Supply side: where `ReferralReceived` is put (config `referrals.eventBusArn`). */
  referralPublisher?: ReferralEventPublisher;
  logger: Logger;
  /** Built on the first metric in the handler (adapters/observability.ts onFirstMetric). */
  metrics?: MetricsSink;
  now?: () => Date;
  /**
   * Hands records back sooner than the visibility timeout. Without it (local tools), a failed
   * record waits out the whole visibility timeout and one left for lack of time is charged a receive.
   */
  retry?: RecordRetry;
  /** Leases, budgets, time guard and retry delays (default WORKER_TIMING). */
  timing?: WorkerTiming;
}

/** The worker's metric names, defined in core/metric-names.ts. */
export { WORKER_METRICS };

/** How an operator hears of the outbox alerts the processor found: no supplier will take the offer. */
const OUTBOX_ALERTS: Readonly<Record<DemandAlert, { metric: string; message: string }>> = {
  'declined-by-all': {
    metric: WORKER_METRICS.declinedByAll,
    message: 'Outbox offer declined by every supplier; it needs a person',
  },
  expired: {
    metric: WORKER_METRICS.expired,
    message: 'Outbox offer expired without an assignment; it needs a person',
  },
};

const DECISION_METRIC = {
  accept: WORKER_METRICS.accepted,
  decline: WORKER_METRICS.declined,
  review: WORKER_METRICS.review,
  ignore: WORKER_METRICS.ignored,
} as const satisfies Record<Decision['action'], string>;

/**
 * The keys of a record the worker hands back without processing it: those of its queue attributes
 * and, when its body reads, of its event; only the queue attributes' when it does not (it is then
 * processed, and fails, when it comes back).
 */
function keysOfUnprocessed(record: SQSRecord): RecordKeys {
  try {
    const queued = parseQueuedEvent(record.body);
    return {
      ...attributeKeys(record),
      ...eventKeys(queued, parseMarketplaceMessage(queued.message)),
    };
  } catch {
    return attributeKeys(record);
  }
}

/**
 * Left for one record before the Lambda timeout: below this the rest of the batch is handed back
 * unprocessed, rather than a timeout returning the whole batch (processed records included).
 * It is one record's worst case under the client's bound (WORKER_TIMING.recordMs, timing.ts).
 */
export const MIN_REMAINING_MS_PER_RECORD = WORKER_TIMING.recordMs;

/** The record's receive count as SQS reports it (NaN when a hand-written record lacks it). */
function receiveCountOf(record: SQSRecord): number {
  const arriving: ArrivingRecord = record;
  return Number(arriving.attributes?.ApproximateReceiveCount);
}

/**
 * Builds the SQS handler. The optional Lambda context adds the request id to logs and lets the
 * worker hand back records it has no time left for.
 */
export function createWorker(
  deps: WorkerDeps,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const { logger, metrics, retry } = deps;
  const timing = deps.timing ?? WORKER_TIMING;
  const processor = createEventProcessor({
    marketplace: deps.marketplace,
    store: deps.store,
    units: deps.units,
    ...(deps.counter !== undefined ? { counter: deps.counter } : {}),
    ...(deps.dryRun === true ? { dryRun: true } : {}),
    ...(deps.redecideDryRun === true ? { redecideDryRun: true } : {}),
    rules: deps.rules,
    role: deps.role,
    ...(deps.demandAssignment ? { demandAssignment: deps.demandAssignment } : {}),
    ...(deps.demandMarketplace ? { demandMarketplace: deps.demandMarketplace } : {}),
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
    ...(deps.referralMarketplace ? { referralMarketplace: deps.referralMarketplace } : {}),
    ...(deps.markReferralsProcessed === true ? { markReferralsProcessed: true } : {}),
    ...(deps.referralPublisher ? { referralPublisher: deps.referralPublisher } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    leaseMs: timing.eventLeaseMs,
    decisionLeaseMs: timing.decisionLeaseMs,
    actionBudgetMs: timing.actionBudgetMs,
  });

  function count(name: string): void {
    metrics?.addMetric(name, MetricUnit.Count, 1);
  }

  /**
   * One INFO line per event, "Event processed": the event, its outcome and, when there was one,
   * the decision (action, rule, reason, rules version, unit), the assignment or the referral. Ids,
   * names and rule text only: never client data. Anything abnormal (an outbox offer nobody will
   * take, an answer the marketplace closed otherwise) gets a WARN line of its own as well. The
   * counts are metrics too; the flow's counts only with detail metrics (DETAIL_METRICS), so this
   * line is where Logs Insights counts outcomes when they are off.
   */
  function report(result: ProcessResult): void {
    const fields: Record<string, unknown> = {
      eventName: result.eventName,
      outcome: result.outcome,
    };
    if (result.offerId !== undefined) fields.offerId = result.offerId;
    if (result.outcome === 'duplicate') count(WORKER_METRICS.duplicate);
    if (result.assignment !== undefined) {
      count(WORKER_METRICS.assigned);
      fields.matchId = result.assignment.matchId;
    }
    const alert = result.demandAlert === undefined ? undefined : OUTBOX_ALERTS[result.demandAlert];
    if (alert !== undefined) {
      count(alert.metric);
      logger.warn(alert.message, { offerId: result.offerId, eventName: result.eventName });
    }
    const { referral } = result;
    if (referral !== undefined) {
      if (referral.won === true) count(WORKER_METRICS.referralsWon);
      if (referral.markedProcessed === true) count(WORKER_METRICS.referralsMarkedProcessed);
      if (referral.forwarded === true) count(WORKER_METRICS.referralEventsForwarded);
      // Ids and status only: the event's client identifiers are never read.
      fields.referral = {
        id: referral.id,
        side: referral.side,
        status: referral.status,
        won: referral.won === true,
        markedProcessed: referral.markedProcessed === true,
        forwarded: referral.forwarded === true,
      };
    }
    if (result.decision !== undefined) {
      // A dry run's decisions are not answers: counted apart so the dashboard's answers stay true.
      count(
        result.dryRun === true ? WORKER_METRICS.dryRun : DECISION_METRIC[result.decision.action],
      );
      Object.assign(fields, {
        action: result.decision.action,
        rule: result.decision.rule,
        // The rule's reason; the whole explanation is kept with the decision on its unit's record
        // (`npx connector offer <id>` shows it).
        reason: result.decision.reason,
        rulesVersion: result.rulesVersion,
        unitKey: result.unitKey,
        dryRun: result.dryRun === true,
      });
    }
    if (result.outcome === 'resolved') {
      // Our answer did not take effect: someone answered first, or the offer expired or closed.
      count(WORKER_METRICS.resolved);
      logger.warn('Offer answer not applied; closed with what the marketplace shows', {
        offerId: result.offerId,
        unitKey: result.unitKey,
        resolution: result.resolution,
      });
    }
    logger.info('Event processed', fields);
  }

  async function processRecord(record: SQSRecord, options: ProcessOptions): Promise<void> {
    logger.appendKeys(attributeKeys(record));
    const queued = parseQueuedEvent(record.body);
    const event = parseMarketplaceMessage(queued.message);
    logger.appendKeys(eventKeys(queued, event));

    // The processor needs the channel too: it notifies demand alerts before completing the event.
    // The channel, whatever prefix or suffix the organisation's topic names carry.
    const topicName = channelOf(queued.topicArn);
    // Only an operator's replay (origin `operator`) may ask for a settled decision to be judged again.
    const replay =
      queued.origin === 'operator' && queued.replay !== undefined ? { replay: queued.replay } : {};
    report(
      await processor.processEvent(event, {
        ...options,
        ...(topicName !== undefined ? { topicName } : {}),
        ...replay,
      }),
    );
  }

  /**
   * Re-sends a copy of a record the invocation had no time for, so it can be acknowledged. SQS
   * counts a receive on every receive, whatever happens next: only a new message is not charged
   * one. The copy keeps the event_id, so the event claim (an OfferMatched: its unit's lease and its
   * offer's record) makes it harmless should the original come back too. Lambda's recursive loop
   * detection stops a chain of copies after 16 hops (the copy carries the trace header), which
   * bounds a hand-back loop, at the cost of the DLQ.
   * False when there is no retry port or the send failed: the record is then retried as failed.
   */
  async function handBack(record: SQSRecord, retryAfterMs?: number): Promise<boolean> {
    if (retry === undefined) return false;
    try {
      await retry.resend(record, resendDelaySeconds(retryAfterMs));
      count(WORKER_METRICS.handedBack);
      return true;
    } catch (error: unknown) {
      logger.warn('Could not re-send the record; it is retried as a failed one', {
        messageId: record.messageId,
        ...describeError(error),
      });
      return false;
    }
  }

  /**
   * Makes a failed record come back after the delay for its receive count, or the error's own
   * wait when longer, instead of the queue's visibility timeout. If that fails the record still
   * counts as failed; it comes back after the visibility timeout.
   */
  async function retrySoon(record: SQSRecord, seconds: number): Promise<void> {
    if (retry === undefined) return;
    try {
      await retry.changeVisibility(record.receiptHandle, seconds);
    } catch (error: unknown) {
      logger.warn(
        'Could not set the record’s retry delay; it comes back after the visibility timeout',
        { messageId: record.messageId, ...describeError(error) },
      );
    }
  }

  /** Reports the record failed (so the receive counts toward the DLQ) and schedules its retry. */
  async function fail(
    record: SQSRecord,
    error: unknown,
    failures: SQSBatchItemFailure[],
  ): Promise<void> {
    count(WORKER_METRICS.failed);
    const arriving: ArrivingRecord = record;
    const seconds = retryDelaySeconds(
      receiveCountOf(record),
      error instanceof RetryLaterError ? error.retryAfterMs : undefined,
      timing.retryDelaysS,
    );
    const fields = {
      messageId: record.messageId,
      receiveCount: arriving.attributes?.ApproximateReceiveCount,
      retryInSeconds: seconds,
      ...describeError(error),
    };
    // Malformed input will fail the same way on every attempt: say so, it heads for the DLQ.
    if (error instanceof MalformedEventError || error instanceof MalformedRecordError)
      logger.error('Record is malformed; it will reach the DLQ', fields);
    else if (error instanceof RetryLaterError)
      logger.warn('Record cannot finish now; it will be retried', fields);
    else logger.error('Record failed; it will be retried', fields);
    await retrySoon(record, seconds);
    failures.push({ itemIdentifier: record.messageId });
  }

  return async (event, context) => {
    if (context !== undefined) logger.addContext(context);
    const batchItemFailures: SQSBatchItemFailure[] = [];
    const options: ProcessOptions =
      context === undefined ? {} : { remainingMs: () => context.getRemainingTimeInMillis() };
    try {
      for (const [index, record] of event.Records.entries()) {
        if (context !== undefined && context.getRemainingTimeInMillis() < timing.recordMs) {
          const deferred = event.Records.slice(index);
          for (const left of deferred) {
            // One line per record, with the keys of a processed one: found by its offer too.
            logger.appendKeys(keysOfUnprocessed(left));
            try {
              logger.warn('Not enough time left; handing the record back to the queue', {
                messageId: left.messageId,
                deferred: deferred.length,
              });
              if (!(await handBack(left)))
                await fail(
                  left,
                  new OutOfTimeError('not enough time left in the invocation'),
                  batchItemFailures,
                );
            } finally {
              logger.removeKeys([...RECORD_KEYS]);
            }
          }
          break;
        }
        try {
          const receives = receiveCountOf(record);
          await processRecord(record, {
            ...options,
            ...(receives >= timing.maxReceiveCount ? { lastReceive: true } : {}),
            ...(receives > 1 ? { retried: true } : {}),
          });
        } catch (error: unknown) {
          if (error instanceof OutOfTimeError) {
            logger.warn('No time left to finish the record; handing it back', {
              messageId: record.messageId,
              ...describeError(error),
            });
            if (await handBack(record, error.retryAfterMs)) continue;
          }
          await fail(record, error, batchItemFailures);
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
