/**
 * The in-process shortcut for making an offer (the sandbox's scenarios and the tests): a few
 * chosen fields, everything else a plausible default, turned into the create request a demand
 * organisation would send.
 */
import { randomUUID } from 'node:crypto';
import type { CareType, OfferType, PriceUnit, WireAllergy, WireRisk } from './model';
import type { OfferSpec } from './book-types';
import type { ClientCanaries } from './client-canaries';

/** What a caller may choose about a new offer; everything else gets a plausible default. */
export interface NewOffer {
  id?: string;
  shiftId?: string;
  careType?: CareType;
  offerType?: OfferType;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  demandName?: string;
  serviceName?: string;
  startAt?: Date;
  durationMinutes?: number;
  /** How long the supply side has to answer (default one hour). */
  expiresInMs?: number;
  price?: { rate: number; unit: PriceUnit };
  allergies?: WireAllergy[];
  risks?: WireRisk[];
  /**
   * The supply organisation matched: `addOffer` defaults to the seeded one; `postOffer` matches
   * every other supply organisation with the care type unless this names the only one.
   */
  supplyOrganizationId?: string;
}

const DEFAULT_EXPIRY_MS = 60 * 60 * 1000;

/** The create request for `input`: a visit tomorrow (unless said otherwise), a made-up client from `clients`. */
export function newOfferSpec(input: NewOffer, now: Date, clients: ClientCanaries): OfferSpec {
  const startAt = input.startAt ?? new Date(now.getTime() + 24 * 60 * 60 * 1000);
  const endAt = new Date(startAt.getTime() + (input.durationMinutes ?? 60) * 60 * 1000);
  const city = input.city ?? 'Toronto';
  const outbox = randomUUID().slice(0, 8);
  return {
    care_type: input.careType ?? 'psw',
    offer_type: input.offerType ?? 'visit',
    expires_at: new Date(now.getTime() + (input.expiresInMs ?? DEFAULT_EXPIRY_MS)).toISOString(),
    client: clients.client({
      city,
      state: input.state ?? 'ON',
      zip: input.zip ?? 'M5V',
      country: input.country ?? 'CA',
      allergies: input.allergies ?? [],
      risks: input.risks ?? [],
    }),
    service: {
      outbox_id: `service-${outbox}`,
      name: input.serviceName ?? 'Personal support',
      start_at: startAt.toISOString(),
      end_at: endAt.toISOString(),
    },
    visits: [
      {
        outbox_id: `visit-${outbox}`,
        start_at: startAt.toISOString(),
        end_at: endAt.toISOString(),
      },
    ],
    price: { default: input.price ?? { rate: 32.5, unit: 'per_hour' } },
  };
}
