import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MetricsSink } from '../adapters/observability';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import {
  planReconciliation,
  type ReconcileOptions,
  type ReconciliationPlan,
} from '../core/reconcile';
import { RECONCILER_METRICS } from '../core/metric-names';
import type { EventQueue, OfferStore } from '../core/ports';
import { describeError } from '../adapters/error-fields';
import { type InboxPageReader, readOpenInbox } from './inbox-snapshot';

/**
 * The reconciler: on a schedule, reads the open offers of the supply inbox (`readOpenInbox`: an
 * order that cannot skip an offer, each item checked on its own), plans an `OfferMatched` for
 * each one that is due (`planReconciliation`), puts those on the events queue the worker drains,
 * and marks each enqueued offer in the store so one that keeps failing is backed off. Logs carry
 * counts and offer ids, never offer content. A malformed list item is skipped and counted; any
 * other failure (inbox page, store, queue) throws, so Lambda retries the scheduled invocation and
 * the error alarm fires. What was enqueued before the failure is marked, so the retry does not
 * enqueue it again.
 *
 * Its counts are published only when they are not zero: a custom metric is billed for every hour
 * in which it is published, and a run every 15 minutes that wrote its four zeros kept four metrics
 * billed all month at idle (1.20 USD). Nothing reads a zero: the one alarm on these counts
 * (ReconcilerFoundDroppedOffers, on `ReconcilerOffersEnqueued`) treats missing data as not
 * breaching, and the dashboard draws no point the same as a zero.
 */

/** The reconciler's metric names, defined in core/metric-names.ts. */
export { RECONCILER_METRICS };

export type { InboxPageReader } from './inbox-snapshot';

export interface ReconcilerDeps extends ReconcileOptions {
  inbox: InboxPageReader;
  store: Pick<OfferStore, 'getOffer' | 'recordReconcilerEnqueue'>;
  queue: EventQueue;
  logger: Logger;
  /** Built on the first metric in the handler (adapters/observability.ts onFirstMetric). */
  metrics?: MetricsSink;
  now?: () => Date;
  /** Run id when there is no Lambda context. @default crypto.randomUUID */
  newRunId?: () => string;
  /** Inbox page size. @default INBOX_PAGE_SIZE */
  pageSize?: number;
}

export interface ReconcileSummary {
  runId: string;
  /** Distinct inbox items read. */
  seen: number;
  enqueued: number;
  skippedByCap: number;
  /** Items listed without an offer or a match part, so nothing could be checked. */
  incomplete: number;
  /** Items that failed their check (skipped, logged by offer id when readable). */
  malformed: number;
  skipped: ReconciliationPlan['skipped'];
}

/** Builds the scheduled handler. The Lambda context, when given, supplies the run id. */
export function createReconciler(
  deps: ReconcilerDeps,
): (event?: unknown, context?: Context) => Promise<ReconcileSummary> {
  const { inbox, store, queue, logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const newRunId = deps.newRunId ?? randomUUID;
  const options: ReconcileOptions = {};
  if (deps.maxEvents !== undefined) options.maxEvents = deps.maxEvents;
  if (deps.minMatchAgeMs !== undefined) options.minMatchAgeMs = deps.minMatchAgeMs;
  if (deps.intentGraceMs !== undefined) options.intentGraceMs = deps.intentGraceMs;
  if (deps.newId !== undefined) options.newId = deps.newId;
  if (deps.redecideDryRun === true) options.redecideDryRun = true;

  /** Adds a count to this run's metrics only when it is not zero (see above). */
  const count = (name: string, value: number) => {
    if (value > 0) metrics?.addMetric(name, MetricUnit.Count, value);
  };

  return async (_event, context) => {
    if (context !== undefined) logger.addContext(context);
    const runId = context?.awsRequestId ?? newRunId();
    logger.appendKeys({ runId });
    let enqueued = 0;
    try {
      // One clock reading per run: the plan and the enqueue marks agree, so backoffs line up with the schedule.
      const runAt = now();
      const snapshot = await readOpenInbox(inbox, deps.pageSize);
      count(RECONCILER_METRICS.seen, snapshot.listed);
      count(RECONCILER_METRICS.malformed, snapshot.malformed.length);
      for (const item of snapshot.malformed) {
        logger.warn('Inbox list item skipped: it does not match the API schema', {
          ...(item.offerId !== undefined ? { offerId: item.offerId } : {}),
          fields: item.fields,
        });
      }
      if (snapshot.incomplete > 0)
        logger.warn('Inbox list items without an offer or a match were ignored', {
          incomplete: snapshot.incomplete,
        });

      const plan = await planReconciliation(
        snapshot.offers,
        (id) => store.getOffer(id),
        runAt,
        options,
      );
      for (const planned of plan.events) {
        await queue.send(planned.event, {
          snsMessageId: planned.event.snsMessageId,
          correlationId: runId,
        });
        enqueued += 1;
        await store.recordReconcilerEnqueue(planned.offerId, runAt);
        logger.info('Offer enqueued for the worker', {
          offerId: planned.offerId,
          enqueues: planned.previousEnqueues + 1,
        });
      }

      count(RECONCILER_METRICS.enqueued, enqueued);
      count(RECONCILER_METRICS.skippedByCap, plan.skippedByCap);
      if (plan.skippedByCap > 0) {
        logger.warn('Per-run cap reached; the remaining offers wait for the next run', {
          skippedByCap: plan.skippedByCap,
          cap: plan.events.length,
        });
      }
      const summary: ReconcileSummary = {
        runId,
        seen: snapshot.listed,
        enqueued,
        skippedByCap: plan.skippedByCap,
        incomplete: snapshot.incomplete,
        malformed: snapshot.malformed.length,
        skipped: plan.skipped,
      };
      logger.info('Reconciliation finished', {
        seen: summary.seen,
        pagesRead: snapshot.pagesRead,
        enqueued,
        skippedByCap: summary.skippedByCap,
        malformed: summary.malformed,
        skipped: plan.skipped,
      });
      return summary;
    } catch (error: unknown) {
      count(RECONCILER_METRICS.enqueued, enqueued);
      logger.error('Reconciliation failed; Lambda retries the run', {
        enqueued,
        ...describeError(error),
      });
      throw error;
    } finally {
      if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.removeKeys(['runId']);
    }
  };
}
