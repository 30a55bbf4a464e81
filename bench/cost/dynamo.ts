/**
 * The offer table's price in either capacity mode (config `table.billing`), read off the
 * templates. On demand: every write and read unit at the request price. Provisioned: the capacity
 * held, by the hour. Idle holds the auto-scaling minimum all month; per million events, the
 * measured write and read units are carried by capacity held at the scaling target's utilization
 * (a WCU-hour at 70% carries 0.7 x 3600 write units), the minimum counted again. That per-million
 * figure is a lower bound: it assumes steady traffic and perfect tracking. Real traffic uses less
 * of what is held (bursts, minutes of scaling lag, a slow scale-in), so the line also says what a
 * million events cost at `REAL_USE` of the capacity, and the use below which provisioned costs
 * more per event than on demand (`breakEvenUtilization`).
 * The scalable targets are free; the target-tracking policies are billed through the CloudWatch
 * alarms Application Auto Scaling creates for them.
 */
import { HOURS_PER_MONTH, PRICES, usdPer } from './prices';
import { props, referencedIds, type CfnResource, type NamedTemplate } from './wiring';

/** One capacity dimension's auto scaling: its range and target utilization (0-1). */
export interface CapacityScaling {
  readonly min: number;
  readonly max: number;
  readonly target: number;
}

export interface TableScaling {
  readonly write?: CapacityScaling;
  readonly read?: CapacityScaling;
}

/**
 * Alarms a target-tracking policy on a DynamoDB table has CloudWatch keep: AlarmHigh and AlarmLow
 * on the consumed capacity, ProvisionedCapacityHigh and ProvisionedCapacityLow on the provisioned
 * (as they appear in the console, named TargetTracking-table/...). Other services' policies: two.
 */
export const DYNAMO_TARGET_TRACKING_ALARMS = 4;
const OTHER_TARGET_TRACKING_ALARMS = 2;

export const SCALING_FREE_TYPES: Readonly<Record<string, string>> = {
  'AWS::ApplicationAutoScaling::ScalableTarget':
    'free (the capacity it sets is priced on the table)',
};

const DIMENSIONS = {
  'dynamodb:table:WriteCapacityUnits': 'write',
  'dynamodb:table:ReadCapacityUnits': 'read',
} as const;

/** Auto scaling of each provisioned table, by the table's logical id. */
export function tableScaling(templates: readonly NamedTemplate[]): Map<string, TableScaling> {
  const targets = new Map<string, number>();
  for (const { resources } of templates) {
    for (const resource of Object.values(resources)) {
      const p = props(resource);
      if (resource.Type !== 'AWS::ApplicationAutoScaling::ScalingPolicy') continue;
      const value = (
        p['TargetTrackingScalingPolicyConfiguration'] as { TargetValue?: unknown } | undefined
      )?.TargetValue;
      if (typeof value !== 'number') continue;
      for (const id of referencedIds(p['ScalingTargetId'])) targets.set(id, value / 100);
    }
  }
  const found = new Map<string, TableScaling>();
  for (const { resources } of templates) {
    for (const [id, resource] of Object.entries(resources)) {
      const p = props(resource);
      if (resource.Type !== 'AWS::ApplicationAutoScaling::ScalableTarget') continue;
      if (p['ServiceNamespace'] !== 'dynamodb') continue;
      const scalableDimension = String(p['ScalableDimension']);
      if (!Object.hasOwn(DIMENSIONS, scalableDimension)) continue;
      const dimension = DIMENSIONS[scalableDimension as keyof typeof DIMENSIONS];
      const scaling: CapacityScaling = {
        min: Number(p['MinCapacity']),
        max: Number(p['MaxCapacity']),
        // No target-tracking policy: the capacity only moves by hand or schedule; priced as used in full.
        target: targets.get(id) ?? 1,
      };
      for (const table of referencedIds(p['ResourceId']))
        found.set(table, { ...found.get(table), [dimension]: scaling });
    }
  }
  return found;
}

/** What the table's line needs from the usage. */
export interface TableUsage {
  readonly wruPerEvent: number;
  readonly rruPerEvent: number;
  readonly storageGb: number;
  /** Read units a month at idle (the reconciler's runs). */
  readonly idleRru: number;
}

export interface TablePrice {
  readonly idle: number;
  readonly perMillion: number;
  readonly detail: string;
}

const MILLION = 1e6;

/** A plausible real use of provisioned capacity held for a 70% target (bursty traffic). */
export const REAL_USE = 0.35;

/**
 * The share of held capacity that must be used for provisioned units to cost no more than on
 * demand ones (writes; reads have the same ratio at the list prices): a WCU-hour carries 3600
 * write units at full use.
 */
export function breakEvenUtilization(): number {
  return usdPer(PRICES.dynamoProvisionedWcuHour, 1) / usdPer(PRICES.dynamoWriteRequestUnit, 3600);
}

/** A million events' write and read units at the on-demand request prices. */
function onDemandPerMillion(usage: TableUsage): number {
  return (
    usdPer(PRICES.dynamoWriteRequestUnit, MILLION * usage.wruPerEvent) +
    usdPer(PRICES.dynamoReadRequestUnit, MILLION * usage.rruPerEvent)
  );
}

