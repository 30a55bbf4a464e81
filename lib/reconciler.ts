import { Duration, type Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { OFFER_TABLE } from '../lambdas/adapters/offer-table-keys';
import { ENV_NAMES } from '../lambdas/adapters/env';
import { marketplaceBaseUrl, type ConnectorConfig } from '../lambdas/core/config';
import { ConnectorFunction, type StackFunctionSettings } from './connector-function';
import {
  DEAD_LETTER_RETENTION,
  RECONCILER_MAX_EVENT_AGE_LIMIT,
  RECONCILER_RETRY_ATTEMPTS,
  RECONCILER_TIMEOUT,
  SERVICE_NAMES,
} from './constants';
import { queueEncryption } from './keys';
import { acknowledgeEach, LAMBDA_DLQ_RULES } from './nag';

/**
 * One reconciler run at a time: a run pages the whole open inbox, so a second one at once would
 * only double the marketplace calls. A run that starts while one is still going is throttled, and
 * Lambda retries it (asynchronous invocation) until it can run or is older than its max age.
 */
export const RECONCILER_RESERVED_CONCURRENCY = 1;

export interface ReconcilerProps {
  readonly config: ConnectorConfig;
  readonly table: ITable;
  readonly queue: sqs.IQueue;
  readonly credentials: ISecret;
  /** What the stack's functions share (log retention and key, tracing, detail metrics). */
  readonly functionSettings: StackFunctionSettings;
  /** The messaging key: the failure queue (none: SQS's own encryption, config `encryption.keys`). */
  readonly messagingKey: kms.IKey | undefined;
  /** REDECIDE_DRY_RUN and the like: the variables the worker and the reconciler share. */
  readonly sharedEnvironment: Record<string, string>;
}

export interface Reconciler {
  readonly function: ConnectorFunction;
  readonly schedule: events.Rule;
  /**
   * Where a lost run ends up: a schedule event EventBridge could not deliver (the target's
   * dead-letter queue) and an invocation that failed all of Lambda's retries or grew too old
   * (the on-failure destination). Alarmed on (ReconcilerRunLost).
   */
  readonly failureQueue: sqs.Queue;
}

/**
 * SNS drops a delivery after about a minute of retries; the reconciler polls the inbox for offers
 * still waiting on us and enqueues them for the worker, on a schedule. Built on the stack itself
 * (ids Reconciler, ReconcilerSchedule), so its resources keep their logical ids.
 */
export function addReconciler(stack: Stack, props: ReconcilerProps): Reconciler {
  const { config } = props;
  const interval = Duration.minutes(config.reconciler.intervalMinutes);
  const reconciler = new ConnectorFunction(stack, 'Reconciler', {
    entry: 'lambdas/reconciler/handler.ts',
    serviceName: SERVICE_NAMES.reconciler,
    description: 'AlayaCare connector: enqueues open inbox offers the connector has not decided',
    timeout: RECONCILER_TIMEOUT,
    ...props.functionSettings,
    ...(config.reserveConcurrency ? { reservedConcurrency: RECONCILER_RESERVED_CONCURRENCY } : {}),
    environment: {
      [ENV_NAMES.marketplaceBaseUrl]: marketplaceBaseUrl(config.marketplace),
      [ENV_NAMES.connectorRole]: config.role,
      ...props.sharedEnvironment,
    },
  })
    .bindTable(props.table, 'read')
    .bindSecret(props.credentials)
    .bindQueueSender(props.queue);
  // Its one write: the enqueue mark (backoff) on offer items. The read grant's kms:Decrypt is
  // all the key needs, since DynamoDB uses the table key for reads and writes alike.
  reconciler.fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [props.table.tableArn],
      conditions: {
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': [`${OFFER_TABLE.offerKeyPrefix}*`],
        },
      },
    }),
  );

  const failureQueue = new sqs.Queue(stack, 'ReconcilerFailures', {
    ...queueEncryption(props.messagingKey),
    enforceSSL: true,
    retentionPeriod: DEAD_LETTER_RETENTION,
  });
  acknowledgeEach(
    failureQueue,
    ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
    "This queue is itself the dead-letter queue of the reconciler's schedule target and its on-failure destination; nothing consumes it, so nothing could fail to be redriven from it. It is alarmed on (ReconcilerRunLost) and keeps messages 14 days.",
  );

  // A retried run older than the interval would only overlap the next scheduled one.
  const maxEventAge = Duration.minutes(
    Math.min(interval.toMinutes(), RECONCILER_MAX_EVENT_AGE_LIMIT.toMinutes()),
  );
  reconciler.fn.configureAsyncInvoke({
    retryAttempts: RECONCILER_RETRY_ATTEMPTS,
    maxEventAge,
    onFailure: new SqsDestination(failureQueue),
  });
  acknowledgeEach(
    reconciler,
    LAMBDA_DLQ_RULES,
    "Failed asynchronous runs go to the on-failure destination (the ReconcilerFailures queue, alarmed), Lambda's successor to a function dead-letter queue: its records also carry the error. A dead-letter config as well would send each lost run twice.",
  );
  const schedule = new events.Rule(stack, 'ReconcilerSchedule', {
    description: `AlayaCare connector: runs the reconciler every ${config.reconciler.intervalMinutes} minutes`,
    schedule: events.Schedule.rate(interval),
    targets: [
      new targets.LambdaFunction(reconciler.fn, {
        retryAttempts: RECONCILER_RETRY_ATTEMPTS,
        maxEventAge,
        deadLetterQueue: failureQueue,
      }),
    ],
  });
  return { function: reconciler, schedule, failureQueue };
}
