/**
 * Covers what the two stacks synthesise from a config (bundling skipped, cdk.json feature flags
 * on): the SNS endpoint and its throttling, queue and dead-letter queue protection and redrive,
 * the visibility timeout derived from the worker timeout, the worker's event source, the table,
 * the credentials secret (created or imported), the optional shared secret of the SNS endpoint,
 * the functions' shared defaults and environment (the receiver's exact topic ARNs and policy
 * switches), outputs, alarms (the unsubscribe alarm included) and the dashboard, the reconciler
 * (schedule rate, retries, environment, read-only table grant, absent for demand or when
 * disabled), and that two synths give identical templates.
 * cdk-nag findings are in nag.test.ts; real bundling of the handlers in synth.test.ts; config
 * parsing in config.test.ts; the worker's queue wiring and timing in worker-queue.test.ts.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { resolveAllowedTopicArns, type ConnectorConfig } from '../../lambdas/core/config';
import { RECEIVER_METRICS } from '../../lambdas/receiver/receiver';
import { RECONCILER_METRICS } from '../../lambdas/reconciler/reconciler';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { VISIBILITY_TIMEOUT_FACTOR } from '../../lambdas/worker/timing';
import { MAX_RECEIVE_COUNT, METRICS_NAMESPACE } from '../../lib/constants';
import { CUSTOM_METRICS, UNSUBSCRIBE_METRIC } from '../../lib/monitoring';
import {
  build,
  envOf,
  exampleConfig,
  functionFor,
  onlyResource,
  resourcesOf,
  type Built,
} from './infra-support';

const IMPORTED_SECRET =
  'arn:aws:secretsmanager:ca-central-1:111122223333:secret:alayacare-login-AbC123';

/** Values unlike every default, so a test cannot pass on a default by accident. */
function distinctiveConfig(): ConnectorConfig {
  return {
    ...exampleConfig(),
    apiThrottle: { rateLimit: 7, burstLimit: 13 },
    workerMaxConcurrency: 9,
    logRetentionDays: 90,
    marketplace: { baseUrl: 'https://marketplace.example.test' },
    reconciler: { enabled: true, intervalMinutes: 30 },
    // Both off by default (cost-options.test.ts covers the defaults).
    tracing: true,
    monitoring: { ...exampleConfig().monitoring, dashboard: true },
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

/** The alarm topic (the app stack also has the review notification topic, review-notifications.test.ts). */
const alarmTopicOf = (template: Template) =>
  onlyResource(
    template,
    'AWS::SNS::Topic',
    (p) => p['DisplayName'] === 'AlayaCare connector alarms',
  );
const refTo = (logicalId: string) => ({ Ref: logicalId });
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** Logical id of the queue with (or without) a redrive policy, i.e. events queue vs DLQ. */
function queueIds(template: Template): { events: string; dlq: string } {
  const queues = Object.entries(resourcesOf(template, 'AWS::SQS::Queue'));
  const events = queues.filter(([, q]) => q.Properties?.['RedrivePolicy'] !== undefined);
  const dlq = queues.filter(([, q]) => q.Properties?.['RedrivePolicy'] === undefined);
  if (events.length !== 1 || dlq.length !== 1)
    throw new Error('expected one events queue and one DLQ');
  return { events: events[0][0], dlq: dlq[0][0] };
}

describe('SNS endpoint', () => {
  it('is an HTTP API (no REST API, no account-level API Gateway setting) with POST /sns only', () => {
    app.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    app.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const restTypes = Object.values(app.toJSON()['Resources'] as Record<string, { Type: string }>)
      .map((r) => r.Type)
      .filter((type) => type.startsWith('AWS::ApiGateway::'));
    expect(restTypes).toEqual([]);
    const routes = Object.values(resourcesOf(app, 'AWS::ApiGatewayV2::Route'));
    expect(routes.map((r) => r.Properties?.['RouteKey'])).toEqual(['POST /sns']);
    expect(routes[0]?.Properties?.['AuthorizationType']).toBe('NONE');
  });

  it('routes POST /sns to the receiver through a payload 1.0 Lambda proxy integration', () => {
    const receiver = functionFor(app, 'receiver');
    const integration = onlyResource(app, 'AWS::ApiGatewayV2::Integration');
    expect(integration.properties).toEqual(
      expect.objectContaining({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: arnOf(receiver.id),
        PayloadFormatVersion: '1.0',
      }),
    );
    app.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /sns',
      Target: { 'Fn::Join': ['', ['integrations/', refTo(integration.id)]] },
    });
    // API Gateway may invoke the receiver for this route only.
    app.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: arnOf(receiver.id),
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Join': ['', Match.arrayWith(['/*/*/sns'])] },
    });
  });

  it('deploys the $default stage automatically, throttled with the configured rate and burst, with JSON access logs', () => {
    const { properties } = onlyResource(app, 'AWS::ApiGatewayV2::Stage');
    expect(properties['StageName']).toBe('$default');
    expect(properties['AutoDeploy']).toBe(true);
    expect(properties['DefaultRouteSettings']).toEqual({
      ThrottlingRateLimit: 7,
      ThrottlingBurstLimit: 13,
    });
    const accessLog = properties['AccessLogSettings'] as {
      DestinationArn: unknown;
      Format: string;
    };
    const destination = JSON.stringify(accessLog.DestinationArn);
    const accessLogGroups = Object.entries(resourcesOf(app, 'AWS::Logs::LogGroup')).filter(([id]) =>
      destination.includes(`"${id}"`),
    );
    expect(accessLogGroups).toHaveLength(1);
    expect(accessLogGroups[0]?.[0]).toMatch(/^ApiAccessLogs/);
    expect(accessLogGroups[0]?.[1].Properties?.['RetentionInDays']).toBe(90);
    expect(accessLogGroups[0]?.[1].Properties?.['KmsKeyId']).toBeDefined();
    const format = JSON.parse(accessLog.Format) as Record<string, string>;
    expect(format).toEqual(
      expect.objectContaining({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        requestTime: '$context.requestTime',
        routeKey: '$context.routeKey',
        status: '$context.status',
        responseLength: '$context.responseLength',
        integrationError: '$context.integrationErrorMessage',
        integrationLatency: '$context.integrationLatency',
      }),
    );
    // Nothing a request carries (headers, query, body) is logged.
    expect(accessLog.Format).not.toMatch(/header|querystring|body/i);
  });

  it('outputs the HTTPS URL of POST /sns: the HTTP API execute-api host, no stage in the path', () => {
    const output = app.findOutputs('SnsEndpointUrl')['SnsEndpointUrl'] as {
      Value: { 'Fn::Join': [string, unknown[]] };
    };
    const parts = output.Value['Fn::Join'][1];
    const api = Object.keys(resourcesOf(app, 'AWS::ApiGatewayV2::Api'))[0] ?? 'none';
    // Tokens written as <Ref>, so the whole URL can be read as one string.
    const url = parts
      .map((part) =>
        typeof part === 'string' ? part : `<${String((part as { Ref?: unknown }).Ref)}>`,
      )
      .join('');
    expect(url).toBe(`https://<${api}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/sns`);
  });
});