/** A DynamoDB table's line; undefined for a billing mode the model does not know. */
export function priceTable(
  resource: CfnResource,
  scaling: TableScaling | undefined,
  usage: TableUsage,
): TablePrice | undefined {
  const p = props(resource);
  const pitr =
    (p['PointInTimeRecoverySpecification'] as { PointInTimeRecoveryEnabled?: boolean } | undefined)
      ?.PointInTimeRecoveryEnabled === true;
  const storage =
    usdPer(PRICES.dynamoStorageGbMonth, usage.storageGb) +
    (pitr ? usdPer(PRICES.dynamoPitrGbMonth, usage.storageGb) : 0);
  const stored = `${usage.storageGb} GB stored${pitr ? ', PITR on' : ''}`;
  const units = `${usage.wruPerEvent.toFixed(2)} WRU + ${usage.rruPerEvent.toFixed(2)} RRU per event`;
  if (p['BillingMode'] === 'PAY_PER_REQUEST')
    return {
      idle: storage + usdPer(PRICES.dynamoReadRequestUnit, usage.idleRru),
      perMillion: onDemandPerMillion(usage),
      detail: `on-demand: ${units}; ${stored}`,
    };
  // CloudFormation's default billing mode is PROVISIONED.
  if (p['BillingMode'] !== undefined && p['BillingMode'] !== 'PROVISIONED') return undefined;
  const throughput = (p['ProvisionedThroughput'] ?? {}) as {
    ReadCapacityUnits?: unknown;
    WriteCapacityUnits?: unknown;
  };
  const held = (fixed: unknown, scaled: CapacityScaling | undefined) =>
    scaled?.min ?? (typeof fixed === 'number' ? fixed : 0);
  const wcu = held(throughput.WriteCapacityUnits, scaling?.write);
  const rcu = held(throughput.ReadCapacityUnits, scaling?.read);
  // Units carried per million events, at the target utilization; fixed capacity: nothing more.
  const capacityHours = (unitsPerEvent: number, scaled: CapacityScaling | undefined) =>
    scaled === undefined ? 0 : (MILLION * unitsPerEvent) / (3600 * scaled.target);
  const range = (name: string, scaled: CapacityScaling | undefined, fixed: number) =>
    scaled === undefined
      ? `${fixed} ${name} fixed (beyond it: throttled)`
      : `${name} ${scaled.min}-${scaled.max} at ${Math.round(scaled.target * 100)}%`;
  const perMillionAt = (use: (scaled: CapacityScaling) => CapacityScaling) => {
    const at = (scaled: CapacityScaling | undefined) => scaled && use(scaled);
    return (
      usdPer(
        PRICES.dynamoProvisionedWcuHour,
        capacityHours(usage.wruPerEvent, at(scaling?.write)),
      ) +
      usdPer(PRICES.dynamoProvisionedRcuHour, capacityHours(usage.rruPerEvent, at(scaling?.read)))
    );
  };
  const perMillion = perMillionAt((scaled) => scaled);
  const scaled = scaling?.write !== undefined || scaling?.read !== undefined;
  const bound = scaled
    ? `; per million a lower bound (steady traffic, perfect tracking at the target): ${perMillionAt((s) => ({ ...s, target: REAL_USE })).toFixed(2)} at ${REAL_USE * 100}% real use, against ${onDemandPerMillion(usage).toFixed(2)} on demand, which it beats only above ${Math.round(breakEvenUtilization() * 100)}% use`
    : '';
  return {
    idle:
      storage +
      usdPer(PRICES.dynamoProvisionedWcuHour, wcu * HOURS_PER_MONTH) +
      usdPer(PRICES.dynamoProvisionedRcuHour, rcu * HOURS_PER_MONTH),
    perMillion,
    detail: `provisioned: ${range('WCU', scaling?.write, wcu)}, ${range('RCU', scaling?.read, rcu)}, the minimum held all month${bound}; ${units}; ${stored}`,
  };
}

/** A scaling policy's line: the CloudWatch alarms a target-tracking policy keeps. */
export function priceScalingPolicy(resource: CfnResource): TablePrice {
  const p = props(resource);
  if (p['PolicyType'] !== 'TargetTrackingScaling')
    return { idle: 0, perMillion: 0, detail: 'step or scheduled scaling: no alarm of its own' };
  const predefined = (
    p['TargetTrackingScalingPolicyConfiguration'] as
      { PredefinedMetricSpecification?: { PredefinedMetricType?: unknown } } | undefined
  )?.PredefinedMetricSpecification?.PredefinedMetricType;
  const alarms =
    typeof predefined === 'string' && predefined.startsWith('DynamoDB')
      ? DYNAMO_TARGET_TRACKING_ALARMS
      : OTHER_TARGET_TRACKING_ALARMS;
  return {
    idle: usdPer(PRICES.alarmStandardMonth, alarms),
    perMillion: 0,
    detail: `target tracking: the ${alarms} standard alarms Application Auto Scaling keeps for it (assumed billed as any alarm)`,
  };
}
