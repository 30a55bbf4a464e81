/**
 * What the app stack synthesises for monitoring and reconciling from a config (bundling skipped,
 * cdk.json feature flags on): alarms (the unsubscribe alarm included) and the dashboard, and the
 * reconciler (schedule rate, retries, environment, read-only table grant, absent for demand or when
 * disabled). Siblings: stacks-state.test.ts, stacks-endpoint-functions.test.ts.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { ConnectorConfig } from '../../lambdas/core/config';
import { RECEIVER_METRICS } from '../../lambdas/receiver/receiver';
import { RECONCILER_METRICS } from '../../lambdas/reconciler/reconciler';
import { METRICS_NAMESPACE } from '../../lib/constants';
import { CUSTOM_METRICS, UNSUBSCRIBE_METRIC } from '../../lib/monitoring';
import { app, arnOf, refTo, useDistinctiveStacks } from '../support/stacks-templates';
import {
  build,
  envOf,
  exampleConfig,
  functionFor,
  onlyResource,
  resourcesOf,
} from './infra-support';

useDistinctiveStacks();

/** The alarm topic (the app stack also has the review notification topic, review-notifications.test.ts). */
const alarmTopicOf = (template: Template) =>
  onlyResource(
    template,
    'AWS::SNS::Topic',
    (p) => p['DisplayName'] === 'AlayaCare connector alarms',
  );

