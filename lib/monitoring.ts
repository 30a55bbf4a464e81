import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WORKER_METRICS } from '../lambdas/worker/worker';
import type { ConnectorFunction } from './connector-function';
import { METRICS_NAMESPACE, QUEUE_AGE_ALARM_THRESHOLD, SERVICE_NAMES } from './constants';

export interface ConnectorMonitoringProps {
  readonly api: apigateway.RestApi;
  readonly receiver: ConnectorFunction;
  readonly worker: ConnectorFunction;
  /** The scheduled reconciler, when the stack has one: its errors alarm and its counts are shown. */
  readonly reconciler?: ConnectorFunction;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Subscribed to the alarm topic by email when given (AWS asks the address to confirm). */
  readonly alarmEmail?: string;
}

/** The receiver's EMF metric counting UnsubscribeConfirmation messages (one per lost subscription). */
export const UNSUBSCRIBE_METRIC = 'UnsubscribeConfirmations';

/** The handlers' EMF metrics shown on the dashboard, by the service that publishes them. */
export const CUSTOM_METRICS = {
  [SERVICE_NAMES.receiver]: [
    'NotificationsEnqueued',
    'MessagesRejected',
    'DeliveriesFailed',
    'SubscriptionsConfirmed',
    UNSUBSCRIBE_METRIC,
    'AuthenticationChallenges',
  ],
  [SERVICE_NAMES.worker]: [
    'OffersAccepted',
    'OffersDeclined',
    'OffersForReview',
    // Left open by an `ignore` rule: nobody is told.
    'OffersIgnored',
    'RecordsFailed',
    // Demand side: assignments made, and outbox offers no supplier will take.
    'OffersAssigned',
    'OutboxOffersDeclinedByAll',
    'OutboxOffersExpired',
    // Records re-sent because an invocation had no time left for them (not charged a receive).
    'RecordsHandedBack',
    // Intended answers closed by the marketplace's state (answered first by a person, expired, closed).
    'AnswersResolved',
    // Decisions made in dry-run mode (config `mode`): recorded, never sent.
    'DryRunDecisions',
    // Won offers, referrals marked processed, ReferralReceived events put on the bus.
    WORKER_METRICS.referralsWon,
    WORKER_METRICS.referralsMarkedProcessed,
    WORKER_METRICS.referralEventsForwarded,
    // The rules store holds an invalid document, or cannot be read: the last good version is used.
    WORKER_METRICS.rulesInvalid,
    WORKER_METRICS.rulesReadFailed,
  ],
  [SERVICE_NAMES.reconciler]: ['ReconcilerOffersSeen', 'ReconcilerOffersEnqueued', 'ReconcilerOffersSkippedByCap', 'ReconcilerItemsMalformed'],
} as const;

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms on the signs that events are being lost or stuck (dead letters, errors, 5xx answers to
 * SNS, an ageing queue), sent to a KMS-encrypted SNS topic, and one dashboard for the flow.
 */
export class ConnectorMonitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ConnectorMonitoringProps) {
    super(scope, id);

