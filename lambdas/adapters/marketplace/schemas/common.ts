/**
 * Response schemas of the AlayaMarket API, written from AlayaCare's published OpenAPI
 * specifications (auth, offers, organizations): the parts shared by every resource. Every object
 * accepts fields it does not know (the API grows), and every field the specification marks
 * required must be present, so a changed or broken answer fails with an error that names the
 * missing field. One module per resource group beside this one, so a function bundles (and builds
 * at cold start) only the schemas of the calls it makes.
 *
 * Referral details and outbox offers carry client PHI (names, addresses, allergies, risks):
 * their parsed values are handed to the caller and never logged or quoted in errors.
 */
import * as v from 'valibot';
import { issuePath } from '../../../core/parse-json';

export const text = v.string();
export const id = v.pipe(v.string(), v.minLength(1));
export const dateTime = v.pipe(v.string(), v.minLength(1));
export const int = v.pipe(v.number(), v.integer());
/** A date-time the worker computes with (a visit's or referral's start): it must parse. */
export const instant = v.pipe(
  v.string(),
  v.check((value) => !Number.isNaN(Date.parse(value)), 'must be a date-time'),
);

// The value lists the core reads are defined once, in the core; the rest are the API's alone.
import {
  CARE_TYPES,
  MATCH_RESPONSES,
  MATCH_STATUSES,
  OFFER_STATUSES,
  OFFER_TYPES,
  type OfferStatus,
} from '../../../core/marketplace-values';
export {
  CARE_TYPES,
  MATCH_RESPONSES,
  MATCH_STATUSES,
  OFFER_STATUSES,
  OFFER_TYPES,
  type OfferStatus,
};
export const REFERRAL_STATUSES = ['assigned', 'processed', 'cancelled'] as const;
export const PRICE_UNITS = ['per_visit', 'per_hour', 'amount'] as const;
export const OFFER_ASSIGNMENTS = ['auto', 'manual'] as const;
/** `ReasonCodeCore`: why the demand side closed an offer or cancelled a referral. */
export const REASON_CODES = [
  'datetime_change',
  'client_request',
  'client_hospitalization',
  'client_passed_away',
  'client_refused_service',
  'processing_error',
  'other',
] as const;
export const TOPICS = [
  'demand-organizations',
  'inbox-form-templates',
  'inbox-messages',
  'inbox-offers',
  'inbox-referrals',
  'outbox-form-submissions',
  'outbox-messages',
  'outbox-offers',
  'outbox-referrals',
  'outbox-visits',
  'outbox-visit-tasks',
  'outbox-work-sessions',
] as const;

export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
export type OfferAssignment = (typeof OFFER_ASSIGNMENTS)[number];
export type ReasonCode = (typeof REASON_CODES)[number];
export type Topic = (typeof TOPICS)[number];

export const careType = v.picklist(CARE_TYPES);
export const offerType = v.picklist(OFFER_TYPES);

/**
 * A required string read as one of `values`, or as `unknown` when the API sends a value this
 * connector does not know yet (the API grows): the caller decides what an unknown value means.
 */
export function knownOr<const T extends string>(values: readonly T[]) {
  return v.pipe(
    v.string(),
    v.transform((value: string): T | 'unknown' =>
      values.some((known) => known === value) ? (value as T) : 'unknown',
    ),
  );
}

/** `{page, items_per_page, total_items, total_pages, items}`; some pages publish `items` as optional. */
export function pageOf<T extends v.GenericSchema>(item: T, itemsRequired: boolean) {
  return v.looseObject({
    page: int,
    items_per_page: int,
    total_items: int,
    total_pages: int,
    // A default, not a transform: Valibot runs no schema for a missing optional key.
    items: itemsRequired ? v.array(item) : v.optional(v.array(item), () => []),
  });
}

export interface Page<T> {
  page: number;
  items_per_page: number;
  total_items: number;
  total_pages: number;
  items: T[];
}

/** A page whose items are kept as sent, to be checked one by one (`readEntry`). */
export const rawItemPageSchema = pageOf(v.unknown(), true);

/**
 * One list item checked on its own: the parsed item, or the paths of the fields that failed and
 * the item's offer id when one can be read. Never any of the item's content.
 */
export type PageEntry<T> =
  { ok: true; item: T } | { ok: false; offerId?: string; fields: string[] };

/** An offer id safe to log: id-shaped (the API sends UUIDs), so free text never passes for one. */
const LOGGABLE_ID = /^[A-Za-z0-9-]{1,100}$/;

export function readEntry<S extends v.GenericSchema>(
  schema: S,
  raw: unknown,
): PageEntry<v.InferOutput<S>> {
  const parsed = v.safeParse(schema, raw);
  if (parsed.success) return { ok: true, item: parsed.output };
  const fields = [...new Set(parsed.issues.map(issuePath))];
  const offer =
    typeof raw === 'object' && raw !== null ? (raw as { offer?: unknown }).offer : undefined;
  const offerId =
    typeof offer === 'object' && offer !== null ? (offer as { id?: unknown }).id : undefined;
  return typeof offerId === 'string' && LOGGABLE_ID.test(offerId)
    ? { ok: false, offerId, fields }
    : { ok: false, fields };
}
