/**
 * The cost model: walks every resource of the synthesized templates and prices each billable one
 * from PRICES (cost/prices.ts) and a Usage (what one marketplace event, one idle month, costs in
 * requests, bytes and milliseconds). Pure: no AWS, no clock; bench/cost.ts feeds it.
 *
 * Two figures per line: `idle`, the monthly cost with no marketplace event at all (fixed fees,
 * the scheduled reconciler, the queue's pollers), and `perMillion`, what one million events a
 * month add to it. Most of the latter is linear; a few parts switch on with any steady traffic
 * and then stay flat (custom metrics billed by the hour, KMS and Secrets Manager calls that the
 * services cache for minutes): they are counted as they are at one million events a month.
 */
import { BACKUP_FREE_TYPES, backupStorage } from './backup';
import {
  priceScalingPolicy,
  priceTable,
  SCALING_FREE_TYPES,
  tableScaling,
  type TableScaling,
} from './dynamo';
import { PRICES, usdPer } from './prices';
import {
  props,
  referencedIds,
  serviceOf,
  wiring,
  type CfnResource,
  type NamedTemplate,
  type Service,
  type Wiring,
} from './wiring';

export type { CfnResource, NamedTemplate, Service } from './wiring';
export { reconcilerRunsPerMonth, referencedIds, runsPerMonth, serviceOf } from './wiring';

/** Where a figure comes from: shown beside it, so a reader can tell a measurement from a guess. */
export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
}

export interface Usage {
  /** Billed milliseconds per invocation (INIT included where it is billed). */
  readonly durationMs: Record<Service, Sourced<number>>;
  /** Worker invocations per event (batches hold about one record at low rates). */
  readonly workerInvocationsPerEvent: Sourced<number>;
  readonly dynamoWruPerEvent: Sourced<number>;
  readonly dynamoRruPerEvent: Sourced<number>;
  /** Reads of one reconciler run at idle (the open inbox is empty: none). */
  readonly dynamoRruPerReconcilerRun: Sourced<number>;
  readonly dynamoStorageGb: Sourced<number>;
  /** SendMessage and ChangeMessageVisibility calls per event by the functions. */
  readonly sqsFunctionRequestsPerEvent: Sourced<number>;
  /** ReceiveMessage and DeleteMessageBatch calls per event by the event source mapping. */
  readonly sqsPollerRequestsPerEvent: Sourced<number>;
  /** Empty long polls by the event source mapping in an idle month. */
  readonly sqsIdlePollsPerMonth: Sourced<number>;
  /** Log bytes ingested per event (application lines, EMF blobs, Lambda platform lines). */
  readonly logBytesPerEvent: Record<'receiver' | 'worker', Sourced<number>>;
  readonly logBytesPerReconcilerRun: Sourced<number>;
  readonly accessLogBytesPerRequest: Sourced<number>;
  /** Review-topic publishes per event. */
  readonly notificationsPerEvent: Sourced<number>;
  /**
   * KMS calls a month for the data key: idle (reconciler runs) and with steady traffic. Priced on
   * the key's line, so not at all without it (config encryption.keys aws-managed).
   */
  readonly kmsDataKeyRequests: Sourced<{ idle: number; traffic: number }>;
  /**
   * KMS calls a month for the review topic's key with steady traffic (SNS caches its data key):
   * the messaging key's, priced on its line, or aws/sns's, priced on the topic's.
   */
  readonly kmsReviewKeyRequestsTraffic: Sourced<number>;
  /** Secrets Manager calls a month: the reconciler's runs (idle) and the worker's cache refreshes (traffic). */
  readonly secretCalls: Sourced<{ idle: number; traffic: number }>;
  /** Rules object reads a month with steady traffic (the worker re-reads at most once a minute). */
  readonly rulesReadsTraffic: Sourced<number>;
  /** EMF metric names (each × its one `service` dimension set) published in every hour. */
  readonly customMetrics: Sourced<{ idle: readonly string[]; traffic: readonly string[] }>;
  /** Share of events X-Ray records per traced entry point (default sampling: 1 a second and 5% beyond); a reconciler run, alone in its second, is always recorded. */
  readonly xraySampledShare: Sourced<number>;
}

export type LineStatus = 'priced' | 'free' | 'unpriced';

export interface CostLine {
  readonly stack: string;
  readonly id: string;
  readonly type: string;
  readonly status: LineStatus;
  readonly idle: number;
  readonly perMillion: number;
  readonly detail: string;
}

