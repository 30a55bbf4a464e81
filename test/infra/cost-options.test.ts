/**
 * Covers the config switches that trade a fixed or per-event cost for an observability aid
 * (lambdas/core/config.ts, monitoring-config.ts; bench/cost.ts prices them): `monitoring.dashboard`
 * and `tracing`, both off by default, and `backup`, off by default; the one KMS key the alarm and
 * review topics and the reconciler failure queue share (lib/keys.ts); and, priced by the cost
 * model with the bench's own usage figures replaced by round ones, that the defaults stay within
 * the idle budget of 5 USD a month (the health-posture additions: no new key, one alarm, a queue)
 * and that the backup plan is priced by its copies kept. cdk-nag runs with the switches in
 * nag.test.ts.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { ConfigError, parseConnectorConfig, type ConnectorConfig } from '../../lambdas/core/config';
import { costLines, totals, type Usage } from '../../bench/cost/model';
import { synthesizedTemplates } from '../../bench/cost/templates';
import { ENV_NAMES } from '../../lambdas/adapters/env';
import { DETAIL_METRICS, METRICS_NAMESPACE } from '../../lambdas/core/metric-names';
import { STACK_OUTPUTS } from '../../lib/stack-outputs';
import { build, envOf, exampleConfig, onlyResource, resourcesOf } from './infra-support';

/** The example config as plain input (what a config file holds), with `change` applied. */
function input(change: (raw: Record<string, unknown>) => void): Record<string, unknown> {
  const raw = JSON.parse(JSON.stringify(exampleConfig())) as Record<string, unknown>;
  change(raw);
  return raw;
}

const withOptions = (options: {
  dashboard?: boolean;
  tracing?: boolean;
  detailMetrics?: boolean;
}): ConnectorConfig => ({
  ...exampleConfig(),
  tracing: options.tracing ?? false,
  monitoring: {
    ...exampleConfig().monitoring,
    dashboard: options.dashboard ?? false,
    detailMetrics: options.detailMetrics ?? false,
  },
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
    expect(parsed.monitoring.detailMetrics).toBe(false);
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
    expect(parsed.monitoring).toEqual({
      dashboard: true,
      detailMetrics: false,
      silence: { enabled: true },
    });
  });

  it.each([
    ['tracing', (raw: Record<string, unknown>) => (raw['tracing'] = 'sampled'), /tracing/],
    [
      'monitoring.dashboard',
      (raw: Record<string, unknown>) => (raw['monitoring'] = { dashboard: 'yes' }),
      /monitoring\.dashboard/,
    ],
    [
      'monitoring.detailMetrics',
      (raw: Record<string, unknown>) => (raw['monitoring'] = { detailMetrics: 1 }),
      /monitoring\.detailMetrics/,
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
      Object.values(on.findOutputs(STACK_OUTPUTS.app.dashboardName)).map(
        (o) => (o as { Value: unknown }).Value,
      ),
    ).toEqual([{ Ref: dashboard.id }]);
  });
});

describe('monitoring.detailMetrics', () => {
  const off = build(withOptions({})).appTemplate;
  const on = build(withOptions({ detailMetrics: true })).appTemplate;
  const withDashboard = build(withOptions({ dashboard: true })).appTemplate;
  const detailSetting = (template: Template) =>
    functions(template).map((fn) => envOf(fn.Properties ?? {})[ENV_NAMES.detailMetrics]);

  it('reaches the three functions as DETAIL_METRICS: false by default, true when asked for', () => {
    expect(detailSetting(off)).toEqual(['false', 'false', 'false']);
    expect(detailSetting(on)).toEqual(['true', 'true', 'true']);
  });

  it('is on with the dashboard, which draws the detail metrics', () => {
    expect(detailSetting(withDashboard)).toEqual(['true', 'true', 'true']);
  });

  it('changes no alarm, and no alarm watches a detail metric (off, they are never published)', () => {
    expect(alarmIds(on)).toEqual(alarmIds(off));
    const watched: string[] = [];
    for (const alarm of Object.values(resourcesOf(off, 'AWS::CloudWatch::Alarm'))) {
      const p = alarm.Properties ?? {};
      if (p['Namespace'] === METRICS_NAMESPACE) watched.push(String(p['MetricName']));
      const queries = (p['Metrics'] ?? []) as {
        MetricStat?: { Metric: { Namespace?: string; MetricName: string } };
      }[];
      for (const query of queries)
        if (query.MetricStat?.Metric.Namespace === METRICS_NAMESPACE)
          watched.push(query.MetricStat.Metric.MetricName);
    }
    // The handlers' metrics alarmed on: RecordsFailed, the login failures,
    // ReconcilerOffersEnqueued, UnsubscribeConfirmations and the two rules metrics.
    expect(watched.length).toBeGreaterThanOrEqual(6);
    for (const name of watched) expect(DETAIL_METRICS).not.toContain(name);
  });
});

