/**
 * The cost benchmark's model (bench/cost/model.ts) on hand-built templates: hand-computed figures
 * on a tiny template, rate() schedules, X-Ray sampling by the default rule, a provisioned,
 * auto-scaled table (config table.billing) priced by its minimum capacity and its scaling target,
 * and alarms billed per metric. The synthesized stacks, the cost options and usageFrom are in
 * bench-cost-stacks.test.ts.
 */
import { costLines, runsPerMonth, totals, type NamedTemplate } from '../../bench/cost/model';
import { synthesizedTemplates } from '../../bench/cost/templates';
import { defaultSampledShare, EVENTS_PER_SECOND_AT_A_MILLION } from '../../bench/cost/usage';
import { VARIANTS } from '../../bench/cost/variants';
import { exampleConfig } from '../infra/infra-support';
import { sourced as s, zeroUsage as usage } from '../support/cost-usage';

const fn = (service: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: service } }, ...extra },
});

const tiny: NamedTemplate[] = [
  {
    stack: 'Tiny',
    resources: {
      Worker: fn('worker', { MemorySize: 1024, Architectures: ['arm64'] }),
      DataKeyABC: { Type: 'AWS::KMS::Key' },
      Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } },
      Alarm: { Type: 'AWS::CloudWatch::Alarm' },
      Dashboard: { Type: 'AWS::CloudWatch::Dashboard' },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { BillingMode: 'PAY_PER_REQUEST' } },
      Role: { Type: 'AWS::IAM::Role' },
      Box: { Type: 'AWS::EC2::Instance' },
    },
  },
];

const tinyUsage = usage({
  durationMs: { receiver: s(0), worker: s(100), reconciler: s(0) },
  dynamoWruPerEvent: s(2),
  dynamoRruPerEvent: s(1),
  kmsDataKeyRequests: s({ idle: 0, traffic: 10_000 }),
  customMetrics: s({ idle: ['A'], traffic: ['A', 'B'] }),
});

describe('the cost model on a tiny template', () => {
  const lines = costLines(tiny, tinyUsage);
  const line = (id: string) => lines.find((l) => l.id === id);

  it('prices each billable resource as computed by hand', () => {
    // 1 GB x 0.1 s x 0.0000133334 + 0.20 per million invocations, a million times.
    expect(line('Worker')?.perMillion).toBeCloseTo(1.33334 + 0.2, 6);
    expect(line('Worker')?.idle).toBe(0);
    expect(line('DataKeyABC')).toMatchObject({ idle: 1, perMillion: 0.03 });
    expect(line('Api')).toMatchObject({ idle: 0, perMillion: 1 });
    expect(line('Alarm')).toMatchObject({ idle: 0.1, perMillion: 0 });
    expect(line('Dashboard')).toMatchObject({ idle: 3, perMillion: 0 });
    // 2 WRU x 0.625 + 1 RRU x 0.125 per million.
    expect(line('Table')?.perMillion).toBeCloseTo(1.375, 9);
    expect(line('EMF custom metrics')).toMatchObject({ idle: 0.3 });
    expect(line('EMF custom metrics')?.perMillion).toBeCloseTo(0.3, 9);
  });

  it('lists an unknown type as unpriced and a known-free one as free, dropping neither', () => {
    expect(line('Box')).toMatchObject({ status: 'unpriced', idle: 0, perMillion: 0 });
    expect(line('Role')).toMatchObject({ status: 'free' });
    expect(lines).toHaveLength(Object.keys(tiny[0].resources).length + 1);
  });

  it('adds the lines up', () => {
    const sum = totals(lines);
    expect(sum.idle).toBeCloseTo(1 + 0.1 + 3 + 0.3, 9);
    expect(sum.perMillion).toBeCloseTo(1.53334 + 0.03 + 1 + 1.375 + 0.3, 5);
    expect(sum.unpriced.map((l) => l.id)).toEqual(['Box']);
  });

  it('charges the reconciler for its scheduled runs at idle, and a tracing function for X-Ray', () => {
    const scheduled: NamedTemplate[] = [
      {
        stack: 'S',
        resources: {
          Reconciler: fn('reconciler', { TracingConfig: { Mode: 'Active' } }),
          Schedule: {
            Type: 'AWS::Events::Rule',
            Properties: {
              ScheduleExpression: 'rate(1 hour)',
              Targets: [{ Arn: { 'Fn::GetAtt': ['Reconciler', 'Arn'] } }],
            },
          },
        },
      },
    ];
    const priced = costLines(
      scheduled,
      usage({ durationMs: { receiver: s(0), worker: s(0), reconciler: s(1000) } }),
    );
    // 730 runs x (128 MB x86: 0.125 GB-s x 0.0000166667 + 0.2e-6 + X-Ray 5e-6).
    const reconciler = priced.find((l) => l.id === 'Reconciler');
    expect(reconciler?.idle).toBeCloseTo(730 * (0.125 * 0.0000166667 + 0.2e-6 + 5e-6), 9);
    expect(reconciler?.perMillion).toBe(0);
    expect(priced.find((l) => l.id === 'Schedule')).toMatchObject({
      status: 'priced',
      idle: 0,
      perMillion: 0,
    });
  });
});

