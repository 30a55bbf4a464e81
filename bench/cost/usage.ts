/**
 * The Usage the cost model prices: measured figures from a sandbox run (cost/measure.ts) where the
 * project can measure them, and labelled assumptions elsewhere. Every figure carries its source.
 */
import {
  DETAIL_METRICS,
  LOGIN_METRICS,
  LOGIN_SERVICE_NAME,
  RECONCILER_METRICS,
  WORKER_METRICS,
} from '../../lambdas/core/metric-names';
import { DEFAULT_CREDENTIALS_MAX_AGE_S } from '../../lambdas/adapters/credentials';
import { FULL_VCPU_MB } from '../../lambdas/core/worker-config';
import type { DurationSample } from './duration';
import { emfDocumentBytes, lambdaContextBytesPerLine, traceIdBytesPerLine } from './log-lines';
import type { SandboxMeasurement } from './measure';
import type { Sourced, Usage } from './model';
import { SECONDS_PER_MONTH } from './prices';
import type { FunctionLogging, Service } from './wiring';

const assumed = <T>(value: T, why: string): Sourced<T> => ({ value, source: `assumed: ${why}` });
const measured = <T>(value: T, how: string): Sourced<T> => ({ value, source: `measured: ${how}` });

/**
 * START, END and REPORT (with the X-Ray segment id and Init Duration on a cold start) per
 * invocation, written unless the function's system log level is WARN (lib/connector-function.ts).
 */
const PLATFORM_BYTES_PER_INVOCATION = 420;
/** The reconciler's "Reconciliation finished" line, without the Lambda context. */
const RECONCILER_LINE_BYTES = 400;
/** One SendMessage to a KMS-encrypted queue in the same region, round trip. */
const SQS_SEND_MS = 10;

/** One DynamoDB call from Lambda to a table in its region, round trip (single-digit ms). */
const DYNAMO_CALL_MS = 5;
/** One marketplace API call from AWS, round trip, the API's own work included. */
const MARKETPLACE_CALL_MS = 100;
/**
 * The worker's own code per event (parse, judge, log), assumed 10 ms at 512 MB's CPU share (the
 * memory it had when the figure was set): CPU time, so it stretches or shrinks with the memory's
 * share of a vCPU (cpuShareFactor), where the round trips above do not.
 */
const WORKER_CODE = { ms: 10, atMemoryMb: 512 } as const;

/** Five-minute windows a month: SQS, DynamoDB and SNS reuse a KMS data key for up to five minutes. */
const FIVE_MINUTE_WINDOWS = SECONDS_PER_MONTH / 300;

/**
 * How many times longer CPU-bound work takes at `memoryMb` than on a full vCPU: Lambda gives CPU
 * in proportion to memory up to one vCPU at FULL_VCPU_MB; one thread gains nothing beyond.
 */
export function cpuShareFactor(memoryMb: number): number {
  return Math.max(1, FULL_VCPU_MB / memoryMb);
}

/**
 * The receiver's billed milliseconds: its in-process time measured locally, stretched to the CPU
 * share its memory buys, plus an SQS round trip; Lambda bills whole milliseconds.
 */
export function receiverBilledMs(sample: DurationSample, memoryMb: number): Sourced<number> {
  const cpuMs = sample.medianMs * cpuShareFactor(memoryMb);
  return {
    value: Math.ceil(cpuMs + SQS_SEND_MS),
    source: `measured + assumed: in-process median ${sample.medianMs.toFixed(3)} ms (p90 ${sample.p90Ms.toFixed(3)}, ${sample.count} warm calls, this machine) x ${(FULL_VCPU_MB / memoryMb).toFixed(1)} for ${memoryMb} MB's CPU share, + ${SQS_SEND_MS} ms SendMessage round trip (assumed)`,
  };
}

/**
 * The worker's billed milliseconds per event at `memoryMb`: the DynamoDB and marketplace calls the
 * connector made per event in the sandbox (counted at the SDK and HTTP boundaries, measure.ts),
 * each at an assumed round trip whatever the memory (waiting is not CPU), plus its own code at
 * the CPU share of `memoryMb`; the calls are sequential in the use case.
 */
