import { isOvernight, wallClock, withinDailyWindow } from './local-time';
import type { InboxOffer } from './ports';
import { foldName, type RuleMatch } from './rules-schema';

/**
 * Each rule condition on one offer: whether it holds and, when it does not, why, in words that
 * name fields and limits and never a client's values (no city, zip, coordinates, skill names or
 * demand organisation). An offer's times, counts and price may be named: they say nothing of who
 * the client is. Pure: `now` and the time zone come in with the context.
 */

/** The conditions, in the order they are tried (and listed in explanations). */
export const CONDITIONS = [
  'care_type',
  'offer_type',
  'demand_org',
  'not_demand_org',
  'city',
  'state',
  'country',
  'zip_prefix',
  'service_area',
  'starts_within_hours',
  'weekdays',
  'hours',
  'max_visits',
  'max_visit_hours',
  'max_total_hours',
  'min_rate',
  'skills',
  'min_minutes_to_expiry',
] as const satisfies readonly (keyof RuleMatch)[];
export type Condition = (typeof CONDITIONS)[number];

export interface EvaluationContext {
  /** The evaluation time, epoch milliseconds. */
  now: number;
  /** The rules' time zone, for `weekdays` and `hours` without `time_zone`. */
  timeZone: string;
}

export type Check = { holds: true; note?: string } | { holds: false; why: string };

const HOLDS: Check = { holds: true };
const fail = (why: string): Check => ({ holds: false, why });
const MS_PER_HOUR = 3_600_000;
const MEAN_EARTH_RADIUS_KM = 6371.0088;
/** A point this close to the edge of an area (1 mm) counts as on it: floating-point slack. */
const EDGE_KM = 1e-6;

/** A number for an explanation: at most two decimals. */
const num = (n: number) => String(Math.round(n * 100) / 100);

/** The first unreadable path of a field (or under it), if the mapping could not read it. */
function unreadable(offer: InboxOffer, field: string): string | undefined {
  return offer.unreadable?.find((path) => path === field || path.startsWith(`${field}.`));
}

/** Great-circle distance in km between two points in degrees (haversine, mean Earth radius). */
export function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * MEAN_EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

interface Span {
  start: number;
  end?: number;
}

/**
 * The offer's visits as time spans. An offer that lists no visits counts as one visit from its
 * `start_at` to its `end_at` (end unknown without one), so a condition on "every visit" never
 * holds merely because there is nothing to check.
 */
function spansOf(offer: InboxOffer): { spans: Span[]; endUnknown?: string } | { why: string } {
  const broken = unreadable(offer, 'visits');
  if (broken !== undefined) return { why: `${broken} could not be read` };
  if (offer.visits !== undefined && offer.visits.length > 0) {
    const spans: Span[] = [];
    for (const [index, visit] of offer.visits.entries()) {
      const start = Date.parse(visit.startAt);
      const end = Date.parse(visit.endAt);
      if (Number.isNaN(start)) return { why: `visits.${index}.start_at is not a date-time` };
      if (Number.isNaN(end) || end < start)
        return { why: `visits.${index}.end_at is not a date-time after start_at` };
      spans.push({ start, end });
    }
    return { spans };
  }
  const start = Date.parse(offer.startAt);
  if (Number.isNaN(start)) return { why: 'offer.start_at is not a date-time' };
  const end = offer.endAt === undefined ? Number.NaN : Date.parse(offer.endAt);
  if (Number.isNaN(end) || end < start) {
    const endUnknown =
      unreadable(offer, 'offer.end_at') !== undefined
        ? 'offer.end_at could not be read'
        : 'the offer lists no visits and no end_at';
    return { spans: [{ start }], endUnknown };
  }
  return { spans: [{ start, end }] };
}

/** The spans, each with an end, or why a condition that needs their ends cannot hold. */
function endedSpans(offer: InboxOffer): { spans: Required<Span>[] } | { why: string } {
  const read = spansOf(offer);
  if ('why' in read) return read;
  if (read.endUnknown !== undefined)
    return { why: `${read.endUnknown}, so when it ends is unknown` };
  return { spans: read.spans as Required<Span>[] };
}

const listed = (list: readonly string[], value: string) =>
  list.some((item) => foldName(item) === foldName(value));

function place(list: readonly string[] | undefined, value: string, field: string): Check {
  if (list === undefined) return HOLDS;
  return listed(list, value) ? HOLDS : fail(`the offer's ${field} is not listed`);
}

