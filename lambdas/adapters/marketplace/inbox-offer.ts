/**
 * The worker's read of an inbox offer detail (`GET /offers/v1/inbox/offers/{id}`): the schema it
 * is checked with and its mapping to the core's `InboxOffer`, field by field, so nothing else of
 * the detail (allergies, risks, instructions, custom fields, the case manager) can ride along.
 * `MarketplaceClient.getInboxOffer` and `npm run rules -- test` both use it, so the command judges
 * exactly what the worker would.
 */
import * as v from 'valibot';
import { issuePath } from '../../core/parse-json';
import type { InboxOffer, OfferVisit } from '../../core/ports';
import {
  CARE_TYPES,
  dateTime,
  id,
  instant,
  knownOr,
  MATCH_RESPONSES,
  MATCH_STATUSES,
  OFFER_TYPES,
  PRICE_UNITS,
} from './schemas/common';

/**
 * What the worker requires of the detail. Narrower than the full schema on purpose: a field only
 * some rules read (price, visits, coordinates, skills, end_at) is taken as sent and read on its
 * own (see `toInboxOffer`), so a broken one makes the rules that read it not hold instead of
 * failing the event into the DLQ. An unknown care or offer type is read as `unknown` (the worker
 * sends such an offer to review). A required field that is missing still fails.
 */
export const inboxOfferForWorkerSchema = v.looseObject({
  offer: v.looseObject({
    id,
    shift_id: v.nullish(id),
    care_type: knownOr(CARE_TYPES),
    offer_type: knownOr(OFFER_TYPES),
    expires_at: dateTime,
    start_at: dateTime,
    end_at: v.optional(v.unknown()),
  }),
  match: v.looseObject({
    id,
    response: v.picklist(MATCH_RESPONSES),
    status: v.nullable(v.picklist(MATCH_STATUSES)),
  }),
  demand: v.looseObject({ id, name: v.pipe(v.string(), v.minLength(1)) }),
  client: v.looseObject({
    address: v.looseObject({
      city: id,
      state: id,
      zip: id,
      country: id,
      approx_latitude: v.optional(v.unknown()),
      approx_longitude: v.optional(v.unknown()),
      approx_radius_meters: v.optional(v.unknown()),
    }),
  }),
  service: v.optional(v.unknown()),
  price: v.optional(v.unknown()),
  visits: v.optional(v.unknown()),
});
export type InboxOfferForWorker = v.InferOutput<typeof inboxOfferForWorkerSchema>;

const approxSchema = v.object({
  approx_latitude: v.pipe(v.number(), v.minValue(-90), v.maxValue(90)),
  approx_longitude: v.pipe(v.number(), v.minValue(-180), v.maxValue(180)),
  approx_radius_meters: v.nullish(v.pipe(v.number(), v.minValue(0))),
});
const priceSchema = v.looseObject({ rate: v.number(), unit: knownOr(PRICE_UNITS) });
const visitsSchema = v.array(
  v.pipe(
    v.looseObject({ start_at: instant, end_at: instant }),
    // A time that is no date-time is reported on its own (above): NaN compares false, so such a
    // visit is never an order problem too.
    v.forward(
      v.check(
        (visit) => !(Date.parse(visit.end_at) < Date.parse(visit.start_at)),
        'ends before it starts',
      ),
      ['end_at'],
    ),
  ),
);
const serviceSchema = v.looseObject({
  skills: v.nullish(v.array(v.pipe(v.string(), v.minLength(1)))),
});

/** Reads one optional part: its value, or undefined with its failing paths added to `unreadable`. */
function readPart<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  prefix: string,
  unreadable: Set<string>,
): v.InferOutput<S> | undefined {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  for (const issue of result.issues) {
    const path = issuePath(issue);
    unreadable.add(path === '(root)' ? prefix : `${prefix}.${path}`);
  }
  return undefined;
}

const absent = (value: unknown) => value === undefined || value === null;

/** The core's InboxOffer, built field by field from the worker's read of the detail. */
export function toInboxOffer(detail: InboxOfferForWorker): InboxOffer {
  const { offer, match, demand, client, service, price, visits } = detail;
  const address = client.address;
  const unreadable = new Set<string>();
  const mapped: InboxOffer = {
    id: offer.id,
    careType: offer.care_type,
    offerType: offer.offer_type,
    expiresAt: offer.expires_at,
    startAt: offer.start_at,
    match: { id: match.id, response: match.response, status: match.status },
    location: {
      city: address.city,
      state: address.state,
      zip: address.zip,
      country: address.country,
    },
    demand: { id: demand.id, name: demand.name },
  };
  if (typeof offer.shift_id === 'string') mapped.shiftId = offer.shift_id;
  if (!absent(offer.end_at)) {
    const endAt = readPart(instant, offer.end_at, 'offer.end_at', unreadable);
    if (endAt !== undefined) mapped.endAt = endAt;
  }
  if (!absent(address.approx_latitude) || !absent(address.approx_longitude)) {
    const approx = readPart(approxSchema, address, 'client.address', unreadable);
    if (approx !== undefined) {
      mapped.location.approx = {
        latitude: approx.approx_latitude,
        longitude: approx.approx_longitude,
      };
      if (typeof approx.approx_radius_meters === 'number')
        mapped.location.approx.radiusMeters = approx.approx_radius_meters;
    }
  }
  if (!absent(visits)) {
    const read = readPart(visitsSchema, visits, 'visits', unreadable);
    if (read !== undefined)
      mapped.visits = read.map((visit): OfferVisit => ({
        startAt: visit.start_at,
        endAt: visit.end_at,
      }));
  }
  if (!absent(price)) {
    const read = readPart(priceSchema, price, 'price', unreadable);
    if (read !== undefined) mapped.price = { rate: read.rate, unit: read.unit };
  }
  if (!absent(service)) {
    const read = readPart(serviceSchema, service, 'service', unreadable);
    if (read !== undefined && Array.isArray(read.skills)) mapped.requiredSkills = [...read.skills];
  }
  if (unreadable.size > 0) mapped.unreadable = [...unreadable].sort();
  return mapped;
}

/**
 * An offer detail as the API answers it (already JSON-parsed), read as the worker reads it: the
 * offer, or the paths of the required fields that failed (never their values).
 */
export function readInboxOffer(
  raw: unknown,
): { ok: true; offer: InboxOffer } | { ok: false; fields: string[] } {
  const result = v.safeParse(inboxOfferForWorkerSchema, raw);
  if (!result.success) return { ok: false, fields: [...new Set(result.issues.map(issuePath))] };
  return { ok: true, offer: toInboxOffer(result.output) };
}
