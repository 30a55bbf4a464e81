/**
 * The simulator's own types for the marketplace wire format, written from AlayaCare's published
 * OpenAPI/AsyncAPI specifications (snake_case, as on the wire). The connector has its own types;
 * keeping these separate means a field the connector misreads shows up as a failing sandbox run.
 */

export type CareType = 'psw' | 'nursing';
export type OfferType = 'visit' | 'service';
export type MatchResponse = 'pending' | 'accepted' | 'declined';
export type MatchStatus = 'open' | 'expired' | 'closed' | 'assigned' | 'fulfilled';
export type PriceUnit = 'per_visit' | 'per_hour' | 'amount';

/** `InboxOfferCore`. */
export interface WireInboxOffer {
  id: string;
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
  client: { address: WireAnonAddress; allergies: WireAllergy[]; risks: WireRisk[] };
  service: { id: string; name: string };
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