/** Normalises a postal/zip code or prefix: every space removed, upper case (`h2x 1y4` -> `H2X1Y4`). */
export function normalizeZip(zip: string): string {
  return zip.replace(/\s+/g, '').toUpperCase();
}

function demandListed(list: readonly string[], demand: InboxOffer['demand']): boolean {
  return list.some(
    (entry) =>
      entry.trim().toLowerCase() === demand.id.toLowerCase() ||
      foldName(entry) === foldName(demand.name),
  );
}

function serviceArea(match: RuleMatch, offer: InboxOffer): Check {
  if (match.service_area === undefined) return HOLDS;
  const broken = unreadable(offer, 'client.address');
  if (broken !== undefined) return fail(`${broken} could not be read`);
  const approx = offer.location.approx;
  if (approx === undefined)
    return fail(
      'the offer has no approximate coordinates (client.address.approx_latitude/approx_longitude)',
    );
  const spreadKm = (approx.radiusMeters ?? 0) / 1000;
  const inside = match.service_area.some(
    (area) =>
      greatCircleKm(area.lat, area.lon, approx.latitude, approx.longitude) + spreadKm <=
      area.km + EDGE_KM,
  );
  if (!inside) return fail("the offer's approximate area is not wholly within any listed area");
  return approx.radiusMeters === undefined
    ? { holds: true, note: 'no approx_radius_meters: the point alone' }
    : HOLDS;
}

function startsWithin(match: RuleMatch, offer: InboxOffer, context: EvaluationContext): Check {
  const range = match.starts_within_hours;
  if (range === undefined) return HOLDS;
  const read = spansOf(offer);
  if ('why' in read) return fail(read.why);
  const hours = (Math.min(...read.spans.map((span) => span.start)) - context.now) / MS_PER_HOUR;
  if (range.min !== undefined && hours < range.min)
    return fail(`the first visit starts in ${num(hours)} h; min ${num(range.min)}`);
  if (range.max !== undefined && hours > range.max)
    return fail(`the first visit starts in ${num(hours)} h; max ${num(range.max)}`);
  return HOLDS;
}

function weekdays(match: RuleMatch, offer: InboxOffer, context: EvaluationContext): Check {
  if (match.weekdays === undefined) return HOLDS;
  const read = spansOf(offer);
  if ('why' in read) return fail(read.why);
  const timeZone = match.time_zone ?? context.timeZone;
  for (const span of read.spans) {
    const day = wallClock(span.start, timeZone).weekday;
    if (!match.weekdays.includes(day)) return fail(`a visit starts on ${day}`);
  }
  return HOLDS;
}

function hours(match: RuleMatch, offer: InboxOffer, context: EvaluationContext): Check {
  const window = match.hours;
  if (window === undefined) return HOLDS;
  const read = endedSpans(offer);
  if ('why' in read) return fail(read.why);
  const timeZone = match.time_zone ?? context.timeZone;
  const inside = read.spans.every((span) =>
    withinDailyWindow(span.start, span.end, window, timeZone),
  );
  if (inside) return HOLDS;
  return fail(
    `a visit is not wholly within ${window.from}-${window.to}${isOvernight(window) ? ' (overnight)' : ''} in ${timeZone}`,
  );
}

function visitLimits(
  condition: 'max_visits' | 'max_visit_hours' | 'max_total_hours',
  match: RuleMatch,
  offer: InboxOffer,
): Check {
  const limit = match[condition];
  if (limit === undefined) return HOLDS;
  if (condition === 'max_visits') {
    const read = spansOf(offer);
    if ('why' in read) return fail(read.why);
    return read.spans.length <= limit
      ? HOLDS
      : fail(`${read.spans.length} visits; max ${num(limit)}`);
  }
  const read = endedSpans(offer);
  if ('why' in read) return fail(read.why);
  const lengths = read.spans.map((span) => (span.end - span.start) / MS_PER_HOUR);
  if (condition === 'max_visit_hours') {
    const longest = Math.max(...lengths);
    return longest <= limit ? HOLDS : fail(`a visit lasts ${num(longest)} h; max ${num(limit)}`);
  }
  const total = lengths.reduce((sum, length) => sum + length, 0);
  return total <= limit ? HOLDS : fail(`the visits last ${num(total)} h in all; max ${num(limit)}`);
}

