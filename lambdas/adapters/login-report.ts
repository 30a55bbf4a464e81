import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { LOGIN_METRICS } from '../core/metric-names';
import type { MetricsSink } from './observability';
import type { LoginOutcome } from './marketplace/options';

/**
 * Turns the marketplace client's login outcomes into the login metrics and one log line per failed
 * login, for the worker and the reconciler alike. The handlers pass the Metrics that write under
 * the one `service` both share (observability.ts loginMetrics), built on the first login
 * (onFirstMetric): one metric and one alarm watch both functions' logins.
 * A refused login or unreadable credentials count as `MarketplaceLoginFailures` (the alarm: nothing
 * logs in until someone fixes the secret); a login the marketplace could not answer counts as
 * `MarketplaceLoginUnavailable` (no alarm of its own: the failed records and runs show it). A
 * successful login writes a 0 failure, so the alarm clears on the first good login. The line
 * carries the reason and the status only: never the username, the password, a token or the API's
 * text (the error itself is logged, masked, by the caller that failed).
 */
export function loginReporter(
  logger: Logger,
  metrics?: Pick<MetricsSink, 'addMetric'>,
): (outcome: LoginOutcome) => void {
  const count = (name: string, value: number) => metrics?.addMetric(name, MetricUnit.Count, value);
  return (outcome) => {
    if (outcome.ok) {
      count(LOGIN_METRICS.failures, 0);
      return;
    }
    if (outcome.reason === 'unavailable') {
      count(LOGIN_METRICS.unavailable, 1);
      logger.warn(
        'Marketplace login failed; the marketplace did not answer, later calls try again',
        {
          reason: outcome.reason,
          ...(outcome.status !== undefined ? { status: outcome.status } : {}),
        },
      );
      return;
    }
    count(LOGIN_METRICS.failures, 1);
    logger.error(
      outcome.reason === 'rejected'
        ? 'Marketplace login refused; check the username and password in the credentials secret'
        : 'Marketplace credentials could not be read; check the credentials secret',
      {
        reason: outcome.reason,
        ...('status' in outcome && outcome.status !== undefined ? { status: outcome.status } : {}),
      },
    );
  };
}
