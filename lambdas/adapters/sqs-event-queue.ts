/**
 * The events queue on SQS. The body is the `QueuedEvent` JSON; the ids travel again as message
 * attributes so the worker (and anyone reading the queue) can correlate without parsing bodies.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QUEUE_ATTRIBUTES, type QueuedEvent } from '../core/events';
import type { EventQueue } from '../core/ports';

/** SQS answered without a MessageId, so we cannot tell the message was stored. */
export class QueueSendError extends Error {
  override readonly name = 'QueueSendError';
}

export class SqsEventQueue implements EventQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(event: QueuedEvent, attributes: { snsMessageId: string; correlationId: string }): Promise<string> {
    const output = await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(event),
        MessageAttributes: {
          [QUEUE_ATTRIBUTES.snsMessageId]: { DataType: 'String', StringValue: attributes.snsMessageId },
          [QUEUE_ATTRIBUTES.correlationId]: { DataType: 'String', StringValue: attributes.correlationId },
          [QUEUE_ATTRIBUTES.topicArn]: { DataType: 'String', StringValue: event.topicArn },
        },
      }),
    );
    if (!output.MessageId) throw new QueueSendError('SQS SendMessage returned no MessageId');
    return output.MessageId;
  }
}
