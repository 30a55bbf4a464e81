import * as v from 'valibot';
import { isTimeZone, WEEKDAYS, type Weekday } from './local-time';

/**
 * Deployment settings for the alarms that depend on the organisation (config `monitoring`). Only
 * the "no SNS delivery" alarm has any today: how long a silence may last, and whether it may page
 * outside business hours. Used at synth time only (lib/silence-alarm.ts).
 */

/** Longest silence the alarm can wait for: 24 hourly periods, CloudWatch's one-day evaluation range. */
export const MAX_SILENCE_HOURS = 24;

/**
 * Default silence per role. A supply organisation receives offers all day long, so 6 quiet hours
 * means the subscription or the endpoint is broken. A demand-only organisation hears only about
 * its own outbox offers (accepts, declines, expiries), which can be quiet for a day: the longest
 * window, and it should set `hours` or `businessHours` to its own pattern (or disable the alarm).
 */
export const DEFAULT_SILENCE_HOURS = { supply: 6, both: 6, demand: MAX_SILENCE_HOURS } as const;

export const DEFAULT_BUSINESS_DAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

export const businessHoursSchema = v.pipe(
  v.strictObject({
    /** IANA time zone the hours are read in, e.g. `America/Toronto` (daylight saving: see lib/silence-alarm.ts). */
    timeZone: v.pipe(
      v.string(),
      v.check(isTimeZone, 'must be an IANA time zone such as America/Toronto'),
    ),
    /** First business hour, 0-23 (local). */
    start: v.pipe(
      v.number(),
      v.integer('must be a whole hour (0-23)'),
      v.minValue(0),
      v.maxValue(23),
    ),
    /** End of the business day, 1-24 (local, exclusive): `start: 8, end: 18` is 08:00-18:00. */
    end: v.pipe(
      v.number(),
      v.integer('must be a whole hour (1-24)'),
      v.minValue(1),
      v.maxValue(24),
    ),
    days: v.optional(v.pipe(v.array(v.picklist(WEEKDAYS)), v.minLength(1)), [
      ...DEFAULT_BUSINESS_DAYS,
    ]),
  }),
  v.forward(
    v.check(
      (b) => b.end > b.start,
      'end must be after start (an overnight business day is not supported)',
    ),
    ['end'],
  ),
);

export type BusinessHours = v.InferOutput<typeof businessHoursSchema>;

export const silenceSchema = v.pipe(
  v.strictObject({
    /** false: no "no SNS delivery" alarm at all. */
    enabled: v.optional(v.boolean(), true),
    /** Hours without any delivery before the alarm fires (1-24); default by role (DEFAULT_SILENCE_HOURS). */
    hours: v.optional(
      v.pipe(
        v.number(),
        v.integer('must be a whole number of hours'),
        v.minValue(1),
        v.maxValue(MAX_SILENCE_HOURS),
      ),
    ),
    /** Count and page only within these hours: quiet nights and weekends are not a failure. */
    businessHours: v.optional(businessHoursSchema),
  }),
  v.forward(
    v.check(
      (s) =>
        s.hours === undefined ||
        s.businessHours === undefined ||
        s.hours <= s.businessHours.end - s.businessHours.start,
      'hours must fit in one business day (end - start): only silent business hours are counted, and the count restarts each business day',
    ),
    ['hours'],
  ),
);

export const monitoringSchema = v.strictObject({
  silence: v.optional(silenceSchema, { enabled: true }),
  /**
   * The CloudWatch dashboard (3 USD a month beyond the account's first three). Off by default:
   * the alarms are what pages someone, and they do not need it; the dashboard is for looking, and
   * every metric it draws is in CloudWatch either way (namespace AlayaCareConnector).
   */
  dashboard: v.optional(v.boolean(), false),
  /**
   * The detail metrics (core/metric-names.ts DETAIL_METRICS): the decision counts by action,
   * duplicates, assignments, referrals, the offers the reconciler saw. No alarm watches them; each
   * costs about 0.30 USD a month once traffic flows (about 3 USD for all that a supply flow writes).
   * Off by default: every outcome is still in the worker's log line, so Logs Insights can count it.
   * The dashboard draws them, so `dashboard: true` turns them on too (detailMetricsEnabled).
   */
  detailMetrics: v.optional(v.boolean(), false),
});

export type MonitoringSettings = v.InferOutput<typeof monitoringSchema>;

/** Whether the handlers publish the detail metrics: asked for, or drawn by the dashboard. */
export function detailMetricsEnabled(
  monitoring: Pick<MonitoringSettings, 'detailMetrics' | 'dashboard'>,
): boolean {
  return monitoring.detailMetrics || monitoring.dashboard;
}

/** The silence alarm as it will be built, defaults resolved; undefined when disabled. */
export interface SilenceAlarmSettings {
  hours: number;
  businessHours?: BusinessHours;
}

export function silenceAlarmSettings(
  role: keyof typeof DEFAULT_SILENCE_HOURS,
  monitoring: MonitoringSettings,
): SilenceAlarmSettings | undefined {
  const { enabled, hours, businessHours } = monitoring.silence;
  if (!enabled) return undefined;
  if (businessHours === undefined) return { hours: hours ?? DEFAULT_SILENCE_HOURS[role] };
  // A role default longer than the business day would never fire: take the whole business day.
  const resolved =
    hours ?? Math.min(DEFAULT_SILENCE_HOURS[role], businessHours.end - businessHours.start);
  return { hours: resolved, businessHours };
}
