/**
 * Covers lambdas/adapters/sqs-event-queue.ts against a real SQS wire protocol (fauxqs, started
 * through sandbox/emulators.ts) with the real AWS SDK client: what is sent comes back with the
 * same body and message attributes, and the returned id is the SQS MessageId; the worker's
 * hand-backs: a received record re-sent as a new message with the same body and attributes, and
 * a visibility change that brings a received message back sooner (counted as one more receive).
 * The client has cached middleware, as the functions build it, and the queue never gives `send`
 * per-call options (they would drop that cache).
 * Leaves when and what the receiver enqueues to test/unit/receiver.test.ts, and how the worker
 * reads the attributes to the worker's tests.
 */
import {
  CreateQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  type SendMessageCommandOutput,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import * as v from 'valibot';
import { QUEUE_ATTRIBUTES, queuedEventSchema, type QueuedEvent } from '../../lambdas/core/events';
import { QueueSendError, SqsEventQueue } from '../../lambdas/adapters/sqs-event-queue';
import { EMULATOR_AWS, startFauxqs, type RunningEmulator } from '../../sandbox/emulators';
import { shutDown } from '../support/shut-down';

let fauxqs: RunningEmulator;
let client: SQSClient;

beforeAll(async () => {
  fauxqs = await startFauxqs();
  // As the functions build it (lambdas/receiver/handler.ts, sqsEventQueue).
  client = new SQSClient({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint, cacheMiddleware: true });
});

afterAll(() => shutDown([client], [fauxqs]));

async function createQueue(name: string): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  return QueueUrl;
}

const event: QueuedEvent = {
  version: 1,
  origin: 'sns',
  topicArn: 'arn:aws:sns:ca-central-1:111122223333:inbox-offers',
  snsMessageId: 'da41e39f-ea4d-435a-b922-c6aae3915ebe',
  publishedAt: '2026-01-01T00:00:00.000Z',
  message: JSON.stringify({
    event_id: 'evt-1',
    event_name: 'OfferMatched',
    event_source: 'alayamarket.offers',
    timestamp: 'now',
    offer_id: 'o-1',
  }),
};

describe('SqsEventQueue', () => {
  it('sends the event as JSON with snsMessageId, correlationId and topicArn attributes', async () => {
    const queueUrl = await createQueue(`events-${Date.now()}`);
    const queue = new SqsEventQueue(client, queueUrl);

    const messageId = await queue.send(event, {
      snsMessageId: event.snsMessageId,
      correlationId: 'req-123',
    });

    const { Messages } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(Messages).toHaveLength(1);
    const [received] = Messages ?? [];
    expect(received.MessageId).toBe(messageId);
    expect(v.parse(queuedEventSchema, JSON.parse(received.Body ?? ''))).toEqual(event);
    expect(received.MessageAttributes).toEqual({
      [QUEUE_ATTRIBUTES.snsMessageId]: expect.objectContaining({
        DataType: 'String',
        StringValue: event.snsMessageId,
      }),
      [QUEUE_ATTRIBUTES.correlationId]: expect.objectContaining({
        DataType: 'String',
        StringValue: 'req-123',
      }),
      [QUEUE_ATTRIBUTES.topicArn]: expect.objectContaining({
        DataType: 'String',
        StringValue: event.topicArn,
      }),
    });
  });

  it('rejects when the queue does not exist, so the receiver answers 5xx', async () => {
    const queue = new SqsEventQueue(
      client,
      `${fauxqs.endpoint}/000000000000/no-such-queue-${Date.now()}`,
    );
    await expect(
      queue.send(event, { snsMessageId: event.snsMessageId, correlationId: 'req-1' }),
    ).rejects.toBeInstanceOf(Error);
  });

  it('throws QueueSendError when SQS answers without a MessageId', async () => {
    // A client stand-in that answers like SQS but leaves the id out.
    const silent = {
      send: async (): Promise<SendMessageCommandOutput> => ({ $metadata: {} }),
    } as unknown as SQSClient;
    const queue = new SqsEventQueue(silent, 'https://sqs.example/queue');
    await expect(
      queue.send(event, { snsMessageId: event.snsMessageId, correlationId: 'req-1' }),
    ).rejects.toBeInstanceOf(QueueSendError);
  });
});

async function receiveOne(queueUrl: string, visibilityTimeout = 30): Promise<Message> {
  const { Messages } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 1,
      WaitTimeSeconds: 1,
      VisibilityTimeout: visibilityTimeout,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  const message = Messages?.at(0);
  if (message === undefined) throw new Error('no message received');
  return message;
}

/** A received message as the Lambda event source hands it to the worker. */
function asRecord(message: Message): Pick<SQSRecord, 'body' | 'messageAttributes'> {
  const attributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    attributes[name] = {
      dataType: value.DataType ?? 'String',
      stringValue: value.StringValue ?? '',
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return { body: message.Body ?? '', messageAttributes: attributes };
}

describe('SqsEventQueue on a client with cached middleware', () => {
  it('gives send the command alone, in every call (options would drop the cache)', async () => {
    const calls: number[] = [];
    const spy = {
      send: async (...args: unknown[]): Promise<SendMessageCommandOutput> => {
        calls.push(args.length);
        return { MessageId: 'm-1', $metadata: {} };
      },
    } as unknown as SQSClient;
    const queue = new SqsEventQueue(spy, 'https://sqs.example/queue');
    await queue.send(event, { snsMessageId: event.snsMessageId, correlationId: 'req-1' });
    await queue.changeVisibility('receipt-1', 5);
    await queue.resend({ body: '{}', messageAttributes: {} }, 5);
    expect(calls).toEqual([1, 1, 1]);
  });
});

describe('SqsEventQueue as the worker\u2019s RecordRetry', () => {
  it('re-sends a received record as a new message with the same body and attributes', async () => {
    const queueUrl = await createQueue(`resend-${Date.now()}`);
    const queue = new SqsEventQueue(client, queueUrl);
    await queue.send(event, { snsMessageId: event.snsMessageId, correlationId: 'req-7' });
    const original = await receiveOne(queueUrl);

    await queue.resend(asRecord(original), 0);

    const copy = await receiveOne(queueUrl);
    expect(copy.MessageId).not.toBe(original.MessageId);
    expect(copy.Body).toBe(original.Body);
    expect(copy.MessageAttributes).toEqual(original.MessageAttributes);
    expect(copy.Attributes?.ApproximateReceiveCount).toBe('1');
  });

  it('brings a received message back as soon as its visibility is changed, one receive more', async () => {
    const queueUrl = await createQueue(`visibility-${Date.now()}`);
    const queue = new SqsEventQueue(client, queueUrl);
    await queue.send(event, { snsMessageId: event.snsMessageId, correlationId: 'req-8' });
    const first = await receiveOne(queueUrl, 600);

    await queue.changeVisibility(first.ReceiptHandle ?? '', 0);

    const again = await receiveOne(queueUrl);
    expect(again.MessageId).toBe(first.MessageId);
    expect(again.Attributes?.ApproximateReceiveCount).toBe('2');
  });
});
