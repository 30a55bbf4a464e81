/**
 * Referrals: made when an offer is assigned (`ReferralCreated` to both sides), read by each side
 * (the full client record: the referral is the agreement to provide care), `processed` by the
 * supplier and `cancelled` by either side while `assigned` or `processed`.
 */
import { randomUUID } from 'node:crypto';
import { SimulatorApiError } from './api-error';
import type { ReferralListQuery } from './book-types';
import { type BookState, offerOf } from './book-state';
import type {
  ReasonCode,
  ReferralStatus,
  WireInboxReferralDetail,
  WireOutboxReferralDetail,
} from './model';
import { paginate, type StoredMatch, type StoredOffer, type StoredReferral } from './offer-views';

/** The referral for an offer just assigned to `winner`; emits `ReferralCreated` to both sides. */
export function createReferral(state: BookState, stored: StoredOffer, winner: StoredMatch): void {
  const at = state.now().toISOString();
  const { offer } = stored.detail;
  const referral: StoredReferral = {
    supplyOrganizationId: winner.supplyOrganizationId,
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
  state.referrals.set(referral.referral.id, referral);
  state.events.referral('inbox-referrals', 'ReferralCreated', referral, stored);
  state.events.referral('outbox-referrals', 'ReferralCreated', referral, stored);
}

export function getInboxReferral(
  state: BookState,
  supplyOrganizationId: string,
  referralId: string,
): WireInboxReferralDetail | undefined {
  const stored = state.referrals.get(referralId);
  if (!stored || stored.supplyOrganizationId !== supplyOrganizationId) return undefined;
  const offer = offerOf(state, stored);
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

export function getOutboxReferral(
  state: BookState,
  demandOrganizationId: string,
  referralId: string,
): WireOutboxReferralDetail | undefined {
  const stored = state.referrals.get(referralId);
  if (!stored || stored.demandOrganizationId !== demandOrganizationId) return undefined;
  const offer = offerOf(state, stored);
  const supply = state.organizations.supply(stored.supplyOrganizationId);
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

export function listInboxReferrals(
  state: BookState,
  supplyOrganizationId: string,
  query: ReferralListQuery,
) {
  const rows = filterReferrals(state, query)
    .filter((r) => r.supplyOrganizationId === supplyOrganizationId)
    .map((r) => ({
      sortKey: r.referral.updated_at,
      item: structuredClone({ referral: r.referral, revision: r.revision }),
    }));
  return paginate(rows, query);
}

export function listOutboxReferrals(
  state: BookState,
  demandOrganizationId: string,
  query: ReferralListQuery,
) {
  const rows = filterReferrals(state, query)
    .filter((r) => r.demandOrganizationId === demandOrganizationId)
    .map((r) => {
      const offer = offerOf(state, r);
      const supply = state.organizations.supply(r.supplyOrganizationId);
      const { client, service } = offer.detail;
      return {
        sortKey: r.referral.updated_at,
        item: structuredClone({
          referral: r.referral,
          supply: { id: supply.id, name: supply.name },
          client: { id: client.id, outbox_id: client.outbox_id, demographics: client.demographics },
          service: { id: service.id, outbox_id: service.outbox_id, name: service.name },
          revision: r.revision,
        }),
      };
    });
  return paginate(rows, query);
}

/** Supply acknowledges an assigned referral: `processed` (409 in any other state). */
export function markProcessed(
  state: BookState,
  supplyOrganizationId: string,
  referralId: string,
): void {
  const stored = state.referrals.get(referralId);
  if (!stored || stored.supplyOrganizationId !== supplyOrganizationId)
    throw new SimulatorApiError(404, 'Referral not found');
  if (stored.referral.status !== 'assigned')
    throw new SimulatorApiError(409, `Referral is not assigned (status ${stored.referral.status})`);
  setStatus(state, stored, 'processed');
  state.events.referral('outbox-referrals', 'ReferralProcessed', stored, offerOf(state, stored));
}

/** Either side cancels a referral that is `assigned` or `processed` (409 otherwise). */
export function cancelReferral(
  state: BookState,
  side: 'supply' | 'demand',
  organizationId: string,
  referralId: string,
  body: { reason_code?: ReasonCode; comment?: string },
): void {
  const stored = state.referrals.get(referralId);
  const owner = side === 'supply' ? stored?.supplyOrganizationId : stored?.demandOrganizationId;
  if (!stored || owner !== organizationId) throw new SimulatorApiError(404, 'Referral not found');
  if (stored.referral.status === 'cancelled')
    throw new SimulatorApiError(409, 'Referral is already cancelled');
  if (body.reason_code !== undefined) stored.referral.reason_code = body.reason_code;
  if (body.comment !== undefined) stored.referral.cancellation_comment = body.comment;
  setStatus(state, stored, 'cancelled');
  const offer = offerOf(state, stored);
  if (side === 'supply')
    state.events.referral('outbox-referrals', 'ReferralSupplyCancelled', stored, offer);
  else state.events.referral('inbox-referrals', 'ReferralDemandCancelled', stored, offer);
}

function setStatus(state: BookState, stored: StoredReferral, status: ReferralStatus): void {
  stored.referral.status = status;
  stored.referral.updated_at = state.now().toISOString();
}

function filterReferrals(state: BookState, query: ReferralListQuery): StoredReferral[] {
  return [...state.referrals.values()].filter((r) => {
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
        offerOf(state, r).detail.client.outbox_id === query.clientOutboxId)
    );
  });
}
