/**
 * The offer book's state, shared by the modules that read and change it (offer-create.ts,
 * offer-lifecycle.ts, offer-reads.ts, referral-book.ts): the stored offers and referrals, the
 * organisations, the event sink and the clock. Only the offer book builds one.
 */
import { SimulatorApiError } from './api-error';
import type { BookEvents } from './book-events';
import type { ClientCanaries } from './client-canaries';
import type { StoredOffer, StoredReferral } from './offer-views';
import type { OrganizationRegistry } from './organizations';

export interface BookState {
  readonly offers: Map<string, StoredOffer>;
  readonly referrals: Map<string, StoredReferral>;
  readonly organizations: OrganizationRegistry;
  readonly events: BookEvents;
  readonly now: () => Date;
  /** Made-up clients (canaries) and their marketplace ids. */
  readonly clients: ClientCanaries;
  /** Marketplace client ids, stable per demand organisation and client `outbox_id`. */
  readonly clientIds: Map<string, string>;
  /**
   * Visit offers by demand organisation and visit `outbox_id` (`visitKey`), whatever their status
   * now: creating an offer looks its visits up here instead of walking every offer ever made.
   */
  readonly visitOffers: Map<string, StoredOffer[]>;
  /**
   * No open offer expires before this (epoch ms): a sweep before it has nothing to do and skips
   * the walk over every offer, which each API request would otherwise pay. Lowered by each new
   * offer (the only way an offer becomes open) and recomputed by each full sweep.
   */
  earliestExpiryMs: number;
}

/** The key of `visitOffers`: a demand organisation's visit, by its `outbox_id`. */
export function visitKey(demandOrganizationId: string, visitOutboxId: string): string {
  return `${demandOrganizationId}\u0000${visitOutboxId}`;
}

/** The offers of the stored offer's shift or bundle (itself first), or itself alone. */
export function shiftOf(state: BookState, stored: StoredOffer): StoredOffer[] {
  const shiftId = stored.detail.offer.shift_id;
  if (shiftId === undefined) return [stored];
  const siblings = [...state.offers.values()].filter(
    (o) => o !== stored && o.detail.offer.shift_id === shiftId,
  );
  return [stored, ...siblings];
}

/** The demand organisation's own offer (404 for any other). */
export function ownOffer(state: BookState, demandOrganizationId: string, offerId: string) {
  const stored = state.offers.get(offerId);
  if (!stored || stored.demandOrganizationId !== demandOrganizationId)
    throw new SimulatorApiError(404, 'Offer not found');
  return stored;
}

/** The offer a referral was made from. */
export function offerOf(state: BookState, referral: StoredReferral): StoredOffer {
  const offer = state.offers.get(referral.referral.offer_id);
  if (!offer) throw new SimulatorApiError(500, 'Referral without offer');
  return offer;
}
