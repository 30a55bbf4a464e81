/**
 * A local proxy for the receiver's Lambda duration: the real receiver (createReceiver) handling
 * genuinely signed SNS Notifications in process, warm (certificate cached), with an in-memory
 * queue, timed one at a time. It is not Lambda: a different CPU, and no SQS round trip (the cost
 * model adds an assumed one). The worker is not timed here: its time is marketplace and DynamoDB
 * round trips, which a local run cannot show.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { createReceiver } from '../../lambdas/receiver/receiver';
import { createSnsSigningIdentity } from '../../sandbox/sns-signing';
import {
  CERT_URL,
  TOPIC_ARN,
  apiEvent,
  fakeHttpGet,
  fakeQueue,
  notificationFields,
  sign,
  snsHeaders,
} from '../../test/support/sns-fixtures';

export interface DurationSample {
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly count: number;
}

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))];
}

/** Times `count` receiver invocations after `warmup` untimed ones. */
export async function measureReceiver(count = 400, warmup = 100): Promise<DurationSample> {
  const identity = await createSnsSigningIdentity();
  const queue = fakeQueue();
  const receive = createReceiver({
    allowedTopicArns: [TOPIC_ARN],
    queue,
    httpGet: fakeHttpGet({ [CERT_URL]: { status: 200, body: identity.certPem } }).httpGet,
    // WARN, as nothing is written at that level on the accepted path; INFO lines cost microseconds.
    logger: new Logger({ serviceName: 'receiver', logLevel: 'WARN' }),
  });
  const events = Array.from({ length: count + warmup }, () => {
    const message = sign(notificationFields(new Date(), { MessageId: randomUUID() }), identity);
    return apiEvent(JSON.stringify(message), { headers: snsHeaders(message) });
  });
  const times: number[] = [];
  for (const [index, event] of events.entries()) {
    const start = process.hrtime.bigint();
    const result = await receive(event);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.statusCode !== 200)
      throw new Error(`the receiver refused a genuine notification: ${result.statusCode}`);
    if (index >= warmup) times.push(ms);
  }
  if (queue.sends.length !== events.length)
    throw new Error('the receiver did not enqueue every notification');
  times.sort((a, b) => a - b);
  return { medianMs: percentile(times, 0.5), p90Ms: percentile(times, 0.9), count };
}
