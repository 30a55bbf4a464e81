/**
 * The worker's read of an inbox offer detail (`GET /offers/v1/inbox/offers/{id}`): the schema it
 * is checked with and its mapping to the core's `InboxOffer`, field by field, so nothing else of
 * the detail (allergies, risks, instructions, custom fields, the case manager) can ride along.
 * `MarketplaceClient.getInboxOffer` and `npm run rules -- test` both use it, so the command judges
 * exactly what the worker would.
 */
import * as z from '../../core/zod';
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
export const inboxOfferForWorkerSchema = z.looseObject({
  offer: z.looseObject({
    id,
    shift_id: z.nullish(id),
    care_type: knownOr(CARE_TYPES),
    offer_type: knownOr(OFFER_TYPES),
    expires_at: dateTime,
    start_at: dateTime,
    end_at: z.optional(z.unknown()),
  }),
  match: z.looseObject({
    id,
    response: z.enum(MATCH_RESPONSES),
    status: z.nullable(z.enum(MATCH_STATUSES)),
  }),
  demand: z.looseObject({ id, name: z.string().check(z.minLength(1)) }),
  client: z.looseObject({
    address: z.looseObject({
      city: id,
      state: id,
      zip: id,
      country: id,
      approx_latitude: z.optional(z.unknown()),
      approx_longitude: z.optional(z.unknown()),
      approx_radius_meters: z.optional(z.unknown()),
    }),
  }),
  service: z.optional(z.unknown()),
  price: z.optional(z.unknown()),
  visits: z.optional(z.unknown()),
});
export type InboxOfferForWorker = z.infer<typeof inboxOfferForWorkerSchema>;

const approxSchema = z.object({
  approx_latitude: z.number().check(z.gte(-90), z.lte(90)),
  approx_longitude: z.number().check(z.gte(-180), z.lte(180)),
  approx_radius_meters: z.nullish(z.number().check(z.gte(0))),
});
const priceSchema = z.looseObject({ rate: z.number(), unit: knownOr(PRICE_UNITS) });
const visitsSchema = z.array(
  z
    .looseObject({ start_at: instant, end_at: instant })
    // A time that is no date-time is reported on its own (above), not as an order problem too.
    .check(
      z.refine((visit) => !(Date.parse(visit.end_at) < Date.parse(visit.start_at)), {
        error: 'ends before it starts',
        path: ['end_at'],
      }),
    ),
);
const serviceSchema = z.looseObject({
  skills: z.nullish(z.array(z.string().check(z.minLength(1)))),
});

/** Reads one optional part: its value, or undefined with its failing paths added to `unreadable`. */
function readPart<S extends z.ZodMiniType>(
  schema: S,
  value: unknown,
  prefix: string,
  unreadable: Set<string>,
): z.output<S> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues)
    unreadable.add([prefix, ...issue.path.map(String)].join('.'));
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
  const result = inboxOfferForWorkerSchema.safeParse(raw);
  if (!result.success) {
    return {
      ok: false,
      fields: [
        ...new Set(
          result.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)'),
        ),
      ],
    };
  }
  return { ok: true, offer: toInboxOffer(result.data) };
}
