/**
 * Covers adapters/observability.ts: the one way the handlers build their Logger and Metrics, from
 * the environment the stack sets, else the function's own service name and the shared namespace.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ENV_NAMES } from '../../lambdas/adapters/env';
import { observability } from '../../lambdas/adapters/observability';
import {
  METRICS_NAMESPACE,
  SERVICE_NAMES,
  type ServiceName,
} from '../../lambdas/core/metric-names';

/** The namespace and `service` dimension a metric written now would carry. */
function published(env: NodeJS.ProcessEnv, service: ServiceName = SERVICE_NAMES.worker) {
  const { metrics } = observability(service, env);
  metrics.addMetric('Probe', MetricUnit.Count, 1);
  const emf = metrics.serializeMetrics();
  return {
    namespace: emf._aws.CloudWatchMetrics[0]?.Namespace,
    service: (emf as unknown as Record<string, unknown>)['service'],
  };
}

describe('observability', () => {
  it("uses the function's own service name and the shared namespace when the stack set neither", () => {
    expect(published({}, SERVICE_NAMES.reconciler)).toEqual({
      namespace: METRICS_NAMESPACE,
      service: 'reconciler',
    });
  });

  it('uses the service name and namespace the stack set', () => {
    expect(
      published({
        [ENV_NAMES.powertoolsServiceName]: 'worker-blue',
        [ENV_NAMES.powertoolsMetricsNamespace]: 'Elsewhere',
      }),
    ).toEqual({ namespace: 'Elsewhere', service: 'worker-blue' });
  });

  it('takes an empty setting as unset', () => {
    expect(
      published({
        [ENV_NAMES.powertoolsServiceName]: '',
        [ENV_NAMES.powertoolsMetricsNamespace]: '',
      }),
    ).toEqual({ namespace: METRICS_NAMESPACE, service: 'worker' });
  });
});
