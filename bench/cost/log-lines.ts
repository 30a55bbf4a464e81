/**
 * What a log line and a metric document weigh in Lambda beyond what the sandbox prints, measured
 * with the handlers' own Logger and Metrics (adapters/observability.ts) rather than assumed:
 *
 * - the Lambda context keys the worker's lines carry once `addContext` has run (cold_start and
 *   function_request_id; the trace id too on a sampled request of a traced function), with a real
 *   request id and trace header;
 * - one EMF document with the given metrics, as Powertools prints it at the end of an invocation.
 */
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { ConnectorMetrics, connectorLogger } from '../../lambdas/adapters/observability';
import { METRICS_NAMESPACE } from '../../lambdas/core/metric-names';

/** A trace header as Lambda sets it (ids of the real length). */
const traceHeader = (sampled: boolean) =>
  `Root=1-6751f2a0-3f1c9d2e8b7a6c5d4e3f2a1b;Parent=53995c3f42cd8ad8;Sampled=${sampled ? 1 : 0}`;

/** A Lambda context with ids, names and ARN of their real lengths. */
function lambdaContext(): Context {
  const context: Omit<Context, 'done' | 'fail' | 'succeed'> = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'AlayaCareConnector-WorkerFunctionAF8A26AF-AbCdEfGhIjKl',
    functionVersion: '$LATEST',
    invokedFunctionArn:
      'arn:aws:lambda:ca-central-1:123456789012:function:AlayaCareConnector-WorkerFunctionAF8A26AF-AbCdEfGhIjKl',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/AlayaCareConnector-WorkerFunctionAF8A26AF-AbCdEfGhIjKl',
    logStreamName: '2026/12/01/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 60_000,
  };
  return context as Context;
}

/** The bytes of one INFO line the connector's logger prints, with or without a Lambda context. */
function lineBytes(env: NodeJS.ProcessEnv, context: Context | undefined): number {
  const logger = connectorLogger('worker', { logLevel: 'INFO' }, env);
  if (context !== undefined) {
    logger.addContext(context); // the cold start
    logger.addContext(context); // a warm invocation, as most are
  }
  let bytes = 0;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array): boolean => {
    bytes += Buffer.byteLength(typeof chunk === 'string' ? chunk : Buffer.from(chunk));
    return true;
  };
  try {
    logger.info('Event processed', { outcome: 'decided' });
  } finally {
    process.stdout.write = write;
  }
  return bytes;
}

/** Bytes the Lambda context adds to each line of a function that calls `addContext`. */
export function lambdaContextBytesPerLine(options: { sampledTrace: boolean }): number {
  const env = { _X_AMZN_TRACE_ID: traceHeader(options.sampledTrace) };
  return lineBytes(env, lambdaContext()) - lineBytes(env, undefined);
}

/** Bytes the trace id adds to a line of a sampled request (any function, context or not). */
export function traceIdBytesPerLine(): number {
  return (
    lineBytes({ _X_AMZN_TRACE_ID: traceHeader(true) }, undefined) -
    lineBytes({ _X_AMZN_TRACE_ID: traceHeader(false) }, undefined)
  );
}

/** Bytes of one EMF document holding `names` (each a count of 1) under `service`. */
export function emfDocumentBytes(service: string, names: readonly string[]): number {
  if (names.length === 0) return 0;
  const metrics = new ConnectorMetrics(
    { namespace: METRICS_NAMESPACE, serviceName: service },
    true,
  );
  for (const name of names) metrics.addMetric(name, MetricUnit.Count, 1);
  // Powertools prints JSON.stringify(serializeMetrics()) and a newline.
  return Buffer.byteLength(JSON.stringify(metrics.serializeMetrics())) + 1;
}
