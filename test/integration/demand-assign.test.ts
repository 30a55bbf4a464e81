/**
 * The demand side against the marketplace simulator over loopback HTTP, with the real
 * MarketplaceClient (as MarketplaceDemandApi) and DynamoOfferStore on dynalite: the demand
 * organisation publishes an offer, a supplier accepts it, and the worker's processEvent for the
 * simulator's own OfferAccepted event assigns it (manual assignment); a second delivery acts once;
 * with auto assignment no assign call is made. Policy details and crash recovery are in
 * test/unit/process-event-demand.test.ts and demand-assignment.test.ts; SQS and Lambda wiring in the
 * worker unit tests and test/e2e.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { cachedDynamoClient, Documents } from '../../lambdas/adapters/dynamo-documents';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import {
  MarketplaceClient,
  type OutboxOfferCreateRequest,
} from '../../lambdas/adapters/marketplace-client';
import { createOfferTable } from '../../lambdas/adapters/offer-table';
import { parseRules } from '../../lambdas/core/config';
import type { MarketplaceDemandApi } from '../../lambdas/core/ports';
import { parseMarketplaceMessage } from '../../lambdas/core/events';
import { createEventProcessor } from '../../lambdas/core/process-event';
import { EMULATOR_AWS, startDynalite, type RunningEmulator } from '../../sandbox/emulators';
import { type MarketplaceSimulator, startSimulator } from '../../sandbox/simulator/simulator';
import { outboxOfferRequest } from '../support/outbox-offer-request';
import { shutDown } from '../support/shut-down';

const TABLE = 'demand-assign-test';

let sim: MarketplaceSimulator;
let dynalite: RunningEmulator;
let raw: DynamoDBClient;
let store: DynamoOfferStore;

beforeAll(async () => {
  sim = await startSimulator({ retryDelayMs: 10 });
  dynalite = await startDynalite();
  raw = cachedDynamoClient({ ...EMULATOR_AWS, endpoint: dynalite.endpoint });
  await createOfferTable(raw, TABLE);
  store = new DynamoOfferStore(new Documents(raw), TABLE);
});

afterAll(() => shutDown([raw], [dynalite, sim]));

afterEach(() => {
  sim.setAssignment(sim.demandOrganizationId, 'manual');
});

const client = (credentials: { username: string; password: string }) =>
  new MarketplaceClient({
    baseUrl: sim.url,
    credentials: async () => credentials,
    timeoutMs: 2000,
  });

/** The demand client, with every assign call it is asked to make noted. */
function countingDemand(): {
  api: MarketplaceDemandApi;
  assigns: { offerId: string; matchId: string }[];
} {
  const inner = client(sim.demandCredentials);
  const assigns: { offerId: string; matchId: string }[] = [];
  return {
    assigns,
    api: {
      getAssignmentSetting: () => inner.getAssignmentSetting(),
      listAcceptedMatches: (offerId) => inner.listAcceptedMatches(offerId),
      getOutboxOfferStatus: (offerId) => inner.getOutboxOfferStatus(offerId),
      assignOutboxOffer: async (offerId, matchId) => {
        assigns.push({ offerId, matchId });
        await inner.assignOutboxOffer(offerId, matchId);
      },
    },
  };
}

function processorFor(api: MarketplaceDemandApi) {
  return createEventProcessor({
    marketplace: client(sim.credentials),
    store,
    units: new DynamoUnitStore(new Documents(raw), TABLE),
    rules: parseRules(JSON.stringify({ defaultAction: 'review' })),
    role: 'demand',
    demandAssignment: 'first-accepted',
    demandMarketplace: api,
  });
}

/** An outbox offer whose client's last name is a PHI canary, looked for in the offer table. */
function offerRequest(): OutboxOfferCreateRequest {
  const key = randomUUID().slice(0, 8);
  return outboxOfferRequest({ key, client: { lastName: `Client-PHI-${key}` } });
}

