/**
 * What happens to an offer after it is created, by the published API's state rules, with the
 * events each change causes:
 *
 * - offer status `open -> assigned | closed | declined_by_all | expired`; only an open offer can
 *   be assigned or closed, and it expires at `expires_at` unless assigned first;
 * - a match is answered (accept/decline) once, while `pending` and `open`;
 * - assignment: manual through `/assign` (only when the demand organisation's setting is
 *   `manual`, and only to an accepted open match), or automatic on the first accept when it is
 *   `auto`; the winner's match becomes `assigned`, the other open matches `fulfilled`
 *   (`OfferFulfilled`), and a referral is created (referral-book.ts);
 * - declined by every matched organisation, or matched to none: `declined_by_all`.
 *
 * A shift (or a bundle: offers that share a `shift_id`) is one unit for every action the
 * marketplace takes on it: one accept or decline answers the organisation's match on each of its
 * offers, one assign assigns the same supplier on each of its offers that supplier accepted, one
 * close closes each of its open offers, and its offers expire together (they share the request's
 * `expires_at`; in process, the earliest one's).
 *
 * Reading of what the specification leaves open (one plausible reading, written down here so it
 * can be changed in one place): matches of a closed or expired offer that were still open become
 * `closed` / `expired`; an accepted match of an offer that expires unassigned expires too.
 */
import { SimulatorApiError } from './api-error';
import type { OfferAction } from './book-types';
import { type BookState, ownOffer, shiftOf } from './book-state';
import type { MatchStatus, ReasonCode } from './model';
import type { StoredMatch, StoredOffer } from './offer-views';
import { createReferral } from './referral-book';

const OPEN_MATCH: MatchStatus = 'open';

const isAnswerable = (m: StoredMatch): boolean =>
  m.match.response === 'pending' && m.match.status === OPEN_MATCH;

const matchOf = (stored: StoredOffer, supplyOrganizationId: string) =>
  stored.matches.find((m) => m.supplyOrganizationId === supplyOrganizationId);

/** Expires the offer, with the open offers of its shift, once its `expires_at` has passed. */
export function expireIfDue(state: BookState, stored: StoredOffer): void {
  const { offer } = stored.detail;
  if (offer.status !== 'open' || state.now().getTime() < Date.parse(offer.expires_at)) return;
  for (const member of shiftOf(state, stored)) expire(state, member);
}

/**
 * Accepts or declines the organisation's match on an offer and on every other offer of its shift.
 * Throws 404 for an offer the organisation cannot see and 409 when its match is no longer pending
 * and open. Returns the ids of the offers changed.
 */
export function respond(
  state: BookState,
  supplyOrganizationId: string,
  offerId: string,
  action: OfferAction,
  body: { reason_code?: string; comment?: string },
): string[] {
  const target = state.offers.get(offerId);
  const targetMatch = target && matchOf(target, supplyOrganizationId);
  if (!target || !targetMatch) throw new SimulatorApiError(404, 'Offer not found');
  const shift = shiftOf(state, target);
  for (const member of shift) expireIfDue(state, member);
  if (!isAnswerable(targetMatch)) {
    throw new SimulatorApiError(
      409,
      `Offer match is not pending (response ${targetMatch.match.response}, status ${targetMatch.match.status})`,
    );
  }
  const updated = state.now().toISOString();
  const changed: StoredOffer[] = [];
  for (const stored of shift) {
    const mine = matchOf(stored, supplyOrganizationId);
    if (!mine || !isAnswerable(mine)) continue;
    mine.match.response = action === 'accept' ? 'accepted' : 'declined';
    mine.match.updated_at = updated;
    if (body.comment !== undefined) mine.match.comment = body.comment;
    if (action === 'decline' && body.reason_code !== undefined)
      mine.match.reason_code = body.reason_code;
    stored.detail.offer.updated_at = updated;
    changed.push(stored);
    state.events.offer(
      'outbox-offers',
      stored.demandOrganizationId,
      action === 'accept' ? 'OfferAccepted' : 'OfferDeclined',
      stored.detail.offer.id,
    );
  }
  for (const stored of changed) {
    const mine = matchOf(stored, supplyOrganizationId);
    if (!mine || stored.detail.offer.status !== 'open') continue;
    const auto = state.organizations.demand(stored.demandOrganizationId).assignment === 'auto';
    if (action === 'accept' && auto) assignMatch(state, stored, mine);
    if (action === 'decline') declineByAllIfNoneLeft(state, stored);
  }
  return changed.map((s) => s.detail.offer.id);
}

/**
 * The decision unit an answer to `offerId` by the organisation falls in (its shift or bundle, or
 * the offer alone) and whether its match has been answered already; undefined for an offer the
 * organisation cannot see.
 */
export function answerUnit(
  state: BookState,
  supplyOrganizationId: string,
  offerId: string,
): { unitKey: string; answered: boolean } | undefined {
  const stored = state.offers.get(offerId);
  const mine = stored && matchOf(stored, supplyOrganizationId);
  if (!stored || !mine) return undefined;
  const shiftId = stored.detail.offer.shift_id;
  return {
    unitKey: shiftId !== undefined ? `shift#${shiftId}` : `offer#${offerId}`,
    answered: mine.match.response !== 'pending',
  };
}

