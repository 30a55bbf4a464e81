/**
 * What the app stack synthesises for requests and functions from a config (bundling skipped,
 * cdk.json feature flags on): the SNS endpoint and its throttling, the worker's event source, and
 * the functions' shared defaults and environment (the receiver's exact topic ARNs and policy
 * switches). Siblings: stacks-state.test.ts, stacks-alarms-reconciler.test.ts. cdk-nag findings are
 * in nag.test.ts; real bundling of the handlers in synth.test.ts; config parsing in config.test.ts.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { resolveAllowedTopicArns, type ConnectorConfig } from '../../lambdas/core/config';
import { METRICS_NAMESPACE } from '../../lib/constants';
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
