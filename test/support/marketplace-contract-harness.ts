/**
 * Shared by the marketplace-contract-*.test.ts integration tests: useMarketplaceContract() runs the
 * marketplace simulator for the calling file and gives each test fresh supply and demand clients
 * whose waits and log lines are recorded (live bindings, read inside tests only), then checks that
 * no log line carried a password or a token and resets the simulator's faults and settings.
 * clientFor() makes another such client; offerRequest() is a valid outbox offer to create
 * (outbox-offer-request.ts), its client with an allergy.
 */
import {
  MarketplaceClient,
  type MarketplaceClientOptions,
  type MarketplaceLogEntry,
  type OutboxOfferCreateRequest,
} from '../../lambdas/adapters/marketplace-client';
import { type MarketplaceSimulator, startSimulator } from '../../sandbox/simulator/simulator';
import { hourFromNow, outboxOfferRequest } from './outbox-offer-request';
import { requestUrl } from './request-url';

export let sim: MarketplaceSimulator;
export let supply: MarketplaceClient;
export let demand: MarketplaceClient;
export let sleeps: number[];
export let logs: MarketplaceLogEntry[];
export let loginCount: number;

/** Every token the simulator issued in this file, to prove none reaches a log line or error. */
const issuedTokens: string[] = [];

/** Counts logins so re-login behaviour is visible, and notes the tokens; otherwise plain fetch. */
export const countingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (requestUrl(input).endsWith('/auth/v1/login')) {
    loginCount++;
    const body = (await response.clone().json()) as { IdToken?: string };
    if (body.IdToken) issuedTokens.push(body.IdToken);
  }
  return response;
};

export function clientFor(
  credentials: { username: string; password: string },
  extra: Partial<MarketplaceClientOptions> = {},
): MarketplaceClient {
  return new MarketplaceClient({
    baseUrl: sim.url,
    credentials: async () => credentials,
    timeoutMs: 1000,
    fetch: countingFetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: (entry) => logs.push(entry),
    retry: { maxAttempts: 4 },
    ...extra,
  });
}

/** Registers the calling file's hooks: the simulator, fresh clients per test, the log check. */
export function useMarketplaceContract(): void {
  beforeAll(async () => {
    sim = await startSimulator({ retryDelayMs: 10 });
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(() => {
    sleeps = [];
    logs = [];
    loginCount = 0;
    supply = clientFor(sim.credentials);
    demand = clientFor(sim.demandCredentials);
  });
  afterEach(() => {
    // Whatever a test made fail, no log line carries a password or a token.
    const logged = JSON.stringify(logs);
    for (const secret of [
      sim.credentials.password,
      sim.demandCredentials.password,
      ...issuedTokens,
    ])
      expect(logged).not.toContain(secret);
    sim.faults.clear();
    sim.setTokenTtl(3600);
    sim.setAssignment(sim.demandOrganizationId, 'manual');
  });
}

export { hourFromNow };

/** A valid outbox offer to create (outbox-offer-request.ts), its client with an allergy. */
export function offerRequest(
  overrides: Partial<OutboxOfferCreateRequest['offer']> = {},
): OutboxOfferCreateRequest {
  return outboxOfferRequest({
    offer: overrides,
    client: { allergies: [{ name: 'Peanuts (simulated)' }] },
  });
}

/** Accept/decline calls the simulator recorded for one offer (routed requests only). */
export const callsFor = (offerId: string) => sim.calls().filter((c) => c.offerId === offerId);