/**
 * `POST .../outbox/offers/{id}/assign`: 403 unless the setting is manual; 404 for a match not of
 * the offer; 409 unless the offer is open and the match accepted and open. Assigns the same
 * supplier on every other open offer of the shift whose match it accepted. Returns the ids of
 * the offers assigned, the named one first.
 */
export function assign(
  state: BookState,
  demandOrganizationId: string,
  offerId: string,
  offerMatchId: string,
): string[] {
  const stored = ownOffer(state, demandOrganizationId, offerId);
  if (state.organizations.demand(demandOrganizationId).assignment !== 'manual') {
    throw new SimulatorApiError(
      403,
      'Offer assignment setting is auto: manual assignment is forbidden',
    );
  }
  expireIfDue(state, stored);
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
  const assigned: string[] = [];
  for (const member of shiftOf(state, stored)) {
    const winner = member === stored ? match : matchOf(member, match.supplyOrganizationId);
    if (member.detail.offer.status !== 'open' || winner?.match.response !== 'accepted') continue;
    if (winner.match.status !== OPEN_MATCH) continue;
    assignMatch(state, member, winner);
    assigned.push(member.detail.offer.id);
  }
  return assigned;
}

/**
 * Closes an open offer and the other open offers of its shift (409 unless the named one is open),
 * with `OfferClosed` to each open match. Returns the ids of the offers closed.
 */
export function close(
  state: BookState,
  stored: StoredOffer,
  body: { reason_code?: ReasonCode; reason_comment?: string },
): string[] {
  expireIfDue(state, stored);
  if (stored.detail.offer.status !== 'open')
    throw new SimulatorApiError(409, `Offer is not open (status ${stored.detail.offer.status})`);
  const at = state.now().toISOString();
  const closed: string[] = [];
  for (const member of shiftOf(state, stored)) {
    const { offer } = member.detail;
    if (offer.status !== 'open') continue;
    offer.status = 'closed';
    offer.updated_at = at;
    if (body.reason_code !== undefined) offer.reason_code = body.reason_code;
    if (body.reason_comment !== undefined) offer.reason_comment = body.reason_comment;
    for (const m of member.matches) {
      if (m.match.status !== OPEN_MATCH) continue;
      setMatchStatus(m, 'closed', at);
      state.events.offer('inbox-offers', m.supplyOrganizationId, 'OfferClosed', offer.id);
    }
    closed.push(offer.id);
  }
  return closed;
}

/**
 * An open offer every match of which was declined, or that has no match at all (no supplier to
 * offer it to): `declined_by_all`, its matches closed, `OfferDeclinedByAll` to the poster.
 */
export function declineByAllIfNoneLeft(state: BookState, stored: StoredOffer): void {
  const { offer } = stored.detail;
  if (offer.status !== 'open' || !stored.matches.every((m) => m.match.response === 'declined'))
    return;
  const at = state.now().toISOString();
  offer.status = 'declined_by_all';
  offer.updated_at = at;
  for (const m of stored.matches) setMatchStatus(m, 'closed', at);
  state.events.offer('outbox-offers', stored.demandOrganizationId, 'OfferDeclinedByAll', offer.id);
}

function expire(state: BookState, stored: StoredOffer): void {
  const { offer } = stored.detail;
  if (offer.status !== 'open') return;
  const at = state.now().toISOString();
  offer.status = 'expired';
  offer.updated_at = at;
  for (const m of stored.matches) {
    if (m.match.status !== OPEN_MATCH) continue;
    setMatchStatus(m, 'expired', at);
    state.events.offer('inbox-offers', m.supplyOrganizationId, 'OfferExpired', offer.id);
  }
  state.events.offer('outbox-offers', stored.demandOrganizationId, 'OfferExpired', offer.id);
}

function assignMatch(state: BookState, stored: StoredOffer, winner: StoredMatch): void {
  const at = state.now().toISOString();
  const { offer } = stored.detail;
  const supply = state.organizations.supply(winner.supplyOrganizationId);
  offer.status = 'assigned';
  offer.updated_at = at;
  stored.detail.supply = { id: supply.id, name: supply.name };
  setMatchStatus(winner, 'assigned', at);
  for (const m of stored.matches) {
    if (m === winner || m.match.status !== OPEN_MATCH) continue;
    setMatchStatus(m, 'fulfilled', at);
    state.events.offer('inbox-offers', m.supplyOrganizationId, 'OfferFulfilled', offer.id);
  }
  createReferral(state, stored, winner);
}

function setMatchStatus(m: StoredMatch, status: MatchStatus, at: string): void {
  m.match.status = status;
  m.match.updated_at = at;
}

/**
 * Expires every open offer past its `expires_at`; returns every offer, in creation order. Before
 * the earliest open offer's expiry (kept by creation and by each sweep) nothing can be due, and
 * the walk is skipped: requests sweep first, and the list reads sweep again.
 */
export function sweepAll(state: BookState): StoredOffer[] {
  const all = [...state.offers.values()];
  if (state.now().getTime() < state.earliestExpiryMs) return all;
  let earliest = Number.POSITIVE_INFINITY;
  for (const stored of all) {
    expireIfDue(state, stored);
    const { offer } = stored.detail;
    if (offer.status === 'open') earliest = Math.min(earliest, Date.parse(offer.expires_at));
  }
  // NaN (an unreadable expiry) keeps every later sweep walking, as before this shortcut.
  state.earliestExpiryMs = Number.isNaN(earliest) ? Number.NEGATIVE_INFINITY : earliest;
  return all;
}
