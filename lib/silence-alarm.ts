import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { wallClock, type Weekday } from '../lambdas/core/local-time';
import type { BusinessHours, SilenceAlarmSettings } from '../lambdas/core/monitoring-config';

/**
 * The "no SNS delivery" alarm's metric. Nothing fails when deliveries stop (a deleted
 * subscription, a broken endpoint AlayaCare gave up on): the only sign is silence, so the alarm
 * counts the messages put on the events queue (AWS/SQS `NumberOfMessagesSent`, Sum) in hourly
 * periods and fires after `hours` consecutive hours without one, missing data counting as silence.
 *
 * Why the queue's count and not a receiver metric: SQS publishes it for nothing, where a custom
 * metric costs 0.30 USD a month and its EMF document about 228 log bytes per delivery. The AWS docs
 * (Amazon SQS Developer Guide, "Available CloudWatch metrics for Amazon SQS") define it as "The
 * number of messages added to a queue", "Reporting Criteria: A non-negative value is reported if
 * the queue is active", and warn that it is "calculated from a service perspective, and can
 * include retries. Don't rely on the absolute values of these metrics": the alarm asks only
 * whether an hour had none (threshold 1), which a retried send cannot turn into a false silence.
 *
 * What it counts is every message put on the events queue, not only SNS deliveries:
 * - every SNS notification the receiver accepted (verified, allowed topic): one each, as before;
 * - the reconciler's catch-up enqueues (offers SNS dropped) and operator replays (`npx connector
 *   replay`): new, they count as traffic. While SNS is silent, a reconciler that keeps finding
 *   dropped offers would hold this alarm off, but then ReconcilerFoundDroppedOffers (3 or more
 *   finds in each of 2 hours) fires instead; fewer finds than that can mask a dead subscription
 *   for as long as they last. A replay is an operator at work, who knows the state of the feed.
 * - never junk: requests to the endpoint that are refused (no SNS header, bad credentials or
 *   signature, foreign topic, stale) or confirmations put nothing on the queue, so they never
 *   counted and still do not.
 * Dead letters redriven from the dead-letter queue (`npx connector dlq redrive`) come back to the
 * events queue too, and count like a replay. So do the worker's hand-backs (a copy of a record it
 * had no time for, RecordsHandedBack): each follows an earlier message by at most SQS's 15-minute
 * delay, and Lambda's loop detection stops a chain after 16 copies, so at worst they stretch real
 * traffic by a few hours, never make it up.
 *
 * Business hours use CloudWatch metric math, which has time functions: `HOUR(x)` (0-23, UTC) and
 * `DAY(x)` (1 = Monday .. 7 = Sunday, UTC) of each datapoint, `IF`, `AND`, `OR`, `FILL`. The
 * expression is `IF(<business hour>, FILL(deliveries, 0), 1)`: a business hour counts its
 * deliveries (none = breaching), any other hour counts as 1 (not breaching), so only business
 * hours can make the alarm fire and the count of silent hours restarts each business day.
 *
 * `HOUR` and `DAY` read the timestamps of a series that has datapoints every hour whatever the
 * traffic: the events queue's ApproximateNumberOfMessagesVisible, which SQS publishes for an
 * active queue, and the worker's event source mapping polls the queue all the time. (A silent hour
 * has no delivery datapoint to read a time from.) Should that series ever be empty, the expression
 * is empty too and the missing data counts as silence: the alarm errs towards paging.
 *
 * CloudWatch works in UTC and has no time zones, so the local hours are turned into UTC hours at
 * synth time, for every UTC offset the zone uses in the year after the synth (daylight saving
 * included), and the alarm watches the union: with a daylight-saving zone it watches one hour more
 * at one edge of the day, part of the year (e.g. 08:00-18:00 America/Toronto is 12:00-23:00 UTC:
 * 07:00-18:00 local in winter, 08:00-19:00 in summer). A zone whose offset is not a whole hour
 * widens the window to whole UTC hours the same way. Deploy again if the zone's rules change.
 */

/** Hourly periods: CloudWatch's finest period for a multi-hour evaluation range, and HOUR's own grain. */
export const SILENCE_PERIOD = Duration.hours(1);

/** CloudWatch's limit on a math expression's length. */
const MAX_EXPRESSION_LENGTH = 1024;

const HOUR_MS = 3_600_000;
/** Days sampled for the zone's offsets: a year, so both sides of daylight saving are seen. */
const SAMPLE_DAYS = 366;

/** CloudWatch's DAY(): Monday is 1, Sunday 7. */
const NEXT_DAY: Readonly<Record<Weekday, Weekday>> = {
  mon: 'tue',
  tue: 'wed',
  wed: 'thu',
  thu: 'fri',
  fri: 'sat',
  sat: 'sun',
  sun: 'mon',
};

/**
 * The UTC hours that overlap business hours, by CloudWatch day (index 0 = DAY 1 = Monday) and UTC
 * hour: `cells[d][h]` is true when the hour starting at h:00 UTC on day d+1 overlaps business
 * hours at any offset the zone uses in the year from `fromMs`.
 */
