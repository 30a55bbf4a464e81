/**
 * The events queue on SQS. The body is the `QueuedEvent` JSON; the ids travel again as message
 * attributes so the worker (and anyone reading the queue) can correlate without parsing bodies.
 * The worker also uses it to hand records back: a new visibility for a failed one, a copy for one
 * it had no time for.
 *
 * The functions build its client with `cacheMiddleware: true` (the SDK resolves the middleware once
 * per command class, not on every call): every `send` here passes the command alone, since a call
 * with per-call options resolves the stack afresh and drops that cache.
 */
import {
  ChangeMessageVisibilityCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { QUEUE_ATTRIBUTES } from '../core/event-names';
import type { QueuedEvent } from '../core/events';
import type { EventQueue } from '../core/ports';
import type { RecordRetry } from './record-retry';

/** SQS answered without a MessageId, so we cannot tell the message was stored. */
export class QueueSendError extends Error {
  override readonly name = 'QueueSendError';
}

export class SqsEventQueue implements EventQueue, RecordRetry {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(
    event: QueuedEvent,
    attributes: { snsMessageId: string; correlationId: string },
  ): Promise<string> {
    const output = await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(event),
        MessageAttributes: {
          [QUEUE_ATTRIBUTES.snsMessageId]: {
            DataType: 'String',
            StringValue: attributes.snsMessageId,
          },
          [QUEUE_ATTRIBUTES.correlationId]: {
            DataType: 'String',
            StringValue: attributes.correlationId,
          },
          [QUEUE_ATTRIBUTES.topicArn]: { DataType: 'String', StringValue: event.topicArn },
        },
      }),
    );
    if (!output.MessageId) throw new QueueSendError('SQS SendMessage returned no MessageId');
    return output.MessageId;
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }

  async resend(
    record: Pick<SQSRecord, 'body' | 'messageAttributes'>,
    delaySeconds: number,
  ): Promise<void> {
    const output = await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: record.body,
        MessageAttributes: sendableAttributes(record.messageAttributes),
        DelaySeconds: delaySeconds,
      }),
    );
    if (!output.MessageId) throw new QueueSendError('SQS SendMessage returned no MessageId');
  }
}

/**
 * The queue on a client of its own, as the worker and the reconciler build it on their first send
 * or hand-back (deferred-event-queue.ts).
 */
export function sqsEventQueue(queueUrl: string): SqsEventQueue {
  return new SqsEventQueue(new SQSClient({ cacheMiddleware: true }), queueUrl);
}

/**
 * A Lambda event's message attributes as SendMessage takes them. Binary values arrive base64
 * encoded; list values are not implemented by SQS and are never set.
 */
function sendableAttributes(
  attributes: SQSRecord['messageAttributes'] | undefined,
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, attribute] of Object.entries(attributes ?? {})) {
    if (attribute.stringValue !== undefined)
      out[name] = { DataType: attribute.dataType, StringValue: attribute.stringValue };
    else if (attribute.binaryValue !== undefined)
      out[name] = {
        DataType: attribute.dataType,
        BinaryValue: Buffer.from(attribute.binaryValue, 'base64'),
      };
  }
  return out;
}
