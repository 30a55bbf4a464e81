/**
 * The dead-letter queue as an operator sees it: what waits there (ids only) and moving it back to
 * the events queue. Used by `connector dlq` and by the sandbox's drills, so the sandbox redrives
 * through the same code an operator runs.
 *
 * Two ways to move messages back:
 * - `startMoveTask`: SQS `StartMessageMoveTask`, the whole queue, done by SQS (AWS only).
 * - `redriveDeadLetters`: receive, send to the events queue, delete from the DLQ; for chosen
 *   messages, and for queues without move tasks (the sandbox's fauxqs). A crash between send and
 *   delete leaves a copy in both queues: the worker makes the second one a no-op (the event's claim,
 *   or for an OfferMatched its offer's record).
 *
 * Listing receives the messages (SQS has no peek) with a short visibility, then makes them
 * visible again at once. Bodies are read for ids only and never printed: a referral event carries
 * client identifiers.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { marketplaceEventSchema, queuedEventSchema } from '../lambdas/core/events';
import { parseJsonWith } from '../lambdas/core/parse-json';

/** One dead letter, as listed: SQS ids and counts, and the event's ids when its body is readable. */
export interface DeadLetter {
  messageId: string;
  /** Receives so far (the events queue's, then the listing's own). */
  receiveCount: number;
  /** When the message was first sent (ISO 8601). */
  sentAt?: string;
  origin?: string;
  eventId?: string;
  eventName?: string;
  offerId?: string;
  referralId?: string;
  /** Set when the body is not a queued marketplace event (it can only be deleted or fixed by hand). */
  unreadable?: string;
}

/** How long a listed or skipped message stays hidden while the walk goes on. */
const WALK_VISIBILITY_SECONDS = 30;
/** Enough receives to see every message of a small queue; SQS samples servers on each receive. */
const EMPTY_RECEIVES_TO_STOP = 2;

export class DeadLetterError extends Error {
  override readonly name = 'DeadLetterError';
}

/** The ids in a dead letter's body, or why they cannot be read. */
export function describeDeadLetter(message: Message): DeadLetter {
  const letter: DeadLetter = {
    messageId: message.MessageId ?? '(none)',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
  };
  const sent = Number(message.Attributes?.SentTimestamp);
  if (Number.isFinite(sent) && sent > 0) letter.sentAt = new Date(sent).toISOString();
  const queued = parseJsonWith(queuedEventSchema, message.Body ?? '');
  if (!queued.ok) return { ...letter, unreadable: `not a queued event: ${queued.problem}` };
  letter.origin = queued.value.origin;
  const event = parseJsonWith(marketplaceEventSchema, queued.value.message);
  if (!event.ok) return { ...letter, unreadable: `not a marketplace event: ${event.problem}` };
  letter.eventId = event.value.event_id;
  letter.eventName = event.value.event_name;
  if (event.value.offer_id !== undefined) letter.offerId = event.value.offer_id;
  if (event.value.referral_id !== undefined) letter.referralId = event.value.referral_id;
  return letter;
}

/**
 * Receives every message of the queue once (up to `max`), calling `visit` on each while it is
 * hidden; `visit` returns true when it took the message (deleted it). The rest are made visible
 * again at the end.
 */
async function walk(
  sqs: SQSClient,
  queueUrl: string,
  max: number,
  visit: (message: Message) => boolean | Promise<boolean>,
): Promise<void> {
  const seen = new Set<string>();
  const keep: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[] = [];
  let empty = 0;
  try {
    while (seen.size < max && empty < EMPTY_RECEIVES_TO_STOP) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, max - seen.size),
          WaitTimeSeconds: 1,
          VisibilityTimeout: WALK_VISIBILITY_SECONDS,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          MessageAttributeNames: ['All'],
        }),
      );
      const fresh = Messages.filter(
        (message) => message.MessageId !== undefined && !seen.has(message.MessageId),
      );
      empty = fresh.length === 0 ? empty + 1 : 0;
      for (const message of fresh) {
        seen.add(message.MessageId as string);
        const taken = await visit(message);
        if (!taken && message.ReceiptHandle !== undefined) {
          keep.push({
            Id: String(keep.length),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          });
        }
      }
    }
  } finally {
    for (let i = 0; i < keep.length; i += 10) {
      const batch = keep.slice(i, i + 10).map((entry, index) => ({ ...entry, Id: String(index) }));
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: batch }),
      );
    }
  }
}

/** Lists up to `max` dead letters (default 100), oldest receive order as SQS returns them. */
export async function listDeadLetters(
  sqs: SQSClient,
  dlqUrl: string,
  options: { max?: number } = {},
): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  await walk(sqs, dlqUrl, options.max ?? 100, (message) => {
    letters.push(describeDeadLetter(message));
    return false;
  });
  return letters;
}

export interface RedriveResult {
  /** The SQS message ids moved to the events queue. */
  moved: string[];
  /** Requested ids that were not found in the DLQ (already moved, or wrong). */
  notFound: string[];
}

/**
 * Moves dead letters back to the events queue by receive, send, delete: every one (no
 * `messageIds`), or those whose SQS message id or event id is listed. Body and message
 * attributes travel unchanged.
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  queues: { dlqUrl: string; queueUrl: string },
  options: { messageIds?: readonly string[]; max?: number } = {},
): Promise<RedriveResult> {
  const wanted = options.messageIds === undefined ? undefined : new Set(options.messageIds);
  const moved: string[] = [];
  const matched = new Set<string>();
  await walk(sqs, queues.dlqUrl, options.max ?? 10_000, async (message) => {
    const letter = describeDeadLetter(message);
    const keys = [letter.messageId, letter.eventId].filter(
      (key): key is string => key !== undefined,
    );
    if (wanted !== undefined && !keys.some((key) => wanted.has(key))) return false;
    for (const key of keys) matched.add(key);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: sendable(message.MessageAttributes),
      }),
    );
    if (message.ReceiptHandle === undefined)
      throw new DeadLetterError(`SQS gave no receipt handle for ${letter.messageId}`);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queues.dlqUrl, ReceiptHandle: message.ReceiptHandle }),
    );
    moved.push(letter.messageId);
    return true;
  });
  const notFound = wanted === undefined ? [] : [...wanted].filter((id) => !matched.has(id));
  return { moved, notFound };
}

/**
 * Starts an SQS message move task from the DLQ back to the events queue (AWS): SQS moves every
 * message itself. Returns the task handle (`aws sqs list-message-move-tasks` shows progress).
 */
export async function startMoveTask(
  sqs: SQSClient,
  arns: { dlqArn: string; queueArn: string },
): Promise<string> {
  const output = await sqs.send(
    new StartMessageMoveTaskCommand({ SourceArn: arns.dlqArn, DestinationArn: arns.queueArn }),
  );
  if (output.TaskHandle === undefined)
    throw new DeadLetterError('SQS StartMessageMoveTask returned no task handle');
  return output.TaskHandle;
}

/** Received message attributes as SendMessage takes them (string and binary values only). */
function sendable(
  attributes: Message['MessageAttributes'],
): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value.StringValue !== undefined)
      out[name] = { DataType: value.DataType, StringValue: value.StringValue };
    else if (value.BinaryValue !== undefined)
      out[name] = { DataType: value.DataType, BinaryValue: value.BinaryValue };
  }
  return out;
}
