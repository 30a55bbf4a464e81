/**
 * Calls the marketplace simulator over HTTP as a client would (login, JSON bodies, the raw
 * IdToken as `Authorization`), and builds outbox create requests with made-up, non-PHI values.
 */
import type { MarketplaceSimulator } from '../../sandbox/simulator/simulator';

export interface HttpAnswer {
  status: number;
  json: Record<string, unknown> | undefined;
}

/** Logs in and returns a caller bound to that login. */
export async function simulatorCaller(
  sim: Pick<MarketplaceSimulator, 'url'>,
  login: { username: string; password: string },
): Promise<(method: string, path: string, body?: unknown) => Promise<HttpAnswer>> {
  const res = await fetch(`${sim.url}/auth/v1/login`, {
    method: 'POST',
    body: JSON.stringify(login),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  const { IdToken } = (await res.json()) as { IdToken: string };
  return async (method, path, body) => {
    const answer = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        authorization: IdToken,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await answer.text();
    return {
      status: answer.status,
      json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  };
}

/** The client, service and visit of one create request or shift/bundle item, keyed by `key`. */
export function outboxItem(key: string, options: { visit?: string; startInHours?: number } = {}) {
  const start = new Date(Date.now() + (options.startInHours ?? 24) * 3600_000);
  return {
    client: {
      outbox_id: `client-${key}`,
      address: {
        address: '1 Test Street',
        city: 'Toronto',
        state: 'ON',
        zip: 'M5V 2T6',
        country: 'CA',
      },
      demographics: { first_name: 'Test', last_name: `Person ${key}` },
    },
    service: { outbox_id: `service-${key}`, name: 'Personal support' },
    visits: [
      {
        outbox_id: options.visit ?? `visit-${key}`,
        start_at: start.toISOString(),
        end_at: new Date(start.getTime() + 3600_000).toISOString(),
      },
    ],
  };
}

/** An expiry an hour from now. */
export const inAnHour = (): string => new Date(Date.now() + 3600_000).toISOString();
