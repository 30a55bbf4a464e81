/**
 * The cost benchmark's model (bench/cost-model.ts): hand-computed figures on a tiny template, and
 * every resource type the real stacks synthesize is either priced or known to have no charge of
 * its own, so a new billable resource cannot go unpriced silently.
 */
import { costLines, FREE_TYPES, reconcilerRunsPerMonth, runsPerMonth, totals, type NamedTemplate, type Sourced, type Usage } from '../../bench/cost-model';
import { synthesizedTemplates } from '../../bench/cost-templates';
import type { ConnectorConfig } from '../../lambdas/core/config';
import { exampleConfig } from '../infra/infra-support';

const s = <T>(value: T): Sourced<T> => ({ value, source: 'test' });

/** A usage of zeros: each test sets what it prices. */
function usage(overrides: Partial<Usage> = {}): Usage {
  return {
    durationMs: { receiver: s(0), worker: s(0), reconciler: s(0) },
    workerInvocationsPerEvent: s(1),
    dynamoWruPerEvent: s(0),
    dynamoRruPerEvent: s(0),
    dynamoRruPerReconcilerRun: s(0),
    dynamoStorageGb: s(0),
    sqsFunctionRequestsPerEvent: s(0),
    sqsPollerRequestsPerEvent: s(0),
    sqsIdlePollsPerMonth: s(0),
    logBytesPerEvent: { receiver: s(0), worker: s(0) },
    logBytesPerReconcilerRun: s(0),
    accessLogBytesPerRequest: s(0),
    notificationsPerEvent: s(0),
    kmsDataKeyRequests: s({ idle: 0, traffic: 0 }),
    kmsReviewKeyRequestsTraffic: s(0),
    secretCalls: s({ idle: 0, traffic: 0 }),
    rulesReadsTraffic: s(0),
    customMetrics: s({ idle: [], traffic: [] }),
    xraySampledShare: s(1),
    ...overrides,
  };
}

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
      Api: { Type: 'AWS::ApiGateway::RestApi' },
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
    expect(line('Api')).toMatchObject({ idle: 0, perMillion: 3.5 });
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
    expect(sum.perMillion).toBeCloseTo(1.53334 + 0.03 + 3.5 + 1.375 + 0.3, 5);
    expect(sum.unpriced.map((l) => l.id)).toEqual(['Box']);
  });

  it('charges the reconciler for its scheduled runs at idle, and a tracing function for X-Ray', () => {
    const scheduled: NamedTemplate[] = [
      {
        stack: 'S',
        resources: {
          Reconciler: fn('reconciler', { TracingConfig: { Mode: 'Active' } }),
          Schedule: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Arn: { 'Fn::GetAtt': ['Reconciler', 'Arn'] } }] } },
        },
      },
    ];
    const priced = costLines(scheduled, usage({ durationMs: { receiver: s(0), worker: s(0), reconciler: s(1000) } }));
    // 730 runs x (128 MB x86: 0.125 GB-s x 0.0000166667 + 0.2e-6 + X-Ray 5e-6).
    const reconciler = priced.find((l) => l.id === 'Reconciler');
    expect(reconciler?.idle).toBeCloseTo(730 * (0.125 * 0.0000166667 + 0.2e-6 + 5e-6), 9);
    expect(reconciler?.perMillion).toBe(0);
    expect(priced.find((l) => l.id === 'Schedule')).toMatchObject({ status: 'priced', idle: 0, perMillion: 0 });
  });
});

describe('schedules', () => {
  it('counts rate() runs in a 730-hour month and refuses what it cannot count', () => {
    expect(runsPerMonth('rate(15 minutes)')).toBe(2920);
    expect(runsPerMonth('rate(1 day)')).toBeCloseTo(730 / 24, 9);
    expect(() => runsPerMonth('cron(0 * * * ? *)')).toThrow(/only rate/);
  });
});

describe('the real stacks', () => {
  const variants: Array<[string, ConnectorConfig]> = [
    ['the example config', exampleConfig()],
    [
      'shared secret, e-mail subscriptions, demand side',
      {
        ...exampleConfig(),
        role: 'both',
        alarmEmail: 'ops@example.com',
        receiver: { ...exampleConfig().receiver, sharedSecret: { enabled: true } },
        notifications: { enabled: true, email: 'staffing@example.com' },
      },
    ],
  ];

  it.each(variants)('has no resource type the model neither prices nor knows to be free (%s)', (_name, config) => {
    const templates = synthesizedTemplates(config);
    const lines = costLines(templates, usage());
    expect(totals(lines).unpriced.map((l) => `${l.id} (${l.type})`)).toEqual([]);
    // Every resource is on a line: nothing dropped.
    const resources = templates.reduce((n, t) => n + Object.keys(t.resources).length, 0);
    expect(lines).toHaveLength(resources + 1);
  });

  it('prices the example at the fixed fees its templates carry', () => {
    const templates = synthesizedTemplates(exampleConfig());
    const lines = costLines(templates, usage());
    const count = (type: string) => lines.filter((l) => l.type === type).length;
    expect(reconcilerRunsPerMonth(templates)).toBe(2920);
    // With no usage, idle is the fixed fees (keys, secret, alarms, dashboard) and the reconciler's
    // runs at zero duration: their requests and X-Ray traces.
    const fixed = count('AWS::KMS::Key') * 1 + count('AWS::SecretsManager::Secret') * 0.4 + count('AWS::CloudWatch::Alarm') * 0.1 + count('AWS::CloudWatch::Dashboard') * 3;
    const runs = 2920 * (0.2e-6 + 5e-6);
    expect(count('AWS::KMS::Key')).toBeGreaterThan(0);
    expect(totals(lines).idle).toBeCloseTo(fixed + runs, 9);
    expect(Object.keys(FREE_TYPES)).not.toContain('AWS::Lambda::Function');
  });
});
