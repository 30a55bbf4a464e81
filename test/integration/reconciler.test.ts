/**
 * Covers the reconciler end to end on the local stand-ins: the marketplace simulator drops the
 * SNS delivery of an offer (fault injection, dropRate 1), the reconciler (createReconciler with
 * the real MarketplaceClient, DynamoOfferStore on dynalite and SqsEventQueue on fauxqs) finds the
 * undecided open offer, skips one already decided, and enqueues one event; the worker (createWorker
 * with the same real adapters) decides it from that queue message, and the next run enqueues
 * nothing. Then: one event per shift, an offer a worker holds skipped, a malformed list item
 * skipped and counted, enqueue marks written to the table and backed off on the next run until
 * the backoff has passed; and no offer skipped while offers are closed and added between the
 * page reads. Planning rules in detail are in test/unit/reconcile.test.ts and
 * reconciler-run.test.ts; the schedule, grants and alarm in test/infra.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import * as v from 'valibot';
import { cachedDynamoClient, Documents } from '../../lambdas/adapters/dynamo-documents';
import type { SQSRecord } from 'aws-lambda';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { MarketplaceClient } from '../../lambdas/adapters/marketplace-client';
import { createOfferTable } from '../../lambdas/adapters/offer-table';
import { SqsEventQueue } from '../../lambdas/adapters/sqs-event-queue';
import { parseRules } from '../../lambdas/core/config';
import { QUEUE_ATTRIBUTES, queuedEventSchema } from '../../lambdas/core/events';
import { RECONCILER_TOPIC_ARN } from '../../lambdas/core/reconcile';
import { createReconciler, type ReconcilerDeps } from '../../lambdas/reconciler/reconciler';
import { createWorker } from '../../lambdas/worker/worker';
import {
  EMULATOR_AWS,
  startDynalite,
  startFauxqs,
  type RunningEmulator,
} from '../../sandbox/emulators';
import { startSimulator, type MarketplaceSimulator } from '../../sandbox/simulator/simulator';
import { SnsCollector } from '../contract/sns-collector';
import { CapturingLogger, RecordingMetrics } from '../support/worker-observability';
import { shutDown } from '../support/shut-down';

const TABLE = 'reconciler-offers';

let sim: MarketplaceSimulator;
let collector: SnsCollector;
let dynalite: RunningEmulator;
let fauxqs: RunningEmulator;
let dynamo: DynamoDBClient;
let sqs: SQSClient;
let store: DynamoOfferStore;
let queueUrl: string;

beforeAll(async () => {
  [sim, dynalite, fauxqs] = await Promise.all([
    startSimulator({ retryDelayMs: 10 }),
    startDynalite(),
    startFauxqs(),
  ]);
  collector = new SnsCollector(sim);
  await collector.start();
  await sim.subscribe(sim.inboxOffersTopicArn, collector.url);

  dynamo = cachedDynamoClient({ ...EMULATOR_AWS, endpoint: dynalite.endpoint });
  await createOfferTable(dynamo, TABLE);
  store = new DynamoOfferStore(new Documents(dynamo), TABLE);
  sqs = new SQSClient({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint });
  const created = await sqs.send(new CreateQueueCommand({ QueueName: `events-${Date.now()}` }));
  if (!created.QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  queueUrl = created.QueueUrl;
});

afterAll(() => shutDown([dynamo, sqs], [collector, sim, dynalite, fauxqs]));

function marketplace(): MarketplaceClient {
  return new MarketplaceClient({
    baseUrl: sim.url,
    credentials: async () => sim.credentials,
    sleep: async () => undefined,
  });
}

function reconciler(
  logger: CapturingLogger,
  metrics: RecordingMetrics,
  extra: Partial<ReconcilerDeps> = {},
) {
  // The simulator's offers are matched just now; the two-minute grace for SNS is covered in the unit tests.
  return createReconciler({
    inbox: marketplace(),
    store,
    queue: new SqsEventQueue(sqs, queueUrl),
    logger,
    metrics,
    minMatchAgeMs: 0,
    ...extra,
  });
}

async function receiveAll(url = queueUrl): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages ?? [];
}

async function newQueue(): Promise<string> {
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: `events-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
    }),
  );
  if (!created.QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  return created.QueueUrl;
}

/** The offer ids of every message on the queue (received until it is empty). */
async function enqueuedOffers(url: string): Promise<string[]> {
  const ids: string[] = [];
  for (let batch = await receiveAll(url); batch.length > 0; batch = await receiveAll(url)) {
    for (const message of batch)
      ids.push(
        String(
          (
            JSON.parse(v.parse(queuedEventSchema, JSON.parse(message.Body ?? '')).message) as {
              offer_id: unknown;
            }
          ).offer_id,
        ),
      );
  }
  return ids.sort();
}