/** The OfferAccepted events the simulator published for an offer, as the worker would parse them. */
function acceptedEvents(offerId: string) {
  return sim
    .events()
    .filter(
      (event) =>
        event.channel === 'outbox-offers' &&
        event.payload.event_name === 'OfferAccepted' &&
        event.payload.offer_id === offerId,
    )
    .map((event) => parseMarketplaceMessage(JSON.stringify(event.payload)));
}

describe('OfferAccepted on the demand side, against the simulator', () => {
  it('assigns the offer to the accepted match with manual assignment, and a second delivery acts once', async () => {
    const demand = client(sim.demandCredentials);
    const { offer } = await demand.createOutboxOffer(offerRequest());
    await client(sim.credentials).acceptInboxOffer(offer.id);
    const event = acceptedEvents(offer.id).at(0);
    if (event === undefined) throw new Error('the simulator published no OfferAccepted');
    const acceptedMatch = (await demand.listAcceptedMatches(offer.id)).at(0);
    const { api, assigns } = countingDemand();
    const processor = processorFor(api);

    const result = await processor.processEvent(event);

    expect(result).toMatchObject({
      outcome: 'assigned',
      offerId: offer.id,
      assignment: { matchId: acceptedMatch?.id },
    });
    expect(assigns).toEqual([{ offerId: offer.id, matchId: acceptedMatch?.id }]);
    expect(await demand.getOutboxOfferStatus(offer.id)).toBe('assigned');
    expect((await store.getOffer(offer.id))?.assignment).toMatchObject({
      matchId: acceptedMatch?.id,
      state: 'applied',
      eventId: event.event_id,
    });
    // The record holds ids only, never the client data the outbox offer carries.
    expect(JSON.stringify(await store.getOffer(offer.id))).not.toContain('PHI');

    await expect(processor.processEvent(event)).resolves.toMatchObject({ outcome: 'duplicate' });
    // The same offer seen through another event (e.g. SNS MessageId differs, event id differs).
    await expect(
      processor.processEvent({ ...event, event_id: randomUUID() }),
    ).resolves.toMatchObject({ outcome: 'already-assigned' });
    expect(assigns).toHaveLength(1);
  });

  it('records an offer assigned meanwhile by someone else without calling assign', async () => {
    const demand = client(sim.demandCredentials);
    const { offer } = await demand.createOutboxOffer(offerRequest());
    await client(sim.credentials).acceptInboxOffer(offer.id);
    const match = (await demand.listAcceptedMatches(offer.id)).at(0);
    await demand.assignOutboxOffer(offer.id, String(match?.id));
    const event = acceptedEvents(offer.id).at(0);
    if (event === undefined) throw new Error('the simulator published no OfferAccepted');
    const { api, assigns } = countingDemand();

    await expect(processorFor(api).processEvent(event)).resolves.toMatchObject({
      outcome: 'not-actionable',
      offerId: offer.id,
    });
    expect(assigns).toEqual([]);
    expect((await store.getOffer(offer.id))?.lastEventName).toBe('OfferAccepted');
  });

  it('makes no assign call when the organisation assigns automatically', async () => {
    sim.setAssignment(sim.demandOrganizationId, 'auto');
    const demand = client(sim.demandCredentials);
    const { offer } = await demand.createOutboxOffer(offerRequest());
    await client(sim.credentials).acceptInboxOffer(offer.id);
    const event = acceptedEvents(offer.id).at(0);
    if (event === undefined) throw new Error('the simulator published no OfferAccepted');
    const { api, assigns } = countingDemand();

    await expect(processorFor(api).processEvent(event)).resolves.toMatchObject({
      outcome: 'recorded',
      offerId: offer.id,
    });
    expect(assigns).toEqual([]);
    expect((await store.getOffer(offer.id))?.assignment).toBeUndefined();
    // The marketplace assigned it by itself.
    expect(await demand.getOutboxOfferStatus(offer.id)).toBe('assigned');
  });
});
