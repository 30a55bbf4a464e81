/**
 * Covers the rules' time conditions (lambdas/core/rule-conditions.ts, local-time.ts): a table
 * each for `starts_within_hours`, `weekdays`, `hours` (with `time_zone` and the rules'
 * `timeZone`) and `min_minutes_to_expiry`, with their edges: exactly on a limit, daylight-saving
 * changes in America/Toronto (2026-03-08, 2026-11-01), overnight windows, visits that cross
 * midnight, and offers without visits or without an end.
 */
import type { InboxOffer } from '../../lambdas/core/ports';
import { inboxOffer } from '../support/offer-fixtures';
import { NOW, tryMatch } from '../support/rule-check';

/** An offer with these visits (UTC instants), `[start, end]` each. */
const visits = (...spans: [string, string][]): InboxOffer =>
  inboxOffer({ visits: spans.map(([startAt, endAt]) => ({ startAt, endAt })) });
/** An offer that lists no visits: its own start_at (and end_at when given) count as one visit. */
const noVisits = (startAt: string, endAt?: string): InboxOffer => {
  const offer = inboxOffer({ startAt });
  delete offer.visits;
  delete offer.endAt;
  return endAt === undefined ? offer : { ...offer, endAt };
};

describe('starts_within_hours (the fixture’s first visit starts 48 h after NOW)', () => {
  it.each<[string, object, InboxOffer, boolean, string | undefined]>([
    ['max exactly on the start', { max: 48 }, inboxOffer(), true, undefined],
    [
      'max just before it',
      { max: 47.99 },
      inboxOffer(),
      false,
      'the first visit starts in 48 h; max 47.99',
    ],
    ['min exactly on the start', { min: 48 }, inboxOffer(), true, undefined],
    [
      'min just after it',
      { min: 48.5 },
      inboxOffer(),
      false,
      'the first visit starts in 48 h; min 48.5',
    ],
    ['both, around it', { min: 24, max: 72 }, inboxOffer(), true, undefined],
    [
      'the earliest visit counts, whatever the order',
      { max: 30 },
      visits(
        ['2026-05-03T09:00:00Z', '2026-05-03T10:00:00Z'],
        ['2026-05-02T09:00:00Z', '2026-05-02T10:00:00Z'],
      ),
      true,
      undefined,
    ],
    [
      'no visits: the offer’s start_at',
      { max: 2 },
      noVisits('2026-05-01T10:30:00Z'),
      true,
      undefined,
    ],
    [
      'a start already past',
      { min: 0 },
      visits(['2026-05-01T08:00:00Z', '2026-05-01T10:00:00Z']),
      false,
      'the first visit starts in -1 h; min 0',
    ],
    [
      'a visit start that is no date-time',
      { max: 72 },
      visits(['soon', '2026-05-03T10:00:00Z']),
      false,
      'visits.0.start_at is not a date-time',
    ],
    [
      'visits the mapping could not read',
      { max: 72 },
      inboxOffer({ visits: undefined, unreadable: ['visits.0.end_at'] }),
      false,
      'visits.0.end_at could not be read',
    ],
  ])('%s', (_name, range, offer, holds, why) => {
    const result = tryMatch({ starts_within_hours: range }, offer);
    expect(result.holds).toBe(holds);
    if (why !== undefined)
      expect(result.line).toBe(`rule "t": starts_within_hours did not hold (${why})`);
  });

  it('is measured from the evaluation time passed in', () => {
    expect(tryMatch({ starts_within_hours: { max: 24 } }, inboxOffer(), NOW).holds).toBe(false);
    expect(
      tryMatch({ starts_within_hours: { max: 24 } }, inboxOffer(), new Date('2026-05-02T09:00:00Z'))
        .holds,
    ).toBe(true);
  });
});

