/**
 * The outbox create requests (`POST .../outbox/offers`, `.../shift/offers`, `.../bundle/offers`)
 * checked for the fields the spec marks required and the simulator uses, turned into offer specs
 * (a 400 naming every missing or wrong field), and the shift and bundle create answers.
 */
import { randomUUID } from 'node:crypto';
import { invalidBody, isObject, type JsonObject, objectAt } from './api-body';
import type { OfferSpec } from './book-types';
import {
  CARE_TYPES,
  isOneOf,
  OFFER_TYPES,
  type OfferType,
  PRICE_UNITS,
  type WireOutboxOfferDetail,
} from './model';

/** `OutboxBundleOfferCreateRequest.items`: `maxItems: 10`. */
const MAX_BUNDLE_ITEMS = 10;

/** `POST .../outbox/offers`: one offer, its type in the request. */
export function singleOfferSpec(body: JsonObject): OfferSpec {
  return offerSpec(body, '', { offer: objectAt(body, 'offer'), offerType: 'from-offer' });
}

/** `POST .../outbox/shift/offers`: one visit offer per item, the `offer` fields shared. */
export function shiftSpecs(body: JsonObject): OfferSpec[] {
  const offer = objectAt(body, 'offer');
  return itemsOf(body).map((item, i) =>
    offerSpec({ ...item, ...common(body) }, `items.${i}.`, {
      offer,
      offerType: 'visit',
      visitsRequired: true,
    }),
  );
}

/** `POST .../outbox/bundle/offers`: one service offer per item (at most 10), care type per item. */
export function bundleSpecs(body: JsonObject): OfferSpec[] {
  const offer = objectAt(body, 'offer');
  const items = itemsOf(body);
  if (items.length > MAX_BUNDLE_ITEMS)
    throw invalidBody(
      `[array is too long: must have at most ${MAX_BUNDLE_ITEMS} elements but instance has ${items.length} elements]`,
    );
  return items.map((item, i) =>
    offerSpec({ ...item, ...common(body) }, `items.${i}.`, {
      offer: { ...offer, care_type: item.care_type, demand_labels: item.demand_labels },
      offerType: 'service',
    }),
  );
}

/** A new shift's or bundle's id (the offers' `shift_id`). */
export const newShiftId = (): string => randomUUID();

/** One item of `OutboxShiftOfferCreateResponse`. */
export function shiftItem(d: WireOutboxOfferDetail) {
  return {
    offer: {
      id: d.offer.id,
      care_type: d.offer.care_type,
      start_at: d.offer.start_at,
      end_at: d.offer.end_at ?? d.offer.start_at,
      expires_at: d.offer.expires_at,
    },
    client: { outbox_id: d.client.outbox_id, demographics: d.client.demographics },
    service: { outbox_id: d.service.outbox_id, name: d.service.name },
    visits: d.visits.map((v) => ({ id: v.id, outbox_id: v.outbox_id })),
    response_counts: d.response_counts,
  };
}

/** One item of `OutboxBundleOfferCreateResponse`. */
export function bundleItem(d: WireOutboxOfferDetail) {
  return {
    offer: {
      id: d.offer.id,
      care_type: d.offer.care_type,
      status: d.offer.status,
      start_at: d.offer.start_at,
      ...(d.offer.end_at ? { end_at: d.offer.end_at } : {}),
      expires_at: d.offer.expires_at,
    },
    client: { outbox_id: d.client.outbox_id, demographics: d.client.demographics },
    service: { outbox_id: d.service.outbox_id, name: d.service.name },
    response_counts: d.response_counts,
  };
}

function itemsOf(body: JsonObject): JsonObject[] {
  const items = body.items;
  if (!Array.isArray(items) || items.length === 0)
    throw invalidBody('[object has missing required properties (["items"])]');
  return items.map((item: unknown, i) => {
    if (!isObject(item)) throw invalidBody(`[items.${i} must be an object]`);
    return item;
  });
}

/** Fields of a shift/bundle request that apply to every item. */
function common(body: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (body.direct_supply_persona_ids !== undefined)
    out.direct_supply_persona_ids = body.direct_supply_persona_ids;
  return out;
}
/**
 * Checks a create request's required fields (those the spec marks required and the simulator
 * uses) and builds the offer spec; a 400 names every missing or wrong field.
 */
