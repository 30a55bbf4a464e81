/**
 * The simulator's marketplace state, in memory: organisations, offers created by a demand
 * organisation and matched to supply organisations, their matches, and the referrals made when
 * an offer is assigned. It applies the published API's state rules and emits the AsyncAPI events
 * each change causes (published as SNS messages by the simulator):
 *
 * - offer status `open -> assigned | closed | declined_by_all | expired`; only an open offer can
 *   be assigned or closed, and it expires at `expires_at` unless assigned first;
 * - a match is answered (accept/decline) once, while `pending` and `open`; offers that share a
 *   `shift_id` (a shift or a bundle) are answered together by one call;
 * - assignment: manual through `/assign` (only when the demand organisation's setting is
 *   `manual`, and only to an accepted open match), or automatic on the first accept when it is
 *   `auto`; the winner's match becomes `assigned`, the other open matches `fulfilled`
 *   (`OfferFulfilled`), and a referral is created (`ReferralCreated` on both sides);
 * - declined by every matched organisation: `declined_by_all`;
 * - an organisation may hold both personas (personas.ts); it is never matched to its own offers;
 * - a referral is `assigned`, then `processed` (supply's mark_processed) and may be `cancelled`
 *   by either side while `assigned` or `processed`.
 *
 * Reading of what the specification leaves open (one plausible reading, written down here so it
 * can be changed in one place): matches of a closed or expired offer that were still open become
 * `closed` / `expired`; an accepted match of an offer that expires unassigned expires too.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { SimulatorApiError } from './api-error';
import { type AnswerTally, tallyAnswers } from './answer-tally';
import type {
  CareType,
  MatchStatus,
  OfferAssignment,
  ReasonCode,
  ReferralStatus,
  SimulatorEvent,
  WireClient,
  WireInboxOfferDetail,
  WireInboxOfferEvent,
  WireInboxReferralEvent,
  WireInboxOfferListItem,
  WireInboxReferralDetail,
  WireOutboxMatchItem,
  WireOutboxOfferDetail,
  WireOutboxOfferEvent,
  WireOutboxReferralEvent,
  WireOutboxOfferListItem,
  WireOutboxReferralDetail,
  WirePage,
  WireReferral,
} from './model';
import { type NewOffer, newOfferSpec } from './new-offer';
import { ClientCanaries } from './client-canaries';
import {
  anonymisedAddress,
  inboxView,
  outboxView,
  paginate,
  type StoredMatch,
  type StoredOffer,
  type StoredReferral,
} from './offer-views';
import { hasPersona, type OrganizationKind } from './personas';

export { SimulatorApiError } from './api-error';
export type { NewOffer } from './new-offer';

import type {
  OfferSpec,
  OfferAction,
  SimulatorCall,
  ListQuery,
  OutboxListQuery,
  MatchListQuery,
  ReferralListQuery,
} from './book-types';
export type {
  OfferSpec,
  OfferAction,
  SimulatorCall,
  ListQuery,
  PageQuery,
  OutboxListQuery,
  MatchListQuery,
  ReferralListQuery,
} from './book-types';

export interface Organization {
  id: string;
  name: string;
  /** Its personas: supply, demand, or both (one login, an inbox and an outbox). */
  kind: OrganizationKind;
  /** Supply: the care it provides (offers are matched on it). */
  careTypes: CareType[];
  /** Demand: how its offers are assigned. */
  assignment: OfferAssignment;
  host: string;
  source: string;
}

const OPEN_MATCH: MatchStatus = 'open';

export class OfferBook {
  private readonly offers = new Map<string, StoredOffer>();
  /**
   * No open offer expires before this (epoch ms): a sweep before it has nothing to do and skips
   * the walk over every offer, which each API request would otherwise pay. Lowered by each new
   * offer (the only way an offer becomes open) and recomputed by each full sweep.
   */
  private earliestExpiryMs = Number.POSITIVE_INFINITY;
  private readonly referralsById = new Map<string, StoredReferral>();
  private readonly organizations = new Map<string, Organization>();
  /** Marketplace client ids, stable per demand organisation and client `outbox_id`. */
  private readonly clientIds = new Map<string, string>();
  private readonly callLog: SimulatorCall[] = [];
  /** Made-up clients (canaries) and their marketplace ids. */
  readonly clients: ClientCanaries;
  private readonly listeners: Array<(event: SimulatorEvent) => void> = [];
  readonly defaultDemandOrganizationId: string;

