/**
 * A valid outbox offer to create at the marketplace simulator: a PSW visit tomorrow, expiring in an
 * hour, for a client in Ottawa. The client's names, street and id are given by the test when it
 * looks for them afterwards (PHI canaries that must never reach a log or the offer table).
 */
import { randomUUID } from 'node:crypto';
import type { OutboxOfferCreateRequest } from '../../lambdas/adapters/marketplace-client';

export const hourFromNow = () => new Date(Date.now() + 60 * 60 * 1000).toISOString();

export interface OutboxOfferRequestOptions {
  /** Makes the outbox ids unique; default a fresh one. */
  key?: string;
  offer?: Partial<OutboxOfferCreateRequest['offer']>;
  /** The client's fields to set instead of the defaults (id `client-<key>`, 1 Test Street, Test Client <key>). */
  client?: {
    outboxId?: string;
    street?: string;
    firstName?: string;
    lastName?: string;
    allergies?: OutboxOfferCreateRequest['client']['allergies'];
  };
}

export function outboxOfferRequest(
  options: OutboxOfferRequestOptions = {},
): OutboxOfferCreateRequest {
  const key = options.key ?? randomUUID().slice(0, 8);
  const client = options.client ?? {};
  const start = new Date(Date.now() + 24 * 60 * 60 * 1000);
  return {
    offer: { care_type: 'psw', offer_type: 'visit', expires_at: hourFromNow(), ...options.offer },
    client: {
      outbox_id: client.outboxId ?? `client-${key}`,
      address: {
        address: client.street ?? '1 Test Street',
        city: 'Ottawa',
        state: 'ON',
        zip: 'K1P 1J1',
        country: 'CA',
      },
      demographics: {
        first_name: client.firstName ?? 'Test',
        last_name: client.lastName ?? `Client ${key}`,
      },
      ...(client.allergies !== undefined ? { allergies: client.allergies } : {}),
    },
    service: { outbox_id: `service-${key}`, name: 'Personal support' },
    visits: [
      {
        outbox_id: `visit-${key}`,
        start_at: start.toISOString(),
        end_at: new Date(start.getTime() + 3600_000).toISOString(),
      },
    ],
    price: { default: { rate: 35, unit: 'per_hour' } },
  };
}