describe('tracing', () => {
  const off = build(withOptions({ tracing: false })).appTemplate;
  const on = build(withOptions({ tracing: true })).appTemplate;

  it('off: no function traced, no X-Ray permission', () => {
    expect(functions(off)).toHaveLength(3);
    for (const fn of functions(off)) expect(fn.Properties?.['TracingConfig']).toBeUndefined();
    expect(JSON.stringify(resourcesOf(off, 'AWS::IAM::Policy'))).not.toContain('xray:');
  });

  it('on: the three functions actively traced (the receiver starts the trace: an HTTP API has no X-Ray)', () => {
    expect(functions(on)).toHaveLength(3);
    for (const fn of functions(on))
      expect(fn.Properties?.['TracingConfig']).toEqual({ Mode: 'Active' });
    expect(JSON.stringify(resourcesOf(on, 'AWS::IAM::Policy'))).toContain('xray:PutTraceSegments');
    // The stage is the same either way: nothing on it to trace.
    expect(onlyResource(on, 'AWS::ApiGatewayV2::Stage').properties).toEqual(
      onlyResource(off, 'AWS::ApiGatewayV2::Stage').properties,
    );
  });
});

describe('the messaging key (alarm and review topics, reconciler failure queue)', () => {
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
    const queues = Object.values(resourcesOf(app, 'AWS::SQS::Queue'));
    expect(queues).toHaveLength(1);
    expect(queues[0]?.Properties?.['KmsMasterKeyId']).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
  });
});

/** Round figures for what the model does not read from the templates. */
function roundUsage(storageGb: number): Usage {
  const zero = { value: 0, source: 'test' };
  const of = <T>(value: T) => ({ value, source: 'test' });
  return {
    durationMs: { receiver: of(10), worker: of(300), reconciler: of(1000) },
    workerInvocationsPerEvent: of(1),
    dynamoWruPerEvent: of(12),
    dynamoRruPerEvent: of(1),
    dynamoRruPerReconcilerRun: zero,
    dynamoStorageGb: of(storageGb),
    sqsFunctionRequestsPerEvent: of(1),
    sqsPollerRequestsPerEvent: of(2),
    sqsIdlePollsPerMonth: of(657000),
    logBytesPerEvent: { receiver: of(1600), worker: of(2500) },
    logBytesPerReconcilerRun: of(1550),
    accessLogBytesPerRequest: of(330),
    notificationsPerEvent: of(0.3),
    kmsDataKeyRequests: of({ idle: 8760, traffic: 70080 }),
    kmsReviewKeyRequestsTraffic: of(8760),
    secretCalls: of({ idle: 2920, traffic: 8760 }),
    rulesReadsTraffic: of(43800),
    customMetrics: of({ idle: ['reconciler/MarketplaceLoginFailures'], traffic: [] }),
    xraySampledShare: of(0.84),
  };
}

describe('idle cost of the defaults and of the backup plan', () => {
  const price = (config: ConnectorConfig, storageGb = 0.05) =>
    costLines(synthesizedTemplates(config), roundUsage(storageGb));

  it('the example config, every new resource priced, stays within 5 USD a month at idle', () => {
    const lines = price(exampleConfig());
    expect(totals(lines).unpriced).toEqual([]);
    // Two keys (data, messaging), no more.
    expect(lines.filter((l) => l.type === 'AWS::KMS::Key')).toHaveLength(2);
    const failureQueue = lines.find((l) => l.id.startsWith('ReconcilerFailures'));
    expect(failureQueue?.detail).toContain('dead-letter queue');
    expect(lines.find((l) => l.id.includes('ReconcilerRunLost'))?.idle).toBeCloseTo(0.1, 9);
    expect(totals(lines).idle).toBeLessThanOrEqual(5);
  });

  it('the backup plan adds its daily full copies kept, at 0.10 USD per GB-month, and nothing else', () => {
    const off = totals(price(exampleConfig(), 2)).idle;
    const on = price({ ...exampleConfig(), backup: { enabled: true, retentionDays: 35 } }, 2);
    expect(totals(on).unpriced).toEqual([]);
    // 35 copies of a 2 GB table: 70 GB-months.
    expect(totals(on).idle - off).toBeCloseTo(35 * 2 * 0.1, 9);
    const selection = on.find((l) => l.type === 'AWS::Backup::BackupSelection');
    expect(selection?.detail).toContain('35 daily full copies');
  });
});
