/**
 * Request bodies of the AlayaMarket demand-side creates, written from the published OpenAPI
 * (`OutboxOfferCreateRequest`, `OutboxShiftOfferCreateRequest`, `OutboxBundleOfferCreateRequest`).
 * Required fields are required here; the many optional AlayaCare-specific blocks (care plans,
 * authorizations, form templates) are accepted as extra fields without being modelled.
 */

type CareType = 'psw' | 'nursing';
type PriceUnit = 'per_visit' | 'per_hour' | 'amount';

export interface AddressInput {
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

export interface NamedValue {
  name: string;
  value: string;
  type?: string;
}

/** The client as the demand side describes it: PHI, sent only to the marketplace. */
export interface ClientInput {
  outbox_id: string;
  address: AddressInput;
  demographics: {
    first_name: string;
    last_name: string;
    email?: string;
    phone_number?: string;
    date_of_birth?: string;
    gender?: string;
    language?: string;
  };
  allergies?: Array<{
    name?: string;
    category?: string;
    severity?: string;
    start_date?: string;
    treatment?: string;
  }>;
  risks?: Array<{ name?: string; category?: string; severity?: number; start_date?: string }>;
  custom_fields?: NamedValue[];
  [extra: string]: unknown;
}

export interface ServiceInput {
  outbox_id: string;
  name: string;
  start_at?: string;
  end_at?: string;
  expected_start_at?: string;
  instructions?: string;
  notes?: string;
  skills?: string[];
  use_client_address?: boolean;
  address?: AddressInput;
  [extra: string]: unknown;
}

export interface VisitInput {
  outbox_id: string;
  start_at: string;
  end_at: string;
  instructions?: string;
  tasks?: Array<{ outbox_id: string; name: string; description?: string; is_required: boolean }>;
}

export interface PriceInput {
  default: { rate: number; unit: PriceUnit };
  custom?: Array<{ rate: number; unit: PriceUnit; supply_persona_id: string }>;
}

export interface CaseManagerInput {
  name?: string;
  phone_number?: string;
  fax_number?: string;
  email?: string;
}

/** `POST /offers/v1/outbox/offers`. */
export interface OutboxOfferCreateRequest {
  offer: {
    care_type: CareType;
    offer_type: 'visit' | 'service';
    expires_at: string;
    comment?: string;
    demand_labels?: string[];
  };
  client: ClientInput;
  service: ServiceInput;
  visits?: VisitInput[];
  price?: PriceInput;
  case_manager?: CaseManagerInput;
  direct_supply_persona_ids?: string[];
  [extra: string]: unknown;
}

/** `POST /offers/v1/outbox/shift/offers`: one visit offer per item, all sharing a `shift_id`. */
export interface OutboxShiftOfferCreateRequest {
  offer: { care_type: CareType; expires_at: string; comment?: string; demand_labels?: string[] };
  items: Array<{
    client: ClientInput;
    service: ServiceInput;
    visits: VisitInput[];
    price?: PriceInput;
  }>;
  case_manager?: CaseManagerInput;
  direct_supply_persona_ids?: string[];
}

/** `POST /offers/v1/outbox/bundle/offers`: one service offer per item, all in one bundle. */
export interface OutboxBundleOfferCreateRequest {
  offer: { expires_at: string; comment?: string };
  items: Array<{
    care_type: CareType;
    client: ClientInput;
    service: ServiceInput;
    price?: PriceInput;
    demand_labels?: string[];
    [extra: string]: unknown;
  }>;
  case_manager?: CaseManagerInput;
  direct_supply_persona_ids?: string[];
}
