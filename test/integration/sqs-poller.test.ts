/**
 * Covers sandbox/sqs-poller.ts, the sandbox's stand-in for Lambda's SQS event source mapping,
 * against fauxqs: batches go to free handlers, several at once (one receive outstanding at a
 * time); records a handler reports failed are not deleted and come back; `stop` waits for the
 * batches in hand; an idle queue costs a long poll a second, not a burst of empty receives.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { EMULATOR_AWS, startFauxqs, type RunningEmulator } from '../../sandbox/emulators';
import { startSqsPoller, type SqsHandler } from '../../sandbox/sqs-poller';
import { shutDown } from '../support/shut-down';

let fauxqs: RunningEmulator;
let client: SQSClient;
let queues = 0;

beforeAll(async () => {
  fauxqs = await startFauxqs();
  client = new SQSClient({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint });
});

afterAll(() => shutDown([client], [fauxqs]));

async function queueWith(bodies: string[], visibilityS = 30): Promise<string> {
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: `poller-${++queues}`,
      Attributes: { VisibilityTimeout: String(visibilityS) },
    }),
  );
  if (QueueUrl === undefined) throw new Error('CreateQueue returned no QueueUrl');
  for (const body of bodies)
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
  return QueueUrl;
}

async function visibleAndInFlight(url: string): Promise<number> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

const until = async (check: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

it('hands batches to free handlers, several at once, deletes what succeeded, and waits for the batches in hand on stop', async () => {
  const url = await queueWith(['a', 'b', 'c', 'd']);
  const seen: string[] = [];
  const release: Array<() => void> = [];
  const handler: SqsHandler = async (event: SQSEvent) => {
    seen.push(...event.Records.map((r) => r.body));
    await new Promise<void>((resolve) => release.push(resolve));
    return { batchItemFailures: [] };
  };
  const poller = startSqsPoller({
    client,
    queueUrl: url,
    queueArn: 'arn:aws:sqs:ca-central-1:000000000000:poller',
    region: 'ca-central-1',
    handler: [handler, handler],
    batchSize: 1,
  });
  // Two handlers, each holding its batch: two batches at once, no third until one is free.
  await until(() => release.length === 2);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(seen).toHaveLength(2);
  expect(poller.stats().maxConcurrent).toBe(2);

  release.shift()?.();
  await until(() => seen.length === 3);
  release.shift()?.();
  release.shift()?.();
  await until(() => seen.length === 4);
  const stopped = poller.stop();
  let done = false;
  void stopped.then(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 200));
  // The last batch is still in hand: stop waits for it.
  expect(done).toBe(false);
  release.shift()?.();
  await stopped;
  expect(seen.sort()).toEqual(['a', 'b', 'c', 'd']);
  expect(await visibleAndInFlight(url)).toBe(0);
});

it('leaves a record reported failed in the queue, to come back after its visibility timeout', async () => {
  const url = await queueWith(['keep', 'fail'], 1);
  const calls: string[][] = [];
  const poller = startSqsPoller({
    client,
    queueUrl: url,
    queueArn: 'arn:aws:sqs:ca-central-1:000000000000:poller',
    region: 'ca-central-1',
    handler: async (event) => {
      calls.push(event.Records.map((r) => r.body));
      const failed = event.Records.filter((r) => r.body === 'fail' && calls.length < 3);
      return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
    },
  });
  try {
    await until(() => calls.flat().filter((b) => b === 'fail').length >= 2);
    expect(calls.flat().filter((b) => b === 'keep')).toHaveLength(1);
  } finally {
    await poller.stop();
  }
});

it('polls an idle queue with one long poll at a time', async () => {
  const url = await queueWith([]);
  let receives = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ReceiveMessageCommand') receives += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countReceives' },
  );
  const poller = startSqsPoller({
    client,
    queueUrl: url,
    queueArn: 'arn:aws:sqs:ca-central-1:000000000000:poller',
    region: 'ca-central-1',
    handler: Array.from({ length: 5 }, () => async () => ({ batchItemFailures: [] })),
  });
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await poller.stop();
  client.middlewareStack.remove('countReceives');
  // Five handlers, 2.5 s idle: about 3 long polls of 1 s, not 5 at a time.
  expect(receives).toBeGreaterThanOrEqual(2);
  expect(receives).toBeLessThanOrEqual(4);
});
