/**
 * Covers adapters/observability.ts: the one way the handlers build their Logger and Metrics, from
 * the environment the stack sets, else the function's own service name and the shared namespace;
 * the Metrics built on the first metric only.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ENV_NAMES } from '../../lambdas/adapters/env';
import {
  ConnectorMetrics,
  connectorLogger,
  connectorMetrics,
  observability,
  onFirstMetric,
} from '../../lambdas/adapters/observability';
import { captureOutput } from '../support/sns-fixtures';
import { lambdaContext } from '../support/worker-observability';
import {
  METRICS_NAMESPACE,
  SERVICE_NAMES,
  type ServiceName,
  WORKER_METRICS,
} from '../../lambdas/core/metric-names';

/** The namespace and `service` dimension of a metric a handler's Metrics publish now. */
function published(env: NodeJS.ProcessEnv, service: ServiceName = SERVICE_NAMES.worker) {
  const output = captureOutput();
  try {
    const { metrics } = observability(service, env);
    metrics.addMetric('Probe', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    const documents = output.metrics() as Array<{
      _aws: { CloudWatchMetrics: Array<{ Namespace: string }> };
      service?: unknown;
    }>;
    expect(documents).toHaveLength(1);
    const [emf] = documents;
    return { namespace: emf._aws.CloudWatchMetrics[0]?.Namespace, service: emf.service };
  } finally {
    output.restore();
  }
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

/** The JSON lines a connector logger prints for one INFO call, after `addContext` when given. */
function printed(env: NodeJS.ProcessEnv, withContext: boolean): Record<string, unknown> {
  const lines: string[] = [];
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  try {
    const logger = connectorLogger('worker', {}, env);
    if (withContext) logger.addContext(lambdaContext(() => 1000));
    logger.info('Probe', { offerId: 'o-1' });
  } finally {
    spy.mockRestore();
  }
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

describe('connectorLogger', () => {
  const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8';

  it('keeps the request id and cold start of the Lambda context, not the function ARN, name or memory', () => {
    const line = printed({ _X_AMZN_TRACE_ID: `${TRACE};Sampled=0` }, true);
    expect(Object.keys(line).sort()).toEqual(
      [
        'cold_start',
        'function_request_id',
        'level',
        'message',
        'offerId',
        'service',
        'timestamp',
      ].sort(),
    );
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'Probe',
      service: 'worker',
      function_request_id: 'request-1',
      offerId: 'o-1',
    });
  });

  it('adds the X-Ray trace id only to the lines of a traced (sampled) request', () => {
    expect(printed({ _X_AMZN_TRACE_ID: `${TRACE};Sampled=1` }, true)).toMatchObject({
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
    });
  });

  it('writes a line without a Lambda context (local tools) with the base keys only', () => {
    expect(Object.keys(printed({}, false)).sort()).toEqual(
      ['level', 'message', 'offerId', 'service', 'timestamp'].sort(),
    );
  });
});

describe('observability, Metrics built on the first metric', () => {
  it('builds none until a metric is added, and publishes nothing before', () => {
    const built: Metrics[] = [];
    const output = captureOutput();
    try {
      const sink = onFirstMetric(() => {
        const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
        built.push(metrics);
        return metrics;
      });
      expect(sink.hasStoredMetrics()).toBe(false);
      sink.publishStoredMetrics();
      expect(built).toHaveLength(0);
      expect(output.metrics()).toEqual([]);

      sink.addMetric('First', MetricUnit.Count, 1);
      sink.addMetric('Second', MetricUnit.Count, 2);
      expect(built).toHaveLength(1);
      expect(sink.hasStoredMetrics()).toBe(true);
      sink.publishStoredMetrics();
      expect(sink.hasStoredMetrics()).toBe(false);
      expect(output.metrics()).toEqual([expect.objectContaining({ First: 1, Second: 2 })]);
      expect(built).toHaveLength(1);
    } finally {
      output.restore();
    }
  });

  it('builds nothing for a metric it would drop', () => {
    const built: string[] = [];
    const sink = onFirstMetric(
      () => {
        built.push('metrics');
        return new Metrics({ namespace: 'Test', serviceName: 'test' });
      },
      (name) => name !== 'Dropped',
    );
    sink.addMetric('Dropped', MetricUnit.Count, 1);
    expect(built).toEqual([]);
    expect(sink.hasStoredMetrics()).toBe(false);
    sink.addMetric('Kept', MetricUnit.Count, 1);
    expect(built).toEqual(['metrics']);
  });

  it.each([
    [{}, []],
    [{ [ENV_NAMES.detailMetrics]: 'true' }, [WORKER_METRICS.accepted]],
  ])(
    'a handler’s Metrics with %j: a detail metric publishes %j; an alarmed one always',
    (env, detailPublished) => {
      const output = captureOutput();
      const asked = jest.spyOn(ConnectorMetrics.prototype, 'addMetric');
      try {
        const { metrics } = observability(SERVICE_NAMES.worker, env);
        // A decision's count: a detail metric, added for every decided offer. While those are
        // off it never reaches a Metrics: none is built for it.
        metrics.addMetric(WORKER_METRICS.accepted, MetricUnit.Count, 1);
        expect(asked).toHaveBeenCalledTimes(detailPublished.length);
        expect(metrics.hasStoredMetrics()).toBe(detailPublished.length > 0);
        metrics.publishStoredMetrics();
        metrics.addMetric(WORKER_METRICS.failed, MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
        const names = output
          .metrics()
          .flatMap((emf) =>
            Object.keys(emf).filter(
              (key) => key === WORKER_METRICS.accepted || key === WORKER_METRICS.failed,
            ),
          );
        expect(names).toEqual([...detailPublished, WORKER_METRICS.failed]);
      } finally {
        asked.mockRestore();
        output.restore();
      }
    },
  );

  it('a handler’s Metrics publish nothing when no metric was added', () => {
    const output = captureOutput();
    try {
      const { metrics } = observability(SERVICE_NAMES.worker, {});
      expect(metrics.hasStoredMetrics()).toBe(false);
      metrics.publishStoredMetrics();
      expect(output.text()).toBe('');
    } finally {
      output.restore();
    }
  });
});

describe('observability, detail metrics', () => {
  it.each([
    [{ [ENV_NAMES.detailMetrics]: 'true' }, true],
    [{ [ENV_NAMES.detailMetrics]: 'false' }, false],
    [{}, false],
  ])('with %j publishes the detail metrics: %s', (env, detail) => {
    expect(connectorMetrics(SERVICE_NAMES.worker, env).detail).toBe(detail);
  });
});