/** Resource types with no charge of their own (their use is priced on the resource that bills it). */
export const FREE_TYPES: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'IAM is free',
  'AWS::IAM::Policy': 'IAM is free',
  'AWS::SQS::QueuePolicy': 'free',
  'AWS::S3::BucketPolicy': 'free',
  'AWS::SNS::TopicPolicy': 'free',
  'AWS::SNS::Subscription': 'priced on its topic',
  'AWS::Lambda::Permission': 'free',
  'AWS::Lambda::EventInvokeConfig': 'free (retries are invocations, priced on the function)',
  'AWS::ApiGatewayV2::Stage': 'free (its requests are priced on the API)',
  'AWS::ApiGatewayV2::Route': 'free (its requests are priced on the API)',
  'AWS::ApiGatewayV2::Integration': 'free (its invocations are priced on the function)',
  'AWS::Lambda::Url': 'free (its requests are the receiver invocations, priced on the function)',
  'Custom::AWS': 'runs once per deployment that changes the rules',
  'AWS::CDK::Metadata': 'free',
  ...BACKUP_FREE_TYPES,
  ...SCALING_FREE_TYPES,
};

const MILLION = 1e6;
const GB = 1024 ** 3;

type Priced = Pick<CostLine, 'idle' | 'perMillion' | 'detail'>;

function lambdaFunction(resource: CfnResource, usage: Usage, w: Wiring): Priced {
  const service = serviceOf(resource);
  if (service === undefined)
    return { idle: 0, perMillion: 0, detail: 'no connector service: runs at deployment only' };
  const p = props(resource);
  const memoryGb = (typeof p['MemorySize'] === 'number' ? p['MemorySize'] : 128) / 1024;
  const arm = Array.isArray(p['Architectures']) && p['Architectures'].includes('arm64');
  const seconds = usage.durationMs[service].value / 1000;
  const perInvocation =
    usdPer(arm ? PRICES.lambdaArmGbSecond : PRICES.lambdaX86GbSecond, seconds * memoryGb) +
    usdPer(PRICES.lambdaRequest, 1);
  const traced = (p['TracingConfig'] as { Mode?: string } | undefined)?.Mode === 'Active';
  // Each traced function starts its own traces (an HTTP API has no X-Ray to start the receiver's).
  const sampled = service === 'reconciler' ? 1 : usage.xraySampledShare.value;
  const tracePerInvocation = traced ? usdPer(PRICES.xrayTrace, sampled) : 0;
  const invocations = {
    receiver: { idle: 0, perEvent: 1 },
    worker: { idle: 0, perEvent: usage.workerInvocationsPerEvent.value },
    reconciler: { idle: w.reconcilerRunsPerMonth, perEvent: 0 },
  }[service];
  const each = perInvocation + tracePerInvocation;
  return {
    idle: invocations.idle * each,
    perMillion: invocations.perEvent * MILLION * each,
    detail: `${service}: ${Math.round(memoryGb * 1024)} MB ${arm ? 'arm64' : 'x86_64'} x ${usage.durationMs[service].value} ms = $${(perInvocation * MILLION).toFixed(2)}/M invocations${tracePerInvocation > 0 ? ` + X-Ray $${(tracePerInvocation * MILLION).toFixed(2)}/M` : ''}; ${invocations.perEvent} per event, ${Math.round(invocations.idle)}/month idle`,
  };
}

function logGroup(id: string, resource: CfnResource, usage: Usage, w: Wiring): Priced {
  const producer = w.serviceOfLogGroup.get(id);
  const retentionDays =
    typeof props(resource)['RetentionInDays'] === 'number'
      ? (props(resource)['RetentionInDays'] as number)
      : 3653;
  const bytes = (idle: number, perEvent: number) => ({ idle, perMillion: perEvent * MILLION });
  const volume =
    producer === 'receiver' || producer === 'worker'
      ? bytes(0, usage.logBytesPerEvent[producer].value)
      : producer === 'reconciler'
        ? bytes(w.reconcilerRunsPerMonth * usage.logBytesPerReconcilerRun.value, 0)
        : producer === 'api-access'
          ? bytes(0, usage.accessLogBytesPerRequest.value)
          : bytes(0, 0);
  // Ingestion, plus storage at steady state: a month's bytes kept retentionDays/30 months (uncompressed: an upper bound).
  const monthly = (b: number) =>
    usdPer(PRICES.logsIngestionGb, b / GB) +
    usdPer(PRICES.logsStorageGbMonth, ((b / GB) * retentionDays) / 30);
  return {
    idle: monthly(volume.idle),
    perMillion: monthly(volume.perMillion),
    detail: `${producer ?? 'deployment-time writer'}: ${(volume.idle / 1e6).toFixed(2)} MB/month idle, ${(volume.perMillion / 1e6).toFixed(0)} MB per million events, ${retentionDays}-day retention`,
  };
}

