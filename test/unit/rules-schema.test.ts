/**
 * Covers the rules language's validation (lambdas/core/rules-schema.ts through parseRules and
 * parseConnectorConfig): today's files stay valid, and every unknown field or impossible value
 * is an error line naming the field's path and its rule. Whole config files at synth time are
 * test/infra/config.test.ts's part; the command line's output is rules-cli.test.ts's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  parseConnectorConfig,
  parseRules,
  rulesTimeZone,
} from '../../lambdas/core/config';

const EXAMPLE = path.join(__dirname, '..', '..', 'config', 'connector.example.json');

/** The error lines for `rules` (none when valid). */
function problems(rules: object): string[] {
  try {
    parseRules(JSON.stringify(rules));
    return [];
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message.split('\n').slice(1);
  }
}

/** One rule named "r" with `match` (and `extra` fields), the error lines. */
const ruleProblems = (match: object, extra: object = {}) =>
  problems({ defaultAction: 'review', rules: [{ name: 'r', match, action: 'accept', ...extra }] });

describe('valid rules', () => {
  it('keeps today’s files valid: the example config and the old conditions alone', () => {
    const config = parseConnectorConfig(JSON.parse(readFileSync(EXAMPLE, 'utf8')));
    expect(config.rules.rules.length).toBeGreaterThan(2);
    expect(problems({ defaultAction: 'review' })).toEqual([]);
    expect(
      ruleProblems(
        { care_type: ['psw'], offer_type: ['visit'], city: ['Toronto'], zip_prefix: ['M5V'] },
        { comment: 'ok' },
      ),
    ).toEqual([]);
  });

  it('accepts every condition together, ignore, a time zone and limits', () => {
    const rules = {
      defaultAction: 'ignore',
      timeZone: 'America/Vancouver',
      limits: { accepts_per_day: 10, accepts_per_week: 40 },
      rules: [
        {
          name: 'all',
          action: 'ignore',
          match: {
            care_type: ['psw'],
            offer_type: ['visit'],
            demand_org: ['Org'],
            not_demand_org: ['Other'],
            city: ['A'],
            state: ['ON'],
            country: ['CA'],
            zip_prefix: ['M'],
            service_area: [{ lat: 43.6, lon: -79.4, km: 25 }],
            starts_within_hours: { min: 2, max: 72 },
            weekdays: ['mon', 'sun'],
            hours: { from: '22:00', to: '06:00' },
            time_zone: 'UTC',
            max_visits: 3,
            max_visit_hours: 4,
            max_total_hours: 10,
            min_rate: { per_hour: 25 },
            skills: ['lifts'],
            min_minutes_to_expiry: 0,
          },
        },
      ],
    };
    expect(problems(rules)).toEqual([]);
    expect(rulesTimeZone(parseRules(JSON.stringify(rules)))).toBe('America/Vancouver');
  });

  it('leaves timeZone out when it is not given (default America/Toronto), so the rules keep their version', () => {
    const rules = parseRules(JSON.stringify({ defaultAction: 'review' }));
    expect(rules).toEqual({ defaultAction: 'review', rules: [] });
    expect(rulesTimeZone(rules)).toBe('America/Toronto');
  });

  it.each([
    ['an overnight window', { from: '22:00', to: '06:00' }],
    ['the whole day', { from: '00:00', to: '24:00' }],
  ])('accepts hours as %s', (_name, hours) => {
    expect(ruleProblems({ hours })).toEqual([]);
  });
});