export function businessHourCells(hours: BusinessHours, fromMs: number): boolean[][] {
  const cells = Array.from({ length: 7 }, () => Array<boolean>(24).fill(false));
  const start = hours.start * 3600;
  const end = hours.end * 3600;
  const days = new Set(hours.days);
  const overlaps = (day: Weekday, from: number, to: number) =>
    days.has(day) && from < end && to > start;
  const first = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  for (let at = first; at < first + SAMPLE_DAYS * 24 * HOUR_MS; at += HOUR_MS) {
    const local = wallClock(at, hours.timeZone);
    const to = local.second + 3600;
    // The UTC hour, read locally, may run past local midnight into the next day.
    const business =
      overlaps(local.weekday, local.second, Math.min(to, 86_400)) ||
      (to > 86_400 && overlaps(NEXT_DAY[local.weekday], 0, to - 86_400));
    if (!business) continue;
    const utc = new Date(at);
    const utcDay = (utc.getUTCDay() + 6) % 7; // JS: Sunday 0; CloudWatch: Monday 1 (index 0).
    cells[utcDay][utc.getUTCHours()] = true;
  }
  return cells;
}

/** `a..b` runs of the true indexes, e.g. [8..17]. */
function runs(flags: readonly boolean[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  flags.forEach((flag, index) => {
    if (!flag) return;
    const last = out.at(-1);
    if (last !== undefined && last[1] === index - 1) last[1] = index;
    else out.push([index, index]);
  });
  return out;
}

/** `fn(x)` within the runs, as metric math: `(HOUR(t)>=8 AND HOUR(t)<=17)`, `DAY(t)==6`, joined by OR. */
function within(fn: string, ranges: Array<[number, number]>): string {
  const parts = ranges.map(([low, high]) =>
    low === high ? `${fn}==${low}` : `(${fn}>=${low} AND ${fn}<=${high})`,
  );
  return parts.length === 1 ? (parts[0] ?? '') : `(${parts.join(' OR ')})`;
}

/**
 * The metric math condition "this datapoint's hour is a business hour", on the timestamps of the
 * series `id`; undefined when every hour of the week is one (nothing to gate).
 */
export function businessHoursCondition(
  cells: readonly boolean[][],
  id: string,
): string | undefined {
  if (cells.every((row) => row.every(Boolean))) return undefined;
  // Days with the same UTC hours share one clause.
  const groups = new Map<string, { hours: readonly boolean[]; days: number[] }>();
  cells.forEach((row, day) => {
    if (!row.some(Boolean)) return;
    const key = row.map((flag) => (flag ? '1' : '0')).join('');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { hours: row, days: [day] });
    else group.days.push(day);
  });
  if (groups.size === 0) throw new Error('businessHours covers no hour of the week');
  const clauses = [...groups.values()].map(({ hours: hourFlags, days }) => {
    const dayFlags = Array.from({ length: 7 }, (_, day) => days.includes(day));
    const dayPart = dayFlags.every(Boolean)
      ? undefined
      : within(
          `DAY(${id})`,
          runs(dayFlags).map(([a, b]) => [a + 1, b + 1]),
        );
    const hourPart = hourFlags.every(Boolean) ? undefined : within(`HOUR(${id})`, runs(hourFlags));
    const both = [dayPart, hourPart].filter((part) => part !== undefined);
    return both.length === 1 ? (both[0] ?? '') : `(${both.join(' AND ')})`;
  });
  return clauses.length === 1 ? (clauses[0] ?? '') : clauses.join(' OR ');
}

export interface SilenceMetricProps {
  readonly settings: SilenceAlarmSettings;
  /** Messages put on the events queue (AWS/SQS NumberOfMessagesSent): deliveries and catch-ups. */
  readonly deliveries: cloudwatch.Metric;
  /** A series with a datapoint every hour, for the expression's clock (the events queue's depth). */
  readonly clock: cloudwatch.Metric;
  /** Start of the year sampled for the zone's offsets (default: now). */
  readonly fromMs?: number;
}

/** The alarm's metric: enqueued events per hour, or business hours' ones with other hours as 1. */
export function silenceMetric(props: SilenceMetricProps): cloudwatch.IMetric {
  const deliveries = props.deliveries.with({
    period: SILENCE_PERIOD,
    statistic: cloudwatch.Stats.SUM,
  });
  const { businessHours } = props.settings;
  if (businessHours === undefined) return deliveries;
  const condition = businessHoursCondition(
    businessHourCells(businessHours, props.fromMs ?? Date.now()),
    'clock',
  );
  if (condition === undefined) return deliveries;
  const expression = `IF(${condition}, FILL(deliveries, 0), 1)`;
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new Error(
      `monitoring.silence.businessHours: the alarm expression is ${expression.length} characters, over CloudWatch's ${MAX_EXPRESSION_LENGTH}; choose contiguous days`,
    );
  }
  return new cloudwatch.MathExpression({
    expression,
    usingMetrics: {
      deliveries,
      clock: props.clock.with({ period: SILENCE_PERIOD, statistic: cloudwatch.Stats.MAXIMUM }),
    },
    period: SILENCE_PERIOD,
    label: 'Events enqueued in business hours (other hours count as 1)',
  });
}