/**
 * Whether a key property names an AWS managed key by its alias (`alias/aws/...`, or its alias ARN):
 * no monthly fee, each request billed as any key's. The keys AWS owns (DynamoDB's default, SSE-SQS,
 * SSE-S3, CloudWatch Logs') bill no request at all; AWS Backup's default vault key (aws/backup)
 * sees a few requests a day at most, left out.
 */
function underAwsManagedKey(keyProperty: unknown): boolean {
  return /["':]alias\/aws\//.test(JSON.stringify(keyProperty ?? ''));
}

function price(
  id: string,
  resource: CfnResource,
  usage: Usage,
  w: Wiring,
  scaling: Map<string, TableScaling>,
): Priced | undefined {
  const p = props(resource);
  switch (resource.Type) {
    case 'AWS::ApiGatewayV2::Api':
      // A WebSocket API is billed by messages and connection minutes: not modelled.
      if (p['ProtocolType'] !== 'HTTP') return undefined;
      return {
        idle: 0,
        perMillion: usdPer(PRICES.apiGatewayHttpRequest, MILLION),
        detail: 'one HTTP API request per event (SNS delivery, under 512 KB)',
      };
    case 'AWS::Lambda::Function':
      return lambdaFunction(resource, usage, w);
    case 'AWS::Lambda::EventSourceMapping':
      return {
        idle: usdPer(PRICES.sqsRequest, usage.sqsIdlePollsPerMonth.value),
        perMillion: usdPer(PRICES.sqsRequest, MILLION * usage.sqsPollerRequestsPerEvent.value),
        detail: `SQS polling: ${Math.round(usage.sqsIdlePollsPerMonth.value)} empty long polls/month idle, ${usage.sqsPollerRequestsPerEvent.value} receive+delete per event`,
      };
    case 'AWS::SQS::Queue':
      if (w.deadLetterQueues.has(id))
        return {
          idle: 0,
          perMillion: 0,
          detail: 'dead-letter queue: only failed events or runs (none in a healthy month)',
        };
      return {
        idle: 0,
        perMillion: usdPer(PRICES.sqsRequest, MILLION * usage.sqsFunctionRequestsPerEvent.value),
        detail: `${usage.sqsFunctionRequestsPerEvent.value.toFixed(2)} send/change-visibility requests per event (the poller's on the event source mapping)`,
      };
    case 'AWS::DynamoDB::Table':
      return priceTable(resource, scaling.get(id), {
        wruPerEvent: usage.dynamoWruPerEvent.value,
        rruPerEvent: usage.dynamoRruPerEvent.value,
        storageGb: usage.dynamoStorageGb.value,
        idleRru: w.reconcilerRunsPerMonth * usage.dynamoRruPerReconcilerRun.value,
      });
    case 'AWS::ApplicationAutoScaling::ScalingPolicy':
      return priceScalingPolicy(resource);
    case 'AWS::KMS::Key': {
      const dataKey = /^DataKey/.test(id);
      const reviewKey = /TopicKey/.test(id) && !/Alarm/.test(id);
      const requests = dataKey
        ? usage.kmsDataKeyRequests.value
        : { idle: 0, traffic: reviewKey ? usage.kmsReviewKeyRequestsTraffic.value : 0 };
      return {
        idle: usdPer(PRICES.kmsKeyMonth, 1) + usdPer(PRICES.kmsRequest, requests.idle),
        perMillion: usdPer(PRICES.kmsRequest, requests.traffic - requests.idle),
        detail: `1 key (first year; rotation adds 1/month after each of the first two yearly rotations); ${requests.idle} requests/month idle, ${requests.traffic} with traffic`,
      };
    }
    case 'AWS::SecretsManager::Secret': {
      // The credentials are read by the worker and reconciler; another secret (the shared secret)
      // by the receiver, cached likewise. Under aws/secretsmanager each read is a KMS Decrypt
      // billed here; under the data key the same requests are on the key's line.
      const calls = usage.secretCalls.value;
      const awsKey = p['KmsKeyId'] === undefined || underAwsManagedKey(p['KmsKeyId']);
      const perRead = usdPer(PRICES.secretApiCall, 1) + (awsKey ? usdPer(PRICES.kmsRequest, 1) : 0);
      return {
        idle: usdPer(PRICES.secretMonth, 1) + perRead * calls.idle,
        perMillion: perRead * calls.traffic,
        detail: `1 secret; ${Math.round(calls.idle)} reads/month idle, ${Math.round(calls.traffic)} more with traffic${awsKey ? '; under aws/secretsmanager: a KMS request per read (no key fee)' : ''}`,
      };
    }
    case 'AWS::CloudWatch::Alarm': {
      // A metric-math alarm is billed per metric it reads.
      const metrics = ((p['Metrics'] ?? []) as { MetricStat?: unknown }[]).filter(
        (query) => query.MetricStat !== undefined,
      ).length;
      const count = Math.max(1, metrics);
      return {
        idle: usdPer(PRICES.alarmStandardMonth, count),
        perMillion: 0,
        detail: `standard-resolution alarm, ${count} metric${count === 1 ? '' : 's'}`,
      };
    }
    case 'AWS::CloudWatch::Dashboard':
      return {
        idle: usdPer(PRICES.dashboardMonth, 1),
        perMillion: 0,
        detail: "beyond the account's 3 free dashboards (free tier not counted)",
      };
    case 'AWS::Events::Rule':
      return {
        idle: 0,
        perMillion: 0,
        detail: 'scheduled rule on the default bus: free (the runs are priced on the reconciler)',
      };
    case 'AWS::SNS::Topic': {
      const emails = w.emailSubscriptions.get(id) ?? 0;
      if (/Alarm/.test(id))
        return {
          idle: 0,
          perMillion: 0,
          detail: `alarm notifications only; ${emails} e-mail subscription(s)`,
        };
      const perEvent = usage.notificationsPerEvent.value;
      // Under aws/sns SNS's data key requests are billed here (no key fee); under the messaging
      // key they are on the key's line.
      const kmsRequests = underAwsManagedKey(p['KmsMasterKeyId'])
        ? usage.kmsReviewKeyRequestsTraffic.value
        : 0;
      return {
        idle: 0,
        perMillion:
          usdPer(PRICES.snsPublish, MILLION * perEvent) +
          usdPer(PRICES.snsEmail, MILLION * perEvent * emails) +
          usdPer(PRICES.kmsRequest, kmsRequests),
        detail: `${perEvent.toFixed(2)} publishes per event, ${emails} e-mail subscription(s)${kmsRequests > 0 ? `; under aws/sns: ${kmsRequests} KMS requests/month with traffic (no key fee)` : ''}`,
      };
    }
    case 'AWS::S3::Bucket':
      return {
        idle: 0,
        perMillion: usdPer(PRICES.s3Get, usage.rulesReadsTraffic.value),
        detail: `rules object: ${usage.rulesReadsTraffic.value} reads/month with traffic; storage of a few KB negligible`,
      };
    case 'AWS::Logs::LogGroup':
      return logGroup(id, resource, usage, w);
    case 'AWS::Backup::BackupSelection': {
      const copies = referencedIds(p['BackupPlanId']).reduce(
        (sum, plan) => sum + (w.backupCopies.get(plan) ?? 0),
        0,
      );
      return { ...backupStorage(copies, usage.dynamoStorageGb.value), perMillion: 0 };
    }
    default:
      return undefined;
  }
}

/** Every resource of every template as a cost line; unknown types come back `unpriced`, never dropped. */
export function costLines(templates: readonly NamedTemplate[], usage: Usage): CostLine[] {
  const w = wiring(templates);
  const scaling = tableScaling(templates);
  const lines: CostLine[] = [];
  for (const { stack, resources } of templates) {
    for (const [id, resource] of Object.entries(resources)) {
      const free = Object.hasOwn(FREE_TYPES, resource.Type) ? FREE_TYPES[resource.Type] : undefined;
      if (free !== undefined) {
        lines.push({
          stack,
          id,
          type: resource.Type,
          status: 'free',
          idle: 0,
          perMillion: 0,
          detail: free,
        });
        continue;
      }
      const priced = price(id, resource, usage, w, scaling);
      lines.push(
        priced === undefined
          ? {
              stack,
              id,
              type: resource.Type,
              status: 'unpriced',
              idle: 0,
              perMillion: 0,
              detail: 'UNPRICED: no price in the model',
            }
          : { stack, id, type: resource.Type, status: 'priced', ...priced },
      );
    }
  }
  const { idle, traffic } = usage.customMetrics.value;
  const newInTraffic = traffic.filter((name) => !idle.includes(name));
  lines.push({
    stack: '(handlers)',
    id: 'EMF custom metrics',
    type: 'CloudWatch custom metrics',
    status: 'priced',
    idle: usdPer(PRICES.customMetricMonth, idle.length),
    perMillion: usdPer(PRICES.customMetricMonth, newInTraffic.length),
    detail: `${idle.length} published every hour at idle, ${newInTraffic.length} more with traffic (each a name under one service dimension)`,
  });
  return lines;
}

export interface CostTotals {
  readonly idle: number;
  readonly perMillion: number;
  readonly unpriced: readonly CostLine[];
}

export function totals(lines: readonly CostLine[]): CostTotals {
  return {
    idle: lines.reduce((sum, line) => sum + line.idle, 0),
    perMillion: lines.reduce((sum, line) => sum + line.perMillion, 0),
    unpriced: lines.filter((line) => line.status === 'unpriced'),
  };
}