function offerSpec(
  body: JsonObject,
  prefix: string,
  options: { offer: JsonObject; offerType: 'from-offer' | OfferType; visitsRequired?: boolean },
): OfferSpec {
  const problems: string[] = [];
  const str = (obj: JsonObject | undefined, key: string, path: string): string => {
    const value = obj?.[key];
    if (typeof value !== 'string' || value === '') problems.push(path);
    return typeof value === 'string' ? value : '';
  };
  const obj = (
    parent: JsonObject | undefined,
    key: string,
    path: string,
  ): JsonObject | undefined => {
    const value = parent?.[key];
    if (!isObject(value)) {
      problems.push(path);
      return undefined;
    }
    return value;
  };
  const offer = options.offer;
  const careType = str(offer, 'care_type', 'offer.care_type');
  if (careType && !isOneOf(careType, CARE_TYPES)) problems.push('offer.care_type (psw | nursing)');
  const offerType =
    options.offerType === 'from-offer'
      ? str(offer, 'offer_type', 'offer.offer_type')
      : options.offerType;
  if (offerType && !isOneOf(offerType, OFFER_TYPES))
    problems.push('offer.offer_type (visit | service)');
  const expiresAt = str(offer, 'expires_at', 'offer.expires_at');
  if (expiresAt && Number.isNaN(Date.parse(expiresAt)))
    problems.push('offer.expires_at (date-time)');

  const client = obj(body, 'client', `${prefix}client`);
  const address = obj(client, 'address', `${prefix}client.address`);
  for (const key of ['address', 'city', 'state', 'zip', 'country'])
    str(address, key, `${prefix}client.address.${key}`);
  const demographics = obj(client, 'demographics', `${prefix}client.demographics`);
  for (const key of ['first_name', 'last_name'])
    str(demographics, key, `${prefix}client.demographics.${key}`);
  str(client, 'outbox_id', `${prefix}client.outbox_id`);
  const service = obj(body, 'service', `${prefix}service`);
  str(service, 'name', `${prefix}service.name`);
  str(service, 'outbox_id', `${prefix}service.outbox_id`);

  const rawVisits = body.visits;
  if (options.visitsRequired && !Array.isArray(rawVisits)) problems.push(`${prefix}visits`);
  const visits = (Array.isArray(rawVisits) ? rawVisits : []).map((v: unknown, i) => {
    const visit = isObject(v) ? v : {};
    const startAt = str(visit, 'start_at', `${prefix}visits.${i}.start_at`);
    const endAt = str(visit, 'end_at', `${prefix}visits.${i}.end_at`);
    return {
      outbox_id: str(visit, 'outbox_id', `${prefix}visits.${i}.outbox_id`),
      start_at: startAt,
      end_at: endAt,
      ...(typeof visit.instructions === 'string' ? { instructions: visit.instructions } : {}),
    };
  });
  let price: OfferSpec['price'];
  if (body.price !== undefined) {
    const def = obj(
      isObject(body.price) ? body.price : undefined,
      'default',
      `${prefix}price.default`,
    );
    const rate = def?.rate;
    const unit = def?.unit;
    if (typeof rate !== 'number') problems.push(`${prefix}price.default.rate`);
    const known = typeof unit === 'string' && isOneOf(unit, PRICE_UNITS) ? unit : undefined;
    if (known === undefined) problems.push(`${prefix}price.default.unit`);
    if (typeof rate === 'number' && known !== undefined) price = { default: { rate, unit: known } };
  }
  if (problems.length > 0)
    throw invalidBody(
      `[object has missing or invalid required properties (${JSON.stringify(problems)})]`,
    );
  // Named among the problems above already; checked again so the types narrow.
  if (!client || !service || !isOneOf(careType, CARE_TYPES) || !isOneOf(offerType, OFFER_TYPES))
    throw invalidBody('[client, service, care_type and offer_type are required]');

  const ids = body.direct_supply_persona_ids;
  const labels = offer.demand_labels;
  return {
    care_type: careType,
    offer_type: offerType,
    expires_at: new Date(Date.parse(expiresAt)).toISOString(),
    ...(typeof offer.comment === 'string' ? { comment: offer.comment } : {}),
    ...(Array.isArray(labels)
      ? { demand_labels: labels.filter((l): l is string => typeof l === 'string') }
      : {}),
    client: client as OfferSpec['client'],
    service: service as OfferSpec['service'],
    visits,
    ...(price ? { price } : {}),
    ...(Array.isArray(ids)
      ? { direct_supply_persona_ids: ids.filter((id): id is string => typeof id === 'string') }
      : {}),
  };
}