export function workerBilledMs(m: SandboxMeasurement, memoryMb: number): Sourced<number> {
  const dynamoCalls = Object.values(m.dynamoCalls).reduce((a, b) => a + b, 0) / m.events;
  const marketplaceCalls = m.marketplace.calls / m.events;
  const scale = cpuShareFactor(memoryMb) / cpuShareFactor(WORKER_CODE.atMemoryMb);
  const codeMs = WORKER_CODE.ms * scale;
  return {
    value: Math.ceil(
      dynamoCalls * DYNAMO_CALL_MS + marketplaceCalls * MARKETPLACE_CALL_MS + codeMs,
    ),
    source: `measured + assumed: sandbox --once, ${m.events} events: ${dynamoCalls.toFixed(2)} DynamoDB calls/event x ${DYNAMO_CALL_MS} ms + ${marketplaceCalls.toFixed(2)} marketplace calls/event x ${MARKETPLACE_CALL_MS} ms (logins left out: hourly in a warm worker) + own code ${WORKER_CODE.ms} ms at ${WORKER_CODE.atMemoryMb} MB x ${scale.toFixed(2)} for ${memoryMb} MB's CPU share = ${codeMs.toFixed(1)} ms (round trips and code time assumed)`,
  };
}

/** Events a second at a million events a month, spread evenly: the rate the per-million figures are priced at. */
export const EVENTS_PER_SECOND_AT_A_MILLION = 1e6 / SECONDS_PER_MONTH;

/**
 * The share of requests the default X-Ray sampling rule records: the first request in each second
 * (the reservoir, 1 a second) and 5% of the others, for requests arriving at random (Poisson) at
 * `perSecond` on average. Each traced entry point (the receiver, whose HTTP API starts no
 * trace; the worker, started by SQS) is taken to have its reservoir to itself.
 */
export function defaultSampledShare(perSecond: number): number {
  if (perSecond <= 0) return 1;
  const inReservoir = 1 - Math.exp(-perSecond); // P(at least one request in a second)
  return (inReservoir + 0.05 * (perSecond - inReservoir)) / perSecond;
}

/** A metric as CloudWatch bills it: one name under one `service` dimension. */
const metric = (service: string, name: string) => `${service}/${name}`;

/**
 * The metrics each function publishes for one event: the receiver none (the NoDeliveries alarm
 * counts the events queue's own NumberOfMessagesSent); the worker counts the decision (one name;
 * the example rules mostly review) only with the detail metrics.
 */
const PER_EVENT_METRICS: Record<'receiver' | 'worker', readonly string[]> = {
  receiver: [],
  worker: [WORKER_METRICS.review],
};

/**
 * The log bytes a function adds in Lambda beyond the lines the sandbox printed, from the
 * templates' settings (functionLogging) and the handlers' own Logger and Metrics (log-lines.ts).
 */
function lambdaAdditions(logging: Partial<Record<Service, FunctionLogging>>) {
  const contextBytes = lambdaContextBytesPerLine({ sampledTrace: false });
  const traceBytes = traceIdBytesPerLine();
  const sampled = defaultSampledShare(EVENTS_PER_SECOND_AT_A_MILLION);
  const detail = (service: Service) => logging[service]?.detailMetrics === true;
  const published = (service: Service, names: readonly string[]) =>
    names.filter((name) => detail(service) || !DETAIL_METRICS.includes(name));
  return {
    contextBytes,
    detail,
    published,
    /** The receiver does not add the Lambda context to its lines; the worker and reconciler do. */
    perLine: (service: Service) =>
      (service === 'receiver' ? 0 : contextBytes) +
      (logging[service]?.traced === true ? sampled * traceBytes : 0),
    platform: (service: Service) =>
      logging[service]?.systemLogLevel === 'WARN' ? 0 : PLATFORM_BYTES_PER_INVOCATION,
    emf: (service: Service, names: readonly string[]) =>
      emfDocumentBytes(service, published(service, names)),
  };
}

