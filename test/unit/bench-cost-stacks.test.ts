/**
 * The cost benchmark's model (bench/cost/model.ts) on the real stacks: every resource type they
 * synthesize is either priced or known to have no charge of its own, so a new billable resource
 * cannot go unpriced silently; the cost options (bench/cost/variants.ts) priced; and usageFrom
 * (bench/cost/usage.ts), which prices no receiver metric for a delivery. The model on hand-built
 * templates is in bench-cost.test.ts.
 */
import { costLines, FREE_TYPES, reconcilerRunsPerMonth, totals } from '../../bench/cost/model';
import { synthesizedTemplates } from '../../bench/cost/templates';
import { usageFrom } from '../../bench/cost/usage';
import type { FunctionLogging } from '../../bench/cost/wiring';
import { VARIANTS } from '../../bench/cost/variants';
import type { ConnectorConfig } from '../../lambdas/core/config';
import { exampleConfig } from '../infra/infra-support';
import { quietMeasurement, sourced as s, zeroUsage as usage } from '../support/cost-usage';

describe('the real stacks', () => {
  const variants: Array<[string, ConnectorConfig]> = [
    ['the example config', exampleConfig()],
    ['a provisioned table', { ...exampleConfig(), table: { billing: 'provisioned' } }],
    [
      'a function URL instead of the HTTP API',
      { ...exampleConfig(), ingress: 'function-url', apiThrottle: undefined },
    ],
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

  it.each(variants)(
    'has no resource type the model neither prices nor knows to be free (%s)',
    (_name, config) => {
      const templates = synthesizedTemplates(config);
      const lines = costLines(templates, usage());
      expect(totals(lines).unpriced.map((l) => `${l.id} (${l.type})`)).toEqual([]);
      // Every resource is on a line: nothing dropped.
      const resources = templates.reduce((n, t) => n + Object.keys(t.resources).length, 0);
      expect(lines).toHaveLength(resources + 1);
    },
  );

  it('prices the example at the fixed fees its templates carry', () => {
    const templates = synthesizedTemplates(exampleConfig());
    const lines = costLines(templates, usage());
    const count = (type: string) => lines.filter((l) => l.type === type).length;
    expect(reconcilerRunsPerMonth(templates)).toBe(2920);
    // With no usage, idle is the fixed fees (the data key and the one notification topic key, the
    // secret, the alarms; no dashboard by default) and the reconciler's runs at zero duration:
    // their requests (no X-Ray by default).
    const fixed =
      count('AWS::KMS::Key') * 1 +
      count('AWS::SecretsManager::Secret') * 0.4 +
      count('AWS::CloudWatch::Alarm') * 0.1 +
      count('AWS::CloudWatch::Dashboard') * 3;
    const runs = 2920 * 0.2e-6;
    expect(count('AWS::KMS::Key')).toBe(2);
    expect(count('AWS::CloudWatch::Dashboard')).toBe(0);
    expect(totals(lines).idle).toBeCloseTo(fixed + runs, 9);
    expect(Object.keys(FREE_TYPES)).not.toContain('AWS::Lambda::Function');
  });
});

describe('the cost options, priced', () => {
  const idleOf = (config: ConnectorConfig) =>
    totals(costLines(synthesizedTemplates(config), usage())).idle;
  const perMillionOf = (config: ConnectorConfig, share: number) =>
    totals(costLines(synthesizedTemplates(config), usage({ xraySampledShare: s(share) })))
      .perMillion;
  const variant = (name: string) => {
    const found = VARIANTS.find((v) => v.name === name);
    if (found === undefined) throw new Error(`no variant ${name}`);
    return found.apply(exampleConfig());
  };

  it('has a lean variant with both options off and an observed one with both on', () => {
    expect(variant('lean')).toEqual(
      expect.objectContaining({
        tracing: false,
        monitoring: expect.objectContaining({ dashboard: false }),
      }),
    );
    expect(variant('observed')).toEqual(
      expect.objectContaining({
        tracing: true,
        monitoring: expect.objectContaining({ dashboard: true }),
      }),
    );
    // Nothing else changes.
    const { tracing: _t, monitoring: _m, ...rest } = variant('observed');
    const { tracing: _t2, monitoring: _m2, ...example } = exampleConfig();
    expect(rest).toEqual(example);
  });

  it("the dashboard costs 3 USD a month at idle, tracing the reconciler runs' traces at idle and two traces an event", () => {
    const lean = variant('lean');
    expect(
      idleOf({ ...lean, monitoring: { ...lean.monitoring, dashboard: true } }) - idleOf(lean),
    ).toBeCloseTo(3, 9);
    expect(idleOf({ ...lean, tracing: true }) - idleOf(lean)).toBeCloseTo(2920 * 5e-6, 9);
    // The API's trace (the receiver continues it) and the worker's: 2 x 5 USD per million at 100%.
    expect(perMillionOf({ ...lean, tracing: true }, 1) - perMillionOf(lean, 1)).toBeCloseTo(10, 9);
    expect(perMillionOf(variant('observed'), 0.84) - perMillionOf(lean, 0.84)).toBeCloseTo(8.4, 9);
  });

  it('the function-url variant drops the HTTP API and its access log, and adds only free resources', () => {
    expect(variant('function-url')).toMatchObject({ ingress: 'function-url', tracing: false });
    expect(variant('function-url').apiThrottle).toBeUndefined();
    // Some traffic on every function and the access log, so a line that changed would show.
    const traffic = usage({
      durationMs: { receiver: s(50), worker: s(200), reconciler: s(1000) },
      logBytesPerEvent: { receiver: s(300), worker: s(900) },
      accessLogBytesPerRequest: s(400),
    });
    const lean = costLines(synthesizedTemplates(variant('lean')), traffic);
    const url = costLines(synthesizedTemplates(variant('function-url')), traffic);
    const key = (line: { stack: string; id: string }) => `${line.stack}/${line.id}`;
    const keysOf = (lines: typeof lean) => new Set(lines.map(key));
    const gone = lean.filter((line) => !keysOf(url).has(key(line)));
    const added = url.filter((line) => !keysOf(lean).has(key(line)));
    expect(gone.map((line) => line.type).sort()).toEqual([
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Integration',
      'AWS::ApiGatewayV2::Route',
      'AWS::ApiGatewayV2::Stage',
      'AWS::Lambda::Permission',
      'AWS::Logs::LogGroup',
    ]);
    expect(added.map((line) => [line.type, line.status]).sort()).toEqual([
      ['AWS::Lambda::Permission', 'free'],
      ['AWS::Lambda::Permission', 'free'],
      ['AWS::Lambda::Url', 'free'],
    ]);
    const sum = (lines: typeof lean, field: 'idle' | 'perMillion') =>
      lines.reduce((total, line) => total + line[field], 0);
    // 1.00 USD per million HTTP API requests, plus the access log's bytes.
    expect(sum(gone, 'perMillion')).toBeGreaterThan(1);
    expect(totals(lean).perMillion - totals(url).perMillion).toBeCloseTo(
      sum(gone, 'perMillion'),
      9,
    );
    expect(totals(lean).idle - totals(url).idle).toBeCloseTo(sum(gone, 'idle'), 9);
  });
});

describe('usageFrom: the receiver publishes no metric for a delivery', () => {
  /** A sandbox run of 10 events in which the receiver printed nothing and the worker 10 lines. */
  const measurement = quietMeasurement({
    sqs: { enqueues: 10, handBacks: 0, visibilityChanges: 0 },
    logBytes: { receiver: 0, worker: 5000 },
    logLines: { receiver: 0, worker: 10 },
  });
  const logging = (detailMetrics: boolean): FunctionLogging => ({
    systemLogLevel: 'WARN',
    detailMetrics,
    traced: false,
  });
  const usageWith = (detailMetrics: boolean) =>
    usageFrom(measurement, 2920, s(10), s(200), {
      receiver: logging(detailMetrics),
      worker: logging(detailMetrics),
      reconciler: logging(detailMetrics),
    });

  it.each([false, true])(
    'detail metrics %s: no receiver custom metric, and no EMF bytes on top of its log lines',
    (detailMetrics) => {
      const usage = usageWith(detailMetrics);
      expect(usage.customMetrics.value.traffic.filter((m) => m.startsWith('receiver/'))).toEqual(
        [],
      );
      expect(usage.logBytesPerEvent.receiver.value).toBe(0);
    },
  );

  it('still prices the metrics the worker publishes per event (the EMF bytes are counted at all)', () => {
    const usage = usageWith(true);
    expect(usage.customMetrics.value.traffic).toContain('worker/OffersForReview');
    // 500 B of lines + 80-odd B of Lambda context each, + one EMF document per event.
    expect(usage.logBytesPerEvent.worker.value).toBeGreaterThan(
      usageWith(false).logBytesPerEvent.worker.value + 100,
    );
  });
});
