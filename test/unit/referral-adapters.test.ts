/**
 * Covers the referral adapters and the worker's referral reporting: the client's referral
 * summaries (lambdas/adapters/marketplace/referral-summary.ts) keep only ids, types, status and
 * start, dropping the client PHI the detail carries, and a detail missing a field fails with an
 * error naming it (and no value); the EventBridge publisher puts exactly the PHI-free detail and
 * treats FailedEntryCount as an error; the worker counts won / marked processed / forwarded once
 * and logs ids only.
 */
import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { SQSEvent } from 'aws-lambda';
import {
  EventBridgeReferralPublisher,
  REFERRAL_EVENT_SOURCE,
  REFERRAL_RECEIVED_DETAIL_TYPE,
  ReferralPublishError,
} from '../../lambdas/adapters/eventbridge-referral-publisher';
import { MarketplaceClient, MarketplaceError } from '../../lambdas/adapters/marketplace-client';
import { parseRules } from '../../lambdas/core/config';
import { createWorker, WORKER_METRICS } from '../../lambdas/worker/worker';
import { queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import {
  fakeReferralApi,
  memoryReferralPublisher,
  REFERRAL_ID,
  REFERRAL_OFFER_ID,
} from '../support/referral-fakes';
import { CapturingLogger, RecordingMetrics, sqsRecord } from '../support/worker-observability';
import { without } from '../support/without';

const PHI = [
  'Ada-PHI',
  'Lovelace-PHI',
  '12 Canary Lane-PHI',
  '+1-555-0100-PHI',
  '1931-02-03',
  'Diabetes-PHI',
  'client-id-PHI',
  'client-outbox-PHI',
];

function referralDetail(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    referral: {
      id: REFERRAL_ID,
      sequence_id: 'seq-1',
      offer_id: REFERRAL_OFFER_ID,
      shift_id: 'shift-1',
      care_type: 'nursing',
      referral_type: 'visit',
      status: 'assigned',
      start_at: '2026-05-03T09:00:00Z',
      end_at: '2026-05-03T10:00:00Z',
      comment: 'Ring twice, Ada-PHI',
      created_at: '2026-05-01T08:00:00Z',
      ...overrides,
    },
    demand: { id: 'd-1', name: 'Demo Health' },
    client: {
      id: 'client-id-PHI',
      outbox_id: 'client-outbox-PHI',
      address: {
        address: '12 Canary Lane-PHI',
        city: 'Toronto',
        state: 'ON',
        zip: 'M5V',
        country: 'CA',
        phone: '+1-555-0100-PHI',
      },
      demographics: { first_name: 'Ada-PHI', last_name: 'Lovelace-PHI', birthdate: '1931-02-03' },
      custom_fields: [{ name: 'diagnosis', value: 'Diabetes-PHI' }],
    },
    service: { id: 's-1', name: 'Nursing' },
    visits: [
      {
        id: 'v-1',
        start_at: '2026-05-03T09:00:00Z',
        end_at: '2026-05-03T10:00:00Z',
        instructions: 'Diabetes-PHI',
      },
    ],
    revision: { revision_group_id: 'g', revision_number: 1, is_latest_revision: true },
  };
}

function clientAnswering(body: unknown): { client: MarketplaceClient; paths: string[] } {
  const paths: string[] = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.pathname === '/auth/v1/login')
      return new Response(JSON.stringify({ IdToken: 'token', ExpiresIn: 3600 }), { status: 200 });
    paths.push(url.pathname);
    return new Response(JSON.stringify(body), { status: 200 });
  };
  return {
    client: new MarketplaceClient({
      baseUrl: 'https://api.test',
      credentials: async () => ({ username: 'u', password: 'p' }),
      fetch,
      retry: { maxAttempts: 1 },
    }),
    paths,
  };
}

describe('referral summaries (MarketplaceClient)', () => {
  it.each([
    ['getInboxReferralSummary', '/offers/v1/inbox/referrals/'],
    ['getOutboxReferralSummary', '/offers/v1/outbox/referrals/'],
  ] as const)('%s keeps ids, types, status and start only', async (method, path) => {
    const { client, paths } = clientAnswering(referralDetail());
    const summary = await client[method](REFERRAL_ID);
    expect(summary).toEqual({
      id: REFERRAL_ID,
      offerId: REFERRAL_OFFER_ID,
      shiftId: 'shift-1',
      careType: 'nursing',
      offerType: 'visit',
      status: 'assigned',
      startAt: '2026-05-03T09:00:00Z',
    });
    expect(paths).toEqual([`${path}${REFERRAL_ID}`]);
    for (const value of PHI) expect(JSON.stringify(summary)).not.toContain(value);
  });

  it('reads a care type it does not know as unknown, and a null shift as none', async () => {
    const { client } = clientAnswering(referralDetail({ care_type: 'respite', shift_id: null }));
    const summary = await client.getInboxReferralSummary(REFERRAL_ID);
    expect(summary.careType).toBe('unknown');
    expect(summary).not.toHaveProperty('shiftId');
  });

  it.each(['offer_id', 'status', 'start_at'])(
    'a detail without referral.%s fails with an error naming it, quoting nothing',
    async (field) => {
      const detail = referralDetail();
      const { client } = clientAnswering({
        ...detail,
        referral: without(detail.referral as Record<string, unknown>, field),
      });
      const error = await client.getInboxReferralSummary(REFERRAL_ID).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MarketplaceError);
      expect((error as Error).message).toContain(`referral.${field}`);
      for (const value of PHI) expect((error as Error).message).not.toContain(value);
    },
  );

  it('a broken client part of the detail does not matter: it is never read', async () => {
    const { client } = clientAnswering({
      ...referralDetail(),
      client: 'not an object',
      visits: 42,
    });
    await expect(client.getInboxReferralSummary(REFERRAL_ID)).resolves.toMatchObject({
      offerId: REFERRAL_OFFER_ID,
    });
  });
});