describe('schedules', () => {
  it('counts rate() runs in a 730-hour month and refuses what it cannot count', () => {
    expect(runsPerMonth('rate(15 minutes)')).toBe(2920);
    expect(runsPerMonth('rate(1 day)')).toBeCloseTo(730 / 24, 9);
    expect(() => runsPerMonth('cron(0 * * * ? *)')).toThrow(/only rate/);
  });
});

describe('X-Ray sampling by the default rule (1 a second, then 5%)', () => {
  it('records nearly every event at a trickle, 5% at a flood, and about 84% at a million a month', () => {
    expect(defaultSampledShare(0.001)).toBeCloseTo(1, 3);
    expect(defaultSampledShare(1e5)).toBeCloseTo(0.05, 4);
    // 0.38 events/s: P(a second has one) = 1 - e^-0.38; the rest at 5%.
    const rate = 1e6 / (730 * 3600);
    expect(EVENTS_PER_SECOND_AT_A_MILLION).toBeCloseTo(rate, 12);
    const inReservoir = 1 - Math.exp(-rate);
    expect(defaultSampledShare(rate)).toBeCloseTo(
      (inReservoir + 0.05 * (rate - inReservoir)) / rate,
      12,
    );
    expect(defaultSampledShare(rate)).toBeGreaterThan(0.83);
    expect(defaultSampledShare(rate)).toBeLessThan(0.85);
  });

  it('prices the HTTP API per request, its stage access log group by the access-log bytes, and leaves a WebSocket API unpriced', () => {
    const api: NamedTemplate[] = [
      {
        stack: 'A',
        resources: {
          Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } },
          Socket: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'WEBSOCKET' } },
          Stage: {
            Type: 'AWS::ApiGatewayV2::Stage',
            Properties: {
              AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': ['AccessLogs', 'Arn'] } },
            },
          },
          Route: { Type: 'AWS::ApiGatewayV2::Route' },
          Integration: { Type: 'AWS::ApiGatewayV2::Integration' },
          AccessLogs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
        },
      },
    ];
    const priced = costLines(api, usage({ accessLogBytesPerRequest: s(1e3) }));
    const at = (id: string) => priced.find((l) => l.id === id);
    expect(at('Api')).toMatchObject({ status: 'priced', idle: 0, perMillion: 1 });
    expect(at('Socket')).toMatchObject({ status: 'unpriced' });
    for (const id of ['Stage', 'Route', 'Integration'])
      expect(at(id)).toMatchObject({ status: 'free', perMillion: 0 });
    // 1 GB a million events: 0.50 ingestion + 0.03 storage for a 30-day retention.
    expect(at('AccessLogs')?.perMillion).toBeCloseTo((0.5 + 0.03) * (1e9 / 1024 ** 3), 9);
  });

  it('charges traced events at the sampled share, and a reconciler run always in full', () => {
    const traced: NamedTemplate[] = [
      {
        stack: 'T',
        resources: {
          Worker: fn('worker', { TracingConfig: { Mode: 'Active' } }),
          Reconciler: fn('reconciler', { TracingConfig: { Mode: 'Active' } }),
          Schedule: {
            Type: 'AWS::Events::Rule',
            Properties: {
              ScheduleExpression: 'rate(1 hour)',
              Targets: [{ Arn: { 'Fn::GetAtt': ['Reconciler', 'Arn'] } }],
            },
          },
          // The receiver starts its own trace: the HTTP API in front of it has no X-Ray.
          Receiver: fn('receiver', { TracingConfig: { Mode: 'Active' } }),
          Stage: { Type: 'AWS::ApiGatewayV2::Stage' },
        },
      },
    ];
    const priced = costLines(traced, usage({ xraySampledShare: s(0.5) }));
    const at = (id: string) => priced.find((l) => l.id === id);
    // 128 MB x86 at 0 ms: the request fee plus half a trace (5 USD per million) per invocation.
    expect(at('Worker')?.perMillion).toBeCloseTo(0.2 + 2.5, 9);
    expect(at('Receiver')?.perMillion).toBeCloseTo(0.2 + 2.5, 9);
    expect(at('Stage')).toMatchObject({ status: 'free', perMillion: 0 });
    expect(at('Reconciler')?.idle).toBeCloseTo(730 * (0.2e-6 + 5e-6), 12);
  });
});