describe('alarms', () => {
  const alarmNamed = (fragment: string) =>
    Object.entries(resourcesOf(app, 'AWS::CloudWatch::Alarm'))
      .filter(([id]) => id.includes(fragment))
      .map(([, a]) => a.Properties ?? {});

  it('watch the DLQ, errors, 5xx, queue age and unsubscribes, and all notify the alarm topic', () => {
    const topic = alarmTopicOf(app);
    const alarms = Object.values(resourcesOf(app, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties ?? {},
    );
    expect(alarms.map((a) => a['MetricName']).sort()).toEqual(
      [
        '5xx',
        'ApproximateAgeOfOldestMessage',
        'ApproximateAgeOfOldestMessage',
        'ApproximateNumberOfMessagesVisible',
        // The reconciler failure queue (ReconcilerRunLost).
        'ApproximateNumberOfMessagesVisible',
        'Errors',
        'Errors',
        'Errors',
        // The receiver's (ReceiverThrottled).
        'Throttles',
        UNSUBSCRIBE_METRIC,
        'RulesInvalid',
        'RulesReadFailed',
        // The events queue's messages sent (NoDeliveries).
        'NumberOfMessagesSent',
        'RecordsFailed',
        // The worker's and the reconciler's logins, one metric (MarketplaceLoginFailing).
        'MarketplaceLoginFailures',
        'ReconcilerOffersEnqueued',
      ].sort(),
    );
    for (const alarm of alarms) expect(alarm['AlarmActions']).toEqual([refTo(topic.id)]);

    const [dlqAlarm] = alarmNamed('DeadLetterQueue');
    expect(dlqAlarm).toEqual(
      expect.objectContaining({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' }),
    );
    expect(JSON.stringify(dlqAlarm['Dimensions'])).toContain('DeadLetterQueue');
  });

  it('tell someone when a topic unsubscribes this endpoint: the receiver’s EMF count, any in 5 minutes', () => {
    expect(UNSUBSCRIBE_METRIC).toBe(RECEIVER_METRICS.unsubscribeConfirmations);
    const [alarm, ...others] = alarmNamed('Unsubscribe');
    expect(others).toEqual([]);
    expect(alarm).toEqual(
      expect.objectContaining({
        Namespace: METRICS_NAMESPACE,
        MetricName: RECEIVER_METRICS.unsubscribeConfirmations,
        Dimensions: [{ Name: 'service', Value: 'receiver' }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
  });

  it('go to a KMS-encrypted, TLS-only topic, with an email subscription only when alarmEmail is set', () => {
    const topic = alarmTopicOf(app);
    expect(topic.properties['KmsMasterKeyId']).toBeDefined();
    app.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    app.resourceCountIs('AWS::SNS::Subscription', 0);

    const withEmail = build({ ...exampleConfig(), alarmEmail: 'ops@example.org' });
    withEmail.appTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
    });
  });

  it('the dashboard’s receiver metrics are names the receiver publishes', () => {
    const published: string[] = Object.values(RECEIVER_METRICS);
    for (const metric of CUSTOM_METRICS.receiver) expect(published).toContain(metric);
  });

  it('the dashboard’s Receiver graph draws the events queue’s NumberOfMessagesSent as deliveries (no receiver metric for them)', () => {
    const dashboard = onlyResource(app, 'AWS::CloudWatch::Dashboard');
    // The body is an Fn::Join of JSON text and references (the queue name): a placeholder for each.
    const [, parts] = (
      dashboard.properties['DashboardBody'] as { 'Fn::Join': [string, unknown[]] }
    )['Fn::Join'];
    const body = JSON.parse(
      parts.map((part) => (typeof part === 'string' ? part : 'REF')).join(''),
    ) as { widgets: { properties: { title?: string; metrics?: unknown[][] } }[] };
    const receiver = body.widgets.find((w) => w.properties.title === 'Receiver');
    expect(receiver?.properties.metrics?.[0]?.slice(0, 4)).toEqual([
      'AWS/SQS',
      'NumberOfMessagesSent',
      'QueueName',
      'REF',
    ]);
    expect(JSON.stringify(body)).not.toContain('NotificationsEnqueued');
  });

  it('the dashboard shows every custom metric in the connector namespace by service', () => {
    const dashboard = onlyResource(app, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.properties['DashboardBody']);
    for (const [service, metrics] of Object.entries(CUSTOM_METRICS)) {
      for (const metric of metrics) {
        expect(body).toContain(
          `\\"${METRICS_NAMESPACE}\\",\\"${metric}\\",\\"service\\",\\"${service}\\"`,
        );
      }
    }
  });
});

describe('reconciler', () => {
  const schedulesOf = (template: Template) =>
    Object.values(resourcesOf(template, 'AWS::Events::Rule'));

  it('runs on an EventBridge schedule at the configured rate, retried twice within one interval', () => {
    const reconciler = functionFor(app, 'reconciler');
    const schedule = onlyResource(app, 'AWS::Events::Rule');
    expect(schedule.properties['ScheduleExpression']).toBe('rate(30 minutes)');
    expect(schedule.properties['State']).toBe('ENABLED');
    expect(schedule.properties['Targets']).toEqual([
      expect.objectContaining({
        Arn: arnOf(reconciler.id),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 1800 },
      }),
    ]);
    app.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(reconciler.id),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(schedule.id),
    });
    // Lambda's own retries of a failed (thrown) asynchronous run.
    app.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: refTo(reconciler.id),
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 1800,
    });
  });

  it('runs every 15 minutes by default, and caps the retry age at 6 hours for a daily schedule', () => {
    const defaults = build(exampleConfig()).appTemplate;
    expect(onlyResource(defaults, 'AWS::Events::Rule').properties['ScheduleExpression']).toBe(
      'rate(15 minutes)',
    );
    const daily = build({
      ...exampleConfig(),
      reconciler: { enabled: true, intervalMinutes: 1440 },
    }).appTemplate;
    expect(onlyResource(daily, 'AWS::Events::Rule').properties['ScheduleExpression']).toBe(
      'rate(1 day)',
    );
    daily.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumEventAgeInSeconds: 6 * 3600,
    });
  });

  it('gets the marketplace, credentials, table, queue and role, and no rules', () => {
    const env = envOf(functionFor(app, 'reconciler').properties);
    expect(env['MARKETPLACE_BASE_URL']).toBe('https://marketplace.example.test');
    expect(env['CONNECTOR_ROLE']).toBe('supply');
    expect(JSON.stringify(env['TABLE_NAME'])).toContain('OfferTable');
    expect(JSON.stringify(env['QUEUE_URL'])).toContain('EventsQueue');
    expect(JSON.stringify(env['CREDENTIALS_SECRET_ARN'])).toContain('Credentials');
    expect(env).not.toHaveProperty('RULES_JSON');
  });

  it('may read the table and update offer items only (its enqueue marks), and may only send to the queue', () => {
    const policy = onlyResource(app, 'AWS::IAM::Policy', (p) =>
      JSON.stringify(p['Roles']).includes('Reconciler'),
    );
    type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
    const statements = (policy.properties['PolicyDocument'] as { Statement: Statement[] })
      .Statement;
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'sqs:SendMessage',
        'secretsmanager:GetSecretValue',
      ]),
    );
    for (const write of [
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
    ]) {
      expect(actions).not.toContain(write);
    }
    const updates = statements.filter((s) => [s.Action].flat().includes('dynamodb:UpdateItem'));
    expect(updates).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:UpdateItem',
        Resource: expect.objectContaining({
          'Fn::ImportValue': expect.stringContaining('OfferTable'),
        }),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['OFFER#*'] } },
      }),
    ]);
  });

  it('has an errors alarm on the alarm topic and its counts on the dashboard', () => {
    const topic = alarmTopicOf(app);
    const reconciler = functionFor(app, 'reconciler');
    const [alarm, ...others] = Object.entries(resourcesOf(app, 'AWS::CloudWatch::Alarm'))
      .filter(([id]) => id.includes('ReconcilerErrors'))
      .map(([, a]) => a.Properties ?? {});
    expect(others).toEqual([]);
    expect(alarm).toEqual(
      expect.objectContaining({
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: refTo(reconciler.id) }],
        Threshold: 0,
        AlarmActions: [refTo(topic.id)],
      }),
    );
    expect(CUSTOM_METRICS.reconciler).toEqual(
      expect.arrayContaining(Object.values(RECONCILER_METRICS)),
    );
  });

  it('is created for role both too', () => {
    const both = build({ ...exampleConfig(), role: 'both' }).appTemplate;
    expect(schedulesOf(both)).toHaveLength(1);
    expect(envOf(functionFor(both, 'reconciler').properties)['CONNECTOR_ROLE']).toBe('both');
  });

  it.each([
    ['role demand', (): ConnectorConfig => ({ ...exampleConfig(), role: 'demand' })],
    [
      'reconciler.enabled false',
      (): ConnectorConfig => ({
        ...exampleConfig(),
        reconciler: { enabled: false, intervalMinutes: 15 },
      }),
    ],
  ])('is absent (no function, schedule, invoke config or alarm) for %s', (_label, config) => {
    const template = build(config()).appTemplate;
    expect(schedulesOf(template)).toEqual([]);
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
    const services = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map(
      (f) => envOf(f.Properties ?? {})['POWERTOOLS_SERVICE_NAME'],
    );
    expect(services.sort()).toEqual(['receiver', 'worker']);
    expect(
      Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter((id) =>
        id.includes('Reconciler'),
      ),
    ).toEqual([]);
  });
});
