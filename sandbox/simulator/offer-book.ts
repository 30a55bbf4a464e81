/**
 * The simulator's marketplace state, in memory: organisations (organizations.ts), offers created
 * by a demand organisation and matched to supply organisations (offer-create.ts), their matches
 * and what happens to them (offer-lifecycle.ts: answers, assignment, close, expiry, declined by
 * all, each over a whole shift), and the referrals made when an offer is assigned
 * (referral-book.ts). Every change emits the AsyncAPI events it causes (book-events.ts), which
 * the simulator publishes as SNS messages. This class is the one door to that state: the HTTP
 * API, the in-process simulator and the tests go through it.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { SimulatorApiError } from './api-error';
import { type AnswerTally, tallyAnswers } from './answer-tally';
import { BookEvents } from './book-events';
import { type BookState, ownOffer } from './book-state';
import type {
  ListQuery,
  MatchListQuery,
  OfferAction,
  OfferSpec,
  OutboxListQuery,
  ReferralListQuery,
  SimulatorCall,
} from './book-types';
import { ClientCanaries } from './client-canaries';
import type {
  OfferAssignment,
  ReasonCode,
  SimulatorEvent,
  WireClient,
  WireInboxOfferDetail,
  WireInboxOfferListItem,
  WireInboxReferralDetail,
  WireOutboxMatchItem,
  WireOutboxOfferDetail,
  WireOutboxOfferListItem,
  WireOutboxReferralDetail,
  WirePage,
  WireReferral,
} from './model';
import { type CreateOptions, createOffers } from './offer-create';
import * as lifecycle from './offer-lifecycle';
import * as reads from './offer-reads';
import { inboxView } from './offer-views';
import { type NewOffer, newOfferSpec } from './new-offer';
import { type Organization, type OrganizationInput, OrganizationRegistry } from './organizations';
import * as referrals from './referral-book';

export { SimulatorApiError } from './api-error';
export type { NewOffer } from './new-offer';
export type { Organization } from './organizations';
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

export class OfferBook {
  private readonly state: BookState;
  private readonly callLog: SimulatorCall[] = [];
  /** Made-up clients (canaries) and their marketplace ids. */
  readonly clients: ClientCanaries;
  readonly defaultDemandOrganizationId: string;

  constructor(
    readonly defaultSupplyOrganizationId: string,
    now: () => Date = () => new Date(),
    options: {
      demand?: { id?: string; name?: string; assignment?: OfferAssignment };
      supplyName?: string;
      clients?: ClientCanaries;
    } = {},
  ) {
    this.clients = options.clients ?? new ClientCanaries(randomInt(2 ** 31));
    const organizations = new OrganizationRegistry();
    this.state = {
      offers: new Map(),
      referrals: new Map(),
      organizations,
      events: new BookEvents(organizations, now),
      now,
      clients: this.clients,
      clientIds: new Map(),
      visitOffers: new Map(),
      earliestExpiryMs: Number.POSITIVE_INFINITY,
    };
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

  addOrganization(input: OrganizationInput): Organization {
    return this.state.organizations.add(input);
  }

  organization(id: string): Organization | undefined {
    return this.state.organizations.get(id);
  }

  assignment(demandOrganizationId: string): OfferAssignment {
    return this.state.organizations.demand(demandOrganizationId).assignment;
  }

  setAssignment(demandOrganizationId: string, assignment: OfferAssignment): void {
    this.state.organizations.demand(demandOrganizationId).assignment = assignment;
  }

  /** The supply personas a demand persona trusts, by id and name (never set: every one). */
  trustedSupply(demandOrganizationId: string): Array<{ id: string; name: string }> {
    return this.state.organizations.trustedSupply(demandOrganizationId);
  }

  /** Replaces a demand persona's trusted network: later offers are matched within it only. */
  setTrustedNetwork(demandOrganizationId: string, supplyOrganizationIds: readonly string[]): void {
    this.state.organizations.setTrustedNetwork(demandOrganizationId, supplyOrganizationIds);
  }

  /** Told about every event a change causes, synchronously and in order. */
  onEvent(listener: (event: SimulatorEvent) => void): void {
    this.state.events.onEvent(listener);
  }

  // --- creating offers -------------------------------------------------------------------------

  /**
   * Creates an offer from the default demand organisation matched to one supply organisation
   * (the sandbox's and tests' shortcut); returns that organisation's inbox view.
   */
  add(input: NewOffer = {}): WireInboxOfferDetail {
    const supplyId = input.supplyOrganizationId ?? this.defaultSupplyOrganizationId;
    if (!this.state.organizations.has(supplyId))
      this.addOrganization({
        id: supplyId,
        kind: 'supply',
        name: `Supply ${supplyId.slice(0, 8)}`,
      });
    const spec = newOfferSpec(input, this.state.now(), this.clients);
    const stored = this.createOffer(this.defaultDemandOrganizationId, spec, {
      ...(input.id !== undefined ? { id: input.id } : {}),
      ...(input.shiftId !== undefined ? { shiftId: input.shiftId } : {}),
      supplyOrganizationIds: [supplyId],
      ...(input.demandName !== undefined ? { demandName: input.demandName } : {}),
    });
    return inboxView(stored, stored.matches[0]);
  }

  /**
   * Creates an offer for a demand organisation, matched as organizations.ts says (or to
   * `supplyOrganizationIds` exactly); emits `OfferMatched` to each match. Throws 409 when another
   * open or assigned visit offer of the organisation covers the same visit.
   */
  createOffer(demandOrganizationId: string, spec: OfferSpec, options: CreateOptions = {}) {
    const [stored] = createOffers(this.state, demandOrganizationId, [spec], [options]);
    return stored;
  }

  /**
   * Creates the offers of one shift or bundle (sharing `shiftId`), all or none: a refusal of any
   * one (400, 409) leaves nothing created, matched or announced.
   */
  createShift(demandOrganizationId: string, specs: readonly OfferSpec[], shiftId: string) {
    return createOffers(
      this.state,
      demandOrganizationId,
      specs,
      specs.map(() => ({ shiftId })),
    );
  }

  // --- reading ---------------------------------------------------------------------------------

  /** The offer as a matched organisation sees it (default: its first match), or undefined. */
  get(offerId: string, supplyOrganizationId?: string): WireInboxOfferDetail | undefined {
    return reads.getInbox(this.state, offerId, supplyOrganizationId);
  }

  /** The offer as its demand organisation sees it (PHI included), or undefined. */
  getOutbox(offerId: string, demandOrganizationId?: string): WireOutboxOfferDetail | undefined {
    return reads.getOutbox(this.state, offerId, demandOrganizationId);
  }

  /** Every offer with a match, in creation order, as its first matched organisation sees it. */
  all(): WireInboxOfferDetail[] {
    return [...this.state.offers.values()].flatMap((stored) => {
      lifecycle.expireIfDue(this.state, stored);
      const first = stored.matches.at(0);
      return first ? [inboxView(stored, first)] : [];
    });
  }

  /** `GET /offers/v1/inbox/offers`: one page of the organisation's offers. */
  list(supplyOrganizationId: string, query: ListQuery): WirePage<WireInboxOfferListItem> {
    return reads.listInbox(this.state, supplyOrganizationId, query);
  }

  /** `GET /offers/v1/outbox/offers`. */
  listOutbox(
    demandOrganizationId: string,
    query: OutboxListQuery,
  ): WirePage<WireOutboxOfferListItem> {
    return reads.listOutbox(this.state, demandOrganizationId, query);
  }

  /** `GET /offers/v1/outbox/offers/{id}/matches`. */
  listMatches(
    demandOrganizationId: string,
    offerId: string,
    query: MatchListQuery,
  ): WirePage<WireOutboxMatchItem> {
    return reads.listMatches(this.state, demandOrganizationId, offerId, query);
  }

  // --- supply actions --------------------------------------------------------------------------

  /** Accepts or declines the organisation's match on the offer's whole shift (offer-lifecycle.ts). */
  respond(
    supplyOrganizationId: string,
    offerId: string,
    action: OfferAction,
    body: { reason_code?: string; comment?: string },
  ): string[] {
    return lifecycle.respond(this.state, supplyOrganizationId, offerId, action, body);
  }

  /** The decision unit an answer to `offerId` falls in, and whether it was answered already. */
  answerUnit(supplyOrganizationId: string, offerId: string) {
    return lifecycle.answerUnit(this.state, supplyOrganizationId, offerId);
  }

  // --- demand actions --------------------------------------------------------------------------

  /** `POST .../outbox/offers/{id}/assign`, over the offer's shift; returns the ids assigned. */
  assign(demandOrganizationId: string, offerId: string, offerMatchId: string): string[] {
    return lifecycle.assign(this.state, demandOrganizationId, offerId, offerMatchId);
  }

  /** `POST .../outbox/offers/{id}/close` by its demand organisation, over the offer's shift. */
  closeByDemand(
    demandOrganizationId: string,
    offerId: string,
    body: { reason_code?: ReasonCode; reason_comment?: string },
  ): string[] {
    return lifecycle.close(this.state, ownOffer(this.state, demandOrganizationId, offerId), body);
  }

  /** The demand side closes the offer and its shift (in-process shortcut, no organisation check). */
  close(offerId: string): string[] {
    const stored = this.state.offers.get(offerId);
    if (!stored) throw new SimulatorApiError(404, 'Offer not found');
    return lifecycle.close(this.state, stored, {});
  }

  // --- referrals -------------------------------------------------------------------------------

  getInboxReferral(
    supplyOrganizationId: string,
    referralId: string,
  ): WireInboxReferralDetail | undefined {
    return referrals.getInboxReferral(this.state, supplyOrganizationId, referralId);
  }

  getOutboxReferral(
    demandOrganizationId: string,
    referralId: string,
  ): WireOutboxReferralDetail | undefined {
    return referrals.getOutboxReferral(this.state, demandOrganizationId, referralId);
  }

  listInboxReferrals(supplyOrganizationId: string, query: ReferralListQuery) {
    return referrals.listInboxReferrals(this.state, supplyOrganizationId, query);
  }

  listOutboxReferrals(demandOrganizationId: string, query: ReferralListQuery) {
    return referrals.listOutboxReferrals(this.state, demandOrganizationId, query);
  }

  /** Supply acknowledges an assigned referral: `processed` (409 in any other state). */
  markProcessed(supplyOrganizationId: string, referralId: string): void {
    referrals.markProcessed(this.state, supplyOrganizationId, referralId);
  }

  /** Either side cancels a referral that is `assigned` or `processed` (409 otherwise). */
  cancelReferral(
    side: 'supply' | 'demand',
    organizationId: string,
    referralId: string,
    body: { reason_code?: ReasonCode; comment?: string },
  ): void {
    referrals.cancelReferral(this.state, side, organizationId, referralId, body);
  }

  /** Every referral (for tests and the CLI), oldest first. */
  referrals(): WireReferral[] {
    return [...this.state.referrals.values()].map((r) => structuredClone(r.referral));
  }

  /** Every client of a stored offer, as the demand side holds it (PHI), once each. */
  clientRecords(): WireClient[] {
    const byId = new Map(
      [...this.state.offers.values()].map((s) => [s.detail.client.id, s.detail.client]),
    );
    return [...byId.values()].map((client) => structuredClone(client));
  }

  // --- time and the call log -------------------------------------------------------------------

  /** Expires every open offer whose `expires_at` has passed (emitting its events). */
  sweep(): void {
    lifecycle.sweepAll(this.state);
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
}
