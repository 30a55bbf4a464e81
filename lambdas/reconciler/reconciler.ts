import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { InboxOfferListItem, InboxOfferQuery } from '../adapters/marketplace-client';
import {
  planReconciliation,
  type InboxOfferSummary,
  type ReconcileOptions,
  type ReconciliationPlan,
} from '../core/reconcile';
import type { EventQueue, OfferStore } from '../core/ports';
import { describeError } from '../adapters/error-fields';

/**
 * The reconciler: on a schedule, reads the open offers of the supply inbox, plans an
 * `OfferMatched` for each one the connector has not decided (`planReconciliation`) and puts
 * those on the events queue the worker drains. Logs carry counts and offer ids, never offer
 * content. Any failure (inbox, store, queue) throws, so Lambda retries the scheduled invocation
 * and the error alarm fires; what was enqueued before the failure is harmless to enqueue again.
 */

export const RECONCILER_METRICS = {
  seen: 'ReconcilerOffersSeen',
  enqueued: 'ReconcilerOffersEnqueued',
  skippedByCap: 'ReconcilerOffersSkippedByCap',
} as const;

/** The part of `MarketplaceClient` the reconciler reads: the paging inbox iterator. */
export interface InboxReader {
  inboxOffers(query: Omit<InboxOfferQuery, 'page'>): AsyncIterable<InboxOfferListItem>;
}

export interface ReconcilerDeps extends ReconcileOptions {
  inbox: InboxReader;
  store: Pick<OfferStore, 'getOffer'>;
  queue: EventQueue;
  logger: Logger;
  metrics?: Metrics;
  now?: () => Date;
  /** Run id when there is no Lambda context. @default crypto.randomUUID */
  newRunId?: () => string;
}

export interface ReconcileSummary {
  runId: string;
  seen: number;
  enqueued: number;
  skippedByCap: number;
  /** Offers listed without an offer or a match part, so nothing could be checked. */
  incomplete: number;
  skipped: ReconciliationPlan['skipped'];
}

/**
 * The inbox list items as summaries; items missing their offer or match (both optional in the
 * API's list schema) are counted in `incomplete.count` and left out.
 */
export async function* inboxSummaries(items: AsyncIterable<InboxOfferListItem>, incomplete: { count: number }): AsyncGenerator<InboxOfferSummary> {
  for await (const item of items) {
    if (item.offer === undefined || item.match === undefined) {
      incomplete.count += 1;
      continue;
    }
    yield {
      offerId: item.offer.id,
      expiresAt: item.offer.expires_at,
      matchedAt: item.match.created_at,
      matchResponse: item.match.response,
      matchStatus: item.match.status,
    };
  }
}

/** Builds the scheduled handler. The Lambda context, when given, supplies the run id. */
export function createReconciler(deps: ReconcilerDeps): (event?: unknown, context?: Context) => Promise<ReconcileSummary> {
  const { inbox, store, queue, logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const newRunId = deps.newRunId ?? randomUUID;
  const options: ReconcileOptions = {};
  if (deps.maxEvents !== undefined) options.maxEvents = deps.maxEvents;
  if (deps.minMatchAgeMs !== undefined) options.minMatchAgeMs = deps.minMatchAgeMs;
  if (deps.newId !== undefined) options.newId = deps.newId;

  return async (_event, context) => {
    if (context !== undefined) logger.addContext(context);
    const runId = context?.awsRequestId ?? newRunId();
    logger.appendKeys({ runId });
    let enqueued = 0;
    try {
      const incomplete = { count: 0 };
      // Only open matches are listed; the plan checks response and status again per offer.
      const plan = await planReconciliation(inboxSummaries(inbox.inboxOffers({ status: 'open' }), incomplete), (id) => store.getOffer(id), now(), options);
      metrics?.addMetric(RECONCILER_METRICS.seen, MetricUnit.Count, plan.seen + incomplete.count);

      for (const planned of plan.events) {
        await queue.send(planned.event, { snsMessageId: planned.event.snsMessageId, correlationId: runId });
        enqueued += 1;
        logger.info('Offer enqueued for the worker', { offerId: planned.offerId });
      }

      metrics?.addMetric(RECONCILER_METRICS.enqueued, MetricUnit.Count, enqueued);
      metrics?.addMetric(RECONCILER_METRICS.skippedByCap, MetricUnit.Count, plan.skippedByCap);
      if (plan.skippedByCap > 0) {
        logger.warn('Per-run cap reached; the remaining offers wait for the next run', { skippedByCap: plan.skippedByCap, cap: plan.events.length });
      }
      if (incomplete.count > 0) logger.warn('Inbox list items without an offer or a match were ignored', { incomplete: incomplete.count });
      const summary: ReconcileSummary = {
        runId,
        seen: plan.seen + incomplete.count,
        enqueued,
        skippedByCap: plan.skippedByCap,
        incomplete: incomplete.count,
        skipped: plan.skipped,
      };
      logger.info('Reconciliation finished', { seen: summary.seen, enqueued, skippedByCap: summary.skippedByCap, skipped: plan.skipped });
      return summary;
    } catch (error: unknown) {
      metrics?.addMetric(RECONCILER_METRICS.enqueued, MetricUnit.Count, enqueued);
      logger.error('Reconciliation failed; Lambda retries the run', { enqueued, ...describeError(error) });
      throw error;
    } finally {
      if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.removeKeys(['runId']);
    }
  };
}

