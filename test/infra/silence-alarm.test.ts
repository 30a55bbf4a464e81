/**
 * Covers the business-hours part of the "no SNS delivery" alarm (lib/silence-alarm.ts): local
 * business hours turned into CloudWatch's UTC (DAY, HOUR) cells for every offset the zone uses in
 * a year, and the metric math condition written from them; and the config that drives it
 * (lambdas/core/monitoring-config.ts): bounds, clear errors, role defaults.
 */
import { validateConnectorConfig } from '../../lib/load-config';
import { ConfigError } from '../../lambdas/core/config';
import { type BusinessHours, silenceAlarmSettings } from '../../lambdas/core/monitoring-config';
import { businessHourCells, businessHoursCondition } from '../../lib/silence-alarm';
import { exampleConfig } from './infra-support';

const FROM = Date.parse('2026-01-01T00:00:00Z');
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const hours = (
  timeZone: string,
  start: number,
  end: number,
  days: BusinessHours['days'] = [...WEEKDAYS],
): BusinessHours => ({ timeZone, start, end, days });

/** The true hours of one CloudWatch day (1 = Monday). */
const hoursOn = (cells: boolean[][], day: number) =>
  (cells[day - 1] ?? []).flatMap((on, hour) => (on ? [hour] : []));
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('businessHourCells', () => {
  it('in UTC, is exactly the business hours on the business days', () => {
    const cells = businessHourCells(hours('UTC', 9, 17), FROM);
    for (const day of [1, 2, 3, 4, 5]) expect(hoursOn(cells, day)).toEqual(range(9, 16));
    expect(hoursOn(cells, 6)).toEqual([]);
    expect(hoursOn(cells, 7)).toEqual([]);
  });

  it('with daylight saving, takes both offsets (one hour more at one edge)', () => {
    const cells = businessHourCells(hours('America/Toronto', 8, 18), FROM);
    expect(hoursOn(cells, 1)).toEqual(range(12, 22));
    expect(hoursOn(cells, 6)).toEqual([]);
  });

  it('with a half-hour offset, widens to the whole UTC hours that touch business hours', () => {
    // 08:00-18:00 at +05:30 is 02:30-12:30 UTC.
    const cells = businessHourCells(hours('Asia/Kolkata', 8, 18), FROM);
    expect(hoursOn(cells, 3)).toEqual(range(2, 12));
  });

  it('east of UTC, moves the start of Monday into Sunday UTC and ends Friday early', () => {
    // 09:00-17:00 Sydney is 22:00-06:00 UTC (AEDT, +11) or 23:00-07:00 (AEST, +10) the day before.
    const cells = businessHourCells(hours('Australia/Sydney', 9, 17), FROM);
    expect(hoursOn(cells, 7)).toEqual([22, 23]);
    expect(hoursOn(cells, 1)).toEqual([0, 1, 2, 3, 4, 5, 6, 22, 23]);
    expect(hoursOn(cells, 5)).toEqual(range(0, 6));
    expect(hoursOn(cells, 6)).toEqual([]);
  });
});

describe('businessHoursCondition', () => {
  it('groups days with the same hours into one clause', () => {
    expect(businessHoursCondition(businessHourCells(hours('UTC', 9, 17), FROM), 't')).toBe(
      '((DAY(t)>=1 AND DAY(t)<=5) AND (HOUR(t)>=9 AND HOUR(t)<=16))',
    );
  });

  it('writes one clause per distinct day pattern when hours cross UTC midnight', () => {
    const condition = businessHoursCondition(
      businessHourCells(hours('Australia/Sydney', 9, 17), FROM),
      't',
    );
    expect(condition).toBe(
      '((DAY(t)>=1 AND DAY(t)<=4) AND ((HOUR(t)>=0 AND HOUR(t)<=6) OR (HOUR(t)>=22 AND HOUR(t)<=23))) OR (DAY(t)==5 AND (HOUR(t)>=0 AND HOUR(t)<=6)) OR (DAY(t)==7 AND (HOUR(t)>=22 AND HOUR(t)<=23))',
    );
  });

  it('leaves the hours out for whole days, and is undefined when every hour counts', () => {
    expect(
      businessHoursCondition(businessHourCells(hours('UTC', 0, 24, ['sat', 'sun']), FROM), 't'),
    ).toBe('(DAY(t)>=6 AND DAY(t)<=7)');
    expect(
      businessHoursCondition(
        businessHourCells(
          hours('UTC', 0, 24, ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
          FROM,
        ),
        't',
      ),
    ).toBeUndefined();
  });
});

describe('config monitoring.silence', () => {
  const withSilence = (silence: unknown) => ({
    ...structuredClone(exampleConfig()),
    monitoring: { silence },
  });
  const errorFor = (silence: unknown): string => {
    try {
      validateConnectorConfig(withSilence(silence));
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it.each([
    ['0 hours', { hours: 0 }, 'monitoring.silence.hours'],
    ['25 hours', { hours: 25 }, 'monitoring.silence.hours'],
    ['1.5 hours', { hours: 1.5 }, 'whole number of hours'],
    ['hours as text', { hours: '6' }, 'monitoring.silence.hours'],
    ['an unknown field', { hourz: 6 }, 'hourz'],
    [
      'an unknown time zone',
      { businessHours: { timeZone: 'Mars/Olympus', start: 8, end: 18 } },
      'IANA time zone',
    ],
    [
      'an offset for a time zone',
      { businessHours: { timeZone: '-05:00', start: 8, end: 18 } },
      'IANA time zone',
    ],
    [
      'end before start',
      { businessHours: { timeZone: 'UTC', start: 18, end: 8 } },
      'end must be after start',
    ],
    [
      'start 24',
      { businessHours: { timeZone: 'UTC', start: 24, end: 24 } },
      'monitoring.silence.businessHours.start',
    ],
    ['a half hour', { businessHours: { timeZone: 'UTC', start: 8.5, end: 18 } }, 'whole hour'],
    [
      'an unknown day',
      { businessHours: { timeZone: 'UTC', start: 8, end: 18, days: ['monday'] } },
      'monitoring.silence.businessHours.days',
    ],
    [
      'more hours than the business day',
      { hours: 11, businessHours: { timeZone: 'UTC', start: 8, end: 18 } },
      'hours must fit in one business day',
    ],
  ])('refuses %s with a clear error', (_label, silence, expected) => {
    expect(errorFor(silence)).toContain(expected);
  });

  it('defaults by role, and fits the default into the business day', () => {
    const defaults = validateConnectorConfig(
      JSON.parse(JSON.stringify({ ...exampleConfig(), monitoring: undefined })),
    );
    expect(defaults.monitoring).toEqual({
      silence: { enabled: true },
      dashboard: false,
      detailMetrics: false,
    });
    expect(silenceAlarmSettings('supply', defaults.monitoring)).toEqual({ hours: 6 });
    expect(silenceAlarmSettings('both', defaults.monitoring)).toEqual({ hours: 6 });
    expect(silenceAlarmSettings('demand', defaults.monitoring)).toEqual({ hours: 24 });
    const business = validateConnectorConfig(
      withSilence({ businessHours: { timeZone: 'UTC', start: 9, end: 17 } }),
    );
    expect(silenceAlarmSettings('demand', business.monitoring)).toEqual({
      hours: 8,
      businessHours: { timeZone: 'UTC', start: 9, end: 17, days: [...WEEKDAYS] },
    });
    expect(
      silenceAlarmSettings(
        'supply',
        validateConnectorConfig(withSilence({ enabled: false })).monitoring,
      ),
    ).toBeUndefined();
  });
});
