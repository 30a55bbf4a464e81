import { Duration } from 'aws-cdk-lib';
import { timingProblems, WORKER_TIMING } from '../lambdas/worker/timing';

/**
 * Values more than one construct must agree on. They live here, once, so the queue's visibility
 * timeout cannot drift from the worker's timeout and the dashboard cannot drift from the names
 * the handlers publish under.
 */

/** Stack ids (and so stack names), with the outputs the operator CLI reads: lib/stack-outputs.ts. */
export { STACK_IDS } from './stack-outputs';

/** The metrics' namespace and each function's service name, shared with the handlers. */
export { METRICS_NAMESPACE, SERVICE_NAMES } from '../lambdas/core/metric-names';

/**
 * SNS waits 15 s for an HTTPS endpoint to answer; the receiver must finish (or fail, so SNS
 * retries) well inside that.
 */
export const RECEIVER_TIMEOUT = Duration.seconds(10);

// The worker's timeout, the queue's visibility timeout and receive count come from the worker's
// timing (lambdas/worker/timing.ts), together with the leases and the retry delays the function
// uses; a synth with values that do not fit together fails here, naming what does not fit.
const timingBroken = timingProblems(WORKER_TIMING);
if (timingBroken.length > 0)
  throw new Error(`Worker timing does not fit: ${timingBroken.join('; ')}`);

/** One record's worst case (the worker's time guard) and room for the rest of a batch; under the leases. */
export const WORKER_TIMEOUT = Duration.seconds(WORKER_TIMING.workerTimeoutS);

/** Only a record whose worker crashed waits this out (failed ones come back after the retry delays). */
export const QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(WORKER_TIMING.visibilityTimeoutS);

/** Receives before a message goes to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = WORKER_TIMING.maxReceiveCount;

/** SQS records per worker invocation. */
export const WORKER_BATCH_SIZE = 10;

/**
 * Oldest-message age past which the queue is considered stuck. A record that keeps failing
 * reaches the DLQ in about 11 minutes (the retry delays); an older one was left by a crashed
 * worker (one visibility timeout) or waits behind a backlog.
 */
export const QUEUE_AGE_ALARM_THRESHOLD = Duration.minutes(30);

/**
 * One reconciler run pages through the open inbox offers and enqueues at most 200 (the per-run
 * cap): each page and each send is one call within the client's retry budget, so a few minutes
 * leave a wide margin while staying under the shortest schedule interval (5 minutes).
 */
export const RECONCILER_TIMEOUT = Duration.minutes(3);

/**
 * Lambda retries a failed scheduled run this many times (asynchronous invocation); the next
 * scheduled run starts over anyway, so more would only pile up runs.
 */
export const RECONCILER_RETRY_ATTEMPTS = 2;

/** Longest a scheduled run may wait to be (re)tried: Lambda's limit for asynchronous events is 6 hours. */
export const RECONCILER_MAX_EVENT_AGE_LIMIT = Duration.hours(6);

/** How long the dead-letter queue keeps a message (SQS counts from when it was first sent): it is lost after. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** Oldest dead letter past which someone must look: well inside the retention, so nothing is lost unseen. */
export const DEAD_LETTER_AGE_ALARM_THRESHOLD = Duration.days(1);

/** How long the events queue keeps an event the worker has not finished. */
export const EVENTS_QUEUE_RETENTION = Duration.days(4);