  constructor(
    readonly defaultSupplyOrganizationId: string,
    private readonly now: () => Date = () => new Date(),
    options: {
      demand?: { id?: string; name?: string; assignment?: OfferAssignment };
      supplyName?: string;
      clients?: ClientCanaries;
    } = {},
  ) {
    this.clients = options.clients ?? new ClientCanaries(randomInt(2 ** 31));
    this.addOrganization({
      id: defaultSupplyOrganizationId,
      kind: 'supply',
      name: options.supplyName ?? 'Sandbox Home Care',
    });
    this.defaultDemandOrganizationId = this.addOrganization({
      id: options.demand?.id ?? randomUUID(),
      kind: 'demand',
      name: options.demand?.name ?? 'Simulated Health Region',
      assignment: options.demand?.assignment ?? 'manual',
    }).id;
  }

  // --- organisations and events ----------------------------------------------------------------

  addOrganization(
    input: Partial<Organization> & Pick<Organization, 'id' | 'kind' | 'name'>,
  ): Organization {
    const slug =
      input.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 'org';
    const org: Organization = {
      careTypes: ['psw', 'nursing'],
      assignment: 'manual',
      host: `https://${slug}.example.test`,
      source: 'simulator',
      ...input,
    };
    this.organizations.set(org.id, org);
    return { ...org };
  }

  organization(id: string): Organization | undefined {
    const org = this.organizations.get(id);
    return org ? { ...org } : undefined;
  }

  assignment(demandOrganizationId: string): OfferAssignment {
    return this.demandOrg(demandOrganizationId).assignment;
  }

  setAssignment(demandOrganizationId: string, assignment: OfferAssignment): void {
    this.demandOrg(demandOrganizationId).assignment = assignment;
  }

  /** Told about every event a change causes, synchronously and in order. */
  onEvent(listener: (event: SimulatorEvent) => void): void {
    this.listeners.push(listener);
  }

  // --- creating offers -------------------------------------------------------------------------

  /**
   * Creates an offer from the default demand organisation matched to one supply organisation
   * (the sandbox's and tests' shortcut); returns that organisation's inbox view.
   */
  add(input: NewOffer = {}): WireInboxOfferDetail {
    const supplyId = input.supplyOrganizationId ?? this.defaultSupplyOrganizationId;
    if (!this.organizations.has(supplyId))
      this.addOrganization({
        id: supplyId,
        kind: 'supply',
        name: `Supply ${supplyId.slice(0, 8)}`,
      });
    const spec = newOfferSpec(input, this.now(), this.clients);
    const stored = this.createOffer(this.defaultDemandOrganizationId, spec, {
      ...(input.id !== undefined ? { id: input.id } : {}),
      ...(input.shiftId !== undefined ? { shiftId: input.shiftId } : {}),
      supplyOrganizationIds: [supplyId],
      ...(input.demandName !== undefined ? { demandName: input.demandName } : {}),
    });
    return inboxView(stored, stored.matches[0]);
  }

