import { Duration } from 'aws-cdk-lib';

/**
 * Values more than one construct must agree on. They live here, once, so the queue's visibility
 * timeout cannot drift from the worker's timeout and the dashboard cannot drift from the names
 * the handlers publish under.
 */

/** Stack ids (and so stack names). Changing one makes CloudFormation see a new stack. */
export const STACK_IDS = {
  state: 'AlayaCareConnectorState',
  app: 'AlayaCareConnectorApp',
} as const;

/** Namespace of the handlers' Powertools EMF metrics. */
export const METRICS_NAMESPACE = 'AlayaCareConnector';

/** POWERTOOLS_SERVICE_NAME of each function; the metrics' `service` dimension carries it. */
export const SERVICE_NAMES = {
  receiver: 'receiver',
  worker: 'worker',
  reconciler: 'reconciler',
} as const;

/**
 * SNS waits 15 s for an HTTPS endpoint to answer; the receiver must finish (or fail, so SNS
 * retries) well inside that.
 */
export const RECEIVER_TIMEOUT = Duration.seconds(10);

/**
 * The worker handles a batch of up to 10 events, each a few marketplace API calls. It must leave
 * room for at least one record's worst case (MIN_REMAINING_MS_PER_RECORD in the worker, 45 s) and
 * stay under the worker's event lease (5 min, DEFAULT_LEASE_MS), so a retry after a crash finds
 * the lease expired only once the crashed invocation is surely over.
 */
export const WORKER_TIMEOUT = Duration.seconds(120);

/**
 * AWS's guidance for SQS event sources: a visibility timeout of at least six times the function
 * timeout, so a message is not handed to a second worker while the first still holds it.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export const QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(WORKER_TIMEOUT.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);

/** Receives before a message goes to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** SQS records per worker invocation. */
export const WORKER_BATCH_SIZE = 10;

/**
 * The serialised rules travel in the worker's environment, which Lambda caps at 4 KB for all
 * variables together; this leaves room for the others.
 */
export const MAX_RULES_JSON_BYTES = 3000;

/** Oldest-message age past which the queue is considered stuck (5 receives x 6 min can take 30). */
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
