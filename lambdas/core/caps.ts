import type { RulesLimits as AcceptLimits } from './rules-schema';

/**
 * Caps on accepts (`rules.limits`): at most so many accepts per day and per week, counted in the
 * organisation's time zone. A decision unit (a shift counts once) reserves its accept on each
 * period's counter before it is sent; once a counter is full, what would have been an accept is
 * left for review instead. Reservations are idempotent per unit, so a retried unit never counts
 * twice, and are given back when the accept did not take effect.
 */

/** One counter a unit's accept is reserved on: `accepts/day/2026-05-01` or `accepts/week/2026-W18`. */
export interface CapPeriod {
  key: string;
  limit: number;
  /** In words for the explanation: `20 per day`. */
  label: string;
}

export type Reservation = { ok: true } | { ok: false; period: CapPeriod };

/**
 * Counters of accepts per period (atomic conditional updates in DynamoDB). `reserve` counts the
 * unit on every period or on none (a full period gives back what this call took); a unit already
 * counted on a period is not counted again.
 */
export interface AcceptCounter {
  reserve(unitKey: string, periods: readonly CapPeriod[]): Promise<Reservation>;
  /** Takes the unit's reservation back from these periods (no-op where it has none). */
  release(unitKey: string, periodKeys: readonly string[]): Promise<void>;
}

/** The local calendar date (`YYYY-MM-DD`) of `at` in `timeZone`. */
export function localDate(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The ISO week (`YYYY-Www`, weeks from Monday) of a calendar date. */
export function isoWeek(date: string): string {
  const ymd = date.split('-').map(Number);
  // Calendar arithmetic on a UTC date: the local date is already fixed, only its week is wanted.
  const day = new Date(Date.UTC(ymd.at(0) ?? 1970, (ymd.at(1) ?? 1) - 1, ymd.at(2) ?? 1));
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
  day.setUTCDate(day.getUTCDate() - weekday + 3); // the Thursday of this week decides its year
  const year = day.getUTCFullYear();
  const dayOfYear = (day.getTime() - Date.UTC(year, 0, 1)) / 86_400_000;
  const week = Math.floor(dayOfYear / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The periods an accept at `at` counts on, for the limits set (none: no cap). */
export function capPeriods(
  limits: AcceptLimits | undefined,
  at: Date,
  timeZone: string,
  namespace: string,
): CapPeriod[] {
  const periods: CapPeriod[] = [];
  if (limits === undefined) return periods;
  const date = localDate(at, timeZone);
  if (limits.accepts_per_day !== undefined) {
    periods.push({
      key: `${namespace}/day/${date}`,
      limit: limits.accepts_per_day,
      label: `${limits.accepts_per_day} per day`,
    });
  }
  if (limits.accepts_per_week !== undefined) {
    periods.push({
      key: `${namespace}/week/${isoWeek(date)}`,
      limit: limits.accepts_per_week,
      label: `${limits.accepts_per_week} per week`,
    });
  }
  return periods;
}
