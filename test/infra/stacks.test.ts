/**
 * Covers what the two stacks synthesise from a config (bundling skipped, cdk.json feature flags
 * on): the SNS endpoint and its throttling, queue and dead-letter queue protection and redrive,
 * the visibility timeout derived from the worker timeout, the worker's event source, the table,
 * the credentials secret (created or imported), the functions' shared defaults and environment,
 * outputs, alarms and the dashboard, and that two synths give identical templates.
 * cdk-nag findings are in nag.test.ts; real bundling of the handlers in synth.test.ts; config
 * parsing in config.test.ts.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { ConnectorConfig } from '../../lambdas/core/config';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { MAX_RECEIVE_COUNT, METRICS_NAMESPACE, VISIBILITY_TIMEOUT_FACTOR } from '../../lib/constants';
import { CUSTOM_METRICS } from '../../lib/monitoring';
import { build, envOf, exampleConfig, functionFor, onlyResource, resourcesOf, type Built } from './infra-support';

const IMPORTED_SECRET = 'arn:aws:secretsmanager:ca-central-1:111122223333:secret:alayacare-login-AbC123';

/** Values unlike every default, so a test cannot pass on a default by accident. */
function distinctiveConfig(): ConnectorConfig {
  return {
    ...exampleConfig(),
    apiThrottle: { rateLimit: 7, burstLimit: 13 },
    workerMaxConcurrency: 9,
    logRetentionDays: 90,
    marketplace: { baseUrl: 'https://marketplace.example.test' },
  };
}

let built: Built;
let state: Template;
let app: Template;
beforeAll(() => {
  built = build(distinctiveConfig());
  state = built.stateTemplate;
  app = built.appTemplate;
});

const refTo = (logicalId: string) => ({ Ref: logicalId });
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** Logical id of the queue with (or without) a redrive policy, i.e. events queue vs DLQ. */
function queueIds(template: Template): { events: string; dlq: string } {
  const queues = Object.entries(resourcesOf(template, 'AWS::SQS::Queue'));
  const events = queues.filter(([, q]) => q.Properties?.['RedrivePolicy'] !== undefined);
  const dlq = queues.filter(([, q]) => q.Properties?.['RedrivePolicy'] === undefined);
  if (events.length !== 1 || dlq.length !== 1) throw new Error('expected one events queue and one DLQ');
  return { events: events[0]![0], dlq: dlq[0]![0] };
}

describe('SNS endpoint', () => {
  it('routes POST /sns to the receiver through a Lambda proxy integration', () => {
    const receiver = functionFor(app, 'receiver');
    const snsResource = onlyResource(app, 'AWS::ApiGateway::Resource', (p) => p['PathPart'] === 'sns');
    app.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      ResourceId: refTo(snsResource.id),
      AuthorizationType: 'NONE',
      Integration: {
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        Uri: { 'Fn::Join': ['', Match.arrayWith([arnOf(receiver.id)])] },
      },
      RequestParameters: { 'method.request.header.x-amz-sns-message-type': true },
    });
    expect(Object.keys(resourcesOf(app, 'AWS::ApiGateway::Method'))).toHaveLength(1);
  });

  it('throttles the stage with the configured rate and burst, logs access and traces', () => {
    const { properties } = onlyResource(app, 'AWS::ApiGateway::Stage');
    expect(properties['MethodSettings']).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 7,
        ThrottlingBurstLimit: 13,
        DataTraceEnabled: false,
      }),
    ]);
    expect(properties['TracingEnabled']).toBe(true);
    const accessLog = properties['AccessLogSetting'] as { DestinationArn: unknown; Format: string };
    const destination = JSON.stringify(accessLog.DestinationArn);
    const accessLogGroups = Object.entries(resourcesOf(app, 'AWS::Logs::LogGroup')).filter(([id]) => destination.includes(`"${id}"`));
    expect(accessLogGroups).toHaveLength(1);
    expect(accessLogGroups[0]?.[1].Properties?.['RetentionInDays']).toBe(90);
    expect(accessLog.Format).toContain('$context.status');
  });

  it('outputs the HTTPS URL of POST /sns', () => {
    const output = app.findOutputs('SnsEndpointUrl')['SnsEndpointUrl'] as { Value: { 'Fn::Join': [string, unknown[]] } };
    const parts = output.Value['Fn::Join'][1];
    expect(parts[0]).toBe('https://');
    expect(parts[parts.length - 1]).toBe('/sns');
  });
});