    // A key of its own: CloudWatch must be allowed to use it to publish alarms to the encrypted
    // topic, and that permission should not extend to the key that protects offer data.
    const alarmKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'AlayaCare connector: encrypts the alarm topic',
      enableKeyRotation: true,
      // Alarm notifications are transient; nothing stays encrypted under this key.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    alarmKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'AlayaCare connector alarms',
      masterKey: alarmKey,
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) {
      this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    }

    const { api, receiver, worker, queue, deadLetterQueue } = props;
    const sum = { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM };
    const emf = (service: string, metricName: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic: cloudwatch.Stats.SUM,
        period: FIVE_MINUTES,
      });

    this.addAlarm('DeadLetterQueueNotEmpty', {
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      alarmDescription: 'Events failed processing 5 times and wait in the dead-letter queue: inspect, fix, redrive.',
    });
    this.addAlarm('WorkerErrors', {
      metric: worker.fn.metricErrors(sum),
      threshold: 0,
      alarmDescription: 'The worker function failed (crash or timeout); its batch will be retried.',
    });
    this.addAlarm('ReceiverErrors', {
      metric: receiver.fn.metricErrors(sum),
      threshold: 0,
      alarmDescription: 'The receiver function failed; SNS retries for about a minute, then drops the message.',
    });
    if (props.reconciler !== undefined) {
      this.addAlarm('ReconcilerErrors', {
        metric: props.reconciler.fn.metricErrors(sum),
        threshold: 0,
        alarmDescription:
          'A reconciler run failed (marketplace, table or queue); Lambda retries it and the next scheduled run starts over. Offers SNS did not deliver wait until a run succeeds.',
      });
    }
    this.addAlarm('Api5xx', {
      metric: api.metricServerError(sum),
      threshold: 0,
      alarmDescription: 'The SNS endpoint answered 5xx; SNS retries for about a minute, then drops the message.',
    });
    this.addAlarm('UnsubscribeConfirmation', {
      metric: emf(SERVICE_NAMES.receiver, UNSUBSCRIBE_METRIC),
      threshold: 0,
      alarmDescription:
        'A topic confirmed that this endpoint was unsubscribed: its events no longer arrive. The receiver log line "Unsubscribe confirmation received" names the topic; ask AlayaCare to subscribe again if it was not intended.',
    });
    this.addAlarm('RulesInvalid', {
      metric: emf(SERVICE_NAMES.worker, WORKER_METRICS.rulesInvalid),
      threshold: 0,
      alarmDescription:
        'The rules object is invalid: workers keep the last good version, and a worker that has none fails its records. The worker log line "Rules invalid; keeping the last good version" names the fields; publish a valid file or copy back an earlier version.',
    });
    this.addAlarm('RulesReadFailed', {
      metric: emf(SERVICE_NAMES.worker, WORKER_METRICS.rulesReadFailed),
      threshold: 0,
      alarmDescription:
        'The worker could not read the rules object (deleted, permissions, key, S3 errors): it keeps the last good version, and a worker that has none fails its records. The worker log names the error.',
    });
    this.addAlarm('QueueOldestMessageAge', {
      metric: queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: QUEUE_AGE_ALARM_THRESHOLD.toSeconds(),
      alarmDescription: `An event has waited over ${QUEUE_AGE_ALARM_THRESHOLD.toMinutes()} minutes: the worker is failing or throttled.`,
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(24),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'SNS endpoint (API Gateway)',
            left: [api.metricCount(sum), api.metricClientError(sum), api.metricServerError(sum)],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Receiver',
            left: CUSTOM_METRICS[SERVICE_NAMES.receiver].map((name) => emf(SERVICE_NAMES.receiver, name)),
            right: [receiver.fn.metricErrors(sum)],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Queues',
            left: [
              queue.metricApproximateNumberOfMessagesVisible({ label: 'Events queue depth' }),
              deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'Dead-letter queue depth' }),
            ],
            right: [queue.metricApproximateAgeOfOldestMessage({ label: 'Oldest event age (s)' })],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Worker',
            left: [worker.fn.metricInvocations(sum), worker.fn.metricErrors(sum)],
            right: [worker.fn.metricDuration({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.p(99) })],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Decisions',
            left: CUSTOM_METRICS[SERVICE_NAMES.worker].map((name) => emf(SERVICE_NAMES.worker, name)),
            width: 24,
          }),
        ],
      ],
    });
    if (props.reconciler !== undefined) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Reconciler (offers SNS did not deliver)',
          left: CUSTOM_METRICS[SERVICE_NAMES.reconciler].map((name) => emf(SERVICE_NAMES.reconciler, name)),
          right: [props.reconciler.fn.metricErrors(sum)],
          width: 24,
        }),
      );
    }
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }

  private addAlarm(id: string, props: Pick<cloudwatch.AlarmProps, 'metric' | 'threshold' | 'alarmDescription'>): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No data means no traffic, not a failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}
