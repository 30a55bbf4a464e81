/** Identity and organization calls (the CLI, the sandbox and tests; no Lambda makes them). */
import { type CurrentIdentity, currentIdentitySchema } from './schemas/auth';
import type { Topic } from './schemas/common';
import { type SubscribeResponse, subscribeResponseSchema } from './schemas/organizations';
import type { MarketplaceTransport } from './transport';

export interface SubscriptionRequest {
  topic: Topic;
  protocol: 'https' | 'email';
  endpoint: string;
}

/** `GET /auth/v1/current_identity`. */
export async function currentIdentity(t: MarketplaceTransport): Promise<CurrentIdentity> {
  return t.getJson('currentIdentity', '/auth/v1/current_identity', currentIdentitySchema);
}

/**
 * `POST /organizations/v1/subscribe`. Retried like a read: subscribing the same endpoint to the
 * same topic again is a no-op in SNS (the same subscription comes back).
 */
export async function subscribe(
  t: MarketplaceTransport,
  subscriptions: readonly SubscriptionRequest[],
): Promise<SubscribeResponse> {
  const operation = 'subscribe';
  const outcome = await t.send<never>({
    operation,
    method: 'POST',
    path: '/organizations/v1/subscribe',
    body: { subscriptions },
  });
  return t.parse(operation, outcome, subscribeResponseSchema);
}
