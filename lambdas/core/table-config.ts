import * as v from 'valibot';
import { pathTo } from './parse-json';

/**
 * Deployment settings for the offer table (config `table` and `backup`): its capacity mode and its
 * AWS Backup plan. Used at synth time only (lib/state-stack.ts); the functions never load it.
 */

/** DynamoDB's default quota of capacity units per table (and per index), reads and writes each. */
export const MAX_TABLE_CAPACITY_UNITS = 40_000;

/** Target utilization DynamoDB auto scaling accepts, in percent of the provisioned capacity. */
export const TARGET_UTILIZATION_RANGE = { min: 20, max: 90 } as const;

/**
 * Provisioned capacity when `table.billing` is `provisioned` and a field is left out. The
 * minimums are what an idle month pays for (1 WCU and 1 RCU: about 0.57 USD). The maximums are
 * only a ceiling: about what the worker's default 5 concurrent invocations can ask at most (each
 * event is a few writes and about one read, as `npm run bench -- cost` measures; a few events a
 * second per invocation). Raise them with `workerMaxConcurrency`. A range given with its `min`
 * only keeps the default maximum, or the `min` itself when that is higher (`provisionedCapacity`).
 */
export const DEFAULT_PROVISIONED_CAPACITY = {
  writeCapacity: { min: 1, max: 200 },
  readCapacity: { min: 1, max: 50 },
  targetUtilization: 70,
} as const;

const capacityUnits = v.pipe(
  v.number(),
  v.integer('must be a whole number of capacity units'),
  v.minValue(1, 'must be at least 1'),
  v.maxValue(
    MAX_TABLE_CAPACITY_UNITS,
    `must be at most ${MAX_TABLE_CAPACITY_UNITS} (DynamoDB's default per-table quota)`,
  ),
);

/** The range auto scaling keeps the provisioned capacity in, as configured. */
export const capacityRangeSchema = v.pipe(
  v.strictObject({
    /** Never below this, also when idle: what an idle month pays for. */
    min: v.optional(capacityUnits, 1),
    /**
     * Never above this: the most a burst can get, and the most a month can cost. Left out: the
     * dimension's default maximum, or `min` when that is higher.
     */
    max: v.optional(capacityUnits),
  }),
  v.forward(
    v.check(
      (range) => range.max === undefined || range.min <= range.max,
      'min must not exceed max',
    ),
    ['min'],
  ),
);

export type CapacityRangeSettings = v.InferOutput<typeof capacityRangeSchema>;

/** A capacity range as auto scaling gets it, both ends resolved. */
export interface CapacityRange {
  readonly min: number;
  readonly max: number;
}

const PROVISIONED_ONLY = ['writeCapacity', 'readCapacity', 'targetUtilization'] as const;

export const tableSettingsSchema = v.pipe(
  v.strictObject({
    /**
     * `on-demand` (default): billed per request, no capacity to plan, no throttling below the
     * table's limits. `provisioned`: capacity held and billed by the hour, auto scaled between
     * the minimum and maximum; cheaper per event at steady traffic, the minimum paid at idle, and
     * a burst beyond the capacity is throttled until auto scaling catches up (README, Cost).
     */
    billing: v.optional(v.picklist(['on-demand', 'provisioned']), 'on-demand'),
    /** Write capacity units (provisioned only); default DEFAULT_PROVISIONED_CAPACITY. */
    writeCapacity: v.optional(capacityRangeSchema),
    /** Read capacity units (provisioned only). */
    readCapacity: v.optional(capacityRangeSchema),
    /** Consumed capacity auto scaling aims at, in percent of the provisioned (20-90; provisioned only). */
    targetUtilization: v.optional(
      v.pipe(
        v.number(),
        v.integer('must be a whole percentage'),
        v.minValue(
          TARGET_UTILIZATION_RANGE.min,
          `must be at least ${TARGET_UTILIZATION_RANGE.min}`,
        ),
        v.maxValue(TARGET_UTILIZATION_RANGE.max, `must be at most ${TARGET_UTILIZATION_RANGE.max}`),
      ),
    ),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed || dataset.value.billing === 'provisioned') return;
    const table = dataset.value;
    for (const field of PROVISIONED_ONLY) {
      if (table[field] === undefined) continue;
      addIssue({
        message: `${field} applies to billing "provisioned" only: remove it, or set billing to "provisioned"`,
        path: pathTo(table, field),
      });
    }
  }),
);

export type TableSettings = v.InferOutput<typeof tableSettingsSchema>;

/** The table's provisioned capacity as it will be built, defaults resolved. */
export interface ProvisionedCapacity {
  readonly writeCapacity: CapacityRange;
  readonly readCapacity: CapacityRange;
  readonly targetUtilization: number;
}

/** A configured range with its maximum resolved: as given, else the default's or `min` if higher. */
function resolveRange(
  given: CapacityRangeSettings | undefined,
  fallback: CapacityRange,
): CapacityRange {
  if (given === undefined) return fallback;
  return { min: given.min, max: given.max ?? Math.max(given.min, fallback.max) };
}

/** The provisioned capacity of a `provisioned` table, defaults resolved; undefined when on demand. */
export function provisionedCapacity(table: TableSettings): ProvisionedCapacity | undefined {
  if (table.billing !== 'provisioned') return undefined;
  const defaults = DEFAULT_PROVISIONED_CAPACITY;
  return {
    writeCapacity: resolveRange(table.writeCapacity, defaults.writeCapacity),
    readCapacity: resolveRange(table.readCapacity, defaults.readCapacity),
    targetUtilization: table.targetUtilization ?? defaults.targetUtilization,
  };
}

/** An AWS Backup plan for the offer table (daily, kept `retentionDays`), on top of its point-in-time recovery. */
export const backupSettingsSchema = v.strictObject({
  enabled: v.optional(v.boolean(), false),
  /** Days each daily backup is kept (1-3650). */
  retentionDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3650)), 35),
});