/**
 * The usage: per-event counts from a sandbox measurement, the functions' durations as their
 * memory gives them (receiverBilledMs, workerBilledMs).
 */
export function usageFrom(
  m: SandboxMeasurement,
  reconcilerRunsPerMonth: number,
  receiverMs: Sourced<number>,
  /** The worker's billed milliseconds per event at its memory (workerBilledMs). */
  workerMs: Sourced<number>,
  logging: Partial<Record<Service, FunctionLogging>>,
  /** The HTTP API's stage writes an access log (config ingress http-api; a function URL none). */
  accessLog = true,
): Usage {
  const perEvent = (n: number) => n / m.events;
  const sandboxRun = `sandbox --once, ${m.events} events`;
  const workerInvocationsPerEvent = 1;
  const lambda = lambdaAdditions(logging);
  const logPerEvent = (service: 'receiver' | 'worker', invocations: number) =>
    perEvent(m.logBytes[service] + m.logLines[service] * lambda.perLine(service)) +
    invocations * (lambda.platform(service) + lambda.emf(service, PER_EVENT_METRICS[service]));
  const logSource = (service: 'receiver' | 'worker') =>
    `${sandboxRun}: ${(m.logLines[service] / m.events).toFixed(1)} INFO lines/event, ${Math.round(perEvent(m.logBytes[service]))} B; + Lambda context ${Math.round(lambda.perLine(service))} B/line (measured, log-lines.ts), platform ${lambda.platform(service)} B/invocation (system log level ${logging[service]?.systemLogLevel ?? 'INFO'}), EMF ${lambda.emf(service, PER_EVENT_METRICS[service])} B/invocation (${lambda.published(service, PER_EVENT_METRICS[service]).join(', ') || 'no metric per event'})`;
  const keep = (service: Service, name: string) =>
    lambda.published(service, [name]).length > 0 ? [metric(service, name)] : [];
  const loginFailures = metric(LOGIN_SERVICE_NAME, LOGIN_METRICS.failures);
  return {
    durationMs: {
      receiver: receiverMs,
      worker: workerMs,
      reconciler: assumed(
        1000,
        'a cold start every run (INIT is billed since 2025-08) ~600 ms plus one inbox page ~400 ms',
      ),
    },
    workerInvocationsPerEvent: assumed(
      workerInvocationsPerEvent,
      'at ~0.4 events/s batches rarely hold more than one record',
    ),
    dynamoWruPerEvent: measured(
      perEvent(m.wru),
      `${sandboxRun}: consumed capacity summed per call, a failed conditional write as 1`,
    ),
    dynamoRruPerEvent: measured(
      perEvent(m.rru),
      `${sandboxRun}: consumed capacity summed per call`,
    ),
    dynamoRruPerReconcilerRun: assumed(0, 'an empty inbox lists no offer, so no offer is read'),
    dynamoStorageGb: assumed(0.05, 'offer items of ~1 KB kept until their TTL'),
    sqsFunctionRequestsPerEvent: measured(
      perEvent(m.sqs.enqueues + m.sqs.handBacks + m.sqs.visibilityChanges),
      `${sandboxRun}: SendMessage and ChangeMessageVisibility calls`,
    ),
    sqsPollerRequestsPerEvent: assumed(
      2,
      'the event source mapping receives the message and deletes it (one record per batch at low rates)',
    ),
    sqsIdlePollsPerMonth: assumed(
      5 * (SECONDS_PER_MONTH / 20),
      "Lambda's 5 pollers, each a 20 s long poll",
    ),
    logBytesPerEvent: {
      receiver: measured(logPerEvent('receiver', 1), logSource('receiver')),
      worker: measured(logPerEvent('worker', workerInvocationsPerEvent), logSource('worker')),
    },
    logBytesPerReconcilerRun: assumed(
      RECONCILER_LINE_BYTES +
        lambda.perLine('reconciler') +
        lambda.platform('reconciler') +
        emfDocumentBytes(LOGIN_SERVICE_NAME, [LOGIN_METRICS.failures]),
      `one "Reconciliation finished" line of ${RECONCILER_LINE_BYTES} B + its Lambda context, platform lines (system log level ${logging.reconciler?.systemLogLevel ?? 'INFO'}) and the EMF document of the login's 0`,
    ),
    accessLogBytesPerRequest: assumed(
      250,
      "the stage's JSON access-log line, its ten fields filled as for a normal delivery (lib/ingress.ts ACCESS_LOG_FORMAT: 247 B)",
    ),
    notificationsPerEvent: measured(
      perEvent(m.notifications),
      `${sandboxRun}: review notifications (depends on the rules: the example's default is review)`,
    ),
    kmsDataKeyRequests: assumed(
      {
        idle: 3 * reconcilerRunsPerMonth,
        traffic: Math.round(3 * reconcilerRunsPerMonth + (accessLog ? 7 : 6) * FIVE_MINUTE_WINDOWS),
      },
      `idle: three per reconciler run: DynamoDB, the secret (Secrets Manager) and its log group (CloudWatch Logs) each decrypt or fetch a data key; traffic: those, plus SQS send, SQS receive, DynamoDB, the worker secret re-read and the receiver, worker${accessLog ? ' and API access' : ''} log groups each a data key every 5 minutes`,
    ),
    kmsReviewKeyRequestsTraffic: assumed(
      Math.round(FIVE_MINUTE_WINDOWS),
      'SNS reuses a data key for 5 minutes',
    ),
    secretCalls: assumed(
      {
        idle: reconcilerRunsPerMonth,
        traffic: Math.round(SECONDS_PER_MONTH / DEFAULT_CREDENTIALS_MAX_AGE_S),
      },
      `idle: a cold reconciler reads once per run; traffic: one warm worker re-reads every ${DEFAULT_CREDENTIALS_MAX_AGE_S} s (Powertools cache)`,
    ),
    rulesReadsTraffic: assumed(
      Math.round(SECONDS_PER_MONTH / 60),
      'one warm worker re-reads the rules once a minute',
    ),
    customMetrics: {
      value: {
        // reconciler.ts publishes its counts only when not zero; a run over an empty inbox writes
        // nothing but the 0 of a successful login (login-report.ts: the login alarm clears on it),
        // and a cold reconciler logs in on every run. The worker's and the reconciler's logins
        // write the same metric (LOGIN_SERVICE_NAME).
        idle: reconcilerRunsPerMonth > 0 ? [loginFailures] : [],
        // A healthy flow: each decision the example rules make, the duplicates SNS's
        // at-least-once delivery brings in any busy hour, the worker's hourly login, and the open
        // offers the reconciler lists while offers flow. The receiver publishes none for a normal
        // delivery (deliveries are the events queue's NumberOfMessagesSent, free).
        // The detail metrics (DETAIL_METRICS) only where the function's DETAIL_METRICS is true.
        traffic: [
          ...keep('worker', WORKER_METRICS.accepted),
          ...keep('worker', WORKER_METRICS.declined),
          ...keep('worker', WORKER_METRICS.review),
          ...keep('worker', WORKER_METRICS.ignored),
          ...keep('worker', WORKER_METRICS.duplicate),
          loginFailures,
          ...(reconcilerRunsPerMonth > 0 ? keep('reconciler', RECONCILER_METRICS.seen) : []),
        ],
      },
      source: `derived from the handlers: at idle only the reconciler's login 0; a healthy flow publishes these (fault metrics excluded); detail metrics ${(['receiver', 'worker', 'reconciler'] as const).map((s) => `${s} ${lambda.detail(s) ? 'on' : 'off'}`).join(', ')}`,
    },
    xraySampledShare: {
      value: defaultSampledShare(EVENTS_PER_SECOND_AT_A_MILLION),
      source: `derived: the default sampling rule (1 a second, then 5%) at ${EVENTS_PER_SECOND_AT_A_MILLION.toFixed(2)} events/s arriving at random; lower at higher rates`,
    },
  };
}
