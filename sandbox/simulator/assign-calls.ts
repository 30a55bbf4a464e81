/**
 * The demand side's assign requests as the marketplace received them, with what the offer looked
 * like at that moment: the sandbox judges from this log (not from the connector's word) that each
 * assigned offer got exactly one assign call, to its earliest accepted match.
 */
import { SimulatorApiError } from './api-error';
import type { OfferAssignment } from './model';
import type { OfferBook } from './offer-book';

/** An accepted match still open when the assign request arrived. */
export interface AcceptedOpenMatch {
  matchId: string;
  supplyOrganizationId: string;
  createdAt: string;
  /** When the supplier accepted: the match's `updated_at` (an accepted open match changes no more). */
  acceptedAt: string;
}

/** One `POST .../outbox/offers/{id}/assign` that reached the offer book. */
export interface AssignCall {
  offerId: string;
  matchId: string;
  organizationId: string;
  /** 204, or the status it was refused with (403 for an `auto` organisation, 404, 409). */
  status: number;
  at: string;
  /** The organisation's assignment setting when the request arrived. */
  setting: OfferAssignment | undefined;
  /** The offer's accepted, still open matches just before the request acted (empty if not its own offer). */
  acceptedOpen: AcceptedOpenMatch[];
  /**
   * The offers the request assigned: the one named first, then the other offers of its shift
   * assigned to the same supplier with it (empty when refused).
   */
  assignedOfferIds: string[];
}

/** Assigns through the book and tells `record` what arrived and how it was answered. */
export function assignRecorded(
  book: Pick<OfferBook, 'assign' | 'assignment' | 'listMatches'>,
  request: { organizationId: string; offerId: string; matchId: string; at: string },
  record: (call: AssignCall) => void,
): void {
  const { organizationId, offerId } = request;
  let setting: OfferAssignment | undefined;
  let acceptedOpen: AcceptedOpenMatch[] = [];
  let status = 500;
  let assignedOfferIds: string[] = [];
  try {
    // Read before acting, with no await in between: the state this very request met.
    setting = book.assignment(organizationId);
    acceptedOpen = book
      .listMatches(organizationId, offerId, {
        page: 1,
        itemsPerPage: 10_000,
        sortOrder: 'asc',
        responses: ['accepted'],
      })
      .items.filter((item) => item.match.status === 'open')
      .map((item) => ({
        matchId: item.match.id,
        supplyOrganizationId: item.supply.id,
        createdAt: item.match.created_at,
        acceptedAt: item.match.updated_at,
      }));
  } catch {
    // Not its offer (404) or not a demand organisation (403): `assign` below refuses it the same way.
  }
  try {
    assignedOfferIds = book.assign(organizationId, offerId, request.matchId);
    status = 204;
  } catch (error: unknown) {
    if (error instanceof SimulatorApiError) status = error.status;
    throw error;
  } finally {
    record({ ...request, status, setting, acceptedOpen, assignedOfferIds });
  }
}
