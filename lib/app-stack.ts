import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV_NAMES } from '../lambdas/adapters/env';
import {
  marketplaceBaseUrl,
  resolveAllowedTopicArns,
  type ConnectorConfig,
} from '../lambdas/core/config';
import { RULES_OBJECT_KEY } from '../lambdas/core/rules-document';
import { workerMemoryWarning } from '../lambdas/core/worker-config';
import {
  acknowledgeFunction,
  acknowledgeKeyActionWildcards,
  acknowledgeReceiver,
  acknowledgeUnreservedConcurrency,
  acknowledgeWorker,
} from './app-acknowledgements';
import { ConnectorFunction, type StackFunctionSettings } from './connector-function';
import { RECEIVER_TIMEOUT, SERVICE_NAMES, WORKER_TIMEOUT } from './constants';
import { addIngress, type FunctionUrlIngress, type HttpApiIngress } from './ingress';
import { acknowledgeUnencryptedAlarmTopic } from './key-acknowledgements';
import { awsManagedSnsKey, customerManagedKeys, messagingKey } from './keys';
import { ConnectorMonitoring } from './monitoring';
import { detailMetricsEnabled, silenceAlarmSettings } from '../lambdas/core/monitoring-config';
import { receiverReservedConcurrency } from '../lambdas/core/ingress-config';
import { addReconciler } from './reconciler';
import { ReviewNotifications } from './review-notifications';
import { STACK_OUTPUTS } from './stack-outputs';

const OUT = STACK_OUTPUTS.app;

export interface ConnectorAppStackProps extends StackProps {
  readonly config: ConnectorConfig;
  /**
   * The data key (state stack): encrypts every log group of this stack too (lib/keys.ts). Given
   * exactly when config `encryption.keys` is `customer-managed`.
   */
  readonly dataKey: IKey | undefined;
  readonly table: ITable;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly credentials: ISecret;
  /** The rules bucket (state stack); the worker reads the one rules object in it. */
  readonly rulesBucket: IBucket;
  /** The receiver's HTTP Basic password; given exactly when `receiver.sharedSecret.enabled`. */
  readonly sharedSecret?: ISecret;
}

/** Props that contradict each other: a bug in whoever builds the stack, not in the config. */
export class StackWiringError extends Error {
  override readonly name = 'StackWiringError';
}

/** Log retention by the config's `logRetentionDays` (the state stack's publication log uses it too). */
export const RETENTION: Record<ConnectorConfig['logRetentionDays'], logs.RetentionDays> = {
  7: logs.RetentionDays.ONE_WEEK,
  14: logs.RetentionDays.TWO_WEEKS,
  30: logs.RetentionDays.ONE_MONTH,
  90: logs.RetentionDays.THREE_MONTHS,
  180: logs.RetentionDays.SIX_MONTHS,
  365: logs.RetentionDays.ONE_YEAR,
};

/**
 * The stateless part: the HTTPS endpoint AlayaCare's SNS topics deliver to, the receiver that
 * verifies and enqueues, the worker that decides, the scheduled reconciler that catches offers
 * SNS never delivered (supply side), their alarms and (config monitoring.dashboard) a dashboard.
 */
export class ConnectorAppStack extends Stack {
  /**
   * What SNS delivers to (config `ingress`): the HTTP API (one route, POST /sns, on its one stage,
   * `$default`), or the receiver's function URL.
   */
  readonly ingress: HttpApiIngress | FunctionUrlIngress;
  readonly receiver: ConnectorFunction;
  readonly worker: ConnectorFunction;
  /** Present for roles `supply` and `both` unless `reconciler.enabled` is false. */
  readonly reconciler: ConnectorFunction | undefined;
  /** The reconciler's schedule, present exactly when the reconciler is. */
  readonly reconcilerSchedule: events.Rule | undefined;
  /** Lost reconciler runs (schedule dead letters, failed invocations), present exactly when the reconciler is. */
  readonly reconcilerFailureQueue: Queue | undefined;
  readonly monitoring: ConnectorMonitoring;
  /** The topic people are told on about offers that need them; absent when `notifications.enabled` is false. */
  readonly reviewNotifications: ReviewNotifications | undefined;
  /** The URL to give AlayaCare for the SNS subscriptions. */
  readonly endpointUrl: string;

