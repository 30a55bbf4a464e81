/**
 * `connector dlq list` and `connector dlq redrive [--all | <id>...]`, on cli/dead-letters.ts.
 * The list joins each dead letter's event id to its event item, for the last error the worker
 * recorded when it gave the event back (error name, marketplace operation and status, attempts).
 * Redrive: `--all` in AWS starts an SQS message move task; ids (SQS message ids or event ids), and
 * everything in the sandbox, are moved by receive, send, delete.
 */
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import type { EventFailure } from '../../lambdas/core/ports';
import {
  type DeadLetter,
  listDeadLetters,
  redriveDeadLetters,
  startMoveTask,
} from '../dead-letters';
import { EXIT, UsageError } from './args';
import { table, type CommandResult } from './output';
import type { CommandContext } from './resources';

export const DLQ_USAGE = `usage: npx connector dlq list [--max N] [--sandbox] [--json] [--region R]
       npx connector dlq redrive (--all | <id>...) [--sandbox] [--json] [--region R]

list     the dead letters: SQS message id, event, offer, receive count, and the last error the
         worker recorded (error name, marketplace operation and status; never a message body).
         Listing receives each message and makes it visible again at once.
redrive  move dead letters back to the events queue: --all (in AWS an SQS message move task, which
         SQS runs by itself) or the given SQS message ids or event ids (receive, send, delete).
         Prints what moved and what was not found (exit 1 if any id was not found).`;

export interface ListedDeadLetter extends DeadLetter {
  eventStatus?: string;
  lastError?: EventFailure;
  failedAttempts?: number;
}

export async function dlqList(
  ctx: CommandContext,
  options: { max?: number } = {},
): Promise<CommandResult> {
  ctx.progress.step('dlq: listing the dead-letter queue');
  const letters = await listDeadLetters(
    ctx.clients.sqs,
    ctx.resources.dlqUrl,
    options.max !== undefined ? { max: options.max } : {},
  );
  const store = new DynamoOfferStore(ctx.clients.documents, ctx.resources.tableName);
  const listed: ListedDeadLetter[] = [];
  for (const [i, letter] of letters.entries()) {
    ctx.progress.step(`dlq: reading event ${i + 1} of ${letters.length}`);
    const item =
      letter.eventId === undefined ? undefined : await store.getEventRecord(letter.eventId);
    const entry: ListedDeadLetter = { ...letter };
    if (typeof item?.status === 'string') entry.eventStatus = item.status;
    if (item?.lastError !== undefined) entry.lastError = item.lastError as EventFailure;
    if (typeof item?.failedAttempts === 'number') entry.failedAttempts = item.failedAttempts;
    listed.push(entry);
  }
  ctx.progress.done();
  const errorText = (l: ListedDeadLetter) =>
    l.lastError
      ? `${l.lastError.errorName}${l.lastError.operation ? ` ${l.lastError.operation}` : ''}${l.lastError.status !== undefined ? ` ${l.lastError.status}` : ''} (${l.failedAttempts ?? '?'} failed, last ${l.lastError.at}${l.eventStatus === 'done' ? '; event since done' : ''})`
      : (l.unreadable ?? (l.eventStatus ? `(event ${l.eventStatus})` : '(none recorded)'));
  const lines =
    listed.length === 0
      ? ['no dead letters']
      : [
          ...table(
            ['MESSAGE', 'EVENT', 'OFFER', 'RECEIVES', 'LAST ERROR'],
            listed.map((l) => [
              l.messageId,
              l.eventId ? `${l.eventName ?? '?'} ${l.eventId}` : '?',
              l.offerId ?? l.referralId ?? '-',
              String(l.receiveCount),
              errorText(l),
            ]),
          ),
          `${listed.length} dead letter(s); redrive: npx connector dlq redrive --all | <id>...`,
        ];
  return { code: EXIT.ok, data: { deadLetters: listed }, lines };
}

export async function dlqRedrive(
  ctx: CommandContext,
  options: { all: boolean; ids: readonly string[] },
): Promise<CommandResult> {
  if (options.all === options.ids.length > 0)
    throw new UsageError('dlq redrive takes --all or one or more ids (not both)');
  const { resources } = ctx;
  if (options.all && resources.source === 'aws') {
    if (resources.dlqArn === undefined) throw new Error('the dead-letter queue ARN is unknown');
    ctx.progress.step('dlq: starting a message move task');
    const handle = await startMoveTask(ctx.clients.sqs, {
      dlqArn: resources.dlqArn,
      queueArn: resources.queueArn,
    });
    ctx.progress.done();
    return {
      code: EXIT.ok,
      data: { moveTask: handle, moved: null, notFound: [] },
      lines: [
        `SQS is moving every dead letter back to the events queue (task ${handle}); see it with: aws sqs list-message-move-tasks --source-arn ${resources.dlqArn}`,
      ],
    };
  }
  ctx.progress.step('dlq: moving dead letters');
  const result = await redriveDeadLetters(
    ctx.clients.sqs,
    { dlqUrl: resources.dlqUrl, queueUrl: resources.queueUrl },
    options.all ? {} : { messageIds: options.ids },
  );
  ctx.progress.done();
  const lines = [
    `moved ${result.moved.length} message(s) to the events queue${result.moved.length > 0 ? `: ${result.moved.join(', ')}` : ''}`,
    ...(result.notFound.length > 0
      ? [`not found in the dead-letter queue: ${result.notFound.join(', ')}`]
      : []),
  ];
  return {
    code: result.notFound.length > 0 ? EXIT.failed : EXIT.ok,
    data: { moveTask: null, moved: result.moved, notFound: result.notFound },
    lines,
    ...(result.notFound.length > 0
      ? { problems: [`${result.notFound.length} id(s) not found in the dead-letter queue`] }
      : {}),
  };
}
