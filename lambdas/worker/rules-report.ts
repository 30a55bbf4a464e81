import type { Logger } from '@aws-lambda-powertools/logger';
import type { MetricsSink } from '../adapters/observability';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { describeError } from '../adapters/error-fields';
import type { RulesCacheEvent } from '../core/rules-cache';
import { WORKER_METRICS } from '../core/metric-names';

/**
 * Turns what the rules cache reports into the worker's log lines and metrics. Versions, S3
 * version ids, field paths and error names only: a rules document holds no client data, but its
 * values are the organisation's own and stay out of the logs all the same.
 */
export function rulesReporter(
  logger: Logger,
  metrics?: Pick<MetricsSink, 'addMetric'>,
): (event: RulesCacheEvent) => void {
  const count = (name: string) => metrics?.addMetric(name, MetricUnit.Count, 1);
  return (event) => {
    switch (event.kind) {
      case 'loaded':
        logger.info('Rules loaded', {
          rulesVersion: event.version,
          previousRulesVersion: event.previousVersion,
          s3VersionId: event.storeVersion,
        });
        return;
      case 'invalid':
        count(WORKER_METRICS.rulesInvalid);
        if (event.keptVersion !== undefined) {
          logger.warn('Rules invalid; keeping the last good version', {
            rulesVersion: event.keptVersion,
            rejectedS3VersionId: event.storeVersion,
            problem: event.problem,
          });
        } else {
          logger.error('Rules invalid and no good version read yet; records are retried', {
            rejectedS3VersionId: event.storeVersion,
            problem: event.problem,
          });
        }
        return;
      case 'unreadable':
        count(WORKER_METRICS.rulesReadFailed);
        if (event.keptVersion !== undefined) {
          logger.warn('Rules could not be read; keeping the last good version', {
            rulesVersion: event.keptVersion,
            ...describeError(event.error),
          });
        } else {
          logger.error(
            'Rules could not be read and no good version read yet; records are retried',
            describeError(event.error),
          );
        }
        return;
    }
  };
}
