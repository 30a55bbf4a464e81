/**
 * A local stand-in for Lambda's SQS event source mapping: long-polls the queue, hands each batch
 * to the handler as a real-shaped `SQSEvent`, deletes the records it did not report in
 * `batchItemFailures` and leaves the failed ones to reappear after the visibility timeout (and go
 * to the DLQ after the queue's maxReceiveCount), as Lambda does with ReportBatchItemFailures.
 * Given several handlers it runs them at once, each with a batch of its own, as Lambda scales out
 * to concurrent invocations; one receive is outstanding at a time, and each batch goes to a free
 * handler.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface SqsPollerOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  /**
   * The function invoked with each batch. An array runs one polling loop per handler, all at once,
   * each with its own batches: Lambda's concurrent invocations, each in its own environment.
   */
  handler: SqsHandler | readonly SqsHandler[];
  /** Most records per batch (Lambda's batch size; SQS allows 1 to 10, default 10). */
  batchSize?: number;
  /** Told about errors of the poller itself and about handler invocations that threw. */
  onError?: (error: unknown) => void;
  /** Told after each batch: how many records came and how many were left to be retried. */
  onBatch?: (info: { received: number; failed: number }) => void;
}

export interface SqsPollerStats {
  /** Handler invocations so far (batches handed over). */
  invocations: number;
  /** The most handler invocations that were running at the same moment. */
  maxConcurrent: number;
}

export interface SqsPoller {
  /** Stops polling and resolves once the batches in hand (if any) have been handled. */
  stop(): Promise<void>;
  stats(): SqsPollerStats;
}

/** Maps an SQS API message to the record Lambda would deliver for it. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) =>
        Buffer.from(b).toString('base64'),
      ),
      dataType: value.DataType ?? 'String',
    };
  }
  const sent = attributes.SentTimestamp ?? String(Date.now());
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: sent,
      SenderId: attributes.SenderId ?? 'AIDASANDBOX',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? sent,
      ...(attributes.AWSTraceHeader !== undefined
        ? { AWSTraceHeader: attributes.AWSTraceHeader }
        : {}),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes !== undefined
      ? { md5OfMessageAttributes: message.MD5OfMessageAttributes }
      : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The records to delete after an invocation. As in Lambda: a thrown handler or a failure naming
 * a record not in the batch fails the whole batch; otherwise every record not named succeeded.
 */
export function succeededRecords(
  records: readonly SQSRecord[],
  response: SQSBatchResponse | undefined | 'threw',
): SQSRecord[] {
  if (response === 'threw') return [];
  const failures = response?.batchItemFailures ?? [];
  const ids = new Set(records.map((r) => r.messageId));
  if (failures.some((f) => !f.itemIdentifier || !ids.has(f.itemIdentifier))) return [];
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  return records.filter((r) => !failed.has(r.messageId));
}

/** Starts the polling loop (one per handler); they run until `stop()`. */
export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  const stopping = new AbortController();
  const handlers: readonly SqsHandler[] =
    typeof options.handler === 'function' ? [options.handler] : options.handler;
  const stats: SqsPollerStats = { invocations: 0, maxConcurrent: 0 };
  let running = 0;

  async function invoke(
    handler: SqsHandler,
    event: SQSEvent,
  ): Promise<SQSBatchResponse | undefined> {
    stats.invocations += 1;
    running += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, running);
    try {
      return await handler(event);
    } finally {
      running -= 1;
    }
  }

  /** Receives one batch (long poll); none when the queue stays empty for a second. */
  async function receive(): Promise<SQSRecord[]> {
    const received = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: options.batchSize ?? 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: stopping.signal },
    );
    return (received.Messages ?? []).map((m) => toSqsRecord(m, options.queueArn, options.region));
  }

  /** Hands one batch to `handler`, then deletes what it did not report failed. */
  async function handle(handler: SqsHandler, records: SQSRecord[]): Promise<void> {
    let response: SQSBatchResponse | undefined | 'threw';
    try {
      response = await invoke(handler, { Records: records });
    } catch (error: unknown) {
      options.onError?.(error);
      response = 'threw';
    }
    const done = succeededRecords(records, response);
    if (done.length > 0) {
      // Not tied to `stopping`: a handled batch is always acknowledged, even during shutdown.
      const result = await options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
      if (result.Failed && result.Failed.length > 0) {
        options.onError?.(
          new Error(
            `could not delete ${result.Failed.length} handled message(s); they will be redelivered`,
          ),
        );
      }
    }
    options.onBatch?.({ received: records.length, failed: records.length - done.length });
  }

  // One receive at a time, each batch handed to a free handler (one invocation per environment):
  // as many long polls waiting at once as handlers would each be woken by one arriving message,
  // all but one to come back empty, several SDK round trips per record.
  const idle = [...handlers];
  const freed: Array<() => void> = [];
  const inFlight = new Set<Promise<void>>();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const handler = idle.pop();
      if (handler === undefined) {
        await new Promise<void>((resolve) => freed.push(resolve));
        continue;
      }
      let records: SQSRecord[];
      try {
        records = await receive();
      } catch (error: unknown) {
        idle.push(handler);
        // stop() may have aborted it while receive awaited; TypeScript keeps the loop's narrowing.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
        if (stopping.signal.aborted) break;
        options.onError?.(error);
        // Do not spin on a queue that keeps failing (e.g. the emulator went away).
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (records.length === 0) {
        idle.push(handler);
        continue;
      }
      const run = handle(handler, records)
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => {
          inFlight.delete(run);
          idle.push(handler);
          freed.shift()?.();
        });
      inFlight.add(run);
    }
  })();

  return {
    async stop() {
      stopping.abort();
      for (const wake of freed.splice(0)) wake();
      await loop;
      await Promise.allSettled(inFlight);
    },
    stats: () => ({ ...stats }),
  };
}