describe('events queue and dead-letter queue', () => {
  it('encrypt both with the data key and refuse non-TLS requests', () => {
    const { events, dlq } = queueIds(state);
    const key = onlyResource(state, 'AWS::KMS::Key');
    const queues = resourcesOf(state, 'AWS::SQS::Queue');
    for (const queue of [events, dlq]) {
      expect(queues[queue]?.Properties?.['KmsMasterKeyId']).toEqual(arnOf(key.id));
      state.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [refTo(queue)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('redrive to the DLQ after 5 receives; the DLQ keeps messages 14 days', () => {
    const { events, dlq } = queueIds(state);
    const eventsQueue = resourcesOf(state, 'AWS::SQS::Queue')[events]!;
    expect(eventsQueue.Properties?.['RedrivePolicy']).toEqual({ deadLetterTargetArn: arnOf(dlq), maxReceiveCount: MAX_RECEIVE_COUNT });
    expect(MAX_RECEIVE_COUNT).toBe(5);
    expect(resourcesOf(state, 'AWS::SQS::Queue')[dlq]!.Properties?.['MessageRetentionPeriod']).toBe(14 * 24 * 3600);
  });

  it(`keep messages invisible for at least ${VISIBILITY_TIMEOUT_FACTOR}x the worker timeout`, () => {
    const { events } = queueIds(state);
    const visibility = resourcesOf(state, 'AWS::SQS::Queue')[events]!.Properties?.['VisibilityTimeout'];
    const workerTimeout = functionFor(app, 'worker').properties['Timeout'];
    expect(typeof visibility).toBe('number');
    expect(typeof workerTimeout).toBe('number');
    expect(visibility as number).toBeGreaterThanOrEqual(6 * (workerTimeout as number));
  });
});

describe('worker event source', () => {
  it('reads the events queue in batches of 10, reports item failures, bounded by the configured concurrency', () => {
    const worker = functionFor(app, 'worker');
    const mapping = onlyResource(app, 'AWS::Lambda::EventSourceMapping');
    expect(mapping.properties).toEqual(
      expect.objectContaining({
        FunctionName: refTo(worker.id),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 9 },
      }),
    );
    expect(JSON.stringify(mapping.properties['EventSourceArn'])).toContain('EventsQueue');
  });
});

describe('offer table', () => {
  it('is on-demand, point-in-time recoverable, encrypted with the data key, retained, with the shared key schema and TTL', () => {
    const key = onlyResource(state, 'AWS::KMS::Key');
    const table = onlyResource(state, 'AWS::DynamoDB::Table');
    expect(table.properties).toEqual(
      expect.objectContaining({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: expect.objectContaining({ PointInTimeRecoveryEnabled: true }),
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf(key.id) },
        KeySchema: [
          { AttributeName: OFFER_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: OFFER_TABLE.sortKey, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: OFFER_TABLE.ttlAttribute, Enabled: true },
      }),
    );
    expect(table.resource['DeletionPolicy']).toBe('Retain');
    expect(table.resource['UpdateReplacePolicy']).toBe('Retain');
  });

  it('the data key rotates and is retained', () => {
    const key = onlyResource(state, 'AWS::KMS::Key');
    expect(key.properties['EnableKeyRotation']).toBe(true);
    expect(key.resource['DeletionPolicy']).toBe('Retain');
  });
});

describe('credentials secret', () => {
  it('is created with a username placeholder and a generated password, and bound to the worker', () => {
    const secret = onlyResource(state, 'AWS::SecretsManager::Secret');
    expect(secret.properties['GenerateSecretString']).toEqual(
      expect.objectContaining({ SecretStringTemplate: JSON.stringify({ username: 'CHANGE_ME' }), GenerateStringKey: 'password' }),
    );
    expect(secret.resource['DeletionPolicy']).toBe('Retain');
    expect(JSON.stringify(envOf(functionFor(app, 'worker').properties)['CREDENTIALS_SECRET_ARN'])).toContain('Credentials');
  });

  it('is imported when credentialsSecretArn is set: no secret resource, the worker reads exactly that ARN', () => {
    const imported = build({ ...exampleConfig(), credentialsSecretArn: IMPORTED_SECRET });
    imported.stateTemplate.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(envOf(functionFor(imported.appTemplate, 'worker').properties)['CREDENTIALS_SECRET_ARN']).toBe(IMPORTED_SECRET);
    imported.appTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: IMPORTED_SECRET }),
        ]),
      },
    });
  });
});

