/**
 * The offer book's stored records, and how each party sees them: the supply side's anonymised
 * inbox view of an offer (approximate place, no name or street; health data stays, as in the
 * API), the demand side's full outbox view with its response counts, and the API's pages.
 */
import { SimulatorApiError } from './api-error';
import type {
  PriceUnit,
  WireAnonAddress,
  WireInboxOfferDetail,
  WireOfferMatch,
  WireOutboxOfferDetail,
  WirePage,
  WireReferral,
  WireRevision,
} from './model';
import type { PageQuery } from './book-types';

export interface StoredMatch {
  supplyOrganizationId: string;
  match: WireOfferMatch;
}

export interface StoredOffer {
  demandOrganizationId: string;
  detail: Omit<WireOutboxOfferDetail, 'response_counts'>;
  /** The demand name shown to supply (overridable per offer for the sandbox's variety). */
  demandName: string;
  anonAddress: WireAnonAddress;
  inboxPrice: { rate: number; unit: PriceUnit };
  matches: StoredMatch[];
}

export interface StoredReferral {
  supplyOrganizationId: string;
  demandOrganizationId: string;
  referral: WireReferral;
  revision: WireRevision;
  price: { rate: number; unit: PriceUnit };
}

/** Approximate centres, so the anonymised address has plausible `approx_*` fields. */
const CITY_CENTRES: Record<string, [number, number]> = {
  Toronto: [43.6532, -79.3832],
  Ottawa: [45.4215, -75.6972],
  Mississauga: [43.589, -79.6441],
  Hamilton: [43.2557, -79.8711],
  Montréal: [45.5019, -73.5674],
  Vancouver: [49.2827, -123.1207],
  Calgary: [51.0447, -114.0719],
};

/** The approximate place a supplier is shown before it is assigned the offer. */
export function anonymisedAddress(address: {
  city: string;
  state: string;
  zip: string;
  country: string;
}): WireAnonAddress {
  const { city, state, zip, country } = address;
  const [lat, lon] = CITY_CENTRES[city] ?? [43.65, -79.38];
  return {
    city,
    state,
    zip,
    country,
    approx_latitude: lat,
    approx_longitude: lon,
    approx_radius_meters: 2000,
  };
}

/** The offer as one matched supply organisation sees it (404 without its match). */
export function inboxView(
  stored: StoredOffer,
  match: StoredMatch | undefined,
): WireInboxOfferDetail {
  if (!match) throw new SimulatorApiError(404, 'Offer not found');
  const { offer, client, service, visits } = stored.detail;
  const view: WireInboxOfferDetail = {
    offer: {
      id: offer.id,
      ...(offer.shift_id !== undefined ? { shift_id: offer.shift_id } : {}),
      care_type: offer.care_type,
      offer_type: offer.offer_type,
      expires_at: offer.expires_at,
      start_at: offer.start_at,
      ...(offer.end_at !== undefined ? { end_at: offer.end_at } : {}),
      ...(offer.comment !== undefined ? { comment: offer.comment } : {}),
      ...(offer.reason_code !== undefined ? { reason_code: offer.reason_code } : {}),
      ...(offer.reason_comment !== undefined ? { reason_comment: offer.reason_comment } : {}),
      created_at: offer.created_at,
      updated_at: offer.updated_at,
    },
    match: match.match,
    demand: { id: stored.detail.demand.id, name: stored.demandName },
    // Anonymised: approximate place, no name, no street; health data stays (as in the API).
    client: {
      address: stored.anonAddress,
      allergies: client.allergies ?? [],
      risks: client.risks ?? [],
      ...(client.custom_fields !== undefined ? { custom_fields: client.custom_fields } : {}),
    },
    service: {
      id: service.id,
      name: service.name,
      ...(service.start_at !== undefined ? { start_at: service.start_at } : {}),
      ...(service.end_at !== undefined ? { end_at: service.end_at } : {}),
    },
    price: stored.inboxPrice,
    visits: visits.map((v) => ({
      id: v.id,
      start_at: v.start_at,
      end_at: v.end_at,
      ...(v.instructions !== undefined ? { instructions: v.instructions } : {}),
    })),
  };
  return structuredClone(view);
}

/** The offer as its demand organisation sees it (PHI included), with its response counts. */
export function outboxView(stored: StoredOffer): WireOutboxOfferDetail {
  const answered = stored.matches.map((m) => m.match.updated_at).sort();
  return structuredClone({
    ...stored.detail,
    response_counts: {
      modified_at: answered.at(-1) ?? stored.detail.offer.created_at,
      sent: stored.matches.length,
      accepted: stored.matches.filter((m) => m.match.response === 'accepted').length,
      declined: stored.matches.filter((m) => m.match.response === 'declined').length,
    },
  });
}

/** Sorts by last modification (creation order breaks ties, so pages are stable) and cuts a page. */
export function paginate<T>(
  rows: Array<{ sortKey: string; item: T }>,
  query: PageQuery,
): WirePage<T> {
  const indexed = rows.map((row, index) => ({ ...row, index }));
  indexed.sort((a, b) => {
    const byTime = a.sortKey.localeCompare(b.sortKey);
    const order = byTime !== 0 ? byTime : a.index - b.index;
    return query.sortOrder === 'asc' ? order : -order;
  });
  const start = (query.page - 1) * query.itemsPerPage;
  return {
    page: query.page,
    items_per_page: query.itemsPerPage,
    total_items: indexed.length,
    total_pages: Math.ceil(indexed.length / query.itemsPerPage),
    items: indexed
      .slice(start, start + query.itemsPerPage)
      .map(({ item }) => structuredClone(item)),
  };
}
