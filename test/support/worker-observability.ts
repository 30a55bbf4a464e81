/**
 * Real Powertools Logger and Metrics that keep what they would print, for tests that check what
 * the worker logs and counts (and that no client data is in it). Output is captured as the JSON
 * the Lambda runtime would receive, not written to stdout.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueuedEvent } from '../../lambdas/core/events';

export class CapturingLogger extends Logger {
  readonly lines: Record<string, unknown>[] = [];

  constructor() {
    super({ serviceName: 'worker-test', logLevel: 'DEBUG' });
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.lines.push(JSON.parse(JSON.stringify(log.getAttributes())) as Record<string, unknown>);
  }

  /** Everything logged, as one string, for "never contains" checks. */
  text(): string {
    return JSON.stringify(this.lines);
  }

  withMessage(message: string): Record<string, unknown>[] {
    return this.lines.filter((line) => line.message === message);
  }
}

type AddMetric = Metrics['addMetric'];

export class RecordingMetrics extends Metrics {
  /** Each publish, as metric name -> summed value. */
  readonly published: Record<string, number>[] = [];
  private pending: Record<string, number> = {};

  /** `singleMetric`: each metric published as it is added, as the login metrics are (loginMetrics). */
  constructor(options: { serviceName?: string; singleMetric?: boolean } = {}) {
    super({
      namespace: 'WorkerTest',
      serviceName: options.serviceName ?? 'worker-test',
      ...(options.singleMetric === true ? { singleMetric: true } : {}),
    });
  }

  override addMetric(...args: Parameters<AddMetric>): this {
    const [name, , value] = args;
    this.pending[name] = (this.pending[name] ?? 0) + value;
    return super.addMetric(...args);
  }

  override publishStoredMetrics(): this {
    this.published.push(this.pending);
    this.pending = {};
    this.clearMetrics();
    return this;
  }
}

let sequence = 0;

/** An SQS event of the given records, as the worker is invoked with it. */
export const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** An SQS record as the receiver enqueues it: the envelope in the body, ids in attributes. */
export function sqsRecord(
  queued: QueuedEvent | string,
  options: { messageId?: string; correlationId?: string; receiveCount?: number } = {},
): SQSRecord {
  sequence += 1;
  const messageId = options.messageId ?? `msg-${sequence}`;
  const snsMessageId = typeof queued === 'string' ? `sns-raw-${sequence}` : queued.snsMessageId;
  return {
    messageId,
    receiptHandle: `receipt-${sequence}`,
    body: typeof queued === 'string' ? queued : JSON.stringify(queued),
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '1777622410000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1777622410100',
    },
    messageAttributes: {
      snsMessageId: {
        stringValue: snsMessageId,
        dataType: 'String',
        stringListValues: [],
        binaryListValues: [],
      },
      correlationId: {
        stringValue: options.correlationId ?? `corr-${sequence}`,
        dataType: 'String',
        stringListValues: [],
        binaryListValues: [],
      },
    },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:ca-central-1:123456789012:events',
    awsRegion: 'ca-central-1',
  };
}

/** A Lambda context whose remaining time is read from `remaining()` on each call. */
export function lambdaContext(remaining: () => number): Context {
  // Without the deprecated done/fail/succeed callbacks, which a handler returning a promise never calls.
  const context: Omit<Context, 'done' | 'fail' | 'succeed'> = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'worker',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ca-central-1:123456789012:function:worker',
    memoryLimitInMB: '512',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/worker',
    logStreamName: 'stream',
    getRemainingTimeInMillis: remaining,
  };
  return context as Context;
}