/** A fetch for the client that lets a test rewrite inbox list answers, or act before one is read. */
function inboxFetch(hooks: {
  rewrite?: (body: { items: Record<string, unknown>[] }) => void;
  beforeList?: (read: number) => void;
}): typeof fetch {
  let reads = 0;
  return async (input, init) => {
    const isList =
      new URL(input instanceof Request ? input.url : input).pathname === '/offers/v1/inbox/offers';
    if (isList) hooks.beforeList?.(reads++);
    const response = await fetch(input, init);
    if (!isList || hooks.rewrite === undefined || !response.ok) return response;
    const body = (await response.json()) as { items: Record<string, unknown>[] };
    hooks.rewrite(body);
    return new Response(JSON.stringify(body), {
      status: response.status,
      headers: { 'Content-Type': 'application/json' },
    });
  };
}

/** The SQS record Lambda's event source would hand the worker for a received message. */
function toRecord(message: Message): SQSRecord {
  const attributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    attributes[name] = {
      stringValue: value.StringValue ?? '',
      dataType: 'String',
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId ?? 'unknown',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: attributes,
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:ca-central-1:111122223333:events',
    awsRegion: 'ca-central-1',
  };
}

it('enqueues the offer whose SNS delivery was dropped; the worker decides it; the next run enqueues nothing', async () => {
  // An offer decided earlier (a person is reviewing it): still pending and open in the inbox.
  const reviewed = sim.addOffer({ careType: 'psw' });
  await sim.idle();
  await store.recordDecision(reviewed.offer.id, {
    action: 'review',
    rule: 'default',
    reason: 'no rule matched',
    state: 'applied',
    eventId: 'earlier-event',
    decidedAt: new Date().toISOString(),
  });

  sim.faults.set({ delivery: { dropRate: 1 } });
  const dropped = sim.addOffer({ careType: 'psw' });
  await sim.idle();
  sim.faults.clear();
  expect(collector.payloads(sim.inboxOffersTopicArn).map((p) => p['offer_id'])).not.toContain(
    dropped.offer.id,
  );
  expect(sim.deliveries().filter((d) => d.dropped)).toHaveLength(1);

  const logger = new CapturingLogger();
  const metrics = new RecordingMetrics();
  const summary = await reconciler(logger, metrics)();
  expect(summary).toEqual(expect.objectContaining({ seen: 2, enqueued: 1 }));
  expect(summary.skipped.decided).toBe(1);

  const messages = await receiveAll();
  expect(messages).toHaveLength(1);
  const message = messages.at(0);
  if (message === undefined) throw new Error('no message');
  const queued = v.parse(queuedEventSchema, JSON.parse(message.Body ?? ''));
  expect(queued).toEqual(
    expect.objectContaining({ origin: 'reconciler', topicArn: RECONCILER_TOPIC_ARN }),
  );
  expect(JSON.parse(queued.message)).toEqual(
    expect.objectContaining({ event_name: 'OfferMatched', offer_id: dropped.offer.id }),
  );
  expect(message.MessageAttributes?.[QUEUE_ATTRIBUTES.correlationId]?.StringValue).toBe(
    summary.runId,
  );

  const worker = createWorker({
    marketplace: marketplace(),
    store,
    units: new DynamoUnitStore(new Documents(dynamo), TABLE),
    rules: parseRules(JSON.stringify({ defaultAction: 'accept', rules: [] })),
    role: 'supply',
    logger: new CapturingLogger(),
  });
  expect(await worker({ Records: [toRecord(message)] })).toEqual({ batchItemFailures: [] });
  expect(sim.getOffer(dropped.offer.id)?.match.response).toBe('accepted');
  expect((await store.getOffer(dropped.offer.id))?.decision).toEqual(
    expect.objectContaining({ action: 'accept', state: 'applied' }),
  );
  expect(sim.getOffer(reviewed.offer.id)?.match.response).toBe('pending');

  const again = await reconciler(new CapturingLogger(), new RecordingMetrics())();
  expect(again.enqueued).toBe(0);
  expect(await receiveAll()).toEqual([]);
});

