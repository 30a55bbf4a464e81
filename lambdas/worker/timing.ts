import { DEFAULT_TIMEOUT_MS } from '../adapters/marketplace/options';
import {
  actionWorstCaseMs,
  callWorstCaseMs,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
} from '../adapters/marketplace/retry';

/**
 * The worker's timing, in one place for the function (lambdas/worker) and the CDK app (lib/):
 * how long a record can take at worst, the Lambda timeout, the leases, the queue's visibility
 * timeout and the retry delays. Each follows from the one before, starting from the marketplace
 * client's own bound, and `timingProblems` names any relation between them that does not hold
 * (a unit test checks the shipped values, and synth refuses values that do not fit).
 */

/** The marketplace client as the worker builds it (handler.ts passes exactly these). */
export interface ClientTiming {
  /** Per-request timeout of one network attempt. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
}

export const WORKER_CLIENT: ClientTiming = {
  timeoutMs: DEFAULT_TIMEOUT_MS,
  retry: DEFAULT_RETRY_POLICY,
};

/** Offers in one shift or bundle, at most, per AlayaCare's spec for bundles. */
export const MAX_OFFERS_PER_SHIFT = 10;

/**
 * Pages of `GET /offers/v1/inbox/offers?shift_id=` read to list a shift. The API's default page
 * size is not documented; two pages hold 10 offers with any page size of 5 or more.
 */
export const SHIFT_LISTING_PAGES = 2;

/**
 * Marketplace reads of one record at worst: the offer, the shift listing (its pages and each
 * offer's detail), and one more read of the offer to resolve the unit's state after the action.
 * A re-login is no extra term: the client counts it inside the call that needed it.
 */
export const READS_PER_RECORD = 1 + SHIFT_LISTING_PAGES + MAX_OFFERS_PER_SHIFT + 1;

/**
 * DynamoDB writes and reads, the Secrets Manager read (cached 5 minutes) and the SQS calls of one
 * record. An allowance, not a bound: the AWS SDK clients run with their default retries and no
 * request timeout. They normally take milliseconds.
 */
export const AWS_CALLS_ALLOWANCE_MS = 10_000;

/** Room in the Lambda timeout, past one record's worst case, for the batch's other records. */
export const BATCH_HEADROOM_MS = 30_000;

/**
 * Leases outlast the Lambda timeout by this much: Lambda stops an invocation at its timeout, and
 * the margin covers the clock difference between the invocation that wrote a lease and the one
 * reading it.
 */
export const LEASE_MARGIN_MS = 60_000;

/**
 * AWS's guidance for SQS event sources: a visibility timeout of at least six times the function
 * timeout, so a throttled or retried batch is not handed to a second worker meanwhile.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Hard limits of the services. */
export const LIMITS = {
  lambdaTimeoutS: 900,
  sqsVisibilityS: 43_200,
  sqsDelayS: 900,
} as const;

export interface WorkerTiming {
  /** The client's worst case for one read (logins and retries inside it). */
  readonly readMs: number;
  /** The client's worst case for an accept or decline, with the state read after its last attempt. */
  readonly actionMs: number;
  /** One record's worst case: the worker's time guard (no record starts with less left). */
  readonly recordMs: number;
  /** Given to the processor: it sends an action only with this much left (invocation and unit lease). */
  readonly actionBudgetMs: number;
  /** The worker's Lambda timeout. */
  readonly workerTimeoutS: number;
  /** How long an event's claim keeps other invocations off it. */
  readonly eventLeaseMs: number;
  /** How long a decision unit's lease keeps other events of the unit waiting. */
  readonly decisionLeaseMs: number;
  /** The events queue's visibility timeout: when a record whose worker crashed comes back. */
  readonly visibilityTimeoutS: number;
  /**
   * Seconds until a failed record comes back, by its receive count (1-based; the last entry
   * repeats). Shorter than the visibility timeout, which only a crash waits for now.
   */
  readonly retryDelaysS: readonly number[];
  /** Receives before SQS moves a record to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/** Whole seconds, rounded up to a whole minute. */
function minutesCeilS(ms: number): number {
  return Math.ceil(ms / 60_000) * 60;
}

/** The timing the shipped worker runs with, derived from its client. */
export function deriveWorkerTiming(client: ClientTiming = WORKER_CLIENT): WorkerTiming {
  const readMs = callWorstCaseMs(client.retry, client.timeoutMs);
  const actionMs = actionWorstCaseMs(client.retry, client.timeoutMs);
  const recordMs = READS_PER_RECORD * readMs + actionMs + AWS_CALLS_ALLOWANCE_MS;
  const workerTimeoutS = minutesCeilS(recordMs + BATCH_HEADROOM_MS);
  const leaseMs = workerTimeoutS * 1000 + LEASE_MARGIN_MS;
  return {
    readMs,
    actionMs,
    recordMs,
    actionBudgetMs: actionMs,
    workerTimeoutS,
    eventLeaseMs: leaseMs,
    decisionLeaseMs: leaseMs,
    visibilityTimeoutS: Math.max(
      VISIBILITY_TIMEOUT_FACTOR * workerTimeoutS,
      workerTimeoutS + Math.ceil(leaseMs / 1000),
    ),
    // Quick first retries for a blip; the later ones, added up, outlast a lease (see timingProblems).
    retryDelaysS: [5, 15, 60, 300],
    maxReceiveCount: 5,
  };
}

export const WORKER_TIMING: WorkerTiming = deriveWorkerTiming();

const s = (ms: number) => `${ms / 1000} s`;

/**
 * The relations between the values that do not hold, each in words; empty when they all fit.
 * `client` is what the values were meant for (the worker's client by default).
 */
export function timingProblems(
  timing: WorkerTiming,
  client: ClientTiming = WORKER_CLIENT,
): string[] {
  const problems: string[] = [];
  const t = timing;
  const timeoutMs = t.workerTimeoutS * 1000;
  const visibilityMs = t.visibilityTimeoutS * 1000;
  const readMs = callWorstCaseMs(client.retry, client.timeoutMs);
  const actionMs = actionWorstCaseMs(client.retry, client.timeoutMs);
  const recordMs = READS_PER_RECORD * readMs + actionMs + AWS_CALLS_ALLOWANCE_MS;

  if (client.retry.maxTotalMs <= client.timeoutMs) {
    problems.push(
      `the client's retry budget (${s(client.retry.maxTotalMs)}) does not exceed its request timeout (${s(client.timeoutMs)}): no retry, and no request after a login, could start`,
    );
  }
  if (t.readMs < readMs || t.actionMs < actionMs) {
    problems.push(
      `the client's worst cases (${s(readMs)} a read, ${s(actionMs)} an action) exceed the ones assumed (${s(t.readMs)}, ${s(t.actionMs)})`,
    );
  }
  if (t.actionBudgetMs < actionMs) {
    problems.push(
      `the action budget (${s(t.actionBudgetMs)}) is shorter than the client's worst case for an action (${s(actionMs)}): an accept could be cut off by the Lambda timeout`,
    );
  }
  if (t.recordMs < recordMs) {
    problems.push(
      `the time guard (${s(t.recordMs)}) is shorter than a record's worst case (${READS_PER_RECORD} reads, an action and the AWS calls: ${s(recordMs)})`,
    );
  }
  if (timeoutMs <= t.recordMs) {
    problems.push(
      `the worker timeout (${t.workerTimeoutS} s) does not exceed the time guard (${s(t.recordMs)}): no record would ever start, each would be handed back again and again`,
    );
  }
  if (t.workerTimeoutS > LIMITS.lambdaTimeoutS)
    problems.push(
      `the worker timeout (${t.workerTimeoutS} s) exceeds Lambda's ${LIMITS.lambdaTimeoutS} s`,
    );
  for (const [name, leaseMs] of [
    ['event lease', t.eventLeaseMs],
    ['decision-unit lease', t.decisionLeaseMs],
  ] as const) {
    if (leaseMs <= timeoutMs) {
      problems.push(
        `the ${name} (${s(leaseMs)}) does not outlast the worker timeout (${t.workerTimeoutS} s): another invocation could take over from one still running`,
      );
    }
    // A record's lease is taken at most one timeout after the record was received.
    if (visibilityMs < timeoutMs + leaseMs) {
      problems.push(
        `the visibility timeout (${t.visibilityTimeoutS} s) is shorter than the worker timeout plus the ${name} (${s(timeoutMs + leaseMs)}): a record whose worker crashed could come back while its lease is still held`,
      );
    }
  }
  if (t.visibilityTimeoutS < VISIBILITY_TIMEOUT_FACTOR * t.workerTimeoutS) {
    problems.push(
      `the visibility timeout (${t.visibilityTimeoutS} s) is under ${VISIBILITY_TIMEOUT_FACTOR}x the worker timeout (${t.workerTimeoutS} s), AWS's guidance for SQS event sources`,
    );
  }
  if (t.visibilityTimeoutS > LIMITS.sqsVisibilityS)
    problems.push(
      `the visibility timeout (${t.visibilityTimeoutS} s) exceeds SQS's ${LIMITS.sqsVisibilityS} s`,
    );
  if (!Number.isInteger(t.maxReceiveCount) || t.maxReceiveCount < 1 || t.maxReceiveCount > 1000) {
    problems.push(`maxReceiveCount (${t.maxReceiveCount}) is not a whole number from 1 to 1000`);
  }
  problems.push(...scheduleProblems(t));
  return problems;
}

function scheduleProblems(t: WorkerTiming): string[] {
  const delays = t.retryDelaysS;
  if (delays.length === 0) return ['the retry schedule is empty'];
  const problems: string[] = [];
  if (delays.some((d) => !Number.isInteger(d) || d < 1))
    problems.push(
      `the retry delays (${delays.join(', ')} s) are not all whole seconds of at least 1`,
    );
  if (delays.some((d, i) => i > 0 && d < (delays[i - 1] ?? 0)))
    problems.push(`the retry delays (${delays.join(', ')} s) shrink`);
  if (delays.some((d) => d >= t.visibilityTimeoutS)) {
    problems.push(
      `a retry delay is not shorter than the visibility timeout (${t.visibilityTimeoutS} s): it would retry no sooner than a crash`,
    );
  }
  // A record refused because another invocation holds its event claim or its unit's lease (no end
  // time given) must not use up its receives before a crashed holder's claim or lease runs out.
  const beforeLastReceive = Array.from({ length: Math.max(0, t.maxReceiveCount - 1) }, (_, i) =>
    retryDelaySeconds(i + 1, undefined, delays),
  ).reduce((a, b) => a + b, 0);
  const longestLeaseMs = Math.max(t.eventLeaseMs, t.decisionLeaseMs);
  if (beforeLastReceive * 1000 <= longestLeaseMs) {
    problems.push(
      `the retry delays between the ${t.maxReceiveCount} receives add up to ${beforeLastReceive} s, not more than the event and unit leases (${s(longestLeaseMs)}): a record waiting on a crashed holder's claim or lease would reach the DLQ first`,
    );
  }
  return problems;
}

/**
 * Seconds until a failed record should come back: the schedule's entry for its receive count
 * (a missing or unreadable count reads as the first), or the error's own wait when longer (e.g.
 * until another event's lease on the unit runs out), within SQS's visibility limit.
 */
export function retryDelaySeconds(
  receiveCount: number,
  retryAfterMs?: number,
  delays: readonly number[] = WORKER_TIMING.retryDelaysS,
): number {
  const count = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  const scheduled = delays[Math.min(count, delays.length) - 1] ?? 0;
  const asked =
    retryAfterMs === undefined || !(retryAfterMs > 0) ? 0 : Math.ceil(retryAfterMs / 1000);
  return Math.min(LIMITS.sqsVisibilityS, Math.max(scheduled, asked));
}

/** Seconds a re-sent copy waits before it is delivered: the error's wait, if any, within SQS's limit. */
export function resendDelaySeconds(retryAfterMs?: number): number {
  if (retryAfterMs === undefined || !(retryAfterMs > 0)) return 0;
  return Math.min(LIMITS.sqsDelayS, Math.ceil(retryAfterMs / 1000));
}