describe('weekdays (default time zone America/Toronto)', () => {
  it.each<[string, object, InboxOffer, boolean, string | undefined]>([
    ['a Sunday visit (the fixture)', { weekdays: ['sun'] }, inboxOffer(), true, undefined],
    [
      'weekdays only',
      { weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] },
      inboxOffer(),
      false,
      'a visit starts on sun',
    ],
    [
      'Friday 22:00 in Toronto is Saturday in UTC',
      { weekdays: ['fri'] },
      visits(['2026-05-02T02:00:00Z', '2026-05-02T03:00:00Z']),
      true,
      undefined,
    ],
    [
      'the same visit read in UTC',
      { weekdays: ['fri'], time_zone: 'UTC' },
      visits(['2026-05-02T02:00:00Z', '2026-05-02T03:00:00Z']),
      false,
      'a visit starts on sat',
    ],
    [
      'a visit crossing midnight counts by its start',
      { weekdays: ['fri'] },
      visits(['2026-05-02T03:30:00Z', '2026-05-02T05:00:00Z']),
      true,
      undefined,
    ],
    [
      'every visit must be on a listed day',
      { weekdays: ['sat'] },
      visits(
        ['2026-05-02T14:00:00Z', '2026-05-02T15:00:00Z'],
        ['2026-05-03T14:00:00Z', '2026-05-03T15:00:00Z'],
      ),
      false,
      'a visit starts on sun',
    ],
    [
      'the DST Sunday itself (2026-03-08, 01:30 EST)',
      { weekdays: ['sun'] },
      visits(['2026-03-08T06:30:00Z', '2026-03-08T07:30:00Z']),
      true,
      undefined,
    ],
    [
      'in Vancouver, by time_zone',
      { weekdays: ['sat'], time_zone: 'America/Vancouver' },
      visits(['2026-05-03T05:00:00Z', '2026-05-03T06:00:00Z']),
      true,
      undefined,
    ],
    [
      'no visits: the offer’s start_at',
      { weekdays: ['fri'] },
      noVisits('2026-05-01T13:00:00Z'),
      true,
      undefined,
    ],
  ])('%s', (_name, match, offer, holds, why) => {
    const result = tryMatch(match, offer);
    expect(result.holds).toBe(holds);
    if (why !== undefined) expect(result.line).toBe(`rule "t": weekdays did not hold (${why})`);
  });

  it('reads the rules’ timeZone when the rule names none', () => {
    const saturdayInUtc = visits(['2026-05-02T02:00:00Z', '2026-05-02T03:00:00Z']);
    expect(tryMatch({ weekdays: ['sat'] }, saturdayInUtc, NOW, 'UTC').holds).toBe(true);
    expect(tryMatch({ weekdays: ['sat'] }, saturdayInUtc, NOW, 'America/Toronto').holds).toBe(
      false,
    );
    // The rule's own time_zone wins over the rules'.
    expect(
      tryMatch({ weekdays: ['sat'], time_zone: 'America/Toronto' }, saturdayInUtc, NOW, 'UTC')
        .holds,
    ).toBe(false);
  });
});

