/**
 * Covers config `table` (lambdas/core/table-config.ts, lib/table-capacity.ts): the offer table on
 * demand by default, exactly as before; provisioned, with target-tracking auto scaling of its
 * reads and writes between the configured minimum and maximum (the table has no secondary index,
 * so nothing else needs scaling) and the TableThrottled alarm; and the config's refusals, each
 * naming its field. cdk-nag runs on a provisioned table in nag.test.ts; the cost model prices it
 * in test/unit/bench-cost.test.ts.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import {
  ConfigError,
  parseConnectorConfig,
  provisionedCapacity,
  type ConnectorConfig,
} from '../../lambdas/core/config';
import { DEFAULT_PROVISIONED_CAPACITY, type TableSettings } from '../../lambdas/core/table-config';
import { build, exampleConfig, onlyResource, resourcesOf } from './infra-support';

/** The example config as plain input (what a config file holds), with `table` set. */
function input(table: unknown): Record<string, unknown> {
  const raw = JSON.parse(JSON.stringify(exampleConfig())) as Record<string, unknown>;
  if (table === undefined) delete raw['table'];
  else raw['table'] = table;
  return raw;
}

const withTable = (table: TableSettings): ConnectorConfig => ({ ...exampleConfig(), table });

const tableOf = (template: Template) => onlyResource(template, 'AWS::DynamoDB::Table');

/** The scalable target and its policy for one dimension (`WriteCapacityUnits` or `ReadCapacityUnits`). */
function scalingOf(template: Template, dimension: string) {
  const target = onlyResource(
    template,
    'AWS::ApplicationAutoScaling::ScalableTarget',
    (p) => p['ScalableDimension'] === `dynamodb:table:${dimension}`,
  );
  const policy = onlyResource(
    template,
    'AWS::ApplicationAutoScaling::ScalingPolicy',
    (p) => JSON.stringify(p['ScalingTargetId']) === JSON.stringify({ Ref: target.id }),
  );
  return { target: target.properties, policy: policy.properties };
}

const throttleAlarms = (template: Template) =>
  Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter((id) =>
    id.startsWith('MonitoringTableThrottled'),
  );

describe('config table', () => {
  it('is on demand when left out, and in the example config', () => {
    expect(parseConnectorConfig(input(undefined)).table).toEqual({ billing: 'on-demand' });
    expect(exampleConfig().table).toEqual({ billing: 'on-demand' });
  });

  it('takes provisioned alone (the defaults apply at synth) or with every field', () => {
    expect(parseConnectorConfig(input({ billing: 'provisioned' })).table).toEqual({
      billing: 'provisioned',
    });
    const full = {
      billing: 'provisioned',
      writeCapacity: { min: 5, max: 100 },
      readCapacity: { min: 2, max: 2 },
      targetUtilization: 50,
    };
    expect(parseConnectorConfig(input(full)).table).toEqual(full);
    // A range's min may be left out: 1.
    expect(
      parseConnectorConfig(input({ billing: 'provisioned', writeCapacity: { max: 30 } })).table
        .writeCapacity,
    ).toEqual({ min: 1, max: 30 });
  });

  it.each([
    // The dimension's default maximum, or the min itself when that is higher.
    [{ writeCapacity: { min: 2 } }, { min: 2, max: 200 }, { min: 1, max: 50 }],
    [{ writeCapacity: { min: 300 } }, { min: 300, max: 300 }, { min: 1, max: 50 }],
    [{ readCapacity: { min: 10 } }, { min: 1, max: 200 }, { min: 10, max: 50 }],
    [{ readCapacity: { min: 80 } }, { min: 1, max: 200 }, { min: 80, max: 80 }],
    [{ writeCapacity: {} }, { min: 1, max: 200 }, { min: 1, max: 50 }],
  ])('resolves a range given without max: %j', (fields, write, read) => {
    const table = parseConnectorConfig(input({ billing: 'provisioned', ...fields })).table;
    expect(provisionedCapacity(table)).toEqual({
      writeCapacity: write,
      readCapacity: read,
      targetUtilization: DEFAULT_PROVISIONED_CAPACITY.targetUtilization,
    });
  });

  it.each([
    [
      { billing: 'provisioned', writeCapacity: { min: 10, max: 5 } },
      'table.writeCapacity.min: min must not exceed max',
    ],
    [
      { billing: 'provisioned', readCapacity: { min: 0, max: 5 } },
      'table.readCapacity.min: must be at least 1',
    ],
    [
      { billing: 'provisioned', readCapacity: { max: 2.5 } },
      'table.readCapacity.max: must be a whole number',
    ],
    [
      { billing: 'provisioned', writeCapacity: { max: 40_001 } },
      'table.writeCapacity.max: must be at most 40000',
    ],
    [
      { billing: 'provisioned', targetUtilization: 19 },
      'table.targetUtilization: must be at least 20',
    ],
    [
      { billing: 'provisioned', targetUtilization: 91 },
      'table.targetUtilization: must be at most 90',
    ],
    [
      { billing: 'provisioned', targetUtilization: 70.5 },
      'table.targetUtilization: must be a whole percentage',
    ],
    [
      { billing: 'on-demand', writeCapacity: { max: 5 } },
      'table.writeCapacity: writeCapacity applies to billing "provisioned" only',
    ],
    [
      { targetUtilization: 70 },
      'table.targetUtilization: targetUtilization applies to billing "provisioned" only',
    ],
    [{ billing: 'PROVISIONED' }, 'table.billing'],
    [
      { billing: 'provisioned', writeCapacity: { min: 1, max: 5, step: 1 } },
      'table.writeCapacity: unknown field "step"',
    ],
    [{ billing: 'provisioned', capacity: 5 }, 'table: unknown field "capacity"'],
  ])('refuses %j, naming the field', (table, message) => {
    expect(() => parseConnectorConfig(input(table))).toThrow(ConfigError);
    expect(() => parseConnectorConfig(input(table))).toThrow(message);
  });
});