describe('events queue and dead-letter queue', () => {
  it('encrypt both with the data key and refuse non-TLS requests', () => {
    const { events, dlq } = queueIds(state);
    const key = onlyResource(state, 'AWS::KMS::Key');
    const queues = resourcesOf(state, 'AWS::SQS::Queue');
    for (const queue of [events, dlq]) {
      expect(queues[queue].Properties?.['KmsMasterKeyId']).toEqual(arnOf(key.id));
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
    const eventsQueue = resourcesOf(state, 'AWS::SQS::Queue')[events];
    expect(eventsQueue.Properties?.['RedrivePolicy']).toEqual({
      deadLetterTargetArn: arnOf(dlq),
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    expect(MAX_RECEIVE_COUNT).toBe(5);
    expect(resourcesOf(state, 'AWS::SQS::Queue')[dlq].Properties?.['MessageRetentionPeriod']).toBe(
      14 * 24 * 3600,
    );
  });

  it(`keep messages invisible for at least ${VISIBILITY_TIMEOUT_FACTOR}x the worker timeout`, () => {
    const { events } = queueIds(state);
    const visibility = resourcesOf(state, 'AWS::SQS::Queue')[events].Properties?.[
      'VisibilityTimeout'
    ];
    const workerTimeout = functionFor(app, 'worker').properties['Timeout'];
    expect(typeof visibility).toBe('number');
    expect(typeof workerTimeout).toBe('number');
    expect(visibility as number).toBeGreaterThanOrEqual(
      VISIBILITY_TIMEOUT_FACTOR * (workerTimeout as number),
    );
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
        PointInTimeRecoverySpecification: expect.objectContaining({
          PointInTimeRecoveryEnabled: true,
        }),
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

  it('the data key rotates and is retained, unless the deployment that created it rolls back', () => {
    const key = onlyResource(state, 'AWS::KMS::Key');
    expect(key.properties['EnableKeyRotation']).toBe(true);
    expect(key.resource['DeletionPolicy']).toBe('RetainExceptOnCreate');
    expect(key.resource['UpdateReplacePolicy']).toBe('Retain');
  });
});

describe('credentials secret', () => {
  it('is created with a username placeholder and a generated password, and bound to the worker', () => {
    const secret = onlyResource(state, 'AWS::SecretsManager::Secret');
    expect(secret.properties['GenerateSecretString']).toEqual(
      expect.objectContaining({
        SecretStringTemplate: JSON.stringify({ username: 'CHANGE_ME' }),
        GenerateStringKey: 'password',
      }),
    );
    expect(secret.resource['DeletionPolicy']).toBe('Retain');
    expect(
      JSON.stringify(envOf(functionFor(app, 'worker').properties)['CREDENTIALS_SECRET_ARN']),
    ).toContain('Credentials');
  });

  it('is imported when credentialsSecretArn is set: no secret resource, the worker reads exactly that ARN', () => {
    const imported = build({ ...exampleConfig(), credentialsSecretArn: IMPORTED_SECRET });
    imported.stateTemplate.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(
      envOf(functionFor(imported.appTemplate, 'worker').properties)['CREDENTIALS_SECRET_ARN'],
    ).toBe(IMPORTED_SECRET);
    imported.appTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Resource: IMPORTED_SECRET,
          }),
        ]),
      },
    });
  });
});