describe('a provisioned table (config table.billing)', () => {
  const scaled = (table: string, dimension: string, min: number, max: number) => ({
    Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
    Properties: {
      ServiceNamespace: 'dynamodb',
      ScalableDimension: `dynamodb:table:${dimension}`,
      MinCapacity: min,
      MaxCapacity: max,
      ResourceId: { 'Fn::Join': ['', ['table/', { Ref: table }]] },
    },
  });
  const tracking = (target: string, metric: string, value: number) => ({
    Type: 'AWS::ApplicationAutoScaling::ScalingPolicy',
    Properties: {
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: target },
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: metric },
        TargetValue: value,
      },
    },
  });
  const provisioned: NamedTemplate[] = [
    {
      stack: 'P',
      resources: {
        Table: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 2 },
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          },
        },
        WriteTarget: scaled('Table', 'WriteCapacityUnits', 2, 100),
        ReadTarget: scaled('Table', 'ReadCapacityUnits', 1, 20),
        WritePolicy: tracking('WriteTarget', 'DynamoDBWriteCapacityUtilization', 70),
        ReadPolicy: tracking('ReadTarget', 'DynamoDBReadCapacityUtilization', 50),
      },
    },
  ];
  const lines = costLines(
    provisioned,
    usage({ dynamoWruPerEvent: s(7), dynamoRruPerEvent: s(1), dynamoStorageGb: s(1) }),
  );
  const at = (id: string) => lines.find((l) => l.id === id);

  it('holds the minimum capacity all month at idle, with storage and PITR as on demand', () => {
    // 2 WCU and 1 RCU for 730 hours; 1 GB stored (0.25) with PITR (0.20).
    expect(at('Table')?.idle).toBeCloseTo(2 * 730 * 0.00065 + 1 * 730 * 0.00013 + 0.25 + 0.2, 9);
    expect(at('Table')?.status).toBe('priced');
  });

  it('prices the units of a million events as capacity held at each target utilization', () => {
    // 7 M write units at 70%: 7e6 / (3600 x 0.7) WCU-hours; 1 M read units at 50%.
    const writes = (7e6 / (3600 * 0.7)) * 0.00065;
    const reads = (1e6 / (3600 * 0.5)) * 0.00013;
    expect(at('Table')?.perMillion).toBeCloseTo(writes + reads, 9);
    // 0.258 per million write units at 70%, against 0.625 on demand.
    expect((1e6 / (3600 * 0.7)) * 0.00065).toBeCloseTo(0.258, 3);
    expect(at('Table')?.detail).toContain('WCU 2-100 at 70%, RCU 1-20 at 50%');
  });

  it('charges each target-tracking policy its four CloudWatch alarms; the scalable targets are free', () => {
    for (const id of ['WritePolicy', 'ReadPolicy'])
      expect(at(id)).toMatchObject({ status: 'priced', idle: 0.4, perMillion: 0 });
    for (const id of ['WriteTarget', 'ReadTarget'])
      expect(at(id)).toMatchObject({ status: 'free', idle: 0, perMillion: 0 });
  });

  it('a fixed provisioned table (no scaling) pays its capacity and nothing per event', () => {
    const fixed = costLines(
      [{ stack: 'F', resources: { Table: provisioned[0].resources['Table'] } }],
      usage({ dynamoWruPerEvent: s(7) }),
    );
    expect(fixed[0]).toMatchObject({ status: 'priced', perMillion: 0 });
    expect(fixed[0]?.idle).toBeCloseTo(730 * (2 * 0.00065 + 0.00013), 9);
  });

  it('the provisioned variant is the lean one with table.billing provisioned, priced from its templates', () => {
    const found = VARIANTS.find((v) => v.name === 'provisioned');
    const lean = VARIANTS.find((v) => v.name === 'lean');
    expect(found?.apply(exampleConfig())).toEqual({
      ...lean?.apply(exampleConfig()),
      table: { billing: 'provisioned' },
    });
    const priced = costLines(
      synthesizedTemplates(found?.apply(exampleConfig()) ?? exampleConfig()),
      usage(),
    );
    const table = priced.filter((l) => l.type === 'AWS::DynamoDB::Table');
    // The default minimum: 1 WCU and 1 RCU all month.
    expect(table).toHaveLength(1);
    expect(table[0]?.idle).toBeCloseTo(730 * (0.00065 + 0.00013), 9);
    expect(
      priced.filter((l) => l.type === 'AWS::ApplicationAutoScaling::ScalingPolicy'),
    ).toHaveLength(2);
    expect(totals(priced).unpriced).toEqual([]);
  });
});

describe('alarms', () => {
  it('bills a metric-math alarm per metric it reads', () => {
    const math: NamedTemplate[] = [
      {
        stack: 'M',
        resources: {
          Two: {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: {
              Metrics: [
                { Id: 'e', Expression: 'a + b' },
                { Id: 'a', MetricStat: {} },
                { Id: 'b', MetricStat: {} },
              ],
            },
          },
          One: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors' } },
        },
      },
    ];
    const priced = costLines(math, usage());
    expect(priced.find((l) => l.id === 'Two')?.idle).toBeCloseTo(0.2, 9);
    expect(priced.find((l) => l.id === 'One')?.idle).toBeCloseTo(0.1, 9);
  });
});
