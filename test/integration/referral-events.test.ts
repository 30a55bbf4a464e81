/**
 * Referral events against the marketplace simulator over loopback HTTP, with the real
 * MarketplaceClient (PHI-free referral summaries, mark_processed) and DynamoOfferStore on dynalite:
 * the demand organisation posts an offer with client PHI, assigns automatically, the supply
 * organisation accepts it; the simulator's own ReferralCreated events (carrying client ids) are
 * processed on each side. Supply: the offer is recorded won, the referral marked processed at the
 * simulator, ReferralReceived forwarded once; a second delivery does nothing. Demand: the referral
 * is recorded on our outbox offer, then ReferralProcessed. No PHI is in the table.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import {
  MarketplaceClient,
  type OutboxOfferCreateRequest,
} from '../../lambdas/adapters/marketplace-client';
import { parseRules, type Role } from '../../lambdas/core/config';
import { parseMarketplaceMessage } from '../../lambdas/core/events';
import { createEventProcessor } from '../../lambdas/core/process-event';
import { type MarketplaceSimulator, startSimulator } from '../../sandbox/simulator/simulator';
import { memoryReferralPublisher } from '../support/referral-fakes';
import { useOfferTable } from '../support/dynalite-table';
import { outboxOfferRequest } from '../support/outbox-offer-request';
import { shutDown } from '../support/shut-down';

const TABLE = 'referral-events-test';
const table = useOfferTable(TABLE);
let sim: MarketplaceSimulator;

beforeAll(async () => {
  sim = await startSimulator({ retryDelayMs: 10 });
  sim.setAssignment(sim.demandOrganizationId, 'auto');
});

afterAll(() => shutDown([], [sim]));

const client = (credentials: { username: string; password: string }) =>
  new MarketplaceClient({
    baseUrl: sim.url,
    credentials: async () => credentials,
    timeoutMs: 2000,
  });

/** An outbox offer whose client's id, street and names are PHI canaries, looked for afterwards. */
function offerRequest(key: string): OutboxOfferCreateRequest {
  return outboxOfferRequest({
    key,
    client: {
      outboxId: `client-PHI-${key}`,
      street: `1 Canary Street PHI-${key}`,
      firstName: `First-PHI-${key}`,
      lastName: `Last-PHI-${key}`,
    },
  });
}

function referralEvents(
  channel: 'inbox-referrals' | 'outbox-referrals',
  referralId: string,
  name: string,
) {
  return sim
    .events()
    .filter(
      (event) =>
        event.channel === channel &&
        event.payload.event_name === name &&
        'referral_id' in event.payload &&
        event.payload.referral_id === referralId,
    )
    .map((event) => parseMarketplaceMessage(JSON.stringify(event.payload)));
}

function processorFor(role: Role, credentials: { username: string; password: string }) {
  const documents = table.documents();
  const publisher = memoryReferralPublisher();
  const marketplace = client(credentials);
  const processor = createEventProcessor({
    marketplace,
    store: new DynamoOfferStore(documents, TABLE),
    units: new DynamoUnitStore(documents, TABLE),
    rules: parseRules(JSON.stringify({ defaultAction: 'review' })),
    role,
    referralMarketplace: marketplace,
    markReferralsProcessed: true,
    referralPublisher: publisher,
  });
  return { processor, publisher, store: new DynamoOfferStore(documents, TABLE) };
}

describe('referral events against the simulator', () => {
  it('supply wins, marks processed and forwards once; demand records its referral; no PHI is stored', async () => {
    const key = randomUUID().slice(0, 8);
    const { offer } = await client(sim.demandCredentials).createOutboxOffer(offerRequest(key));
    await client(sim.credentials).acceptInboxOffer(offer.id);
    const referral = sim.referrals().find((r) => r.offer_id === offer.id);
    if (referral === undefined) throw new Error('the simulator made no referral');
    const created = referralEvents('inbox-referrals', referral.id, 'ReferralCreated').at(0);
    if (created === undefined) throw new Error('the simulator published no inbox ReferralCreated');
    // Control: the event really carries the client's ids.
    expect(JSON.stringify(created)).toContain('"client"');

    const supply = processorFor('supply', sim.credentials);
    const result = await supply.processor.processEvent(created, { topicName: 'inbox-referrals' });

    expect(result).toMatchObject({
      outcome: 'won',
      offerId: offer.id,
      referral: {
        id: referral.id,
        won: true,
        markedProcessed: true,
        forwarded: true,
        status: 'processed',
      },
    });
    expect(sim.referrals().find((r) => r.id === referral.id)?.status).toBe('processed');
    expect(supply.publisher.events).toEqual([
      {
        offerId: offer.id,
        referralId: referral.id,
        careType: 'psw',
        offerType: 'visit',
        startAt: referral.start_at,
      },
    ]);
    expect((await supply.store.getOffer(offer.id))?.referral).toMatchObject({
      id: referral.id,
      side: 'inbox',
      status: 'processed',
      wonAt: expect.any(String),
      processedAt: expect.any(String),
      forwardedAt: expect.any(String),
    });

    await expect(
      supply.processor.processEvent(created, { topicName: 'inbox-referrals' }),
    ).resolves.toMatchObject({ outcome: 'duplicate' });
    expect(supply.publisher.events).toHaveLength(1);

    // Demand side: the poster's connector (here on the same table: the same offer id).
    const demand = processorFor('demand', sim.demandCredentials);
    const outboxCreated = referralEvents('outbox-referrals', referral.id, 'ReferralCreated').at(0);
    const outboxProcessed = referralEvents('outbox-referrals', referral.id, 'ReferralProcessed').at(
      0,
    );
    if (outboxCreated === undefined || outboxProcessed === undefined)
      throw new Error('the simulator published no outbox referral events');
    await expect(
      demand.processor.processEvent(outboxProcessed, { topicName: 'outbox-referrals' }),
    ).resolves.toMatchObject({
      outcome: 'recorded',
      referral: { side: 'outbox', status: 'processed' },
    });
    // Supply role ignores outbox referrals.
    await expect(
      supply.processor.processEvent(outboxCreated, { topicName: 'outbox-referrals' }),
    ).resolves.toMatchObject({ outcome: 'ignored' });

    const items = await table.documentClient().send(new ScanCommand({ TableName: TABLE }));
    const text = JSON.stringify(items.Items);
    expect(text).toContain(referral.id);
    expect(text).not.toContain('PHI');
    expect(text).not.toContain(
      (created as { client?: { id?: string } }).client?.id ?? 'no client id',
    );
  });
});
