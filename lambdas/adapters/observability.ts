import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, type ServiceName } from '../core/metric-names';
import { ENV_NAMES } from './env';

/**
 * The Logger and Metrics of one function, built the same way by every handler: the service name and
 * namespace the stack set (lib/connector-function.ts), else this function's own defaults.
 */
export function observability(
  service: ServiceName,
  env: NodeJS.ProcessEnv = process.env,
): { logger: Logger; metrics: Metrics } {
  const serviceName = env[ENV_NAMES.powertoolsServiceName] || service;
  const namespace = env[ENV_NAMES.powertoolsMetricsNamespace] || METRICS_NAMESPACE;
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace, serviceName }),
  };
}
