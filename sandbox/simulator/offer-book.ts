/**
 * The simulator's inbox: offers matched to supply organisations, held in memory, with the state
 * rules of the published API (a match can be answered once, while pending and open; offers that
 * share a `shift_id` are answered together; an unanswered offer expires at `expires_at`).
 */
import { randomUUID } from 'node:crypto';
import type {
  CareType,
  MatchStatus,
  OfferType,
  PriceUnit,
  WireAllergy,
  WireInboxOfferDetail,
  WireInboxOfferListItem,
  WirePage,
  WireRisk,
} from './model';

/** An API error with the HTTP status and the `{message}` body the simulator answers with. */
export class SimulatorApiError extends Error {
  override readonly name = 'SimulatorApiError';
  constructor(
    readonly status: number,
    message: string,
    /** API Gateway's request-validation detail, sent as `description` on a 400. */
    readonly description?: string,
  ) {
    super(message);
  }
}

/** What a caller may choose about a new offer; everything else gets a plausible default. */
export interface NewOffer {
  id?: string;
  shiftId?: string;
  careType?: CareType;
  offerType?: OfferType;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  demandName?: string;
  serviceName?: string;
  startAt?: Date;
  durationMinutes?: number;
  /** How long the supply side has to answer (default one hour). */
  expiresInMs?: number;
  price?: { rate: number; unit: PriceUnit };
  allergies?: WireAllergy[];
  risks?: WireRisk[];
  /** Defaults to the book's seeded supply organisation. */
  supplyOrganizationId?: string;
}

export type OfferAction = 'accept' | 'decline';

/** One accept/decline request as the API received it, successful or not. */
export interface SimulatorCall {
  offerId: string;
  action: OfferAction;
  /** The HTTP status the simulator answered. */
  status: number;
  at: string;
  /** Every offer the call changed (more than one for a shift); empty when it was refused. */
  affectedOfferIds: string[];
}

export interface ListQuery {
  page: number;
  itemsPerPage: number;
  status?: MatchStatus;
  shiftId?: string;
  sortOrder: 'asc' | 'desc';
}

interface StoredOffer {
  supplyOrganizationId: string;
  detail: WireInboxOfferDetail;
}

const DEFAULT_EXPIRY_MS = 60 * 60 * 1000;

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

export class OfferBook {
  private readonly offers = new Map<string, StoredOffer>();
  private readonly callLog: SimulatorCall[] = [];

