import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeEmailSubscription } from './nag';
import {
  LOGIN_METRICS,
  LOGIN_SERVICE_NAME,
  RECEIVER_METRICS,
  RECONCILER_METRICS,
  WORKER_METRICS,
} from '../lambdas/core/metric-names';
import type { SilenceAlarmSettings } from '../lambdas/core/monitoring-config';
import { alarmDescription, type AlarmId, RECONCILER_FINDS_PER_HOUR } from './alarm-runbook';
import type { ConnectorFunction } from './connector-function';
import type { SnsIngress } from './ingress';
import {
  DEAD_LETTER_AGE_ALARM_THRESHOLD,
  METRICS_NAMESPACE,
  QUEUE_AGE_ALARM_THRESHOLD,
  SERVICE_NAMES,
} from './constants';
import { silenceMetric } from './silence-alarm';

export interface ConnectorMonitoringProps {
  /**
   * The SNS endpoint (config `ingress`): its request and error metrics, of the HTTP API stage
   * (ApiId and Stage) or of the receiver's function URL (AWS/Lambda Url*Count, FunctionName).
   */
  readonly endpoint: SnsIngress;
  readonly receiver: ConnectorFunction;
  readonly worker: ConnectorFunction;
  /** The scheduled reconciler, when the stack has one: its errors alarm and its counts are shown. */
  readonly reconciler?: ConnectorFunction;
  /** The reconciler's lost runs (schedule dead letters, failed invocations): alarmed when not empty. */
  readonly reconcilerFailureQueue?: IQueue;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Subscribed to the alarm topic by email when given (AWS asks the address to confirm). */
  readonly alarmEmail?: string;
  /** The "no SNS delivery" alarm (config monitoring.silence, defaults resolved); none: no such alarm. */
  readonly silence?: SilenceAlarmSettings;
  /** Encrypts the alarm topic; CloudWatch may use it (lib/keys.ts). None: unencrypted (aws-managed keys). */
  readonly topicKey: kms.IKey | undefined;
  /** Build the dashboard (config monitoring.dashboard); the alarms do not depend on it. */
  readonly dashboard: boolean;
  /** The offer table when its capacity is provisioned (config table.billing): alarmed when it keeps throttling. */
  readonly provisionedTable?: ITable;
}

/** The receiver's EMF metric counting UnsubscribeConfirmation messages (one per lost subscription). */
export const UNSUBSCRIBE_METRIC = RECEIVER_METRICS.unsubscribeConfirmations;

/** The handlers' EMF metrics shown on the dashboard, by the service that publishes them (names: core/metric-names.ts). */
export const CUSTOM_METRICS = {
  [SERVICE_NAMES.receiver]: [
    RECEIVER_METRICS.messagesRejected,
    RECEIVER_METRICS.deliveriesFailed,
    RECEIVER_METRICS.subscriptionsConfirmed,
    UNSUBSCRIBE_METRIC,
    RECEIVER_METRICS.authenticationChallenges,
  ],
  [SERVICE_NAMES.worker]: [
    WORKER_METRICS.accepted,
    WORKER_METRICS.declined,
    WORKER_METRICS.review,
    // Left open by an `ignore` rule: nobody is told.
    WORKER_METRICS.ignored,
    WORKER_METRICS.failed,
    // Demand side: assignments made, and outbox offers no supplier will take.
    WORKER_METRICS.assigned,
    WORKER_METRICS.declinedByAll,
    WORKER_METRICS.expired,
    // Records re-sent because an invocation had no time left for them (not charged a receive).
    WORKER_METRICS.handedBack,
    // Intended answers closed by the marketplace's state (answered first by a person, expired, closed).
    WORKER_METRICS.resolved,
    // Decisions made in dry-run mode (config `mode`): recorded, never sent.
    WORKER_METRICS.dryRun,
    // Won offers, referrals marked processed, ReferralReceived events put on the bus.
    WORKER_METRICS.referralsWon,
    WORKER_METRICS.referralsMarkedProcessed,
    WORKER_METRICS.referralEventsForwarded,
    // The rules store holds an invalid document, or cannot be read: the last good version is used.
    WORKER_METRICS.rulesInvalid,
    WORKER_METRICS.rulesReadFailed,
  ],
  [SERVICE_NAMES.reconciler]: [
    RECONCILER_METRICS.seen,
    RECONCILER_METRICS.enqueued,
    RECONCILER_METRICS.skippedByCap,
    RECONCILER_METRICS.malformed,
  ],
  // Marketplace logins refused (or credentials unreadable), and logins the marketplace did not
  // answer: the worker's and the reconciler's, under one service (core/metric-names.ts).
  [LOGIN_SERVICE_NAME]: [LOGIN_METRICS.failures, LOGIN_METRICS.unavailable],
} as const;