describe('EventBridgeReferralPublisher', () => {
  const BUS = 'arn:aws:events:ca-central-1:123456789012:event-bus/referrals';
  const event = {
    offerId: 'o-1',
    referralId: 'r-1',
    careType: 'psw',
    offerType: 'visit',
    startAt: '2026-05-03T09:00:00Z',
  };

  function fakeClient(output: unknown) {
    const sent: PutEventsCommand[] = [];
    return {
      sent,
      client: { send: async (command: PutEventsCommand) => (sent.push(command), output) } as never,
    };
  }

  it('puts one ReferralReceived entry on the bus with exactly the PHI-free fields', async () => {
    const { client, sent } = fakeClient({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await new EventBridgeReferralPublisher(client, BUS).publishReferralReceived({
      ...event,
      client: { id: 'client-id-PHI' },
    } as never);
    expect(sent).toHaveLength(1);
    const entries = sent[0]?.input.Entries ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      EventBusName: BUS,
      Source: REFERRAL_EVENT_SOURCE,
      DetailType: REFERRAL_RECEIVED_DETAIL_TYPE,
    });
    expect(JSON.parse(entries[0]?.Detail ?? '')).toEqual(event);
  });

  it('a refused entry (FailedEntryCount) is an error, so the record is retried', async () => {
    const { client } = fakeClient({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    await expect(
      new EventBridgeReferralPublisher(client, BUS).publishReferralReceived(event),
    ).rejects.toThrow(ReferralPublishError);
    await expect(
      new EventBridgeReferralPublisher(client, BUS).publishReferralReceived(event),
    ).rejects.toThrow('InternalFailure');
  });

  it('an answer with no entry result is an error too', async () => {
    const { client } = fakeClient({ FailedEntryCount: 0, Entries: [] });
    await expect(
      new EventBridgeReferralPublisher(client, BUS).publishReferralReceived(event),
    ).rejects.toThrow(ReferralPublishError);
  });
});

describe('worker, referrals', () => {
  it('counts a won offer, a referral marked processed and an event forwarded once, and logs ids only', async () => {
    const store = new MemoryOfferStore();
    const logger = new CapturingLogger();
    const metrics = new RecordingMetrics();
    const publisher = memoryReferralPublisher();
    const worker = createWorker({
      marketplace: fakeMarketplace(),
      store,
      units: store,
      rules: parseRules(JSON.stringify({ defaultAction: 'review' })),
      role: 'supply',
      referralMarketplace: fakeReferralApi(),
      markReferralsProcessed: true,
      referralPublisher: publisher,
      logger,
      metrics,
    });
    const message = {
      event_id: 'ev-ref-1',
      event_name: 'ReferralCreated',
      event_source: 'alayamarket.referrals',
      timestamp: '2026-05-01T08:00:00Z',
      id: REFERRAL_ID,
      referral_id: REFERRAL_ID,
      client: { id: 'client-id-PHI', outbox_id: 'client-outbox-PHI' },
    };
    const record = sqsRecord({
      ...queuedEvent(message),
      topicArn: 'arn:aws:sns:ca-central-1:123456789012:inbox-referrals',
    });
    const batch: SQSEvent = { Records: [record] };

    await expect(worker(batch)).resolves.toEqual({ batchItemFailures: [] });
    await worker(batch); // redelivered: a duplicate, counted as such only

    expect(metrics.published[0]).toMatchObject({
      [WORKER_METRICS.referralsWon]: 1,
      [WORKER_METRICS.referralsMarkedProcessed]: 1,
      [WORKER_METRICS.referralEventsForwarded]: 1,
    });
    expect(metrics.published[1]).toEqual({ [WORKER_METRICS.duplicate]: 1 });
    expect(logger.withMessage('Event processed')[0]).toMatchObject({
      offerId: REFERRAL_OFFER_ID,
      referral: { id: REFERRAL_ID, side: 'inbox', won: true, forwarded: true },
    });
    expect(logger.text()).not.toContain('PHI');
    expect(publisher.events).toHaveLength(1);
  });

  it('names the referral on the lines of a referral event that fails (its offer is not known until its summary is read)', async () => {
    const store = new MemoryOfferStore();
    const logger = new CapturingLogger();
    const api = fakeReferralApi();
    api.failNext('getInboxReferralSummary');
    const worker = createWorker({
      marketplace: fakeMarketplace(),
      store,
      units: store,
      rules: parseRules(JSON.stringify({ defaultAction: 'review' })),
      role: 'supply',
      referralMarketplace: api,
      logger,
    });
    const record = sqsRecord(
      {
        ...queuedEvent({
          event_id: 'ev-ref-2',
          event_name: 'ReferralCreated',
          event_source: 'alayamarket.referrals',
          timestamp: '2026-05-01T08:00:00Z',
          id: REFERRAL_ID,
          referral_id: REFERRAL_ID,
          client: { id: 'client-id-PHI' },
        }),
        topicArn: 'arn:aws:sns:ca-central-1:123456789012:inbox-referrals',
      },
      { messageId: 'm-ref' },
    );

    const response = await worker({ Records: [record] });

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-ref' }]);
    const failed = logger.lines.filter((line) => line.messageId === 'm-ref');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ eventId: 'ev-ref-2', referralId: REFERRAL_ID });
    expect(logger.text()).not.toContain('PHI');
  });
});
