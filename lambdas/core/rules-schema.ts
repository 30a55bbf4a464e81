import * as v from 'valibot';
import { clockSeconds, isTimeZone } from './local-time';
import { fieldsOf, pathTo } from './parse-json';
import { CARE_TYPES, OFFER_TYPES } from './marketplace-values';

/**
 * The rules language: one schema, used at synth time (through the connector config), when the
 * worker loads its rules, and by `npm run rules -- check`. Every condition is optional and every
 * present condition must hold; an unknown field or an impossible value fails with the rule's path
 * (`rules.2.match.weekdays.0: ...`). See rules.ts for what each condition means.
 */

// Conditions on care and offer type take the marketplace's own values.
export { CARE_TYPES, OFFER_TYPES };
export type { CareType, OfferType } from './marketplace-values';
/**
 * `review`: leave the offer open for a person and notify; `ignore`: leave it open, notify nobody.
 * How a shift combines them (accept < ignore < review < decline) is `CAUTION` in judge.ts.
 */
export const DECISION_ACTIONS = ['accept', 'decline', 'review', 'ignore'] as const;
export const PRICE_UNITS = ['per_visit', 'per_hour', 'amount'] as const;
/** As a person lists them (local-time.ts's WEEKDAYS are in Date order, Sunday first). */
export const RULE_WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** Used when the rules name no `timeZone` (and for `weekdays`/`hours` without `time_zone`). */
export const DEFAULT_TIME_ZONE = 'America/Toronto';

export type DecisionAction = (typeof DECISION_ACTIONS)[number];
export type PriceUnit = (typeof PRICE_UNITS)[number];

/** A list of at least one `item` (the config's lists use it too). */
export const nonEmptyList = <T extends v.GenericSchema>(item: T) =>
  v.pipe(v.array(item), v.minLength(1));
const words = nonEmptyList(v.pipe(v.string(), v.trim(), v.minLength(1)));
const timeZone = v.pipe(
  v.string(),
  v.check(isTimeZone, 'must be an IANA time zone name such as America/Toronto'),
);
/** `HH:MM` from 00:00 to 24:00 (24:00: the end of the day, for `to`). */
const clock = v.pipe(
  v.string(),
  v.regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM, from 00:00 to 24:00'),
);
const positive = v.pipe(v.number(), v.gtValue(0));
const nonNegative = v.pipe(v.number(), v.minValue(0));
/** Half the Earth's circumference: a larger radius covers the whole planet. */
const MAX_AREA_KM = 20_038;

const serviceArea = v.strictObject({
  lat: v.pipe(v.number(), v.minValue(-90), v.maxValue(90)),
  lon: v.pipe(v.number(), v.minValue(-180), v.maxValue(180)),
  km: v.pipe(v.number(), v.gtValue(0), v.maxValue(MAX_AREA_KM)),
});

const hours = v.pipe(
  v.strictObject({ from: clock, to: clock }),
  v.forward(
    v.check((window) => window.from !== '24:00', '24:00 is only for `to` (the end of the day)'),
    ['from'],
  ),
  v.forward(
    v.check(
      (window) => window.from === '24:00' || clockSeconds(window.from) !== clockSeconds(window.to),
      'equals `from`: an empty window (00:00 to 24:00 is the whole day; `from` after `to` is an overnight window)',
    ),
    ['to'],
  ),
);

const startsWithinHours = v.pipe(
  v.strictObject({ min: v.optional(v.number()), max: v.optional(v.number()) }),
  v.check((range) => range.min !== undefined || range.max !== undefined, 'give min, max or both'),
  v.forward(
    v.check(
      (range) => range.min === undefined || range.max === undefined || range.min <= range.max,
      'is greater than max: no offer could ever hold',
    ),
    ['min'],
  ),
);

const minRate = v.pipe(
  v.strictObject({
    per_hour: v.optional(nonNegative),
    per_visit: v.optional(nonNegative),
    amount: v.optional(nonNegative),
  }),
  // Only once the fields are good (an unknown field leaves the object untyped, which skips the
  // check): `{ "per_day": 5 }` is an unknown field, said once.
  v.check(
    (rate) => Object.keys(rate).length > 0,
    'give a minimum for at least one unit: per_hour, per_visit or amount',
  ),
);

