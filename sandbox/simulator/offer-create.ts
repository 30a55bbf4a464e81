/**
 * Creating offers: a lone offer, or the offers of one shift or bundle all at once. Creation is
 * atomic: every offer of a request is checked (a 409 for a visit another open or assigned visit
 * offer covers, including another item of the same request; a 400 for an offer with no start)
 * before any is stored, matched or announced, so a refused request leaves nothing behind.
 *
 * Each offer is matched as organizations.ts says; one with no supplier to match is
 * `declined_by_all` at once (offer-lifecycle.ts).
 */
import { randomUUID } from 'node:crypto';
import { SimulatorApiError } from './api-error';
import type { OfferSpec } from './book-types';
import { type BookState, visitKey } from './book-state';
import { anonymisedAddress, type StoredOffer } from './offer-views';
import { declineByAllIfNoneLeft } from './offer-lifecycle';

export interface CreateOptions {
  id?: string;
  shiftId?: string;
  /** Match exactly these supply organisations (the in-process shortcut), not by care type. */
  supplyOrganizationIds?: string[];
  demandName?: string;
}

/**
 * Creates one offer per spec for a demand organisation, all or none (see above), in order;
 * emits `OfferMatched` to each match (or `OfferDeclinedByAll` to the poster for an offer with
 * none). `options[i]` applies to `specs[i]`.
 */
export function createOffers(
  state: BookState,
  demandOrganizationId: string,
  specs: readonly OfferSpec[],
  options: readonly CreateOptions[] = [],
): StoredOffer[] {
  const prepared: StoredOffer[] = [];
  specs.forEach((spec, i) => {
    prepared.push(prepare(state, demandOrganizationId, spec, options[i] ?? {}, prepared));
  });
  for (const stored of prepared) commit(state, stored);
  return prepared;
}

/** Builds the stored offer, refusing it (and so its whole request) before anything is changed. */
function prepare(
  state: BookState,
  demandOrganizationId: string,
  spec: OfferSpec,
  options: CreateOptions,
  earlier: readonly StoredOffer[],
): StoredOffer {
  const demand = state.organizations.demand(demandOrganizationId);
  const id = options.id ?? randomUUID();
  if (state.offers.has(id) || earlier.some((o) => o.detail.offer.id === id))
    throw new SimulatorApiError(409, 'Offer already exists');
  if (spec.offer_type === 'visit') {
    const visitIds = new Set(spec.visits.map((v) => v.outbox_id));
    // Stored offers with one of these visits (the index), then this request's earlier items.
    const candidates = [
      ...[...visitIds].flatMap(
        (visitId) => state.visitOffers.get(visitKey(demandOrganizationId, visitId)) ?? [],
      ),
      ...earlier,
    ];
    const clash = candidates.find(
      (o) =>
        o.demandOrganizationId === demandOrganizationId &&
        o.detail.offer.offer_type === 'visit' &&
        (o.detail.offer.status === 'open' || o.detail.offer.status === 'assigned') &&
        o.detail.visits.some((v) => visitIds.has(v.outbox_id)),
    );
    if (clash)
      throw new SimulatorApiError(
        409,
        'An open or assigned visit offer already exists for this visit',
      );
  }
  const created = state.now().toISOString();
  const startAt =
    spec.visits.at(0)?.start_at ?? spec.service.start_at ?? spec.service.expected_start_at;
  if (startAt === undefined)
    throw new SimulatorApiError(
      400,
      'Invalid request body',
      '[a visit or service.start_at is required]',
    );
  const endAt = spec.visits.at(-1)?.end_at ?? spec.service.end_at;

  // An organisation holding both personas is never matched to its own offers.
  if (options.supplyOrganizationIds?.includes(demandOrganizationId))
    throw new SimulatorApiError(400, 'An organization cannot be matched to its own offer');
  const eligible = options.supplyOrganizationIds
    ? options.supplyOrganizationIds.map((sid) => state.organizations.supply(sid))
    : state.organizations.matchable(
        demandOrganizationId,
        spec.care_type,
        spec.direct_supply_persona_ids,
      );
  const clientKey = `${demandOrganizationId}/${spec.client.outbox_id}`;
  const clientId =
    state.clientIds.get(clientKey) ??
    earlier.find((o) => `${o.demandOrganizationId}/${o.detail.client.outbox_id}` === clientKey)
      ?.detail.client.id ??
    state.clients.clientId();
  return {
    demandOrganizationId,
    demandName: options.demandName ?? demand.name,
    detail: {
      offer: {
        id,
        ...(options.shiftId !== undefined ? { shift_id: options.shiftId } : {}),
        care_type: spec.care_type,
        offer_type: spec.offer_type,
        status: 'open',
        expires_at: spec.expires_at,
        start_at: startAt,
        ...(endAt !== undefined ? { end_at: endAt } : {}),
        ...(spec.comment !== undefined ? { comment: spec.comment } : {}),
        ...(spec.demand_labels !== undefined ? { demand_labels: spec.demand_labels } : {}),
        created_at: created,
        updated_at: created,
      },
      demand: { id: demand.id, name: demand.name },
      client: { ...structuredClone(spec.client), id: clientId },
      service: { ...structuredClone(spec.service), id: randomUUID() },
      visits: spec.visits.map((v) => ({ ...v, id: randomUUID() })),
      ...(spec.price !== undefined ? { price: structuredClone(spec.price) } : {}),
    },
    anonAddress: anonymisedAddress(spec.client.address),
    inboxPrice: spec.price?.default ?? { rate: 30, unit: 'per_visit' },
    matches: eligible.map((org) => ({
      supplyOrganizationId: org.id,
      match: {
        id: randomUUID(),
        response: 'pending',
        status: 'open',
        sequence_id: randomUUID(),
        created_at: created,
        updated_at: created,
      },
    })),
  };
}

/** Stores a prepared offer and announces it. */
function commit(state: BookState, stored: StoredOffer): void {
  const { offer, client } = stored.detail;
  state.offers.set(offer.id, stored);
  state.clientIds.set(`${stored.demandOrganizationId}/${client.outbox_id}`, client.id);
  if (offer.offer_type === 'visit')
    for (const outboxId of new Set(stored.detail.visits.map((v) => v.outbox_id))) {
      const key = visitKey(stored.demandOrganizationId, outboxId);
      const offers = state.visitOffers.get(key);
      if (offers) offers.push(stored);
      else state.visitOffers.set(key, [stored]);
    }
  // An unreadable expiry (NaN) must not let sweeps skip this offer: it sweeps at once instead.
  const expiresMs = Date.parse(offer.expires_at);
  state.earliestExpiryMs = Number.isNaN(expiresMs)
    ? Number.NEGATIVE_INFINITY
    : Math.min(state.earliestExpiryMs, expiresMs);
  for (const m of stored.matches)
    state.events.offer('inbox-offers', m.supplyOrganizationId, 'OfferMatched', offer.id);
  declineByAllIfNoneLeft(state, stored);
}
