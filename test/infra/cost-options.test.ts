/**
 * Covers the config switches that trade a fixed or per-event cost for an observability aid
 * (lambdas/core/config.ts, monitoring-config.ts; bench/cost.ts prices them): `monitoring.dashboard`
 * and `tracing`, both off by default, and the one KMS key the alarm and review topics share
 * (lib/notification-key.ts). cdk-nag runs with both switches on and off in nag.test.ts.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { ConfigError, parseConnectorConfig, type ConnectorConfig } from '../../lambdas/core/config';
import { STACK_OUTPUTS } from '../../lib/stack-outputs';
import { build, exampleConfig, onlyResource, resourcesOf } from './infra-support';

/** The example config as plain input (what a config file holds), with `change` applied. */
function input(change: (raw: Record<string, unknown>) => void): Record<string, unknown> {
  const raw = JSON.parse(JSON.stringify(exampleConfig())) as Record<string, unknown>;
  change(raw);
  return raw;
}

const withOptions = (options: { dashboard?: boolean; tracing?: boolean }): ConnectorConfig => ({
  ...exampleConfig(),
  tracing: options.tracing ?? false,
  monitoring: { ...exampleConfig().monitoring, dashboard: options.dashboard ?? false },
});

const functions = (template: Template) =>
  Object.values(resourcesOf(template, 'AWS::Lambda::Function')).filter((fn) =>
    JSON.stringify(fn.Properties?.['Environment']).includes('POWERTOOLS_SERVICE_NAME'),
  );
const alarmIds = (template: Template) =>
  Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm')).sort();

describe('config', () => {
  it('has the dashboard and X-Ray tracing off unless asked for', () => {
    const parsed = parseConnectorConfig(
      input((raw) => {
        delete raw['tracing'];
        delete raw['monitoring'];
      }),
    );
    expect(parsed.tracing).toBe(false);
    expect(parsed.monitoring.dashboard).toBe(false);
    expect(
      parseConnectorConfig(input((raw) => (raw['monitoring'] = { silence: { enabled: true } })))
        .monitoring.dashboard,
    ).toBe(false);
  });

  it('takes true for either', () => {
    const parsed = parseConnectorConfig(
      input((raw) => {
        raw['tracing'] = true;
        raw['monitoring'] = { dashboard: true };
      }),
    );
    expect(parsed.tracing).toBe(true);
    expect(parsed.monitoring).toEqual({ dashboard: true, silence: { enabled: true } });
  });

  it.each([
    ['tracing', (raw: Record<string, unknown>) => (raw['tracing'] = 'sampled'), /tracing/],
    [
      'monitoring.dashboard',
      (raw: Record<string, unknown>) => (raw['monitoring'] = { dashboard: 'yes' }),
      /monitoring\.dashboard/,
    ],
  ])('refuses a %s that is not a boolean, naming the field', (_name, change, field) => {
    expect(() => parseConnectorConfig(input(change))).toThrow(ConfigError);
    expect(() => parseConnectorConfig(input(change))).toThrow(field);
  });
});

describe('monitoring.dashboard', () => {
  const off = build(withOptions({ dashboard: false })).appTemplate;
  const on = build(withOptions({ dashboard: true })).appTemplate;

  it('off: no dashboard and no DashboardName output, the same alarms on the same topic', () => {
    off.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(off.findOutputs(STACK_OUTPUTS.app.dashboardName)).toEqual({});
    expect(alarmIds(off)).toEqual(alarmIds(on));
    expect(alarmIds(off).length).toBeGreaterThan(10);
    expect(off.findOutputs(STACK_OUTPUTS.app.alarmTopicArn)).not.toEqual({});
  });

  it('on: one dashboard, named in the DashboardName output', () => {
    const dashboard = onlyResource(on, 'AWS::CloudWatch::Dashboard');
    expect(
      Object.values(on.findOutputs(STACK_OUTPUTS.app.dashboardName)).map((o) => o['Value']),
    ).toEqual([{ Ref: dashboard.id }]);
  });
});

describe('tracing', () => {
  const off = build(withOptions({ tracing: false })).appTemplate;
  const on = build(withOptions({ tracing: true })).appTemplate;

  it('off: no function traced, the stage not traced, no X-Ray permission', () => {
    expect(functions(off)).toHaveLength(3);
    for (const fn of functions(off)) expect(fn.Properties?.['TracingConfig']).toBeUndefined();
    expect(onlyResource(off, 'AWS::ApiGateway::Stage').properties['TracingEnabled']).toBe(false);
    expect(JSON.stringify(resourcesOf(off, 'AWS::IAM::Policy'))).not.toContain('xray:');
  });

  it('on: the three functions actively traced and the stage traced', () => {
    expect(functions(on)).toHaveLength(3);
    for (const fn of functions(on))
      expect(fn.Properties?.['TracingConfig']).toEqual({ Mode: 'Active' });
    expect(onlyResource(on, 'AWS::ApiGateway::Stage').properties['TracingEnabled']).toBe(true);
    expect(JSON.stringify(resourcesOf(on, 'AWS::IAM::Policy'))).toContain('xray:PutTraceSegments');
  });
});

describe('the notification topic key', () => {
  const app = build(exampleConfig()).appTemplate;

  it('is the one rotating key of the app stack, and CloudWatch may use it to publish alarms', () => {
    const key = onlyResource(app, 'AWS::KMS::Key');
    expect(key.properties['EnableKeyRotation']).toBe(true);
    const statements = (
      key.properties['KeyPolicy'] as {
        Statement: { Sid?: string; Principal: unknown; Action: unknown }[];
      }
    ).Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: 'AllowCloudWatchAlarmsToPublish',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    );
    const topics = Object.values(resourcesOf(app, 'AWS::SNS::Topic'));
    expect(topics).toHaveLength(2);
    for (const topic of topics)
      expect(topic.Properties?.['KmsMasterKeyId']).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
  });
});