it('sends one event per shift, skips an offer a worker holds and a malformed item, marks what it sent and backs off until the backoff has passed', async () => {
  const shift = sim.addShift([{ careType: 'psw' }, { careType: 'psw' }]);
  const lone = sim.addOffer({ careType: 'nursing' });
  const held = sim.addOffer({ careType: 'psw' });
  const broken = sim.addOffer({ careType: 'psw' });
  await sim.idle();
  await store.recordDecision(held.offer.id, {
    action: 'accept',
    rule: 'default',
    reason: 'test',
    state: 'intended',
    eventId: 'worker-now',
    decidedAt: new Date().toISOString(),
  });
  // The marketplace answers one list item the API schema does not allow.
  const rewrite = (body: { items: Record<string, unknown>[] }) => {
    for (const entry of body.items) {
      const { offer, match } = entry as {
        offer?: { id?: string };
        match?: Record<string, unknown>;
      };
      if (offer?.id === broken.offer.id && match !== undefined) match['response'] = 'unheard-of';
    }
  };
  const inbox = new MarketplaceClient({
    baseUrl: sim.url,
    credentials: async () => sim.credentials,
    sleep: async () => undefined,
    fetch: inboxFetch({ rewrite }),
  });
  const url = await newQueue();
  const logger = new CapturingLogger();
  const metrics = new RecordingMetrics();
  const first = new Date();
  const run = (at: Date) =>
    reconciler(logger, metrics, { inbox, queue: new SqsEventQueue(sqs, url), now: () => at })();

  const summary = await run(first);

  const shiftIds = shift.map((o) => o.offer.id).sort();
  expect(await enqueuedOffers(url)).toEqual([shiftIds[0], lone.offer.id].sort());
  expect(summary).toEqual(expect.objectContaining({ malformed: 1 }));
  expect(summary.skipped).toEqual(expect.objectContaining({ 'same-shift': 1, 'in-flight': 1 }));
  expect(logger.withMessage('Inbox list item skipped: it does not match the API schema')).toEqual([
    expect.objectContaining({ offerId: broken.offer.id, fields: ['match.response'] }),
  ]);
  expect(metrics.published[0]).toEqual(expect.objectContaining({ ReconcilerItemsMalformed: 1 }));
  expect((await store.getOffer(lone.offer.id))?.reconciler).toEqual({
    lastEnqueuedAt: first.toISOString(),
    enqueues: 1,
  });
  expect((await store.getOffer(shiftIds[0]))?.reconciler?.enqueues).toBe(1);

  // Five minutes on: both are within their 10-minute backoff (the shift's other offer waits with it).
  const early = await run(new Date(first.getTime() + 5 * 60_000));
  expect(early.enqueued).toBe(0);
  expect(early.skipped).toEqual(expect.objectContaining({ 'backed-off': 2, 'same-shift': 1 }));
  expect(await enqueuedOffers(url)).toEqual([]);

  // Eleven minutes on: due again (and the held offer's intent is now old enough to repair).
  const later = await run(new Date(first.getTime() + 11 * 60_000));
  expect(later.skipped['backed-off']).toBe(0);
  expect(await enqueuedOffers(url)).toEqual([shiftIds[0], lone.offer.id, held.offer.id].sort());
  expect((await store.getOffer(lone.offer.id))?.reconciler?.enqueues).toBe(2);
  for (const value of ['Montréal', 'psw', 'nursing']) expect(logger.text()).not.toContain(value);
});

it('skips no offer while offers are closed and added between page reads', async () => {
  // Only this test's offers in the open list: earlier ones are closed (those not open refuse, which is fine).
  for (const { offer } of sim.offers()) {
    try {
      sim.closeOffer(offer.id);
    } catch {
      // Not open any more.
    }
  }
  // Seven offers in pages of two: [f0 f1] [f2 f3] [f4 f5] [f6], oldest modification first.
  const fresh = Array.from({ length: 7 }, () => sim.addOffer({ careType: 'psw' }).offer.id);
  await sim.idle();
  // After two page reads, f0 and f1 (page 1) are closed and everything after them moves up two
  // places: reading pages 1, 2, 3, 4 in turn would now skip f4 and f5. A new offer is added too.
  const beforeList = (read: number) => {
    if (read === 2) sim.addOffer({ careType: 'psw' });
    if (read === 3) for (const id of fresh.slice(0, 2)) sim.closeOffer(id);
  };
  const inbox = new MarketplaceClient({
    baseUrl: sim.url,
    credentials: async () => sim.credentials,
    sleep: async () => undefined,
    fetch: inboxFetch({ beforeList }),
  });
  const url = await newQueue();

  const summary = await reconciler(new CapturingLogger(), new RecordingMetrics(), {
    inbox,
    queue: new SqsEventQueue(sqs, url),
    pageSize: 2,
  })();

  const sent = await enqueuedOffers(url);
  expect(sent).toEqual(expect.arrayContaining(fresh.slice(2)));
  expect(summary.enqueued).toBe(sent.length);
  await sim.idle();
});