/** An alarm as ConnectorMonitoring builds it: the description comes from the runbook (alarm-runbook.ts). */
interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  /** Default: greater than the threshold. */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  /** Default 1 of 1. */
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  /** Default notBreaching: no data means no traffic, not a failure. */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /** Said in the description after what the alarm means (e.g. this stack's settings). */
  readonly detail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms on the signs that events are being lost or stuck (dead letters, errors, 5xx answers to
 * SNS, an ageing queue), sent to an SNS topic (KMS-encrypted with the connector's keys), and, when asked, one dashboard for the flow.
 */
export class ConnectorMonitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Present when props.dashboard is true (config monitoring.dashboard). */
  readonly dashboard: cloudwatch.Dashboard | undefined;

  constructor(scope: Construct, id: string, props: ConnectorMonitoringProps) {
    super(scope, id);

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'AlayaCare connector alarms',
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) {
      acknowledgeEmailSubscription(
        this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail)),
      );
    }

    const { endpoint, receiver, worker, queue, deadLetterQueue } = props;
    const sum = { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM };
    const emf = (service: string, metricName: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic: cloudwatch.Stats.SUM,
        period: FIVE_MINUTES,
      });

    if (props.silence !== undefined) {
      const { hours, businessHours } = props.silence;
      this.addAlarm('NoDeliveries', {
        metric: silenceMetric({
          settings: props.silence,
          // Free (AWS/SQS): every accepted SNS notification, reconciler find and replay (silence-alarm.ts).
          deliveries: queue.metricNumberOfMessagesSent(),
          // Published every minute while the worker polls the queue: the expression's clock.
          clock: queue.metricApproximateNumberOfMessagesVisible(),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: hours,
        datapointsToAlarm: hours,
        // No datapoint is no delivery: silence is exactly what this alarm is for.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        detail:
          businessHours === undefined
            ? `This stack: ${hours} hours without a delivery.`
            : `This stack: ${hours} business hours without a delivery, ${businessHours.days.join(',')} ${businessHours.start}:00-${businessHours.end}:00 ${businessHours.timeZone}.`,
      });
    }
    this.addAlarm('DeadLetterQueueNotEmpty', {
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
    });
    this.addAlarm('DeadLetterQueueOldestMessage', {
      metric: deadLetterQueue.metricApproximateAgeOfOldestMessage({
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: DEAD_LETTER_AGE_ALARM_THRESHOLD.toSeconds(),
      // An idle queue may stop reporting; that does not mean its messages are gone: keep the state.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    this.addAlarm('RecordsFailing', {
      metric: emf(SERVICE_NAMES.worker, WORKER_METRICS.failed),
      threshold: 0,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
    // Any refused login, the worker's or the reconciler's: logins are sparse (a token lasts about
    // an hour, the reconciler runs every few minutes to hours, the worker only with events), so an
    // M-of-N rule could never see a wrong password. Missing data keeps the state; the 0 a good
    // login writes clears it.
    this.addAlarm('MarketplaceLoginFailing', {
      metric: emf(LOGIN_SERVICE_NAME, LOGIN_METRICS.failures),
      threshold: 0,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });
    this.addAlarm('WorkerErrors', {
      metric: worker.fn.metricErrors(sum),
      threshold: 0,
    });
    this.addAlarm('ReceiverErrors', {
      metric: receiver.fn.metricErrors(sum),
      threshold: 0,
    });
    // A throttled receiver answers 429, which SNS does not retry: any throttle is a lost delivery.
    this.addAlarm('ReceiverThrottled', {
      metric: receiver.fn.metricThrottles(sum),
      threshold: 0,
    });
    if (props.reconciler !== undefined) {
      this.addAlarm('ReconcilerErrors', {
        metric: props.reconciler.fn.metricErrors(sum),
        threshold: 0,
      });
      this.addAlarm('ReconcilerFoundDroppedOffers', {
        metric: emf(SERVICE_NAMES.reconciler, RECONCILER_METRICS.enqueued).with({
          period: Duration.hours(1),
        }),
        threshold: RECONCILER_FINDS_PER_HOUR,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
      });
    }
    if (props.reconcilerFailureQueue !== undefined) {
      this.addAlarm('ReconcilerRunLost', {
        metric: props.reconcilerFailureQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 0,
      });
    }
    this.addAlarm('Api5xx', {
      metric: endpoint.metrics(FIVE_MINUTES).serverErrors,
      threshold: 0,
    });
    this.addAlarm('UnsubscribeConfirmation', {
      metric: emf(SERVICE_NAMES.receiver, UNSUBSCRIBE_METRIC),
      threshold: 0,
    });
    this.addAlarm('RulesInvalid', {
      metric: emf(SERVICE_NAMES.worker, WORKER_METRICS.rulesInvalid),
      threshold: 0,
    });
    this.addAlarm('RulesReadFailed', {
      metric: emf(SERVICE_NAMES.worker, WORKER_METRICS.rulesReadFailed),
      threshold: 0,
    });
    this.addAlarm('QueueOldestMessageAge', {
      metric: queue.metricApproximateAgeOfOldestMessage({
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: QUEUE_AGE_ALARM_THRESHOLD.toSeconds(),
    });

    if (props.provisionedTable !== undefined) {
      const table = props.provisionedTable;
      this.addAlarm('TableThrottled', {
        // An on-demand table only throttles far beyond this connector's traffic: no alarm there.
        metric: new cloudwatch.MathExpression({
          // A metric with no throttle in a period has no datapoint there: FILL keeps the other's.
          expression: 'FILL(reads, 0) + FILL(writes, 0)',
          usingMetrics: {
            reads: table.metric('ReadThrottleEvents', sum),
            writes: table.metric('WriteThrottleEvents', sum),
          },
          period: FIVE_MINUTES,
          label: 'Offer table throttle events',
        }),
        threshold: 0,
        // A burst is throttled for minutes until auto scaling catches up: only a lasting one pages.
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
      });
    }

    this.dashboard = props.dashboard ? this.buildDashboard(props, sum, emf) : undefined;
  }

  private buildDashboard(
    props: ConnectorMonitoringProps,
    sum: cloudwatch.MetricOptions,
    emf: (service: string, metricName: string) => cloudwatch.Metric,
  ): cloudwatch.Dashboard {
    const { endpoint, receiver, worker, queue, deadLetterQueue } = props;
    const endpointMetrics = endpoint.metrics(FIVE_MINUTES);
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(24),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: endpoint.title,
            left: [
              endpointMetrics.requests,
              endpointMetrics.clientErrors,
              endpointMetrics.serverErrors,
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Receiver',
            left: [
              // Deliveries: what the receiver put on the events queue (with the reconciler's finds
              // and replays; the receiver publishes no metric of its own for a normal delivery).
              queue.metricNumberOfMessagesSent({ ...sum, label: 'Events enqueued (events queue)' }),
              ...CUSTOM_METRICS[SERVICE_NAMES.receiver].map((name) =>
                emf(SERVICE_NAMES.receiver, name),
              ),
            ],
            right: [receiver.fn.metricErrors(sum), receiver.fn.metricThrottles(sum)],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Queues',
            left: [
              queue.metricApproximateNumberOfMessagesVisible({ label: 'Events queue depth' }),
              deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                label: 'Dead-letter queue depth',
              }),
            ],
            right: [queue.metricApproximateAgeOfOldestMessage({ label: 'Oldest event age (s)' })],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Worker',
            left: [worker.fn.metricInvocations(sum), worker.fn.metricErrors(sum)],
            right: [
              worker.fn.metricDuration({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.p(99) }),
            ],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Decisions; marketplace logins (right)',
            left: CUSTOM_METRICS[SERVICE_NAMES.worker].map((name) =>
              emf(SERVICE_NAMES.worker, name),
            ),
            right: CUSTOM_METRICS[LOGIN_SERVICE_NAME].map((name) => emf(LOGIN_SERVICE_NAME, name)),
            width: 24,
          }),
        ],
      ],
    });
    if (props.reconciler !== undefined) {
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Reconciler (offers SNS did not deliver)',
          left: CUSTOM_METRICS[SERVICE_NAMES.reconciler].map((name) =>
            emf(SERVICE_NAMES.reconciler, name),
          ),
          right: [props.reconciler.fn.metricErrors(sum)],
          width: 24,
        }),
      );
    }
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
    return dashboard;
  }

  private addAlarm(id: AlarmId, spec: AlarmSpec): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator:
        spec.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods ?? 1,
      treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: alarmDescription(id, spec.detail),
    });
    const action = new SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}
