/**
 * Reading offers: one offer as a matched supplier or its poster sees it, and the API's pages of
 * inbox offers, outbox offers and an offer's matches. Each read expires what is due first.
 */
import type { ListQuery, MatchListQuery, OutboxListQuery } from './book-types';
import { type BookState, ownOffer } from './book-state';
import type {
  WireInboxOfferDetail,
  WireInboxOfferListItem,
  WireOutboxMatchItem,
  WireOutboxOfferDetail,
  WireOutboxOfferListItem,
  WirePage,
} from './model';
import { expireIfDue, sweepAll } from './offer-lifecycle';
import { inboxView, outboxView, paginate } from './offer-views';

/** The offer as a matched organisation sees it (default: its first match), or undefined. */
export function getInbox(
  state: BookState,
  offerId: string,
  supplyOrganizationId?: string,
): WireInboxOfferDetail | undefined {
  const stored = state.offers.get(offerId);
  if (!stored) return undefined;
  expireIfDue(state, stored);
  const match =
    supplyOrganizationId === undefined
      ? stored.matches[0]
      : stored.matches.find((m) => m.supplyOrganizationId === supplyOrganizationId);
  return match ? inboxView(stored, match) : undefined;
}

/** The offer as its demand organisation sees it (PHI included), or undefined. */
export function getOutbox(
  state: BookState,
  offerId: string,
  demandOrganizationId?: string,
): WireOutboxOfferDetail | undefined {
  const stored = state.offers.get(offerId);
  if (
    !stored ||
    (demandOrganizationId !== undefined && stored.demandOrganizationId !== demandOrganizationId)
  )
    return undefined;
  expireIfDue(state, stored);
  return outboxView(stored);
}

/** `GET /offers/v1/inbox/offers`: one page of the organisation's offers. */
export function listInbox(
  state: BookState,
  supplyOrganizationId: string,
  query: ListQuery,
): WirePage<WireInboxOfferListItem> {
  const rows = sweepAll(state).flatMap((stored) => {
    const match = stored.matches.find((m) => m.supplyOrganizationId === supplyOrganizationId);
    if (!match) return [];
    if (query.status && match.match.status !== query.status) return [];
    if (query.shiftId && stored.detail.offer.shift_id !== query.shiftId) return [];
    const view = inboxView(stored, match);
    return [{ sortKey: view.offer.updated_at, item: { offer: view.offer, match: view.match } }];
  });
  return paginate(rows, query);
}

/** `GET /offers/v1/outbox/offers`. */
export function listOutbox(
  state: BookState,
  demandOrganizationId: string,
  query: OutboxListQuery,
): WirePage<WireOutboxOfferListItem> {
  const rows = sweepAll(state).flatMap((stored) => {
    if (stored.demandOrganizationId !== demandOrganizationId) return [];
    const view = outboxView(stored);
    const { offer, client, service, visits } = view;
    const keep =
      (query.careType === undefined || offer.care_type === query.careType) &&
      (query.offerType === undefined || offer.offer_type === query.offerType) &&
      (query.status === undefined || offer.status === query.status) &&
      (query.clientOutboxId === undefined || client.outbox_id === query.clientOutboxId) &&
      (query.visitOutboxId === undefined ||
        visits.some((v) => v.outbox_id === query.visitOutboxId)) &&
      (query.isAccepted === undefined || view.response_counts.accepted > 0 === query.isAccepted) &&
      (query.expiresAfter === undefined ||
        Date.parse(offer.expires_at) > Date.parse(query.expiresAfter)) &&
      (query.expiresBefore === undefined ||
        Date.parse(offer.expires_at) < Date.parse(query.expiresBefore)) &&
      (query.shiftId === undefined || offer.shift_id === query.shiftId) &&
      (query.demandLabel === undefined || (offer.demand_labels ?? []).includes(query.demandLabel));
    if (!keep) return [];
    const item: WireOutboxOfferListItem = {
      offer,
      client: { outbox_id: client.outbox_id, demographics: client.demographics },
      service: { outbox_id: service.outbox_id, name: service.name },
      response_counts: view.response_counts,
    };
    return [{ sortKey: offer.updated_at, item }];
  });
  return paginate(rows, query);
}

/** `GET /offers/v1/outbox/offers/{id}/matches`. */
export function listMatches(
  state: BookState,
  demandOrganizationId: string,
  offerId: string,
  query: MatchListQuery,
): WirePage<WireOutboxMatchItem> {
  const stored = ownOffer(state, demandOrganizationId, offerId);
  expireIfDue(state, stored);
  const rows = stored.matches
    .filter((m) => query.responses === undefined || query.responses.includes(m.match.response))
    .filter(
      (m) => query.sequenceIds === undefined || query.sequenceIds.includes(m.match.sequence_id),
    )
    .map((m) => {
      const supply = state.organizations.supply(m.supplyOrganizationId);
      return {
        sortKey: m.match.updated_at,
        item: { match: structuredClone(m.match), supply: { id: supply.id, name: supply.name } },
      };
    });
  return paginate(rows, query);
}