  /**
   * Creates an offer for a demand organisation and matches it to every supply organisation that
   * provides its care type (narrowed by `direct_supply_persona_ids`); emits `OfferMatched` to each.
   * Throws 409 when another open or assigned visit offer of the organisation covers the same visit.
   */
  createOffer(
    demandOrganizationId: string,
    spec: OfferSpec,
    options: {
      id?: string;
      shiftId?: string;
      supplyOrganizationIds?: string[];
      demandName?: string;
    } = {},
  ): StoredOffer {
    const demand = this.demandOrg(demandOrganizationId);
    const id = options.id ?? randomUUID();
    if (this.offers.has(id)) throw new SimulatorApiError(409, 'Offer already exists');
    if (spec.offer_type === 'visit') {
      const visitIds = new Set(spec.visits.map((v) => v.outbox_id));
      const clash = [...this.offers.values()].find(
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
    const created = this.now().toISOString();
    const startAt =
      spec.visits[0]?.start_at ?? spec.service.start_at ?? spec.service.expected_start_at;
    if (startAt === undefined)
      throw new SimulatorApiError(
        400,
        'Invalid request body',
        '[a visit or service.start_at is required]',
      );
    const endAt = spec.visits.at(-1)?.end_at ?? spec.service.end_at;
    const clientKey = `${demandOrganizationId}/${spec.client.outbox_id}`;
    const clientId = this.clientIds.get(clientKey) ?? this.clients.clientId();
    this.clientIds.set(clientKey, clientId);

    // An organisation holding both personas is never matched to its own offers.
    if (options.supplyOrganizationIds?.includes(demandOrganizationId))
      throw new SimulatorApiError(400, 'An organization cannot be matched to its own offer');
    const eligible = options.supplyOrganizationIds
      ? options.supplyOrganizationIds.map((sid) => this.supplyOrg(sid))
      : [...this.organizations.values()].filter(
          (o) =>
            hasPersona(o.kind, 'supply') &&
            o.id !== demandOrganizationId &&
            o.careTypes.includes(spec.care_type) &&
            (spec.direct_supply_persona_ids === undefined ||
              spec.direct_supply_persona_ids.includes(o.id)),
        );
    const stored: StoredOffer = {
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
    this.offers.set(id, stored);
    // An unreadable expiry (NaN) must not let sweeps skip this offer: it sweeps at once instead.
    const expiresMs = Date.parse(spec.expires_at);
    this.earliestExpiryMs = Number.isNaN(expiresMs)
      ? Number.NEGATIVE_INFINITY
      : Math.min(this.earliestExpiryMs, expiresMs);
    for (const m of stored.matches)
      this.emitOffer('inbox-offers', m.supplyOrganizationId, 'OfferMatched', id);
    return stored;
  }

  // --- reading ---------------------------------------------------------------------------------

  /** The offer as a matched organisation sees it (default: its first match), or undefined. */
  get(offerId: string, supplyOrganizationId?: string): WireInboxOfferDetail | undefined {
    const stored = this.offers.get(offerId);
    if (!stored) return undefined;
    this.expireIfDue(stored);
    const match =
      supplyOrganizationId === undefined
        ? stored.matches[0]
        : stored.matches.find((m) => m.supplyOrganizationId === supplyOrganizationId);
    return match ? inboxView(stored, match) : undefined;
  }

  /** The offer as its demand organisation sees it (PHI included), or undefined. */
  getOutbox(offerId: string, demandOrganizationId?: string): WireOutboxOfferDetail | undefined {
    const stored = this.offers.get(offerId);
    if (
      !stored ||
      (demandOrganizationId !== undefined && stored.demandOrganizationId !== demandOrganizationId)
    )
      return undefined;
    this.expireIfDue(stored);
    return outboxView(stored);
  }

  /** Every offer with a match, in creation order, as its first matched organisation sees it. */
  all(): WireInboxOfferDetail[] {
    return [...this.offers.values()].flatMap((stored) => {
      this.expireIfDue(stored);
      const first = stored.matches[0];
      return first ? [inboxView(stored, first)] : [];
    });
  }

  /** `GET /offers/v1/inbox/offers`: one page of the organisation's offers. */
  list(supplyOrganizationId: string, query: ListQuery): WirePage<WireInboxOfferListItem> {
    const rows = this.sweepAll().flatMap((stored) => {
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
  listOutbox(
    demandOrganizationId: string,
    query: OutboxListQuery,
  ): WirePage<WireOutboxOfferListItem> {
    const rows = this.sweepAll().flatMap((stored) => {
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
        (query.isAccepted === undefined ||
          view.response_counts.accepted > 0 === query.isAccepted) &&
        (query.expiresAfter === undefined ||
          Date.parse(offer.expires_at) > Date.parse(query.expiresAfter)) &&
        (query.expiresBefore === undefined ||
          Date.parse(offer.expires_at) < Date.parse(query.expiresBefore)) &&
        (query.shiftId === undefined || offer.shift_id === query.shiftId) &&
        (query.demandLabel === undefined ||
          (offer.demand_labels ?? []).includes(query.demandLabel));
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
  listMatches(
    demandOrganizationId: string,
    offerId: string,
    query: MatchListQuery,
  ): WirePage<WireOutboxMatchItem> {
    const stored = this.ownOffer(demandOrganizationId, offerId);
    this.expireIfDue(stored);
    const rows = stored.matches
      .filter((m) => query.responses === undefined || query.responses.includes(m.match.response))
      .filter(
        (m) => query.sequenceIds === undefined || query.sequenceIds.includes(m.match.sequence_id),
      )
      .map((m) => {
        const supply = this.supplyOrg(m.supplyOrganizationId);
        return {
          sortKey: m.match.updated_at,
          item: { match: structuredClone(m.match), supply: { id: supply.id, name: supply.name } },
        };
      });
    return paginate(rows, query);
  }

  // --- supply actions --------------------------------------------------------------------------

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
    const targetMatch = target?.matches.find(
      (m) => m.supplyOrganizationId === supplyOrganizationId,
    );
    if (!target || !targetMatch) throw new SimulatorApiError(404, 'Offer not found');
    this.expireIfDue(target);
    if (!isAnswerable(targetMatch)) {
      throw new SimulatorApiError(
        409,
        `Offer match is not pending (response ${targetMatch.match.response}, status ${targetMatch.match.status})`,
      );
    }
    const shiftId = target.detail.offer.shift_id;
    const group = shiftId
      ? [...this.offers.values()].filter((o) => o.detail.offer.shift_id === shiftId)
      : [target];
    const updated = this.now().toISOString();
    const changed: StoredOffer[] = [];
    for (const stored of group) {
      this.expireIfDue(stored);
      const mine = stored.matches.find((m) => m.supplyOrganizationId === supplyOrganizationId);
      if (!mine || !isAnswerable(mine)) continue;
      mine.match.response = action === 'accept' ? 'accepted' : 'declined';
      mine.match.updated_at = updated;
      if (body.comment !== undefined) mine.match.comment = body.comment;
      if (action === 'decline' && body.reason_code !== undefined)
        mine.match.reason_code = body.reason_code;
      stored.detail.offer.updated_at = updated;
      changed.push(stored);
      this.emitOffer(
        'outbox-offers',
        stored.demandOrganizationId,
        action === 'accept' ? 'OfferAccepted' : 'OfferDeclined',
        stored.detail.offer.id,
      );
    }
    for (const stored of changed) {
      const mine = stored.matches.find((m) => m.supplyOrganizationId === supplyOrganizationId);
      if (!mine) continue;
      if (
        action === 'accept' &&
        this.demandOrg(stored.demandOrganizationId).assignment === 'auto' &&
        stored.detail.offer.status === 'open'
      ) {
        this.assignMatch(stored, mine);
      }
      if (
        action === 'decline' &&
        stored.detail.offer.status === 'open' &&
        stored.matches.every((m) => m.match.response === 'declined')
      ) {
        stored.detail.offer.status = 'declined_by_all';
        for (const m of stored.matches) this.setMatchStatus(m, 'closed', updated);
        this.emitOffer(
          'outbox-offers',
          stored.demandOrganizationId,
          'OfferDeclinedByAll',
          stored.detail.offer.id,
        );
      }
    }
    return changed.map((s) => s.detail.offer.id);
  }

  /**
   * The decision unit an answer to `offerId` by the organisation falls in (its shift or bundle, or
   * the offer alone) and whether its match has been answered already; undefined for an offer the
   * organisation cannot see.
   */
  answerUnit(
    supplyOrganizationId: string,
    offerId: string,
  ): { unitKey: string; answered: boolean } | undefined {
    const stored = this.offers.get(offerId);
    const mine = stored?.matches.find((m) => m.supplyOrganizationId === supplyOrganizationId);
    if (!stored || !mine) return undefined;
    const shiftId = stored.detail.offer.shift_id;
    return {
      unitKey: shiftId !== undefined ? `shift#${shiftId}` : `offer#${offerId}`,
      answered: mine.match.response !== 'pending',
    };
  }

  // --- demand actions --------------------------------------------------------------------------

  /** `POST .../outbox/offers/{id}/assign`: 403 unless the setting is manual; 409 in the wrong state. */
  assign(demandOrganizationId: string, offerId: string, offerMatchId: string): void {
    const stored = this.ownOffer(demandOrganizationId, offerId);
    if (this.demandOrg(demandOrganizationId).assignment !== 'manual') {
      throw new SimulatorApiError(
        403,
        'Offer assignment setting is auto: manual assignment is forbidden',
      );
    }
    this.expireIfDue(stored);
    const match = stored.matches.find((m) => m.match.id === offerMatchId);
    if (!match) throw new SimulatorApiError(404, 'Offer match not found');
    if (stored.detail.offer.status !== 'open')
      throw new SimulatorApiError(409, `Offer is not open (status ${stored.detail.offer.status})`);
    if (match.match.response !== 'accepted' || match.match.status !== OPEN_MATCH) {
      throw new SimulatorApiError(
        409,
        `Offer match is not accepted and open (response ${match.match.response}, status ${match.match.status})`,
      );
    }
    this.assignMatch(stored, match);
  }

  /** `POST .../outbox/offers/{id}/close` by its demand organisation (409 unless open). */
  closeByDemand(
    demandOrganizationId: string,
    offerId: string,
    body: { reason_code?: ReasonCode; reason_comment?: string },
  ): void {
    const stored = this.ownOffer(demandOrganizationId, offerId);
    this.closeStored(stored, body);
  }

  /** The demand side closes the offer (in-process shortcut, no organisation check). */
  close(offerId: string): void {
    const stored = this.offers.get(offerId);
    if (!stored) throw new SimulatorApiError(404, 'Offer not found');
    this.closeStored(stored, {});
  }

  // --- referrals -------------------------------------------------------------------------------

  getInboxReferral(
    supplyOrganizationId: string,
    referralId: string,
  ): WireInboxReferralDetail | undefined {
    const stored = this.referralsById.get(referralId);
    if (!stored || stored.supplyOrganizationId !== supplyOrganizationId) return undefined;
    const offer = this.offerOf(stored);
    return structuredClone({
      referral: stored.referral,
      demand: { id: offer.detail.demand.id, name: offer.detail.demand.name },
      client: offer.detail.client,
      service: offer.detail.service,
      visits: offer.detail.visits,
      price: stored.price,
      revision: stored.revision,
    });
  }

  getOutboxReferral(
    demandOrganizationId: string,
    referralId: string,
  ): WireOutboxReferralDetail | undefined {
    const stored = this.referralsById.get(referralId);
    if (!stored || stored.demandOrganizationId !== demandOrganizationId) return undefined;
    const offer = this.offerOf(stored);
    const supply = this.supplyOrg(stored.supplyOrganizationId);
    return structuredClone({
      referral: stored.referral,
      supply: { id: supply.id, name: supply.name },
      client: offer.detail.client,
      service: offer.detail.service,
      visits: offer.detail.visits,
      price: stored.price,
      revision: stored.revision,
    });
  }

  listInboxReferrals(supplyOrganizationId: string, query: ReferralListQuery) {
    const rows = this.filterReferrals(query)
      .filter((r) => r.supplyOrganizationId === supplyOrganizationId)
      .map((r) => ({
        sortKey: r.referral.updated_at,
        item: structuredClone({ referral: r.referral, revision: r.revision }),
      }));
    return paginate(rows, query);
  }

  listOutboxReferrals(demandOrganizationId: string, query: ReferralListQuery) {
    const rows = this.filterReferrals(query)
      .filter((r) => r.demandOrganizationId === demandOrganizationId)
      .map((r) => {
        const offer = this.offerOf(r);
        const supply = this.supplyOrg(r.supplyOrganizationId);
        const { client, service } = offer.detail;
        return {
          sortKey: r.referral.updated_at,
          item: structuredClone({
            referral: r.referral,
            supply: { id: supply.id, name: supply.name },
            client: {
              id: client.id,
              outbox_id: client.outbox_id,
              demographics: client.demographics,
            },
            service: { id: service.id, outbox_id: service.outbox_id, name: service.name },
            revision: r.revision,
          }),
        };
      });
    return paginate(rows, query);
  }

  /** Supply acknowledges an assigned referral: `processed` (409 in any other state). */
  markProcessed(supplyOrganizationId: string, referralId: string): void {
    const stored = this.referralsById.get(referralId);
    if (!stored || stored.supplyOrganizationId !== supplyOrganizationId)
      throw new SimulatorApiError(404, 'Referral not found');
    if (stored.referral.status !== 'assigned')
      throw new SimulatorApiError(
        409,
        `Referral is not assigned (status ${stored.referral.status})`,
      );
    this.setReferralStatus(stored, 'processed');
    this.emitReferral('outbox-referrals', stored.demandOrganizationId, 'ReferralProcessed', stored);
  }

  /** Either side cancels a referral that is `assigned` or `processed` (409 otherwise). */
  cancelReferral(
    side: 'supply' | 'demand',
    organizationId: string,
    referralId: string,
    body: { reason_code?: ReasonCode; comment?: string },
  ): void {
    const stored = this.referralsById.get(referralId);
    const owner = side === 'supply' ? stored?.supplyOrganizationId : stored?.demandOrganizationId;
    if (!stored || owner !== organizationId) throw new SimulatorApiError(404, 'Referral not found');
    if (stored.referral.status === 'cancelled')
      throw new SimulatorApiError(409, 'Referral is already cancelled');
    if (body.reason_code !== undefined) stored.referral.reason_code = body.reason_code;
    if (body.comment !== undefined) stored.referral.cancellation_comment = body.comment;
    this.setReferralStatus(stored, 'cancelled');
    if (side === 'supply')
      this.emitReferral(
        'outbox-referrals',
        stored.demandOrganizationId,
        'ReferralSupplyCancelled',
        stored,
      );
    else
      this.emitReferral(
        'inbox-referrals',
        stored.supplyOrganizationId,
        'ReferralDemandCancelled',
        stored,
      );
  }

  /** Every referral (for tests and the CLI), oldest first. */
  referrals(): WireReferral[] {
    return [...this.referralsById.values()].map((r) => structuredClone(r.referral));
  }

  /** Every client of a stored offer, as the demand side holds it (PHI), once each. */
  clientRecords(): WireClient[] {
    const byId = new Map(
      [...this.offers.values()].map((stored) => [stored.detail.client.id, stored.detail.client]),
    );
    return [...byId.values()].map((client) => structuredClone(client));
  }

  // --- time ------------------------------------------------------------------------------------

  /** Expires every open offer whose `expires_at` has passed (emitting its events). */
  sweep(): void {
    if (this.now().getTime() < this.earliestExpiryMs) return;
    this.sweepAll();
  }

  recordCall(call: SimulatorCall): void {
    this.callLog.push(call);
  }

  calls(): SimulatorCall[] {
    return this.callLog.map((call) => ({ ...call, affectedOfferIds: [...call.affectedOfferIds] }));
  }

  /** The answers each decision unit received, from the call log (see answer-tally.ts). */
  answerTally(): AnswerTally {
    return tallyAnswers(this.callLog);
  }

  // --- internals -------------------------------------------------------------------------------

  private sweepAll(): StoredOffer[] {
    const all = [...this.offers.values()];
    let earliest = Number.POSITIVE_INFINITY;
    for (const stored of all) {
      this.expireIfDue(stored);
      const { offer } = stored.detail;
      if (offer.status === 'open') earliest = Math.min(earliest, Date.parse(offer.expires_at));
    }
    // NaN (an unreadable expiry) keeps every later sweep walking, as before this shortcut.
    this.earliestExpiryMs = Number.isNaN(earliest) ? Number.NEGATIVE_INFINITY : earliest;
    return all;
  }

  private expireIfDue(stored: StoredOffer): void {
    const { offer } = stored.detail;
    if (offer.status !== 'open' || this.now().getTime() < Date.parse(offer.expires_at)) return;
    const at = this.now().toISOString();
    offer.status = 'expired';
    offer.updated_at = at;
    for (const m of stored.matches) {
      if (m.match.status !== OPEN_MATCH) continue;
      this.setMatchStatus(m, 'expired', at);
      this.emitOffer('inbox-offers', m.supplyOrganizationId, 'OfferExpired', offer.id);
    }
    this.emitOffer('outbox-offers', stored.demandOrganizationId, 'OfferExpired', offer.id);
  }

  private closeStored(
    stored: StoredOffer,
    body: { reason_code?: ReasonCode; reason_comment?: string },
  ): void {
    this.expireIfDue(stored);
    const { offer } = stored.detail;
    if (offer.status !== 'open')
      throw new SimulatorApiError(409, `Offer is not open (status ${offer.status})`);
    const at = this.now().toISOString();
    offer.status = 'closed';
    offer.updated_at = at;
    if (body.reason_code !== undefined) offer.reason_code = body.reason_code;
    if (body.reason_comment !== undefined) offer.reason_comment = body.reason_comment;
    for (const m of stored.matches) {
      if (m.match.status !== OPEN_MATCH) continue;
      this.setMatchStatus(m, 'closed', at);
      this.emitOffer('inbox-offers', m.supplyOrganizationId, 'OfferClosed', offer.id);
    }
  }

  private assignMatch(stored: StoredOffer, winner: StoredMatch): void {
    const at = this.now().toISOString();
    const { offer } = stored.detail;
    const supply = this.supplyOrg(winner.supplyOrganizationId);
    offer.status = 'assigned';
    offer.updated_at = at;
    stored.detail.supply = { id: supply.id, name: supply.name };
    this.setMatchStatus(winner, 'assigned', at);
    for (const m of stored.matches) {
      if (m === winner || m.match.status !== OPEN_MATCH) continue;
      this.setMatchStatus(m, 'fulfilled', at);
      this.emitOffer('inbox-offers', m.supplyOrganizationId, 'OfferFulfilled', offer.id);
    }
    const referral: StoredReferral = {
      supplyOrganizationId: supply.id,
      demandOrganizationId: stored.demandOrganizationId,
      referral: {
        id: randomUUID(),
        sequence_id: winner.match.sequence_id,
        offer_id: offer.id,
        ...(offer.shift_id !== undefined ? { shift_id: offer.shift_id } : {}),
        care_type: offer.care_type,
        referral_type: offer.offer_type,
        status: 'assigned',
        start_at: offer.start_at,
        ...(offer.end_at !== undefined ? { end_at: offer.end_at } : {}),
        ...(offer.comment !== undefined ? { comment: offer.comment } : {}),
        created_at: at,
        updated_at: at,
      },
      revision: { revision_group_id: randomUUID(), revision_number: 1, is_latest_revision: true },
      price: { ...stored.inboxPrice },
    };
    this.referralsById.set(referral.referral.id, referral);
    this.emitReferral(
      'inbox-referrals',
      referral.supplyOrganizationId,
      'ReferralCreated',
      referral,
    );
    this.emitReferral(
      'outbox-referrals',
      referral.demandOrganizationId,
      'ReferralCreated',
      referral,
    );
  }

  private setMatchStatus(m: StoredMatch, status: MatchStatus, at: string): void {
    m.match.status = status;
    m.match.updated_at = at;
  }

  private setReferralStatus(stored: StoredReferral, status: ReferralStatus): void {
    stored.referral.status = status;
    stored.referral.updated_at = this.now().toISOString();
  }

  private filterReferrals(query: ReferralListQuery): StoredReferral[] {
    return [...this.referralsById.values()].filter((r) => {
      const ref = r.referral;
      return (
        (query.status === undefined || ref.status === query.status) &&
        (query.offerId === undefined || ref.offer_id === query.offerId) &&
        (query.shiftId === undefined || ref.shift_id === query.shiftId) &&
        (query.sequenceId === undefined || ref.sequence_id === query.sequenceId) &&
        (query.supplyOrganizationId === undefined ||
          r.supplyOrganizationId === query.supplyOrganizationId) &&
        (query.careType === undefined || ref.care_type === query.careType) &&
        (query.referralType === undefined || ref.referral_type === query.referralType) &&
        (query.clientOutboxId === undefined ||
          this.offerOf(r).detail.client.outbox_id === query.clientOutboxId)
      );
    });
  }

  private offerOf(referral: StoredReferral): StoredOffer {
    const offer = this.offers.get(referral.referral.offer_id);
    if (!offer) throw new SimulatorApiError(500, 'Referral without offer');
    return offer;
  }

  private ownOffer(demandOrganizationId: string, offerId: string): StoredOffer {
    const stored = this.offers.get(offerId);
    if (!stored || stored.demandOrganizationId !== demandOrganizationId)
      throw new SimulatorApiError(404, 'Offer not found');
    return stored;
  }

  private demandOrg(id: string): Organization {
    const org = this.organizations.get(id);
    if (!org || !hasPersona(org.kind, 'demand'))
      throw new SimulatorApiError(403, 'Organization is not a demand organization');
    return org;
  }

  private supplyOrg(id: string): Organization {
    const org = this.organizations.get(id);
    if (!org || !hasPersona(org.kind, 'supply'))
      throw new SimulatorApiError(403, 'Organization is not a supply organization');
    return org;
  }

  private emitOffer(
    channel: 'inbox-offers',
    organizationId: string,
    eventName: WireInboxOfferEvent['event_name'],
    offerId: string,
  ): void;
  private emitOffer(
    channel: 'outbox-offers',
    organizationId: string,
    eventName: WireOutboxOfferEvent['event_name'],
    offerId: string,
  ): void;
  private emitOffer(
    channel: 'inbox-offers' | 'outbox-offers',
    organizationId: string,
    eventName: string,
    offerId: string,
  ): void {
    const base = {
      event_source: 'alayamarket.offers' as const,
      id: offerId,
      event_id: randomUUID(),
      timestamp: this.now().toISOString(),
      offer_id: offerId,
    };
    const event: SimulatorEvent | undefined =
      channel === 'inbox-offers' && isOneOf(eventName, INBOX_OFFER_EVENTS)
        ? { channel, organizationId, payload: { ...base, event_name: eventName } }
        : channel === 'outbox-offers' && isOneOf(eventName, OUTBOX_OFFER_EVENTS)
          ? { channel, organizationId, payload: { ...base, event_name: eventName } }
          : undefined;
    if (event) this.emit(event);
  }

  private emitReferral(
    channel: 'inbox-referrals',
    organizationId: string,
    eventName: WireInboxReferralEvent['event_name'],
    stored: StoredReferral,
  ): void;
  private emitReferral(
    channel: 'outbox-referrals',
    organizationId: string,
    eventName: WireOutboxReferralEvent['event_name'],
    stored: StoredReferral,
  ): void;
  private emitReferral(
    channel: 'inbox-referrals' | 'outbox-referrals',
    organizationId: string,
    eventName: string,
    stored: StoredReferral,
  ): void {
    const offer = this.offerOf(stored);
    const party = (org: Organization) => ({ name: org.name, source: org.source, host: org.host });
    const demand = this.organizations.get(stored.demandOrganizationId);
    const supply = this.organizations.get(stored.supplyOrganizationId);
    if (!demand || !supply) return;
    const base = {
      event_source: 'alayamarket.referrals' as const,
      id: stored.referral.id,
      event_id: randomUUID(),
      timestamp: this.now().toISOString(),
      referral_id: stored.referral.id,
      sequence_id: stored.referral.sequence_id,
      client: { id: offer.detail.client.id, outbox_id: offer.detail.client.outbox_id },
      demand: party(demand),
      supply: party(supply),
    };
    const event: SimulatorEvent | undefined =
      channel === 'inbox-referrals' && isOneOf(eventName, INBOX_REFERRAL_EVENTS)
        ? { channel, organizationId, payload: { ...base, event_name: eventName } }
        : channel === 'outbox-referrals' && isOneOf(eventName, OUTBOX_REFERRAL_EVENTS)
          ? { channel, organizationId, payload: { ...base, event_name: eventName } }
          : undefined;
    if (event) this.emit(event);
  }

  private emit(event: SimulatorEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

const INBOX_OFFER_EVENTS = [
  'OfferMatched',
  'OfferClosed',
  'OfferExpired',
  'OfferFulfilled',
] as const;
const OUTBOX_OFFER_EVENTS = [
  'OfferAccepted',
  'OfferDeclined',
  'OfferDeclinedByAll',
  'OfferExpired',
] as const;
const INBOX_REFERRAL_EVENTS = ['ReferralCreated', 'ReferralDemandCancelled'] as const;
const OUTBOX_REFERRAL_EVENTS = [
  'ReferralCreated',
  'ReferralProcessed',
  'ReferralSupplyCancelled',
] as const;

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

function isAnswerable(m: StoredMatch): boolean {
  return m.match.response === 'pending' && m.match.status === OPEN_MATCH;
}