describe('hours: every visit wholly within the window, on the wall clock', () => {
  const morning = { from: '07:00', to: '12:00' };
  const night = { from: '22:00', to: '06:00' };
  it.each<[string, object, InboxOffer, boolean]>([
    // Toronto is UTC-5 in January (EST) and UTC-4 in May (EDT).
    ['07:00-09:00 EST', morning, visits(['2026-01-15T12:00:00Z', '2026-01-15T14:00:00Z']), true],
    [
      'starting exactly at from, ending exactly at to',
      morning,
      visits(['2026-05-03T11:00:00Z', '2026-05-03T16:00:00Z']),
      true,
    ],
    [
      'one second past to',
      morning,
      visits(['2026-05-03T11:00:00Z', '2026-05-03T16:00:01Z']),
      false,
    ],
    [
      'one minute before from',
      morning,
      visits(['2026-05-03T10:59:00Z', '2026-05-03T12:00:00Z']),
      false,
    ],
    [
      '11:00Z is 07:00 in May (EDT)',
      morning,
      visits(['2026-05-03T11:00:00Z', '2026-05-03T12:00:00Z']),
      true,
    ],
    [
      '11:00Z is 06:00 in January (EST)',
      morning,
      visits(['2026-01-15T11:00:00Z', '2026-01-15T12:00:00Z']),
      false,
    ],
    [
      'every visit, not just one',
      morning,
      visits(
        ['2026-05-03T12:00:00Z', '2026-05-03T13:00:00Z'],
        ['2026-05-04T20:00:00Z', '2026-05-04T21:00:00Z'],
      ),
      false,
    ],
    // Spring forward, 2026-03-08 02:00 EST -> 03:00 EDT: 06:30Z-07:30Z reads 01:30-03:30 (one real hour).
    [
      'spring forward: 01:30-03:30 on the clock is past 03:00',
      { from: '01:00', to: '03:00' },
      visits(['2026-03-08T06:30:00Z', '2026-03-08T07:30:00Z']),
      false,
    ],
    [
      'spring forward: within 01:00-04:00',
      { from: '01:00', to: '04:00' },
      visits(['2026-03-08T06:30:00Z', '2026-03-08T07:30:00Z']),
      true,
    ],
    // Fall back, 2026-11-01 02:00 EDT -> 01:00 EST: 05:30Z and 06:30Z both read 01:30.
    [
      'fall back: 01:30 EDT to 01:30 EST is within 01:00-02:00',
      { from: '01:00', to: '02:00' },
      visits(['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z']),
      true,
    ],
    [
      'fall back: 01:00 EDT to 02:30 EST is not',
      { from: '01:00', to: '02:00' },
      visits(['2026-11-01T05:00:00Z', '2026-11-01T07:30:00Z']),
      false,
    ],
    [
      'the whole day, 00:00-24:00',
      { from: '00:00', to: '24:00' },
      visits(['2026-05-03T04:00:00Z', '2026-05-04T04:00:00Z']),
      true,
    ],
    [
      'the whole day, but into the next',
      { from: '00:00', to: '24:00' },
      visits(['2026-05-03T04:00:00Z', '2026-05-04T04:01:00Z']),
      false,
    ],
    // Overnight, 22:00-06:00 (May, EDT).
    [
      'overnight: 23:00-05:00',
      night,
      visits(['2026-05-03T03:00:00Z', '2026-05-03T09:00:00Z']),
      true,
    ],
    [
      'overnight: 22:00-06:00 exactly',
      night,
      visits(['2026-05-03T02:00:00Z', '2026-05-03T10:00:00Z']),
      true,
    ],
    [
      'overnight: its morning part alone, 01:00-05:30',
      night,
      visits(['2026-05-03T05:00:00Z', '2026-05-03T09:30:00Z']),
      true,
    ],
    [
      'overnight: starting 21:30',
      night,
      visits(['2026-05-03T01:30:00Z', '2026-05-03T03:00:00Z']),
      false,
    ],
    [
      'overnight: ending 07:00',
      night,
      visits(['2026-05-03T03:00:00Z', '2026-05-03T11:00:00Z']),
      false,
    ],
    [
      'overnight: a daytime visit',
      night,
      visits(['2026-05-03T16:00:00Z', '2026-05-03T17:00:00Z']),
      false,
    ],
    [
      'overnight: over two nights',
      night,
      visits(['2026-05-03T03:00:00Z', '2026-05-04T05:00:00Z']),
      false,
    ],
    [
      'overnight across spring forward: 23:00 EST to 05:30 EDT',
      night,
      visits(['2026-03-08T04:00:00Z', '2026-03-08T09:30:00Z']),
      true,
    ],
    [
      'overnight across fall back: 23:00 EDT to 05:59 EST',
      night,
      visits(['2026-11-01T03:00:00Z', '2026-11-01T10:59:00Z']),
      true,
    ],
    [
      'no visits: start_at to end_at',
      morning,
      noVisits('2026-05-03T12:00:00Z', '2026-05-03T13:00:00Z'),
      true,
    ],
  ])('%s', (_name, window, offer, holds) => {
    expect(tryMatch({ hours: window }, offer).holds).toBe(holds);
  });

  it('explains with the window, overnight marked, and the time zone', () => {
    const daytime = visits(['2026-05-03T16:00:00Z', '2026-05-03T17:00:00Z']);
    expect(tryMatch({ hours: { from: '22:00', to: '06:00' } }, daytime).line).toBe(
      'rule "t": hours did not hold (a visit is not wholly within 22:00-06:00 (overnight) in America/Toronto)',
    );
    expect(
      tryMatch({ hours: { from: '07:00', to: '09:00' }, time_zone: 'Europe/Paris' }, daytime).line,
    ).toBe(
      'rule "t": hours did not hold (a visit is not wholly within 07:00-09:00 in Europe/Paris)',
    );
  });

  it('does not hold when the end is unknown, saying why', () => {
    expect(
      tryMatch({ hours: { from: '00:00', to: '24:00' } }, noVisits('2026-05-03T12:00:00Z')),
    ).toEqual({
      holds: false,
      line: 'rule "t": hours did not hold (the offer lists no visits and no end_at, so when it ends is unknown)',
    });
    const unreadableEnd = { ...noVisits('2026-05-03T12:00:00Z'), unreadable: ['offer.end_at'] };
    expect(tryMatch({ hours: { from: '00:00', to: '24:00' } }, unreadableEnd).line).toContain(
      'offer.end_at could not be read',
    );
  });
});

describe('min_minutes_to_expiry (the fixture expires 1620 min after NOW)', () => {
  it.each<[string, number, InboxOffer, boolean, string | undefined]>([
    ['exactly the minimum', 1620, inboxOffer(), true, undefined],
    [
      'a minute more than it has',
      1621,
      inboxOffer(),
      false,
      'the offer expires in 1620 min; min 1621',
    ],
    [
      'zero, already expired',
      0,
      inboxOffer({ expiresAt: '2026-05-01T08:59:00Z' }),
      false,
      'the offer expires in -1 min; min 0',
    ],
    [
      'an expiry that is no date-time',
      5,
      inboxOffer({ expiresAt: 'later' }),
      false,
      'offer.expires_at is not a date-time',
    ],
  ])('%s', (_name, minutes, offer, holds, why) => {
    const result = tryMatch({ min_minutes_to_expiry: minutes }, offer);
    expect(result.holds).toBe(holds);
    if (why !== undefined)
      expect(result.line).toBe(`rule "t": min_minutes_to_expiry did not hold (${why})`);
  });
});