describe('functions', () => {
  it('all run Node.js 22 or newer on arm64 with active tracing and a log group with the configured retention', () => {
    const functions = Object.values(resourcesOf(app, 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(2);
    const logGroups = resourcesOf(app, 'AWS::Logs::LogGroup');
    for (const fn of functions) {
      const p = fn.Properties ?? {};
      const major = Number(/^nodejs(\d+)\.x$/.exec(String(p['Runtime']))?.[1]);
      expect(major).toBeGreaterThanOrEqual(22);
      expect(p['Architectures']).toEqual(['arm64']);
      expect(p['TracingConfig']).toEqual({ Mode: 'Active' });
      const logGroupRef = (p['LoggingConfig'] as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logGroups[logGroupRef]?.Properties?.['RetentionInDays']).toBe(90);
      expect(envOf(p)).toEqual(
        expect.objectContaining({
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        }),
      );
    }
  });

  it('use their own roles without managed policies; only the API Gateway logging role has one', () => {
    const roles = Object.values(resourcesOf(app, 'AWS::IAM::Role'));
    const withManaged = roles.filter((r) => r.Properties?.['ManagedPolicyArns'] !== undefined);
    expect(withManaged).toHaveLength(1);
    expect(JSON.stringify(withManaged[0]?.Properties?.['ManagedPolicyArns'])).toContain('AmazonAPIGatewayPushToCloudWatchLogs');
  });

  it('give the worker its table, marketplace, role and exactly the configured rules', () => {
    const config = distinctiveConfig();
    const env = envOf(functionFor(app, 'worker').properties);
    expect(JSON.parse(env['RULES_JSON'] as string)).toEqual(config.rules);
    expect(env['MARKETPLACE_BASE_URL']).toBe('https://marketplace.example.test');
    expect(env['CONNECTOR_ROLE']).toBe('supply');
    expect(env['POWERTOOLS_SERVICE_NAME']).toBe('worker');
    expect(JSON.stringify(env['TABLE_NAME'])).toContain('OfferTable');
  });

  it('give the receiver the queue URL and the allowed topics', () => {
    const env = envOf(functionFor(app, 'receiver').properties);
    expect(env['ALLOWED_TOPIC_ARNS']).toBe(distinctiveConfig().allowedTopicArns.join(','));
    expect(JSON.stringify(env['QUEUE_URL'])).toContain('EventsQueue');
  });

  it('derive the marketplace URL from environment and region', () => {
    const fromExample = build(exampleConfig());
    expect(envOf(functionFor(fromExample.appTemplate, 'worker').properties)['MARKETPLACE_BASE_URL']).toBe('https://api.sandbox.alayamarket.ca');
  });
});

describe('outputs', () => {
  it('name the queue, the DLQ, the table and the secret', () => {
    for (const name of ['EventsQueueName', 'DeadLetterQueueName', 'OfferTableName', 'CredentialsSecretArn']) {
      expect(Object.keys(state.findOutputs(name))).toEqual([name]);
    }
  });
});

describe('alarms', () => {
  const alarmNamed = (fragment: string) =>
    Object.entries(resourcesOf(app, 'AWS::CloudWatch::Alarm')).filter(([id]) => id.includes(fragment)).map(([, a]) => a.Properties ?? {});

  it('watch the DLQ, errors, 5xx and queue age, and all notify the alarm topic', () => {
    const topic = onlyResource(app, 'AWS::SNS::Topic');
    const alarms = Object.values(resourcesOf(app, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties ?? {});
    expect(alarms.map((a) => a['MetricName']).sort()).toEqual(
      ['5XXError', 'ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible', 'Errors', 'Errors'].sort(),
    );
    for (const alarm of alarms) expect(alarm['AlarmActions']).toEqual([refTo(topic.id)]);

    const [dlqAlarm] = alarmNamed('DeadLetterQueue');
    expect(dlqAlarm).toEqual(expect.objectContaining({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' }));
    expect(JSON.stringify(dlqAlarm?.['Dimensions'])).toContain('DeadLetterQueue');
  });

  it('go to a KMS-encrypted, TLS-only topic, with an email subscription only when alarmEmail is set', () => {
    const topic = onlyResource(app, 'AWS::SNS::Topic');
    expect(topic.properties['KmsMasterKeyId']).toBeDefined();
    app.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    app.resourceCountIs('AWS::SNS::Subscription', 0);

    const withEmail = build({ ...exampleConfig(), alarmEmail: 'ops@example.org' });
    withEmail.appTemplate.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
  });

  it('the dashboard shows every custom metric in the connector namespace by service', () => {
    const dashboard = onlyResource(app, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.properties['DashboardBody']);
    for (const [service, metrics] of Object.entries(CUSTOM_METRICS)) {
      for (const metric of metrics) {
        expect(body).toContain(`\\"${METRICS_NAMESPACE}\\",\\"${metric}\\",\\"service\\",\\"${service}\\"`);
      }
    }
  });
});

describe('determinism', () => {
  it('two synths of the same config give identical templates (no timestamps or random values)', () => {
    const again = build(distinctiveConfig());
    expect(again.stateTemplate.toJSON()).toEqual(state.toJSON());
    expect(again.appTemplate.toJSON()).toEqual(app.toJSON());
  });
});