describe('shared secret of the SNS endpoint', () => {
  let withSecret: Built;
  beforeAll(() => {
    const config = exampleConfig();
    withSecret = build({
      ...config,
      receiver: { ...config.receiver, sharedSecret: { enabled: true } },
    });
  });
  const isShared = (p: Record<string, unknown>) =>
    String(p['Description']).includes('SNS subscription URL');

  it('is not created, bound or output by default', () => {
    expect(
      Object.values(resourcesOf(state, 'AWS::SecretsManager::Secret')).filter((r) =>
        isShared(r.Properties ?? {}),
      ),
    ).toEqual([]);
    expect(Object.keys(state.findOutputs('SharedSecretArn'))).toEqual([]);
  });

  it('is generated (48 letters and digits, URL-safe), retained, and output when enabled', () => {
    const secret = onlyResource(withSecret.stateTemplate, 'AWS::SecretsManager::Secret', isShared);
    expect(secret.properties['GenerateSecretString']).toEqual({
      PasswordLength: 48,
      ExcludePunctuation: true,
      IncludeSpace: false,
      RequireEachIncludedType: true,
    });
    expect(secret.resource['DeletionPolicy']).toBe('Retain');
    expect(Object.keys(withSecret.stateTemplate.findOutputs('SharedSecretArn'))).toEqual([
      'SharedSecretArn',
    ]);
  });

  it('is given to the receiver only: SHARED_SECRET_ARN and a read grant on that one secret', () => {
    const secret = onlyResource(withSecret.stateTemplate, 'AWS::SecretsManager::Secret', isShared);
    const receiver = functionFor(withSecret.appTemplate, 'receiver');
    const worker = functionFor(withSecret.appTemplate, 'worker');
    const receiverEnv = JSON.stringify(envOf(receiver.properties)['SHARED_SECRET_ARN']);
    expect(receiverEnv).toContain(secret.id);
    expect(envOf(worker.properties)).not.toHaveProperty('SHARED_SECRET_ARN');

    const statements = Object.values(
      resourcesOf(withSecret.appTemplate, 'AWS::IAM::Policy'),
    ).flatMap((policy) => {
      const roles = JSON.stringify(policy.Properties?.['Roles']);
      const document = policy.Properties?.['PolicyDocument'] as {
        Statement: Array<{ Action: unknown; Resource: unknown }>;
      };
      return document.Statement.map((statement) => ({ roles, ...statement }));
    });
    const onSharedSecret = statements.filter((statement) =>
      JSON.stringify(statement.Resource).includes(secret.id),
    );
    expect(onSharedSecret).toHaveLength(1);
    expect(onSharedSecret[0]?.Action).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    expect(onSharedSecret[0]?.roles).toContain('Receiver');
    expect(onSharedSecret[0]?.roles).not.toContain('Worker');
  });
});

