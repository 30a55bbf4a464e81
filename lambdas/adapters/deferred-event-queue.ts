/**
 * The events queue as a port whose module (and the SQS client's package) loads on the first call:
 * the worker's record hand-backs and the reconciler's sends (dropped offers, which most runs find
 * none of). Why and how: deferred-publishers.ts. Apart from it, so the reconciler's bundle carries
 * none of the worker's publishers (esbuild bundles every `import()` target of a file it bundles).
 */
import type { EventQueue } from '../core/ports';
import { onFirstLoad } from './first-use';
import type { RecordRetry } from './record-retry';

/** The events queue: sends (the reconciler) and record hand-backs (the worker). */
export function deferredEventQueue(queueUrl: string): EventQueue & RecordRetry {
  const queue = onFirstLoad(async () =>
    (await import('./sqs-event-queue')).sqsEventQueue(queueUrl),
  );
  return {
    send: async (event, attributes) => (await queue()).send(event, attributes),
    changeVisibility: async (receiptHandle, seconds) =>
      (await queue()).changeVisibility(receiptHandle, seconds),
    resend: async (record, delaySeconds) => (await queue()).resend(record, delaySeconds),
  };
}
