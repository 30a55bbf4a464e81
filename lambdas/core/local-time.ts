/**
 * Wall-clock time in an IANA time zone, through `Intl.DateTimeFormat` (no dependency), for the
 * rules' `weekdays` and `hours` conditions. Pure: every function takes the instant it works on.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const SECONDS_PER_DAY = 24 * 60 * 60;
const MS_PER_DAY = SECONDS_PER_DAY * 1000;

/** An instant as read on a wall clock in some time zone. */
export interface WallClock {
  /** Days since 1970-01-01 of the local calendar date, so dates can be subtracted. */
  day: number;
  /** Seconds since local midnight (0 to 86399). */
  second: number;
  weekday: Weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      // h23: midnight reads 00, never 24 (h24) or 12 (h12).
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Whether `name` is an IANA time zone name this runtime knows (`America/Toronto`, `UTC`). Offsets
 * such as `+05:00` are refused: a fixed offset ignores daylight saving, which is rarely meant.
 */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z]/.test(name)) return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at `instantMs` (epoch milliseconds). */
export function wallClock(instantMs: number, timeZone: string): WallClock {
  const parts: Partial<Record<string, number>> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const day = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1) / MS_PER_DAY;
  // 1970-01-01 was a Thursday.
  const weekday = WEEKDAYS[(((day + 4) % 7) + 7) % 7] ?? 'sun';
  return {
    day,
    second: (parts.hour ?? 0) * 3600 + (parts.minute ?? 0) * 60 + (parts.second ?? 0),
    weekday,
  };
}

/** `HH:MM` (00:00 to 24:00) as seconds since midnight. */
export function clockSeconds(hhmm: string): number {
  const hm = hhmm.split(':').map(Number);
  return (hm.at(0) ?? 0) * 3600 + (hm.at(1) ?? 0) * 60;
}

/** A daily window from `from` to `to`; `from` after `to` is an overnight window (22:00-06:00). */
export interface DailyWindow {
  from: string;
  to: string;
}

export function isOvernight(window: DailyWindow): boolean {
  return clockSeconds(window.from) > clockSeconds(window.to);
}

/**
 * Whether the span from `startMs` to `endMs` lies wholly within one occurrence of the daily
 * window, read on the wall clock of `timeZone`. Wall-clock reading is what a person means by
 * "between 07:00 and 12:00": on a daylight-saving day the window is an hour shorter or longer in
 * real time, and a visit is judged by the times its clock shows.
 *
 * The window's occurrence is the one the start falls in: for an overnight window, a start before
 * `to` belongs to the occurrence that began the evening before. The end must fall in that same
 * occurrence, counted in wall-clock seconds from its beginning.
 */
export function withinDailyWindow(
  startMs: number,
  endMs: number,
  window: DailyWindow,
  timeZone: string,
): boolean {
  if (endMs < startMs) return false;
  const from = clockSeconds(window.from);
  const to = clockSeconds(window.to);
  const length = to > from ? to - from : SECONDS_PER_DAY - from + to;
  const start = wallClock(startMs, timeZone);
  const end = wallClock(endMs, timeZone);
  let anchor: number;
  if (start.second >= from) anchor = start.day;
  else if (to < from && start.second <= to) anchor = start.day - 1;
  else return false;
  const startOffset = (start.day - anchor) * SECONDS_PER_DAY + start.second - from;
  const endOffset = (end.day - anchor) * SECONDS_PER_DAY + end.second - from;
  return startOffset <= length && endOffset <= length;
}