/** Every condition present must hold; an absent condition matches anything. */
export const ruleMatchSchema = v.pipe(
  v.strictObject({
    care_type: v.optional(nonEmptyList(v.picklist(CARE_TYPES))),
    offer_type: v.optional(nonEmptyList(v.picklist(OFFER_TYPES))),
    /** Demand organisation ids or names (names compared case- and accent-insensitively). */
    demand_org: v.optional(words),
    not_demand_org: v.optional(words),
    /** Compared case- and accent-insensitively, surrounding and repeated spaces ignored. */
    city: v.optional(words),
    state: v.optional(words),
    country: v.optional(words),
    /** Postal/zip code prefixes, compared case-insensitively, spaces ignored. */
    zip_prefix: v.optional(words),
    service_area: v.optional(nonEmptyList(serviceArea)),
    starts_within_hours: v.optional(startsWithinHours),
    weekdays: v.optional(nonEmptyList(v.picklist(RULE_WEEKDAYS))),
    hours: v.optional(hours),
    /** For `weekdays` and `hours`; default: the rules' `timeZone`. */
    time_zone: v.optional(timeZone),
    max_visits: v.optional(v.pipe(v.number(), v.integer(), v.gtValue(0))),
    max_visit_hours: v.optional(positive),
    max_total_hours: v.optional(positive),
    min_rate: v.optional(minRate),
    /** The skills the organisation has. */
    skills: v.optional(words),
    min_minutes_to_expiry: v.optional(nonNegative),
  }),
  // Only once the fields are good: a match of unknown fields alone is told so, not this too. A
  // raw check, since `v.check` also runs after a field's own check (a bad time zone) failed.
  v.rawCheck(({ dataset, addIssue }) => {
    if (dataset.typed && !dataset.issues) {
      if (!Object.keys(dataset.value).some((key) => key !== 'time_zone'))
        addIssue({
          message: 'a rule must have at least one condition; use defaultAction for a catch-all',
        });
    }
  }),
  // Also when a field is bad, so `rules check` reports every problem in one go; hence the
  // defensive reads (the value may not have its schema's shape yet).
  v.rawCheck(({ dataset, addIssue }) => {
    const fields = fieldsOf(dataset.value);
    if (fields === undefined) return;
    const conditions = Object.keys(fields).filter((key) => key !== 'time_zone');
    if (
      conditions.length > 0 &&
      fields.time_zone !== undefined &&
      fields.weekdays === undefined &&
      fields.hours === undefined
    ) {
      addIssue({
        message: 'applies only to weekdays and hours; this rule has neither',
        path: pathTo(fields, 'time_zone'),
      });
    }
    const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
    const named = new Set(
      list(fields.demand_org).flatMap((org) => (typeof org === 'string' ? [foldName(org)] : [])),
    );
    list(fields.not_demand_org).forEach((org, index) => {
      if (typeof org === 'string' && named.has(foldName(org))) {
        addIssue({
          message: 'is also in demand_org: the rule could never hold',
          path: pathTo(fields, 'not_demand_org', index),
        });
      }
    });
  }),
);

export const ruleSchema = v.strictObject({
  /** Recorded with every decision the rule makes; keep it short and free of client data. */
  name: v.pipe(
    v.string(),
    v.regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'letters, digits, space, _ . - (1-64)'),
  ),
  match: ruleMatchSchema,
  action: v.picklist(DECISION_ACTIONS),
  /** Sent as the decline `reason_code`; only for `decline`. */
  declineReasonCode: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
  /** Sent as the accept/decline `comment`. */
  comment: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(500))),
});

export const rulesLimitsSchema = v.strictObject({
  /** At most this many accepts per calendar day in the rules' `timeZone`. */
  accepts_per_day: v.optional(v.pipe(v.number(), v.integer(), v.gtValue(0))),
  /** At most this many accepts per calendar week (Monday to Sunday) in the rules' `timeZone`. */
  accepts_per_week: v.optional(v.pipe(v.number(), v.integer(), v.gtValue(0))),
});

export const rulesSchema = v.strictObject({
  /** What to do when no rule matches. `review` leaves the offer open for a person. */
  defaultAction: v.picklist(DECISION_ACTIONS),
  /**
   * The organisation's time zone (IANA): the default for `time_zone` conditions and the days of
   * `limits`. Absent means DEFAULT_TIME_ZONE (read it with `rulesTimeZone`); left out of the
   * parsed value so rules written before it keep their version.
   */
  timeZone: v.optional(timeZone),
  limits: v.optional(rulesLimitsSchema),
  /**
   * Evaluated in order; the first rule whose conditions all hold decides. Up to 1,000: the store
   * (S3) takes any size up to 1 MiB, and a decision keeps at most MAX_EXPLANATION_LINES lines.
   */
  rules: v.optional(v.pipe(v.array(ruleSchema), v.maxLength(1000)), []),
});

export type RuleMatch = v.InferOutput<typeof ruleMatchSchema>;
export type Rule = v.InferOutput<typeof ruleSchema>;
export type Rules = v.InferOutput<typeof rulesSchema>;
export type RulesLimits = v.InferOutput<typeof rulesLimitsSchema>;

/** The rules' time zone: `timeZone`, or DEFAULT_TIME_ZONE. */
export function rulesTimeZone(rules: Pick<Rules, 'timeZone'>): string {
  return rules.timeZone ?? DEFAULT_TIME_ZONE;
}

/**
 * A name folded for comparison: accents removed (NFD, combining marks dropped), lower case,
 * surrounding space trimmed and inner runs of space collapsed, so `  Trois-Rivières ` and
 * `trois-rivieres` compare equal.
 */
export function foldName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim().replace(/\s+/g, ' ');
}

/**
 * ` (rule "name")` for a path that goes through a rule (`rules.<n>`, also inside a connector
 * config), read from the input as given, so an error names the rule as well as its index. At the
 * end of the line: the line still starts with the field's path.
 */
export function ruleLabel(input: unknown): (path: readonly PropertyKey[]) => string {
  return (path) => {
    let node: unknown = input;
    let name: string | undefined;
    for (const [index, key] of path.entries()) {
      if (typeof node !== 'object' || node === null) break;
      node = (node as Record<PropertyKey, unknown>)[key];
      const item = node as { name?: unknown } | null | undefined;
      if (
        path[index - 1] === 'rules' &&
        typeof key === 'number' &&
        typeof item?.name === 'string' &&
        /^[\w .-]{1,64}$/.test(item.name)
      ) {
        name = item.name;
      }
    }
    return name === undefined ? '' : ` (rule "${name}")`;
  };
}