describe('invalid rules: one line per bad field, naming the rule', () => {
  it.each<[string, object, object, RegExp]>([
    [
      'an unknown condition',
      { weekday: ['mon'] },
      {},
      /^rules\.0\.match: unknown field "weekday" \(rule "r"\)$/,
    ],
    [
      'an unknown rule field',
      { city: ['A'] },
      { priority: 1 },
      /^rules\.0: unknown field "priority" \(rule "r"\)$/,
    ],
    [
      'a weekday typo',
      { weekdays: ['mon', 'tues'] },
      {},
      /^rules\.0\.match\.weekdays\.1: .*"mon".*\(rule "r"\)$/,
    ],
    [
      'an unknown time zone',
      { weekdays: ['mon'], time_zone: 'America/Torono' },
      {},
      /^rules\.0\.match\.time_zone: must be an IANA time zone.*\(rule "r"\)$/,
    ],
    [
      'an offset for a time zone',
      { weekdays: ['mon'], time_zone: '+05:00' },
      {},
      /^rules\.0\.match\.time_zone: must be an IANA.*\(rule "r"\)$/,
    ],
    [
      'time_zone without weekdays or hours',
      { city: ['A'], time_zone: 'UTC' },
      {},
      /^rules\.0\.match\.time_zone: applies only to weekdays and hours.*\(rule "r"\)$/,
    ],
    [
      'only a time zone',
      { time_zone: 'UTC' },
      {},
      /^rules\.0\.match: a rule must have at least one condition.*\(rule "r"\)$/,
    ],
    [
      'only a bad time zone (said once: not also "no condition")',
      { time_zone: 'Nowhere/Town' },
      {},
      /^rules\.0\.match\.time_zone: must be an IANA time zone.*\(rule "r"\)$/,
    ],
    [
      'no condition',
      {},
      {},
      /^rules\.0\.match: a rule must have at least one condition.*\(rule "r"\)$/,
    ],
    [
      'hours not HH:MM',
      { hours: { from: '7:00', to: '12:00' } },
      {},
      /^rules\.0\.match\.hours\.from: must be HH:MM.*\(rule "r"\)$/,
    ],
    [
      'hours past 24:00',
      { hours: { from: '07:00', to: '24:30' } },
      {},
      /^rules\.0\.match\.hours\.to: must be HH:MM.*\(rule "r"\)$/,
    ],
    [
      'from at 24:00',
      { hours: { from: '24:00', to: '06:00' } },
      {},
      /^rules\.0\.match\.hours\.from: 24:00 is only for `to`.*\(rule "r"\)$/,
    ],
    [
      'from equal to to',
      { hours: { from: '08:00', to: '08:00' } },
      {},
      /^rules\.0\.match\.hours\.to: equals `from`: an empty window .*overnight.*\(rule "r"\)$/,
    ],
    [
      'hours without to',
      { hours: { from: '08:00' } },
      {},
      /^rules\.0\.match\.hours\.to: .*\(rule "r"\)$/,
    ],
    [
      'starts_within_hours empty',
      { starts_within_hours: {} },
      {},
      /^rules\.0\.match\.starts_within_hours: give min, max or both.*\(rule "r"\)$/,
    ],
    [
      'starts_within_hours min over max',
      { starts_within_hours: { min: 5, max: 2 } },
      {},
      /^rules\.0\.match\.starts_within_hours\.min: is greater than max.*\(rule "r"\)$/,
    ],
    [
      'min_rate empty',
      { min_rate: {} },
      {},
      /^rules\.0\.match\.min_rate: give a minimum for at least one unit.*\(rule "r"\)$/,
    ],
    [
      'min_rate negative',
      { min_rate: { per_hour: -1 } },
      {},
      /^rules\.0\.match\.min_rate\.per_hour: .*\(rule "r"\)$/,
    ],
    [
      'min_rate in an unknown unit',
      { min_rate: { per_day: 100 } },
      {},
      /^rules\.0\.match\.min_rate: unknown field "per_day" \(rule "r"\)$/,
    ],
    [
      'a latitude out of range',
      { service_area: [{ lat: 91, lon: 0, km: 5 }] },
      {},
      /^rules\.0\.match\.service_area\.0\.lat: .*\(rule "r"\)$/,
    ],
    [
      'a zero radius',
      { service_area: [{ lat: 0, lon: 0, km: 0 }] },
      {},
      /^rules\.0\.match\.service_area\.0\.km: .*\(rule "r"\)$/,
    ],
    [
      'an area without km',
      { service_area: [{ lat: 0, lon: 0 }] },
      {},
      /^rules\.0\.match\.service_area\.0\.km: .*\(rule "r"\)$/,
    ],
    [
      'an area with radius for km',
      { service_area: [{ lat: 0, lon: 0, km: 1, radius: 2 }] },
      {},
      /^rules\.0\.match\.service_area\.0: unknown field "radius" \(rule "r"\)$/,
    ],
    ['max_visits of 0', { max_visits: 0 }, {}, /^rules\.0\.match\.max_visits: .*\(rule "r"\)$/],
    [
      'max_visits not whole',
      { max_visits: 1.5 },
      {},
      /^rules\.0\.match\.max_visits: .*\(rule "r"\)$/,
    ],
    [
      'max_visit_hours negative',
      { max_visit_hours: -2 },
      {},
      /^rules\.0\.match\.max_visit_hours: .*\(rule "r"\)$/,
    ],
    [
      'max_total_hours as text',
      { max_total_hours: '8' },
      {},
      /^rules\.0\.match\.max_total_hours: .*\(rule "r"\)$/,
    ],
    [
      'min_minutes_to_expiry negative',
      { min_minutes_to_expiry: -1 },
      {},
      /^rules\.0\.match\.min_minutes_to_expiry: .*\(rule "r"\)$/,
    ],
    ['an empty skills list', { skills: [] }, {}, /^rules\.0\.match\.skills: .*\(rule "r"\)$/],
    ['a blank skill', { skills: ['  '] }, {}, /^rules\.0\.match\.skills\.0: .*\(rule "r"\)$/],
    [
      'an unknown care type',
      { care_type: ['companionship'] },
      {},
      /^rules\.0\.match\.care_type\.0: .*\(rule "r"\)$/,
    ],
    [
      'an organisation both named and excluded',
      { demand_org: ['Org A'], not_demand_org: ['org a'] },
      {},
      /^rules\.0\.match\.not_demand_org\.0: is also in demand_org.*\(rule "r"\)$/,
    ],
    [
      'an unknown action',
      { city: ['A'] },
      { action: 'maybe' },
      /^rules\.0\.action: .*\(rule "r"\)$/,
    ],
  ])('%s', (_name, match, extra, line) => {
    const found = ruleProblems(match, extra);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(line);
  });

  it.each<[string, object, RegExp]>([
    [
      'an unknown timeZone',
      { defaultAction: 'review', timeZone: 'Mars/Olympus' },
      /^timeZone: must be an IANA time zone/,
    ],
    ['an unknown defaultAction', { defaultAction: 'skip' }, /^defaultAction: /],
    [
      'a zero daily limit',
      { defaultAction: 'review', limits: { accepts_per_day: 0 } },
      /^limits\.accepts_per_day: /,
    ],
    [
      'a fractional weekly limit',
      { defaultAction: 'review', limits: { accepts_per_week: 2.5 } },
      /^limits\.accepts_per_week: /,
    ],
    [
      'an unknown limit',
      { defaultAction: 'review', limits: { accepts_per_month: 9 } },
      /^limits: unknown field "accepts_per_month"$/,
    ],
    [
      'an unknown top-level field',
      { defaultAction: 'review', timezone: 'UTC' },
      /^\(root\): unknown field "timezone"$/,
    ],
  ])('rules-level: %s', (_name, rules, line) => {
    const found = problems(rules);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(line);
  });

  it('reports every bad field at once, each rule by its own name', () => {
    const found = problems({
      defaultAction: 'review',
      rules: [
        { name: 'ok', match: { city: ['A'] }, action: 'accept' },
        {
          name: 'weekend',
          match: { weekdays: ['sat', 'sunday'], time_zone: 'Nowhere/Town' },
          action: 'accept',
        },
        { name: 'rates', match: { min_rate: { per_hour: -5 }, colour: 'red' }, action: 'declin' },
      ],
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rules\.1\.match\.weekdays\.1: .*\(rule "weekend"\)$/),
        expect.stringMatching(/^rules\.1\.match\.time_zone: .*\(rule "weekend"\)$/),
        expect.stringMatching(/^rules\.2\.match\.min_rate\.per_hour: .*\(rule "rates"\)$/),
        'rules.2.match: unknown field "colour" (rule "rates")',
        expect.stringMatching(/^rules\.2\.action: .*\(rule "rates"\)$/),
      ]),
    );
    expect(found).toHaveLength(5);
  });

  it('names the rule within a connector config too (the synth path)', () => {
    const config = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as {
      rules: { rules: Record<string, unknown>[] };
    };
    config.rules.rules[1] = { ...config.rules.rules[1], match: { weekdays: ['funday'] } };
    const name = String(config.rules.rules[1]?.name);
    expect(() => parseConnectorConfig(config)).toThrow(
      new RegExp(`^rules\\.rules\\.1\\.match\\.weekdays\\.0: .*\\(rule "${name}"\\)$`, 'm'),
    );
  });

  it('says what each field expected, never the value it holds (the worker logs the error)', () => {
    const found = ruleProblems(
      { city: ['Secretville'], weekdays: ['Secretday'], max_total_hours: 'Secret8' },
      { action: 'Secretaction' },
    );
    expect(found).toEqual([
      expect.stringMatching(/^rules\.0\.match\.weekdays\.0: .*"mon".*\(rule "r"\)$/),
      expect.stringMatching(/^rules\.0\.match\.max_total_hours: .*number.*\(rule "r"\)$/),
      expect.stringMatching(/^rules\.0\.action: .*"accept".*\(rule "r"\)$/),
    ]);
    expect(found.join('\n')).not.toMatch(/Secret/);
  });

  it('says not valid JSON without quoting the text', () => {
    expect(() => parseRules('{"defaultAction": "review",')).toThrow(
      /^Invalid rules: not valid JSON$/,
    );
  });
});
