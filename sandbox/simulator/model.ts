/**
 * The simulator's own types for the marketplace wire format, written from AlayaCare's published
 * OpenAPI/AsyncAPI specifications (snake_case, as on the wire). The connector has its own types;
 * keeping these separate means a field the connector misreads shows up as a failing sandbox run.
 */

// --- enums ---------------------------------------------------------------------------------------
//
// The simulator keeps its own copy of the API's enum values on purpose: each list below is
// written from the published specifications and each type derived from its list, never imported
// from the connector's core (lambdas/core). Were the simulator to share the connector's lists, a
// value the connector misreads (a missing status, a misspelt care type) would be misread the same
// way on both sides and every contract test would still pass; kept apart, it fails them.

export const CARE_TYPES = ['psw', 'nursing'] as const;
export type CareType = (typeof CARE_TYPES)[number];
export const OFFER_TYPES = ['visit', 'service'] as const;
export type OfferType = (typeof OFFER_TYPES)[number];
export const MATCH_RESPONSES = ['pending', 'accepted', 'declined'] as const;
export type MatchResponse = (typeof MATCH_RESPONSES)[number];
export const MATCH_STATUSES = ['open', 'expired', 'closed', 'assigned', 'fulfilled'] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];
export const PRICE_UNITS = ['per_visit', 'per_hour', 'amount'] as const;
export type PriceUnit = (typeof PRICE_UNITS)[number];
export const OFFER_STATUSES = ['open', 'assigned', 'closed', 'declined_by_all', 'expired'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export const REFERRAL_STATUSES = ['assigned', 'processed', 'cancelled'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
export const OFFER_ASSIGNMENTS = ['auto', 'manual'] as const;
export type OfferAssignment = (typeof OFFER_ASSIGNMENTS)[number];
export const REASON_CODES = [
  'datetime_change',
  'client_request',
  'client_hospitalization',
  'client_passed_away',
  'client_refused_service',
  'processing_error',
  'other',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Whether `value` is one of an enum's values (a list above, or an event-name list). */
export function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

/** `InboxOfferCore`. */
export interface WireInboxOffer {
  id: string;
  reason_code?: ReasonCode;
  reason_comment?: string;
  shift_id?: string;
  care_type: CareType;
  offer_type: OfferType;
  expires_at: string;
  start_at: string;
  end_at?: string;
  comment?: string;
  created_at: string;
  updated_at: string;
}

/** `OfferMatchCore`. */
export interface WireOfferMatch {
  id: string;
  response: MatchResponse;
  status: MatchStatus | null;
  sequence_id: string;
  created_at: string;
  updated_at: string;
  reason_code?: string;
  comment?: string;
}

/** `AddressAnonCore`: approximate location only. */
export interface WireAnonAddress {
  city: string;
  state: string;
  zip: string;
  country: string;
  approx_latitude?: number;
  approx_longitude?: number;
  approx_radius_meters?: number;
}

export interface WireAllergy {
  name: string;
  category?: string;
  severity?: string;
}

export interface WireRisk {
  name: string;
  category?: string;
  severity?: number;
}

export interface WireVisit {
  id: string;
  start_at: string;
  end_at: string;
  instructions?: string;
}

/** `InboxOfferDetailResponse`. */
export interface WireInboxOfferDetail {
  offer: WireInboxOffer;
  match: WireOfferMatch;
  demand: { id: string; name: string };
  client: {
    address: WireAnonAddress;
    allergies: WireAllergy[];
    risks: WireRisk[];
    custom_fields?: WireNamedValue[];
  };
  service: { id: string; name: string; start_at?: string; end_at?: string; instructions?: string };
  price: { rate: number; unit: PriceUnit };
  visits: WireVisit[];
}

/** `InboxOfferCollectionResponse`. */
export interface WireInboxOfferListItem {
  offer: WireInboxOffer;
  match: WireOfferMatch;
}

/** `InboxOfferPageResponse`. */
export interface WirePage<T> {
  page: number;
  items_per_page: number;
  total_items: number;
  total_pages: number;
  items: T[];
}

/** `LoginResponse` (Cognito field names). */
export interface WireLoginResponse {
  AccessToken: string;
  ExpiresIn: number;
  IdToken: string;
  RefreshToken: string;
  TokenType: 'Bearer';
}

/** `CurrentIdentityDetailResponse`. */
export interface WireCurrentIdentity {
  email: string;
  name: string;
  groups: string[];
  organization_id: string;
}

/** `InboxOfferEventPayload` (AsyncAPI, topic `inbox-offers`). */
export interface WireInboxOfferEvent {
  event_source: 'alayamarket.offers';
  event_name: 'OfferMatched' | 'OfferClosed' | 'OfferExpired' | 'OfferFulfilled';
  /** Deprecated duplicate of `offer_id`, still required by the published schema. */
  id: string;
  event_id: string;
  timestamp: string;
  offer_id: string;
}

export interface WireNamedValue {
  name: string;
  value: string;
  type?: string;
}

// --- demand side (outbox) ----------------------------------------------------------------------

/** `AddressCore`: the full street address (PHI). */
export interface WireAddress {
  address: string;
  city: string;
  state: string;
  zip: string;
  country: string;
  name?: string;
  address_suite?: string;
  latitude?: number;
  longitude?: number;
}

export interface WireDemographics {
  first_name: string;
  last_name: string;
  [field: string]: unknown;
}

/** The client as the demand side sends it. */
export interface WireClientInput {
  outbox_id: string;
  address: WireAddress;
  demographics: WireDemographics;
  allergies?: WireAllergy[];
  risks?: WireRisk[];
  custom_fields?: WireNamedValue[];
  [field: string]: unknown;
}

/** The client with the marketplace's own `id`. */
export interface WireClient extends WireClientInput {
  id: string;
}

export interface WireServiceInput {
  outbox_id: string;
  name: string;
  start_at?: string;
  end_at?: string;
  expected_start_at?: string;
  instructions?: string;
  [field: string]: unknown;
}

export interface WireService extends WireServiceInput {
  id: string;
}

export interface WireOutboxVisit {
  id: string;
  outbox_id: string;
  start_at: string;
  end_at: string;
  instructions?: string;
}

export interface WireResponseCounts {
  modified_at: string;
  sent: number;
  accepted: number;
  declined: number;
}

/** `OutboxOfferDetailResponse`. */
export interface WireOutboxOfferDetail {
  offer: {
    id: string;
    shift_id?: string;
    care_type: CareType;
    offer_type: OfferType;
    status: OfferStatus;
    expires_at: string;
    start_at: string;
    end_at?: string;
    comment?: string;
    demand_labels?: string[];
    reason_code?: ReasonCode;
    reason_comment?: string;
    created_at: string;
    updated_at: string;
  };
  demand: { id: string; name: string };
  supply?: { id: string; name: string };
  client: WireClient;
  service: WireService;
  visits: WireOutboxVisit[];
  price?: { default: { rate: number; unit: PriceUnit } };
  response_counts: WireResponseCounts;
}

export interface WireOutboxOfferListItem {
  offer: WireOutboxOfferDetail['offer'];
  client: { outbox_id: string; demographics: WireDemographics };
  service: { outbox_id: string; name: string };
  response_counts: WireResponseCounts;
}

export interface WireOutboxMatchItem {
  match: WireOfferMatch;
  supply: { id: string; name: string };
}

// --- referrals ---------------------------------------------------------------------------------

export interface WireReferral {
  id: string;
  sequence_id: string;
  offer_id: string;
  shift_id?: string;
  care_type: CareType;
  referral_type: OfferType;
  status: ReferralStatus;
  start_at: string;
  end_at?: string;
  comment?: string;
  cancellation_comment?: string;
  reason_code?: ReasonCode;
  created_at: string;
  updated_at: string;
}

export interface WireRevision {
  revision_group_id: string;
  revision_number: number;
  is_latest_revision: boolean;
}

/** `InboxReferralDetailResponse` (full client PHI: the referral is the agreement to provide care). */
export interface WireInboxReferralDetail {
  referral: WireReferral;
  demand: { id: string; name: string };
  client: WireClient;
  service: WireService;
  visits: WireOutboxVisit[];
  price?: { rate: number; unit: PriceUnit };
  revision: WireRevision;
}

/** `OutboxReferralDetailResponse`. */
export interface WireOutboxReferralDetail {
  referral: WireReferral;
  supply: { id: string; name: string };
  client: WireClient;
  service: WireService;
  visits: WireOutboxVisit[];
  price?: { rate: number; unit: PriceUnit };
  revision: WireRevision;
}

// --- events (AsyncAPI) -------------------------------------------------------------------------

/** `OutboxOfferEventPayload` (topic `outbox-offers`). */
export interface WireOutboxOfferEvent {
  event_source: 'alayamarket.offers';
  event_name: 'OfferAccepted' | 'OfferDeclined' | 'OfferDeclinedByAll' | 'OfferExpired';
  id: string;
  event_id: string;
  timestamp: string;
  offer_id: string;
}

interface WireReferralEventBase {
  event_source: 'alayamarket.referrals';
  id: string;
  event_id: string;
  timestamp: string;
  referral_id: string;
  sequence_id: string;
  client: { id: string; outbox_id: string };
  demand: { name: string; source: string; host: string };
  supply: { name: string; source: string; host: string };
}

/** `InboxReferralEventPayload` (topic `inbox-referrals`). */
export interface WireInboxReferralEvent extends WireReferralEventBase {
  event_name: 'ReferralCreated' | 'ReferralDemandCancelled';
}

/** `OutboxReferralEventPayload` (topic `outbox-referrals`). */
export interface WireOutboxReferralEvent extends WireReferralEventBase {
  event_name: 'ReferralCreated' | 'ReferralProcessed' | 'ReferralSupplyCancelled';
}

export type SimulatorChannel =
  'inbox-offers' | 'outbox-offers' | 'inbox-referrals' | 'outbox-referrals';

/** One event for one organisation's topic. */
export type SimulatorEvent =
  | { channel: 'inbox-offers'; organizationId: string; payload: WireInboxOfferEvent }
  | { channel: 'outbox-offers'; organizationId: string; payload: WireOutboxOfferEvent }
  | { channel: 'inbox-referrals'; organizationId: string; payload: WireInboxReferralEvent }
  | { channel: 'outbox-referrals'; organizationId: string; payload: WireOutboxReferralEvent };