function minRate(match: RuleMatch, offer: InboxOffer): Check {
  if (match.min_rate === undefined) return HOLDS;
  const broken = unreadable(offer, 'price');
  if (broken !== undefined) return fail(`${broken} could not be read`);
  if (offer.price === undefined) return fail('the offer has no price');
  const { rate, unit } = offer.price;
  if (unit === 'unknown') return fail('price.unit has a value this connector does not know');
  const minimum = match.min_rate[unit];
  if (minimum === undefined) return fail(`the price is ${unit}; the rule sets no minimum ${unit}`);
  return rate >= minimum ? HOLDS : fail(`the price is ${num(rate)} ${unit}; min ${num(minimum)}`);
}

function skills(match: RuleMatch, offer: InboxOffer): Check {
  if (match.skills === undefined) return HOLDS;
  const broken = unreadable(offer, 'service');
  if (broken !== undefined) return fail(`${broken} could not be read`);
  if (offer.requiredSkills === undefined || offer.requiredSkills.length === 0)
    return { holds: true, note: 'the offer names no required skill' };
  const own = match.skills;
  // Counted, never named: a required skill can tell a client's health needs.
  const missing = offer.requiredSkills.filter((skill) => !listed(own, skill)).length;
  return missing === 0
    ? HOLDS
    : fail(`the service requires ${missing} skill${missing === 1 ? '' : 's'} not listed`);
}

function minutesToExpiry(match: RuleMatch, offer: InboxOffer, context: EvaluationContext): Check {
  if (match.min_minutes_to_expiry === undefined) return HOLDS;
  const expires = Date.parse(offer.expiresAt);
  if (Number.isNaN(expires)) return fail('offer.expires_at is not a date-time');
  const minutes = (expires - context.now) / 60_000;
  return minutes >= match.min_minutes_to_expiry
    ? HOLDS
    : fail(`the offer expires in ${num(minutes)} min; min ${num(match.min_minutes_to_expiry)}`);
}

/** Whether `condition` of `match` holds for `offer`; an absent condition holds. */
export function checkCondition(
  condition: Condition,
  match: RuleMatch,
  offer: InboxOffer,
  context: EvaluationContext,
): Check {
  switch (condition) {
    case 'care_type':
      if (
        match.care_type === undefined ||
        (match.care_type as readonly string[]).includes(offer.careType)
      )
        return HOLDS;
      return fail(`care_type is ${offer.careType}; listed: ${match.care_type.join(', ')}`);
    case 'offer_type':
      if (
        match.offer_type === undefined ||
        (match.offer_type as readonly string[]).includes(offer.offerType)
      )
        return HOLDS;
      return fail(`offer_type is ${offer.offerType}; listed: ${match.offer_type.join(', ')}`);
    case 'demand_org':
      return match.demand_org === undefined || demandListed(match.demand_org, offer.demand)
        ? HOLDS
        : fail('the demand organisation is not listed');
    case 'not_demand_org':
      return match.not_demand_org === undefined || !demandListed(match.not_demand_org, offer.demand)
        ? HOLDS
        : fail('the demand organisation is listed');
    case 'city':
      return place(match.city, offer.location.city, 'city');
    case 'state':
      return place(match.state, offer.location.state, 'state');
    case 'country':
      return place(match.country, offer.location.country, 'country');
    case 'zip_prefix': {
      if (match.zip_prefix === undefined) return HOLDS;
      const zip = normalizeZip(offer.location.zip);
      // An all-space prefix normalises to '' and would match every zip: never let it.
      const holds = match.zip_prefix.some(
        (prefix) => normalizeZip(prefix).length > 0 && zip.startsWith(normalizeZip(prefix)),
      );
      return holds ? HOLDS : fail("the offer's zip does not start with a listed prefix");
    }
    case 'service_area':
      return serviceArea(match, offer);
    case 'starts_within_hours':
      return startsWithin(match, offer, context);
    case 'weekdays':
      return weekdays(match, offer, context);
    case 'hours':
      return hours(match, offer, context);
    case 'max_visits':
    case 'max_visit_hours':
    case 'max_total_hours':
      return visitLimits(condition, match, offer);
    case 'min_rate':
      return minRate(match, offer);
    case 'skills':
      return skills(match, offer);
    case 'min_minutes_to_expiry':
      return minutesToExpiry(match, offer, context);
  }
}