  constructor(
    readonly defaultSupplyOrganizationId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates an offer matched to a supply organisation with a pending, open match. */
  add(input: NewOffer = {}): WireInboxOfferDetail {
    const id = input.id ?? randomUUID();
    if (this.offers.has(id)) throw new SimulatorApiError(409, 'Offer already exists');
    const now = this.now();
    const created = now.toISOString();
    const startAt = input.startAt ?? new Date(now.getTime() + 24 * 60 * 60 * 1000);
    const endAt = new Date(startAt.getTime() + (input.durationMinutes ?? 60) * 60 * 1000);
    const city = input.city ?? 'Toronto';
    const [lat, lon] = CITY_CENTRES[city] ?? [43.65, -79.38];
    const detail: WireInboxOfferDetail = {
      offer: {
        id,
        ...(input.shiftId ? { shift_id: input.shiftId } : {}),
        care_type: input.careType ?? 'psw',
        offer_type: input.offerType ?? 'visit',
        expires_at: new Date(now.getTime() + (input.expiresInMs ?? DEFAULT_EXPIRY_MS)).toISOString(),
        start_at: startAt.toISOString(),
        end_at: endAt.toISOString(),
        created_at: created,
        updated_at: created,
      },
      match: {
        id: randomUUID(),
        response: 'pending',
        status: 'open',
        sequence_id: randomUUID(),
        created_at: created,
        updated_at: created,
      },
      demand: { id: randomUUID(), name: input.demandName ?? 'Simulated Health Region' },
      client: {
        address: {
          city,
          state: input.state ?? 'ON',
          zip: input.zip ?? 'M5V',
          country: input.country ?? 'CA',
          approx_latitude: lat,
          approx_longitude: lon,
          approx_radius_meters: 2000,
        },
        allergies: input.allergies ?? [],
        risks: input.risks ?? [],
      },
      service: { id: randomUUID(), name: input.serviceName ?? 'Personal support' },
      price: input.price ?? { rate: 32.5, unit: 'per_hour' },
      visits: [{ id: randomUUID(), start_at: startAt.toISOString(), end_at: endAt.toISOString() }],
    };
    this.offers.set(id, { supplyOrganizationId: input.supplyOrganizationId ?? this.defaultSupplyOrganizationId, detail });
    return structuredClone(detail);
  }

  /** The offer as the matched organisation sees it, or undefined (unknown, or matched to another). */
  get(offerId: string, supplyOrganizationId?: string): WireInboxOfferDetail | undefined {
    const stored = this.offers.get(offerId);
    if (!stored) return undefined;
    if (supplyOrganizationId !== undefined && stored.supplyOrganizationId !== supplyOrganizationId) return undefined;
    this.expireIfDue(stored);
    return structuredClone(stored.detail);
  }

  /** Every offer, in creation order. */
  all(): WireInboxOfferDetail[] {
    return [...this.offers.values()].map((stored) => {
      this.expireIfDue(stored);
      return structuredClone(stored.detail);
    });
  }

  /** `GET /offers/v1/inbox/offers`: one page of the organisation's offers. */
  list(supplyOrganizationId: string, query: ListQuery): WirePage<WireInboxOfferListItem> {
    const matching = [...this.offers.values()]
      .filter((stored) => stored.supplyOrganizationId === supplyOrganizationId)
      .map((stored) => {
        this.expireIfDue(stored);
        return stored.detail;
      })
      .filter((d) => (query.status ? d.match.status === query.status : true))
      .filter((d) => (query.shiftId ? d.offer.shift_id === query.shiftId : true));
    // sort_by has one published value, last_modified; creation order breaks ties so pages are stable.
    const indexed = matching.map((detail, index) => ({ detail, index }));
    indexed.sort((a, b) => {
      const byTime = a.detail.offer.updated_at.localeCompare(b.detail.offer.updated_at);
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
        .map(({ detail }) => structuredClone({ offer: detail.offer, match: detail.match })),
    };
  }

  /**
   * Accepts or declines the organisation's match on an offer and on every other offer of the same
   * shift. Throws 404 for an offer the organisation cannot see and 409 when its match is no longer
   * pending and open. Returns the ids of the offers changed.
   */
  respond(
    supplyOrganizationId: string,
    offerId: string,
    action: OfferAction,
    body: { reason_code?: string; comment?: string },
  ): string[] {
    const target = this.offers.get(offerId);
    if (!target || target.supplyOrganizationId !== supplyOrganizationId) {
      throw new SimulatorApiError(404, 'Offer not found');
    }
    this.expireIfDue(target);
    if (!isAnswerable(target)) {
      throw new SimulatorApiError(409, `Offer match is not pending (response ${target.detail.match.response}, status ${target.detail.match.status})`);
    }
    const shiftId = target.detail.offer.shift_id;
    const group = shiftId
      ? [...this.offers.values()].filter(
          (o) => o.supplyOrganizationId === supplyOrganizationId && o.detail.offer.shift_id === shiftId,
        )
      : [target];
    const updated = this.now().toISOString();
    const changed: string[] = [];
    for (const stored of group) {
      this.expireIfDue(stored);
      if (!isAnswerable(stored)) continue;
      const match = stored.detail.match;
      match.response = action === 'accept' ? 'accepted' : 'declined';
      match.updated_at = updated;
      if (body.comment !== undefined) match.comment = body.comment;
      if (action === 'decline' && body.reason_code !== undefined) match.reason_code = body.reason_code;
      stored.detail.offer.updated_at = updated;
      changed.push(stored.detail.offer.id);
    }
    return changed;
  }

  /** The demand side closes the offer: an open match can no longer be answered. */
  close(offerId: string): void {
    const stored = this.offers.get(offerId);
    if (!stored) throw new SimulatorApiError(404, 'Offer not found');
    if (stored.detail.match.status === 'open') {
      stored.detail.match.status = 'closed';
      stored.detail.match.updated_at = this.now().toISOString();
    }
  }

  recordCall(call: SimulatorCall): void {
    this.callLog.push(call);
  }

  calls(): SimulatorCall[] {
    return this.callLog.map((call) => ({ ...call, affectedOfferIds: [...call.affectedOfferIds] }));
  }

  private expireIfDue(stored: StoredOffer): void {
    const { match, offer } = stored.detail;
    if (match.response === 'pending' && match.status === 'open' && this.now().getTime() >= Date.parse(offer.expires_at)) {
      match.status = 'expired';
      match.updated_at = this.now().toISOString();
    }
  }
}

function isAnswerable(stored: StoredOffer): boolean {
  return stored.detail.match.response === 'pending' && stored.detail.match.status === 'open';
}
