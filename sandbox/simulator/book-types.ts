/**
 * The offer book's request and record types, apart from the book so the files that build its
 * views, new offers and answer tally can use them without importing the book itself.
 */
import type {
  CareType,
  MatchResponse,
  MatchStatus,
  OfferType,
  PriceUnit,
  ReferralStatus,
  WireClientInput,
  WireServiceInput,
} from './model';

/** An offer as the demand side describes it (the create request, without marketplace ids). */
export interface OfferSpec {
  care_type: CareType;
  offer_type: OfferType;
  expires_at: string;
  comment?: string;
  demand_labels?: string[];
  client: WireClientInput;
  service: WireServiceInput;
  visits: Array<{ outbox_id: string; start_at: string; end_at: string; instructions?: string }>;
  price?: { default: { rate: number; unit: PriceUnit } };
  direct_supply_persona_ids?: string[];
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
  /** The calling organisation (absent when the call was refused before its offer was read). */
  organizationId?: string;
  /** The decision unit the call answers: `shift#<shift id>` (shift or bundle) or `offer#<offer id>`. */
  unitKey?: string;
  /**
   * Whether the call counts as an answer to its unit: it reached the answer logic and acted (even
   * if an injected fault then lost the response), or was refused 409 because the match had already
   * been answered. A fault that refused it before acting, or a refusal for any other reason, is not.
   */
  answer: boolean;
}

export interface ListQuery {
  page: number;
  itemsPerPage: number;
  status?: MatchStatus;
  shiftId?: string;
  sortOrder: 'asc' | 'desc';
}

export interface PageQuery {
  page: number;
  itemsPerPage: number;
  sortOrder: 'asc' | 'desc';
}

export interface OutboxListQuery extends PageQuery {
  careType?: CareType;
  offerType?: OfferType;
  status?: string;
  clientOutboxId?: string;
  visitOutboxId?: string;
  isAccepted?: boolean;
  expiresAfter?: string;
  expiresBefore?: string;
  shiftId?: string;
  demandLabel?: string;
}

export interface MatchListQuery extends PageQuery {
  responses?: MatchResponse[];
  sequenceIds?: string[];
}

export interface ReferralListQuery extends PageQuery {
  status?: ReferralStatus;
  offerId?: string;
  shiftId?: string;
  sequenceId?: string;
  supplyOrganizationId?: string;
  careType?: CareType;
  referralType?: OfferType;
  clientOutboxId?: string;
}