describe('table.billing "on-demand" (the default)', () => {
  const built = build(exampleConfig());

  it('bills per request: no capacity, no scaling, no throttle alarm', () => {
    const table = tableOf(built.stateTemplate).properties;
    expect(table['BillingMode']).toBe('PAY_PER_REQUEST');
    expect(table['ProvisionedThroughput']).toBeUndefined();
    built.stateTemplate.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    built.stateTemplate.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 0);
    expect(throttleAlarms(built.appTemplate)).toEqual([]);
  });
});

describe('table.billing "provisioned"', () => {
  const defaults = build(withTable({ billing: 'provisioned' }));
  const custom = build(
    withTable({
      billing: 'provisioned',
      writeCapacity: { min: 5, max: 120 },
      readCapacity: { min: 2, max: 30 },
      targetUtilization: 50,
    }),
  );

  it('starts the table at the minimum capacity, with no secondary index to scale apart', () => {
    const table = tableOf(custom.stateTemplate).properties;
    // CloudFormation's default billing mode is PROVISIONED.
    expect(table['BillingMode'] ?? 'PROVISIONED').toBe('PROVISIONED');
    expect(table['ProvisionedThroughput']).toEqual({ ReadCapacityUnits: 2, WriteCapacityUnits: 5 });
    expect(table['GlobalSecondaryIndexes']).toBeUndefined();
    // Everything else about the table is as on demand.
    const { BillingMode: _b, ProvisionedThroughput: _p, ...rest } = table;
    const { BillingMode: _b2, ...onDemand } = tableOf(
      build(exampleConfig()).stateTemplate,
    ).properties;
    expect(rest).toEqual(onDemand);
  });

  it.each([
    ['WriteCapacityUnits', 'DynamoDBWriteCapacityUtilization', { min: 5, max: 120 }],
    ['ReadCapacityUnits', 'DynamoDBReadCapacityUtilization', { min: 2, max: 30 }],
  ])(
    'scales %s of the table between its min and max, tracking the target utilization',
    (dimension, metric, range) => {
      const { target, policy } = scalingOf(custom.stateTemplate, dimension);
      const tableId = tableOf(custom.stateTemplate).id;
      expect(target).toEqual(
        expect.objectContaining({
          ServiceNamespace: 'dynamodb',
          MinCapacity: range.min,
          MaxCapacity: range.max,
        }),
      );
      expect(JSON.stringify(target['ResourceId'])).toContain(`{"Ref":"${tableId}"}`);
      // The service-linked role: no role of the stack's own.
      expect(JSON.stringify(target['RoleARN'])).toContain(
        'aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable',
      );
      expect(policy).toEqual(
        expect.objectContaining({
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            PredefinedMetricSpecification: { PredefinedMetricType: metric },
            TargetValue: 50,
          },
        }),
      );
    },
  );

  it('builds a range given with its min only: write { min: 300 } holds 300 (above the default max), read { min: 3 } scales to the default max', () => {
    const minOnly = build(
      withTable({ billing: 'provisioned', writeCapacity: { min: 300 }, readCapacity: { min: 3 } }),
    ).stateTemplate;
    expect(tableOf(minOnly).properties['ProvisionedThroughput']).toEqual({
      ReadCapacityUnits: 3,
      WriteCapacityUnits: 300,
    });
    const write = scalingOf(minOnly, 'WriteCapacityUnits').target;
    const read = scalingOf(minOnly, 'ReadCapacityUnits').target;
    expect([write['MinCapacity'], write['MaxCapacity']]).toEqual([300, 300]);
    expect([read['MinCapacity'], read['MaxCapacity']]).toEqual([
      3,
      DEFAULT_PROVISIONED_CAPACITY.readCapacity.max,
    ]);
  });

  it('uses the default ranges and target when they are left out', () => {
    const write = scalingOf(defaults.stateTemplate, 'WriteCapacityUnits');
    const read = scalingOf(defaults.stateTemplate, 'ReadCapacityUnits');
    const d = DEFAULT_PROVISIONED_CAPACITY;
    expect([write.target['MinCapacity'], write.target['MaxCapacity']]).toEqual([
      d.writeCapacity.min,
      d.writeCapacity.max,
    ]);
    expect([read.target['MinCapacity'], read.target['MaxCapacity']]).toEqual([
      d.readCapacity.min,
      d.readCapacity.max,
    ]);
    for (const { policy } of [write, read])
      expect(policy['TargetTrackingScalingPolicyConfiguration']).toEqual(
        expect.objectContaining({ TargetValue: d.targetUtilization }),
      );
    expect(tableOf(defaults.stateTemplate).properties['ProvisionedThroughput']).toEqual({
      ReadCapacityUnits: 1,
      WriteCapacityUnits: 1,
    });
  });

  it('adds the TableThrottled alarm on the table’s read and write throttle events, 3 periods of 5 minutes in a row', () => {
    const ids = throttleAlarms(defaults.appTemplate);
    expect(ids).toHaveLength(1);
    const alarm = Object.entries(resourcesOf(defaults.appTemplate, 'AWS::CloudWatch::Alarm')).find(
      ([id]) => ids.includes(id),
    )?.[1].Properties;
    expect(alarm).toEqual(
      expect.objectContaining({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
      }),
    );
    const queries = alarm?.['Metrics'] as {
      Expression?: string;
      MetricStat?: {
        Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string }[] };
        Period: number;
        Stat: string;
      };
    }[];
    expect(queries.find((q) => q.Expression !== undefined)?.Expression).toBe(
      'FILL(reads, 0) + FILL(writes, 0)',
    );
    const stats = queries.flatMap((q) => (q.MetricStat === undefined ? [] : [q.MetricStat]));
    expect(stats.map((s) => s.Metric.MetricName).sort()).toEqual([
      'ReadThrottleEvents',
      'WriteThrottleEvents',
    ]);
    for (const stat of stats) {
      expect(stat).toEqual(expect.objectContaining({ Period: 300, Stat: 'Sum' }));
      expect(stat.Metric.Namespace).toBe('AWS/DynamoDB');
      expect(stat.Metric.Dimensions.map((d) => d.Name)).toEqual(['TableName']);
    }
    // The table's name, as the state stack exports it.
    expect(JSON.stringify(stats[0]?.Metric.Dimensions)).toContain('OfferTable');
  });
});
