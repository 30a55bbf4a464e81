import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  DETAIL_METRICS,
  LOGIN_SERVICE_NAME,
  METRICS_NAMESPACE,
  type ServiceName,
} from '../core/metric-names';
import { ENV_NAMES } from './env';

/** The X-Ray header Lambda sets for each invocation; `Sampled=1` when the request is traced. */
const TRACE_HEADER = '_X_AMZN_TRACE_ID';

/**
 * Powertools' JSON lines without the Lambda context keys that every line of a log stream repeats:
 * function_arn, function_name and function_memory_size name the stream's function, which the log
 * group already says (about 180 bytes a line, and each byte ingested is billed). What a line keeps:
 * level, message, timestamp, service, cold_start and function_request_id (the invocation), the
 * X-Ray trace id of a traced request only (an untraced one has no trace to open), then the
 * handler's own keys.
 */
export class ConnectorLogFormatter extends LogFormatter {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {
    super();
  }

  override formatAttributes(
    attributes: UnformattedAttributes,
    additionalLogAttributes: LogAttributes,
  ): LogItem {
    const header = this.env[TRACE_HEADER] ?? '';
    const traced = header.includes('Sampled=1');
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        xray_trace_id: traced ? /Root=([^;]+)/.exec(header)?.[1] : undefined,
      },
    }).addAttributes(additionalLogAttributes);
  }
}

/**
 * Powertools Metrics that drop the detail metrics (core/metric-names.ts DETAIL_METRICS) unless
 * they are on (config monitoring.detailMetrics, the DETAIL_METRICS variable): each is a custom
 * metric billed by the hour, and no alarm watches them. Every other metric is published as given.
 */
export class ConnectorMetrics extends Metrics {
  constructor(
    options: { namespace: string; serviceName: string },
    /** Publish the detail metrics too. */
    readonly detail: boolean,
  ) {
    super(options);
  }

  override addMetric(...args: Parameters<Metrics['addMetric']>): this {
    if (!isPublished(args[0], this.detail)) return this;
    return super.addMetric(...args);
  }
}

/** Whether a metric is published: every one with the detail metrics on, else all but those. */
function isPublished(name: string, detail: boolean): boolean {
  return detail || !DETAIL_METRICS.includes(name);
}

/** The detail metrics switch the stack set (DETAIL_METRICS), off when unset. */
function detailMetricsOn(env: NodeJS.ProcessEnv): boolean {
  return env[ENV_NAMES.detailMetrics] === 'true';
}

/** A handler's Logger: its service name, the connector's line format (ConnectorLogFormatter). */
export function connectorLogger(
  serviceName: string,
  options: { logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT' } = {},
  env: NodeJS.ProcessEnv = process.env,
): Logger {
  return new Logger({
    serviceName,
    logFormatter: new ConnectorLogFormatter(env),
    ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
  });
}

/** What a handler does with its Metrics: add counts, and publish what it added. */
export interface MetricsSink {
  addMetric(name: string, unit: Parameters<Metrics['addMetric']>[1], value: number): unknown;
  hasStoredMetrics(): boolean;
  publishStoredMetrics(): unknown;
}

/**
 * Metrics built when the first metric they publish is added, then kept; one they would drop
 * (`publishes` false: a detail metric while those are off) builds nothing. A normal event, delivery
 * or run adds only such metrics or none, so an execution environment that only does normal work
 * never builds them: about 0.5% of the worker's start (README, Performance). Until then nothing is
 * stored, so there is nothing to publish.
 */
export function onFirstMetric(
  build: () => Metrics,
  publishes: (name: string) => boolean = () => true,
): MetricsSink {
  let metrics: Metrics | undefined;
  return {
    addMetric: (name, unit, value) => {
      if (publishes(name)) (metrics ??= build()).addMetric(name, unit, value);
    },
    hasStoredMetrics: () => metrics?.hasStoredMetrics() === true,
    publishStoredMetrics: () => metrics?.publishStoredMetrics(),
  };
}

/**
 * The Logger and Metrics of one function, built the same way by every handler: the service name,
 * namespace and detail-metrics switch the stack set (lib/connector-function.ts), else this
 * function's own defaults (detail metrics off). The Metrics are built on the first metric.
 */
export function observability(
  service: ServiceName,
  env: NodeJS.ProcessEnv = process.env,
): { logger: Logger; metrics: MetricsSink } {
  const detail = detailMetricsOn(env);
  return {
    logger: connectorLogger(serviceNameOf(service, env), {}, env),
    metrics: onFirstMetric(
      () => connectorMetrics(service, env),
      (name) => isPublished(name, detail),
    ),
  };
}

/** The `service` the stack set for a function (POWERTOOLS_SERVICE_NAME), else its own name. */
function serviceNameOf(service: ServiceName, env: NodeJS.ProcessEnv = process.env): string {
  return env[ENV_NAMES.powertoolsServiceName] || service;
}

/** A function's Metrics, as `observability` builds them on the first metric. */
export function connectorMetrics(
  service: ServiceName,
  env: NodeJS.ProcessEnv = process.env,
): ConnectorMetrics {
  return new ConnectorMetrics(
    {
      namespace: env[ENV_NAMES.powertoolsMetricsNamespace] || METRICS_NAMESPACE,
      serviceName: serviceNameOf(service, env),
    },
    detailMetricsOn(env),
  );
}

/**
 * The login metrics' Metrics (adapters/login-report.ts), for the functions that log in: under
 * LOGIN_SERVICE_NAME whichever function writes them, in the function's namespace, each written
 * at once (a login's outcome needs no batching; one document per login, about hourly).
 */
export function loginMetrics(env: NodeJS.ProcessEnv = process.env): Metrics {
  return new Metrics({
    namespace: env[ENV_NAMES.powertoolsMetricsNamespace] || METRICS_NAMESPACE,
    serviceName: LOGIN_SERVICE_NAME,
    singleMetric: true,
  });
}
