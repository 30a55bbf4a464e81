/**
 * Covers config `ingress` (lambdas/core/ingress-config.ts, lib/ingress.ts): the settings and their
 * cross-field rules (apiThrottle for the HTTP API only, receiverReservedConcurrency for a function
 * URL only, a function URL only with reserved concurrency), and what a `function-url` stack
 * synthesises: the receiver's public URL (auth NONE, no CORS, invocation only through the URL), no
 * API Gateway resource or access log, the receiver's reserved concurrency, the endpoint output, the
 * Api5xx alarm on the URL's 5xx and the dashboard's endpoint graph. The default (`http-api`) stack
 * is in stacks-endpoint-functions.test.ts; cdk-nag for both modes in nag.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { ConfigError, parseConnectorConfig } from '../../lambdas/core/config';
import {
  DEFAULT_API_THROTTLE,
  DEFAULT_RECEIVER_RESERVED_CONCURRENCY,
  apiThrottleOf,
  receiverReservedConcurrency,
} from '../../lambdas/core/ingress-config';
import { EXAMPLE_CONFIG_FILE } from '../../lib/load-config';
import { without } from '../support/without';
import {
  PROJECT_ROOT,
  build,
  exampleConfig,
  functionFor,
  functionUrlConfig,
  onlyResource,
  resourcesOf,
} from './infra-support';

const raw = (): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, EXAMPLE_CONFIG_FILE), 'utf8')) as Record<
    string,
    unknown
  >;
const rawWithout = (field: string): Record<string, unknown> => without(raw(), field);

function errorFor(input: unknown): string {
  try {
    parseConnectorConfig(input);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('config', () => {
  it('defaults to the HTTP API, whose throttle defaults as before; no receiver reservation', () => {
    const config = parseConnectorConfig(rawWithout('apiThrottle'));
    expect(config.ingress).toBe('http-api');
    expect(apiThrottleOf(config)).toEqual({ rateLimit: 50, burstLimit: 100 });
    expect(DEFAULT_API_THROTTLE).toEqual({ rateLimit: 50, burstLimit: 100 });
    expect(receiverReservedConcurrency(config)).toBeUndefined();
    expect(exampleConfig().ingress).toBe('http-api');
  });

  it('with function-url, reserves 50 receiver executions unless told otherwise (a cold burst of a few dozen deliveries fits)', () => {
    expect(receiverReservedConcurrency(functionUrlConfig())).toBe(50);
    expect(DEFAULT_RECEIVER_RESERVED_CONCURRENCY).toBe(50);
    expect(
      receiverReservedConcurrency(functionUrlConfig({ receiverReservedConcurrency: 25 })),
    ).toBe(25);
  });

  it.each([
    ['an unknown ingress', { ...raw(), ingress: 'rest-api' }, /^ingress:/m],
    ['an ingress of another type', { ...raw(), ingress: true }, /^ingress:/m],
    [
      'apiThrottle with function-url (it would be ignored)',
      { ...raw(), ingress: 'function-url' },
      /^apiThrottle: apiThrottle bounds the HTTP API stage only/m,
    ],
    [
      'receiverReservedConcurrency with the HTTP API (it would be ignored)',
      { ...raw(), receiverReservedConcurrency: 10 },
      /^receiverReservedConcurrency: receiverReservedConcurrency is for ingress function-url only/m,
    ],
    [
      'function-url with reserveConcurrency false (nothing would bound it)',
      { ...rawWithout('apiThrottle'), ingress: 'function-url', reserveConcurrency: false },
      /^ingress: ingress function-url is bounded only by the receiver's reserved concurrency/m,
    ],
    [
      'a receiverReservedConcurrency of 0',
      { ...rawWithout('apiThrottle'), ingress: 'function-url', receiverReservedConcurrency: 0 },
      /^receiverReservedConcurrency:/m,
    ],
    [
      'a fractional receiverReservedConcurrency',
      { ...rawWithout('apiThrottle'), ingress: 'function-url', receiverReservedConcurrency: 2.5 },
      /^receiverReservedConcurrency: must be a whole number of executions/m,
    ],
    [
      'a receiverReservedConcurrency over 1000',
      { ...rawWithout('apiThrottle'), ingress: 'function-url', receiverReservedConcurrency: 1001 },
      /^receiverReservedConcurrency:/m,
    ],
  ])('refuses %s, naming the field', (_case, input, expected) => {
    expect(errorFor(input)).toMatch(expected);
  });

  it('reports an ingress contradiction together with another bad field', () => {
    const message = errorFor({ ...raw(), ingress: 'function-url', logRetentionDays: 3 });
    expect(message).toMatch(/^apiThrottle:/m);
    expect(message).toMatch(/^logRetentionDays:/m);
  });
});

describe('a function-url stack', () => {
  let app: Template;
  let receiverId: string;
  beforeAll(() => {
    app = build(
      functionUrlConfig({ receiverReservedConcurrency: 25, monitoring: { dashboard: true } }),
    ).appTemplate;
    receiverId = functionFor(app, 'receiver').id;
  });

  it("gives the receiver a public URL: auth NONE, no CORS, on the function's latest version", () => {
    const url = onlyResource(app, 'AWS::Lambda::Url');
    expect(url.properties).toEqual({
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [receiverId, 'Arn'] },
    });
  });

  it('lets anyone invoke the receiver only through its URL, and nothing else reach it', () => {
    const onReceiver = Object.values(resourcesOf(app, 'AWS::Lambda::Permission'))
      .map((permission) => permission.Properties ?? {})
      .filter(
        (p) =>
          JSON.stringify(p['FunctionName']) ===
          JSON.stringify({ 'Fn::GetAtt': [receiverId, 'Arn'] }),
      );
    expect(onReceiver).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'lambda:InvokeFunctionUrl',
          FunctionUrlAuthType: 'NONE',
          Principal: '*',
        }),
        expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          InvokedViaFunctionUrl: true,
          Principal: '*',
        }),
      ]),
    );
    expect(onReceiver).toHaveLength(2);
  });

  it('has no API Gateway resource and no access log group', () => {
    const types = Object.values(app.toJSON()['Resources'] as Record<string, { Type: string }>).map(
      (r) => r.Type,
    );
    expect(types.filter((type) => type.startsWith('AWS::ApiGateway'))).toEqual([]);
    expect(
      Object.keys(resourcesOf(app, 'AWS::Logs::LogGroup')).filter((id) =>
        id.startsWith('ApiAccessLogs'),
      ),
    ).toEqual([]);
  });

  it('reserves the configured receiver concurrency (its one bound without a stage throttle)', () => {
    expect(functionFor(app, 'receiver').properties['ReservedConcurrentExecutions']).toBe(25);
  });

  it('outputs the function URL as the SNS endpoint', () => {
    const url = Object.keys(resourcesOf(app, 'AWS::Lambda::Url'))[0] ?? 'none';
    expect(app.findOutputs('SnsEndpointUrl')['SnsEndpointUrl']).toEqual(
      expect.objectContaining({ Value: { 'Fn::GetAtt': [url, 'FunctionUrl'] } }),
    );
  });

  it("alarms Api5xx on the URL's 5xx answers (AWS/Lambda Url5xxCount of the receiver)", () => {
    const alarm = onlyResource(app, 'AWS::CloudWatch::Alarm', (p) =>
      String(p['AlarmDescription']).startsWith('The SNS endpoint answered 5xx'),
    );
    expect(alarm.id).toMatch(/^MonitoringApi5xx/);
    expect(alarm.properties).toEqual(
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'Url5xxCount',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: receiverId } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    expect(String(alarm.properties['AlarmDescription'])).toContain('function URL');
  });

  it("draws the URL's requests, 4xx and 5xx on the dashboard", () => {
    const dashboard = onlyResource(app, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.properties['DashboardBody']);
    expect(body).toContain('SNS endpoint (function URL)');
    for (const metric of ['UrlRequestCount', 'Url4xxCount', 'Url5xxCount'])
      expect(body).toContain(metric);
    expect(body).not.toContain('AWS/ApiGateway');
  });
});

describe('the default (http-api) stack', () => {
  it('keeps the HTTP API and reserves nothing for the receiver', () => {
    const app = build(exampleConfig()).appTemplate;
    expect(Object.keys(resourcesOf(app, 'AWS::ApiGatewayV2::Api'))).toHaveLength(1);
    expect(Object.keys(resourcesOf(app, 'AWS::Lambda::Url'))).toEqual([]);
    expect(functionFor(app, 'receiver').properties['ReservedConcurrentExecutions']).toBeUndefined();
  });
});
