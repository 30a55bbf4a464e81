/**
 * Covers cli/dead-letters.ts against fauxqs with the real SQS client: listing shows every dead
 * letter's ids and leaves them in the queue; a redrive moves the chosen ones (by SQS message id
 * or event id) to the events queue with body and attributes unchanged, and reports ids it did
 * not find; a body that is not an event is listed as unreadable, never quoted.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { listDeadLetters, redriveDeadLetters } from '../../cli/dead-letters';
import type { QueuedEvent } from '../../lambdas/core/events';
import { EMULATOR_AWS, startFauxqs, type RunningEmulator } from '../../sandbox/emulators';
import { shutDown } from '../support/shut-down';

let fauxqs: RunningEmulator;
let sqs: SQSClient;

beforeAll(async () => {
  fauxqs = await startFauxqs();
  sqs = new SQSClient({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint });
});

afterAll(() => shutDown([sqs], [fauxqs]));

let counter = 0;
async function queue(name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-${Date.now()}-${counter++}` }),
  );
  if (QueueUrl === undefined) throw new Error('no queue URL');
  return QueueUrl;
}

function queued(eventId: string, offerId: string): QueuedEvent {
  return {
    version: 1,
    origin: 'sns',
    topicArn: 'arn:aws:sns:ca-central-1:111122223333:inbox-offers',
    snsMessageId: `sns-${eventId}`,
    publishedAt: '2026-11-30T10:00:00.000Z',
    message: JSON.stringify({
      event_id: eventId,
      event_name: 'OfferMatched',
      event_source: 'alayamarket.offers',
      timestamp: '2026-11-30T10:00:00Z',
      offer_id: offerId,
    }),
  };
}

async function put(url: string, body: string): Promise<string> {
  const { MessageId } = await sqs.send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: body,
      MessageAttributes: { correlationId: { DataType: 'String', StringValue: `c-${body.length}` } },
    }),
  );
  if (MessageId === undefined) throw new Error('no message id');
  return MessageId;
}

async function visibleCount(url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? -1);
}

describe('dead letters', () => {
  it('lists every dead letter with its event ids and leaves them visible in the queue', async () => {
    const dlq = await queue('dlq');
    const ids = [
      await put(dlq, JSON.stringify(queued('e-1', 'o-1'))),
      await put(dlq, JSON.stringify(queued('e-2', 'o-2'))),
    ];
    await put(dlq, '{"client":{"name":"Jane Canary"}}');

    const letters = await listDeadLetters(sqs, dlq);

    expect(letters).toHaveLength(3);
    const byEvent = new Map(letters.map((letter) => [letter.eventId ?? 'none', letter]));
    expect(byEvent.get('e-1')).toMatchObject({
      messageId: ids[0],
      eventName: 'OfferMatched',
      offerId: 'o-1',
      origin: 'sns',
      receiveCount: 1,
    });
    expect(byEvent.get('e-2')).toMatchObject({ messageId: ids[1], offerId: 'o-2' });
    const unreadable = letters.find((letter) => letter.unreadable !== undefined);
    expect(unreadable?.unreadable).toMatch(/not a queued event/);
    expect(JSON.stringify(letters)).not.toContain('Jane Canary');
    expect(await visibleCount(dlq)).toBe(3);
  });

  it('redrives the chosen letters by message id or event id, unchanged, and names the ids it did not find', async () => {
    const dlq = await queue('dlq');
    const events = await queue('events');
    const first = await put(dlq, JSON.stringify(queued('e-1', 'o-1')));
    await put(dlq, JSON.stringify(queued('e-2', 'o-2')));
    await put(dlq, JSON.stringify(queued('e-3', 'o-3')));

    const result = await redriveDeadLetters(
      sqs,
      { dlqUrl: dlq, queueUrl: events },
      { messageIds: [first, 'e-3', 'missing-id'] },
    );

    expect(result.moved).toHaveLength(2);
    expect(result.notFound).toEqual(['missing-id']);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: events,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const bodies = Messages.map((message) => JSON.parse(message.Body ?? '{}') as QueuedEvent).map(
      (body) => (JSON.parse(body.message) as { event_id: string }).event_id,
    );
    expect(bodies.sort()).toEqual(['e-1', 'e-3']);
    expect(Messages[0]?.MessageAttributes?.correlationId?.StringValue).toMatch(/^c-\d+$/);
    const left = await listDeadLetters(sqs, dlq);
    expect(left.map((letter) => letter.eventId)).toEqual(['e-2']);
  });

  it('redrives every letter when no ids are given and leaves the DLQ empty', async () => {
    const dlq = await queue('dlq');
    const events = await queue('events');
    for (let i = 0; i < 13; i++) await put(dlq, JSON.stringify(queued(`e-${i}`, `o-${i}`)));

    const result = await redriveDeadLetters(sqs, { dlqUrl: dlq, queueUrl: events });

    expect(result.moved).toHaveLength(13);
    expect(await visibleCount(dlq)).toBe(0);
    expect(await visibleCount(events)).toBe(13);
  });
});
