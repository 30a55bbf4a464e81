import * as z from './zod';
import { clockSeconds, isTimeZone } from './local-time';
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

const nonEmptyList = <T extends z.ZodMiniType>(item: T) => z.array(item).check(z.minLength(1));
const words = nonEmptyList(z.string().check(z.trim(), z.minLength(1)));
const timeZone = z
  .string()
  .check(z.refine(isTimeZone, 'must be an IANA time zone name such as America/Toronto'));
/** `HH:MM` from 00:00 to 24:00 (24:00: the end of the day, for `to`). */
const clock = z
  .string()
  .check(z.regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM, from 00:00 to 24:00'));
const positive = z.number().check(z.positive());
const nonNegative = z.number().check(z.gte(0));
/** Half the Earth's circumference: a larger radius covers the whole planet. */
const MAX_AREA_KM = 20_038;

const serviceArea = z.strictObject({
  lat: z.number().check(z.gte(-90), z.lte(90)),
  lon: z.number().check(z.gte(-180), z.lte(180)),
  km: z.number().check(z.positive(), z.lte(MAX_AREA_KM)),
});

const hours = z.strictObject({ from: clock, to: clock }).check(
  z.superRefine((window, ctx) => {
    if (window.from === '24:00')
      ctx.addIssue({
        code: 'custom',
        path: ['from'],
        message: '24:00 is only for `to` (the end of the day)',
      });
    else if (clockSeconds(window.from) === clockSeconds(window.to)) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message:
          'equals `from`: an empty window (00:00 to 24:00 is the whole day; `from` after `to` is an overnight window)',
      });
    }
  }),
);

const startsWithinHours = z
  .strictObject({ min: z.optional(z.number()), max: z.optional(z.number()) })
  .check(
    z.superRefine((range, ctx) => {
      if (range.min === undefined && range.max === undefined)
        ctx.addIssue({ code: 'custom', message: 'give min, max or both' });
      if (range.min !== undefined && range.max !== undefined && range.min > range.max) {
        ctx.addIssue({
          code: 'custom',
          path: ['min'],
          message: 'is greater than max: no offer could ever hold',
        });
      }
    }),
  );

const minRate = z
  .strictObject({
    per_hour: z.optional(nonNegative),
    per_visit: z.optional(nonNegative),
    amount: z.optional(nonNegative),
  })
  // Only once the fields are good: `{ "per_day": 5 }` is an unknown field, said once.
  .check(
    z.refine((rate) => Object.keys(rate).length > 0, {
      error: 'give a minimum for at least one unit: per_hour, per_visit or amount',
      when: (payload) => payload.issues.length === 0,
    }),
  );

/** Every condition present must hold; an absent condition matches anything. */
export const ruleMatchSchema = z
  .strictObject({
    care_type: z.optional(nonEmptyList(z.enum(CARE_TYPES))),
    offer_type: z.optional(nonEmptyList(z.enum(OFFER_TYPES))),
    /** Demand organisation ids or names (names compared case- and accent-insensitively). */
    demand_org: z.optional(words),
    not_demand_org: z.optional(words),
    /** Compared case- and accent-insensitively, surrounding and repeated spaces ignored. */
    city: z.optional(words),
    state: z.optional(words),
    country: z.optional(words),
    /** Postal/zip code prefixes, compared case-insensitively, spaces ignored. */
    zip_prefix: z.optional(words),
    service_area: z.optional(nonEmptyList(serviceArea)),
    starts_within_hours: z.optional(startsWithinHours),
    weekdays: z.optional(nonEmptyList(z.enum(RULE_WEEKDAYS))),
    hours: z.optional(hours),
    /** For `weekdays` and `hours`; default: the rules' `timeZone`. */
    time_zone: z.optional(timeZone),
    max_visits: z.optional(z.number().check(z.int(), z.positive())),
    max_visit_hours: z.optional(positive),
    max_total_hours: z.optional(positive),
    min_rate: z.optional(minRate),
    /** The skills the organisation has. */
    skills: z.optional(words),
    min_minutes_to_expiry: z.optional(nonNegative),
  })
  // Only once the fields are good: a match of unknown fields alone is told so, not this too.
  .check(
    z.refine((match) => Object.keys(match).some((key) => key !== 'time_zone'), {
      error: 'a rule must have at least one condition; use defaultAction for a catch-all',
      when: (payload) => payload.issues.length === 0,
    }),
    z.superRefine(
      (match, ctx) => {
        const conditions = Object.keys(match).filter((key) => key !== 'time_zone');
        if (
          conditions.length > 0 &&
          match.time_zone !== undefined &&
          match.weekdays === undefined &&
          match.hours === undefined
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['time_zone'],
            message: 'applies only to weekdays and hours; this rule has neither',
          });
        }
        const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
        const named = new Set(
          list(match.demand_org).flatMap((org) => (typeof org === 'string' ? [foldName(org)] : [])),
        );
        list(match.not_demand_org).forEach((org, index) => {
          if (typeof org === 'string' && named.has(foldName(org))) {
            ctx.addIssue({
              code: 'custom',
              path: ['not_demand_org', index],
              message: 'is also in demand_org: the rule could never hold',
            });
          }
        });
      },
      // Also when a field is bad, so `rules check` reports every problem in one go; hence the
      // defensive reads above (the value may not have its schema's shape yet).
      {
        when: (payload) =>
          typeof payload.value === 'object' &&
          payload.value !== null &&
          !Array.isArray(payload.value),
      },
    ),
  );

export const ruleSchema = z.strictObject({
  /** Recorded with every decision the rule makes; keep it short and free of client data. */
  name: z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'letters, digits, space, _ . - (1-64)')),
  match: ruleMatchSchema,
  action: z.enum(DECISION_ACTIONS),
  /** Sent as the decline `reason_code`; only for `decline`. */
  declineReasonCode: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  /** Sent as the accept/decline `comment`. */
  comment: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
});

export const rulesLimitsSchema = z.strictObject({
  /** At most this many accepts per calendar day in the rules' `timeZone`. */
  accepts_per_day: z.optional(z.number().check(z.int(), z.positive())),
  /** At most this many accepts per calendar week (Monday to Sunday) in the rules' `timeZone`. */
  accepts_per_week: z.optional(z.number().check(z.int(), z.positive())),
});

export const rulesSchema = z.strictObject({
  /** What to do when no rule matches. `review` leaves the offer open for a person. */
  defaultAction: z.enum(DECISION_ACTIONS),
  /**
   * The organisation's time zone (IANA): the default for `time_zone` conditions and the days of
   * `limits`. Absent means DEFAULT_TIME_ZONE (read it with `rulesTimeZone`); left out of the
   * parsed value so rules written before it keep their version.
   */
  timeZone: z.optional(timeZone),
  limits: z.optional(rulesLimitsSchema),
  /**
   * Evaluated in order; the first rule whose conditions all hold decides. Up to 1,000: the store
   * (S3) takes any size up to 1 MiB, and a decision keeps at most MAX_EXPLANATION_LINES lines.
   */
  rules: z._default(z.array(ruleSchema).check(z.maxLength(1000)), []),
});

export type RuleMatch = z.infer<typeof ruleMatchSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type Rules = z.infer<typeof rulesSchema>;
export type RulesLimits = z.infer<typeof rulesLimitsSchema>;

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