describe('functions', () => {
  it('all run the newest Node.js aws-cdk-lib knows (health-posture.test.ts) on arm64 with active tracing and a log group with the configured retention', () => {
    const functions = Object.values(resourcesOf(app, 'AWS::Lambda::Function'));
    // Receiver, worker and (supply side, on by default) reconciler.
    expect(functions).toHaveLength(3);
    const logGroups = resourcesOf(app, 'AWS::Logs::LogGroup');
    for (const fn of functions) {
      const p = fn.Properties ?? {};
      const major = Number(/^nodejs(\d+)\.x$/.exec(String(p['Runtime']))?.[1]);
      expect(major).toBeGreaterThanOrEqual(22);
      expect(p['Architectures']).toEqual(['arm64']);
      expect(p['TracingConfig']).toEqual({ Mode: 'Active' });
      const logging = p['LoggingConfig'] as { LogGroup: { Ref: string } };
      expect(logGroups[logging.LogGroup.Ref].Properties?.['RetentionInDays']).toBe(90);
      // Advanced logging controls: JSON lines, the application level Powertools logs at (never
      // above INFO, or Lambda would drop the EMF metrics), no platform INFO lines.
      expect(logging).toEqual({
        LogGroup: { Ref: logging.LogGroup.Ref },
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'WARN',
      });
      expect(envOf(p)).toEqual(
        expect.objectContaining({
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        }),
      );
    }
  });

  it('use their own roles without managed policies (and no account-wide API Gateway logging role)', () => {
    const roles = Object.values(resourcesOf(app, 'AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThan(0);
    const withManaged = roles.filter((r) => r.Properties?.['ManagedPolicyArns'] !== undefined);
    expect(withManaged).toEqual([]);
  });

  it('give the worker its table, marketplace and role, and the rules object rather than the rules', () => {
    const env = envOf(functionFor(app, 'worker').properties);
    expect(env).not.toHaveProperty('RULES_JSON');
    expect(env['RULES_OBJECT_KEY']).toBe('rules.json');
    expect(env['MARKETPLACE_BASE_URL']).toBe('https://marketplace.example.test');
    expect(env['CONNECTOR_ROLE']).toBe('supply');
    expect(env['POWERTOOLS_SERVICE_NAME']).toBe('worker');
    expect(JSON.stringify(env['TABLE_NAME'])).toContain('OfferTable');
  });

  it('give the receiver the queue URL, the allowed topics and the default policy (SignatureVersion 1 allowed, no shared secret)', () => {
    const env = envOf(functionFor(app, 'receiver').properties);
    expect(env['ALLOWED_TOPIC_ARNS']).toBe(
      'arn:aws:sns:ca-central-1:111122223333:inbox-offers,arn:aws:sns:ca-central-1:111122223333:inbox-referrals',
    );
    expect(JSON.stringify(env['QUEUE_URL'])).toContain('EventsQueue');
    expect(env['REQUIRE_SIGNATURE_VERSION_2']).toBe('false');
    expect(env).not.toHaveProperty('SHARED_SECRET_ARN');
  });

  it('expand an account-and-region allowlist into the exact ARNs of the role’s topics at synth time', () => {
    const { allowedTopicArns: _exact, ...rest } = exampleConfig();
    const config: ConnectorConfig = {
      ...rest,
      role: 'demand',
      allowedTopics: { account: '444455556666', region: 'us-east-1', namePrefix: 'prod-' },
    };
    const env = envOf(functionFor(build(config).appTemplate, 'receiver').properties);
    expect(env['ALLOWED_TOPIC_ARNS']).toBe(
      'arn:aws:sns:us-east-1:444455556666:prod-outbox-offers,arn:aws:sns:us-east-1:444455556666:prod-outbox-referrals',
    );
    expect(String(env['ALLOWED_TOPIC_ARNS']).split(',')).toEqual(resolveAllowedTopicArns(config));
  });

  it('tell the receiver to require SignatureVersion 2 when configured', () => {
    const config = exampleConfig();
    const strict = build({
      ...config,
      receiver: { ...config.receiver, requireSignatureVersion2: true },
    });
    expect(
      envOf(functionFor(strict.appTemplate, 'receiver').properties)['REQUIRE_SIGNATURE_VERSION_2'],
    ).toBe('true');
  });

  it('derive the marketplace URL from environment and region', () => {
    const fromExample = build(exampleConfig());
    expect(
      envOf(functionFor(fromExample.appTemplate, 'worker').properties)['MARKETPLACE_BASE_URL'],
    ).toBe('https://api.sandbox.alayamarket.ca');
  });
});

describe('outputs', () => {
  it('name the queue, the DLQ, the table and the secret', () => {
    for (const name of [
      'EventsQueueName',
      'DeadLetterQueueName',
      'OfferTableName',
      'CredentialsSecretArn',
    ]) {
      expect(Object.keys(state.findOutputs(name))).toEqual([name]);
    }
  });
});

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

describe('determinism', () => {
  it('two synths of the same config give identical templates (no timestamps or random values)', () => {
    const again = build(distinctiveConfig());
    expect(again.stateTemplate.toJSON()).toEqual(state.toJSON());
    expect(again.appTemplate.toJSON()).toEqual(app.toJSON());
  });
});