  constructor(scope: Construct, id: string, props: ConnectorAppStackProps) {
    super(scope, id, props);
    const { config } = props;
    const customerKeys = customerManagedKeys(config.encryption);
    if (customerKeys !== (props.dataKey !== undefined)) {
      // Both come from the same config through createConnectorStacks; a mismatch is a wiring bug.
      throw new StackWiringError('encryption.keys and the dataKey prop must agree');
    }
    const logRetention = RETENTION[config.logRetentionDays];
    const functionSettings: StackFunctionSettings = {
      logRetention,
      logKey: props.dataKey,
      tracing: config.tracing,
      detailMetrics: detailMetricsEnabled(config.monitoring),
    };

    this.receiver = new ConnectorFunction(this, 'Receiver', {
      entry: 'lambdas/receiver/handler.ts',
      serviceName: SERVICE_NAMES.receiver,
      description: 'AlayaCare connector: verifies SNS deliveries and enqueues marketplace events',
      timeout: RECEIVER_TIMEOUT,
      ...functionSettings,
      // With a function URL in front (no request throttle), its one bound; an HTTP API throttles.
      // Either answers 429 beyond its bound, final for SNS: both sit well above the peak.
      ...receiverConcurrencyProps(config),
      environment: {
        // Always exact ARNs: an account-and-region allowlist is expanded here, at synth time.
        [ENV_NAMES.allowedTopicArns]: resolveAllowedTopicArns(config).join(','),
        [ENV_NAMES.requireSignatureVersion2]: String(config.receiver.requireSignatureVersion2),
      },
    }).bindQueueSender(props.queue);
    if (config.receiver.sharedSecret.enabled !== (props.sharedSecret !== undefined)) {
      // Both come from the same config through createConnectorStacks; a mismatch is a wiring bug.
      throw new StackWiringError(
        'receiver.sharedSecret.enabled and the sharedSecret prop must agree',
      );
    }
    if (props.sharedSecret !== undefined)
      this.receiver.bindSecret(props.sharedSecret, ENV_NAMES.sharedSecretArn);

    this.worker = new ConnectorFunction(this, 'Worker', {
      entry: 'lambdas/worker/handler.ts',
      serviceName: SERVICE_NAMES.worker,
      description:
        'AlayaCare connector: applies the rules to marketplace offers and records decisions',
      timeout: WORKER_TIMEOUT,
      // Config workerMemoryMb (default 256, lambdas/core/worker-config.ts: why, measured).
      memorySize: config.workerMemoryMb,
      ...functionSettings,
      // With the event source mapping's maximum concurrency (same figure): never more workers,
      // so never more marketplace calls at once, whoever invokes it; and always that many.
      ...(config.reserveConcurrency ? { reservedConcurrency: config.workerMaxConcurrency } : {}),
      environment: {
        [ENV_NAMES.marketplaceBaseUrl]: marketplaceBaseUrl(config.marketplace),
        [ENV_NAMES.connectorRole]: config.role,
        ...(config.mode === 'dry-run' ? { [ENV_NAMES.connectorMode]: config.mode } : {}),
        ...redecideDryRunEnv(config),
        // Only demand roles act on OfferAccepted; `none` is the worker's default when unset.
        ...(config.role !== 'supply' && config.demand.assignment !== 'none'
          ? { [ENV_NAMES.demandAssignment]: config.demand.assignment }
          : {}),
        // Supply side only: won referrals marked processed (off by default).
        ...(config.role !== 'demand' && config.referrals.markProcessed
          ? { [ENV_NAMES.referralsMarkProcessed]: 'true' }
          : {}),
      },
    })
      .bindTable(props.table)
      .bindSecret(props.credentials)
      .bindRulesObject(props.rulesBucket, RULES_OBJECT_KEY)
      // Also QUEUE_URL and send: the worker hands failed and out-of-time records back itself.
      .bindQueueConsumer(props.queue, { maxConcurrency: config.workerMaxConcurrency });
    const memoryWarning = workerMemoryWarning(config.workerMemoryMb);
    if (memoryWarning !== undefined)
      Annotations.of(this.worker).addWarningV2('connector:worker-memory-low', memoryWarning);

    // Supply side: won referrals put on the organisation's own bus, when it names one.
    if (config.role !== 'demand' && config.referrals.eventBusArn !== undefined)
      this.worker.bindReferralEventBus(config.referrals.eventBusArn);

    // One key for the alarm and review topics and the reconciler's failure queue (lib/keys.ts).
    // Its id predates the failure queue; a new id would replace the key. None with AWS's keys:
    // the review topic under aws/sns, the alarm topic unencrypted, the queue under SSE-SQS.
    const topicKey = customerKeys ? messagingKey(this, 'NotificationTopicKey') : undefined;
    const { notifications } = config;
    this.reviewNotifications = notifications.enabled
      ? new ReviewNotifications(this, 'ReviewNotifications', {
          key: topicKey ?? awsManagedSnsKey(this, 'AwsManagedSnsKey'),
          ...(notifications.email !== undefined ? { email: notifications.email } : {}),
        })
      : undefined;
    if (this.reviewNotifications !== undefined) {
      this.worker.bindNotificationTopic(this.reviewNotifications.topic, {
        ...(notifications.offerUrl !== undefined ? { offerUrl: notifications.offerUrl } : {}),
        ...(notifications.outboxOfferUrl !== undefined
          ? { outboxOfferUrl: notifications.outboxOfferUrl }
          : {}),
      });
    }

    // Supply side: offers SNS never delivered. Demand has no inbox offers.
    if (config.role !== 'demand' && config.reconciler.enabled) {
      const reconciler = addReconciler(this, {
        config,
        table: props.table,
        queue: props.queue,
        credentials: props.credentials,
        functionSettings,
        messagingKey: topicKey,
        sharedEnvironment: redecideDryRunEnv(config),
      });
      this.reconciler = reconciler.function;
      this.reconcilerSchedule = reconciler.schedule;
      this.reconcilerFailureQueue = reconciler.failureQueue;
    } else {
      this.reconciler = undefined;
      this.reconcilerSchedule = undefined;
      this.reconcilerFailureQueue = undefined;
    }

    for (const fn of [this.receiver, this.worker, ...(this.reconciler ? [this.reconciler] : [])])
      acknowledgeFunction(fn, { tracing: config.tracing });
    if (customerKeys) {
      for (const fn of [this.worker, ...(this.reconciler ? [this.reconciler] : [])])
        acknowledgeKeyActionWildcards(fn);
    }
    acknowledgeReceiver(this.receiver, config.ingress);
    acknowledgeWorker(this.worker);
    if (!config.reserveConcurrency) {
      for (const fn of [this.worker, ...(this.reconciler ? [this.reconciler] : [])])
        acknowledgeUnreservedConcurrency(fn);
    }

    this.ingress = addIngress(this, {
      config,
      receiver: this.receiver,
      logRetention,
      logKey: props.dataKey,
    });
    this.endpointUrl = this.ingress.endpointUrl;

    this.monitoring = new ConnectorMonitoring(this, 'Monitoring', {
      endpoint: this.ingress,
      receiver: this.receiver,
      worker: this.worker,
      ...(this.reconciler ? { reconciler: this.reconciler } : {}),
      ...(this.reconcilerFailureQueue
        ? { reconcilerFailureQueue: this.reconcilerFailureQueue }
        : {}),
      queue: props.queue,
      deadLetterQueue: props.deadLetterQueue,
      alarmEmail: config.alarmEmail,
      silence: silenceAlarmSettings(config.role, config.monitoring),
      topicKey,
      dashboard: config.monitoring.dashboard,
      ...(config.table.billing === 'provisioned' ? { provisionedTable: props.table } : {}),
    });

    if (topicKey === undefined) acknowledgeUnencryptedAlarmTopic(this.monitoring.alarmTopic);

    new CfnOutput(this, OUT.endpointUrl, {
      value: this.endpointUrl,
      description: 'Give this HTTPS URL to AlayaCare as the endpoint of the SNS subscriptions',
    });
    new CfnOutput(this, OUT.role, {
      value: config.role,
      description:
        'The organisation role the connector acts in (npx connector subscribe: its topics)',
    });
    new CfnOutput(this, OUT.marketplaceBaseUrl, {
      value: marketplaceBaseUrl(config.marketplace),
      description: 'The marketplace API the worker calls',
    });
    if (this.monitoring.dashboard !== undefined)
      new CfnOutput(this, OUT.dashboardName, { value: this.monitoring.dashboard.dashboardName });
    new CfnOutput(this, OUT.alarmTopicArn, { value: this.monitoring.alarmTopic.topicArn });
    if (this.reviewNotifications !== undefined) {
      new CfnOutput(this, OUT.reviewTopicArn, {
        value: this.reviewNotifications.topic.topicArn,
        description:
          'Offers that need a person (review decisions, demand alerts); subscribe e-mail addresses here',
      });
    }
  }
}

/** The receiver's reserved concurrency: set with ingress `function-url` only. */
function receiverConcurrencyProps(
  config: Pick<ConnectorConfig, 'ingress' | 'receiverReservedConcurrency'>,
): { reservedConcurrency?: number } {
  const reserved = receiverReservedConcurrency(config);
  return reserved !== undefined ? { reservedConcurrency: reserved } : {};
}

/** REDECIDE_DRY_RUN for the worker and the reconciler: only a live connector asked to redecide. */
function redecideDryRunEnv(
  config: Pick<ConnectorConfig, 'mode' | 'redecideDryRun'>,
): Record<string, string> {
  return config.mode === 'live' && config.redecideDryRun
    ? { [ENV_NAMES.redecideDryRun]: 'true' }
    : {};
}
