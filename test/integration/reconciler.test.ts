/**
 * Covers the reconciler end to end on the local stand-ins: the marketplace simulator drops the
 * SNS delivery of an offer (fault injection, dropRate 1), the reconciler (createReconciler with
 * the real MarketplaceClient, DynamoOfferStore on dynalite and SqsEventQueue on fauxqs) finds the
 * undecided open offer, skips one already decided, and enqueues one event; the worker (createWorker
 * with the same real adapters) decides it from that queue message, and the next run enqueues
 * nothing. Planning rules in detail are in test/unit/reconcile.test.ts; the schedule, grants and
 * alarm in test/infra.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { MarketplaceClient } from '../../lambdas/adapters/marketplace-client';
import { createOfferTable } from '../../lambdas/adapters/offer-table';
import { SqsEventQueue } from '../../lambdas/adapters/sqs-event-queue';
import { parseRules } from '../../lambdas/core/config';
import { QUEUE_ATTRIBUTES, queuedEventSchema } from '../../lambdas/core/events';
import { RECONCILER_TOPIC_ARN } from '../../lambdas/core/reconcile';
import { createReconciler } from '../../lambdas/reconciler/reconciler';
import { createWorker } from '../../lambdas/worker/worker';
import { EMULATOR_AWS, startDynalite, startFauxqs, type RunningEmulator } from '../../sandbox/emulators';
import { startSimulator, type MarketplaceSimulator } from '../../sandbox/simulator/simulator';
import { SnsCollector } from '../contract/sns-collector';
import { CapturingLogger, RecordingMetrics } from '../support/worker-observability';

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
  [sim, dynalite, fauxqs] = await Promise.all([startSimulator({ retryDelayMs: 10 }), startDynalite(), startFauxqs()]);
  collector = new SnsCollector(sim);
  await collector.start();
  await sim.subscribe(sim.inboxOffersTopicArn, collector.url);

  dynamo = new DynamoDBClient({ ...EMULATOR_AWS, endpoint: dynalite.endpoint });
  await createOfferTable(dynamo, TABLE);
  store = new DynamoOfferStore(DynamoDBDocumentClient.from(dynamo), TABLE);
  sqs = new SQSClient({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint });
  const created = await sqs.send(new CreateQueueCommand({ QueueName: `events-${Date.now()}` }));
  if (!created.QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  queueUrl = created.QueueUrl;
});

afterAll(async () => {
  await collector?.stop();
  await sim?.stop();
  dynamo?.destroy();
  sqs?.destroy();
  await Promise.all([dynalite?.stop(), fauxqs?.stop()]);
});

function marketplace(): MarketplaceClient {
  return new MarketplaceClient({ baseUrl: sim.url, credentials: async () => sim.credentials, sleep: async () => undefined });
}

function reconciler(logger: CapturingLogger, metrics: RecordingMetrics) {
  // The simulator's offers are matched just now; the two-minute grace for SNS is covered in the unit tests.
  return createReconciler({ inbox: marketplace(), store, queue: new SqsEventQueue(sqs, queueUrl), logger, metrics, minMatchAgeMs: 0 });
}

async function receiveAll(): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
  );
  return Messages ?? [];
}

/** The SQS record Lambda's event source would hand the worker for a received message. */
function toRecord(message: Message): SQSRecord {
  const attributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    attributes[name] = { stringValue: value.StringValue ?? '', dataType: 'String', stringListValues: [], binaryListValues: [] };
  }
  return {
    messageId: message.MessageId ?? 'unknown',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'local', ApproximateFirstReceiveTimestamp: '0' },
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
  expect(collector.payloads(sim.inboxOffersTopicArn).map((p) => p['offer_id'])).not.toContain(dropped.offer.id);
  expect(sim.deliveries().filter((d) => d.dropped)).toHaveLength(1);

  const logger = new CapturingLogger();
  const metrics = new RecordingMetrics();
  const summary = await reconciler(logger, metrics)();
  expect(summary).toEqual(expect.objectContaining({ seen: 2, enqueued: 1 }));
  expect(summary.skipped.decided).toBe(1);

  const messages = await receiveAll();
  expect(messages).toHaveLength(1);
  const [message] = messages;
  if (message === undefined) throw new Error('no message');
  const queued = queuedEventSchema.parse(JSON.parse(message.Body ?? ''));
  expect(queued).toEqual(expect.objectContaining({ origin: 'reconciler', topicArn: RECONCILER_TOPIC_ARN }));
  expect(JSON.parse(queued.message)).toEqual(expect.objectContaining({ event_name: 'OfferMatched', offer_id: dropped.offer.id }));
  expect(message.MessageAttributes?.[QUEUE_ATTRIBUTES.correlationId]?.StringValue).toBe(summary.runId);

  const worker = createWorker({
    marketplace: marketplace(),
    store,
    units: new DynamoUnitStore(DynamoDBDocumentClient.from(dynamo), TABLE),
    rules: parseRules(JSON.stringify({ defaultAction: 'accept', rules: [] })),
    role: 'supply',
    logger: new CapturingLogger(),
  });
  expect(await worker({ Records: [toRecord(message)] })).toEqual({ batchItemFailures: [] });
  expect(sim.getOffer(dropped.offer.id)?.match.response).toBe('accepted');
  expect((await store.getOffer(dropped.offer.id))?.decision).toEqual(expect.objectContaining({ action: 'accept', state: 'applied' }));
  expect(sim.getOffer(reviewed.offer.id)?.match.response).toBe('pending');

  const again = await reconciler(new CapturingLogger(), new RecordingMetrics())();
  expect(again.enqueued).toBe(0);
  expect(await receiveAll()).toEqual([]);
});
