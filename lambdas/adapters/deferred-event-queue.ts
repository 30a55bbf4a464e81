/**
 * The events queue as a port whose SQS client is built on the first call (first-use.ts): the
 * worker's record hand-backs and the reconciler's sends (dropped offers, which most runs find none
 * of). Apart from deferred-publishers.ts, so the reconciler's bundle carries none of the worker's
 * publishers.
 */
import type { EventQueue } from '../core/ports';
import { onFirstUse } from './first-use';
import type { RecordRetry } from './record-retry';
import { sqsEventQueue } from './sqs-event-queue';

/** The events queue: sends (the reconciler) and record hand-backs (the worker). */
export function deferredEventQueue(queueUrl: string): EventQueue & RecordRetry {
  const queue = onFirstUse(() => sqsEventQueue(queueUrl));
  return {
    send: async (event, attributes) => (await queue()).send(event, attributes),
    changeVisibility: async (receiptHandle, seconds) =>
      (await queue()).changeVisibility(receiptHandle, seconds),
    resend: async (record, delaySeconds) => (await queue()).resend(record, delaySeconds),
  };
}
