/**
 * Retry arithmetic for the marketplace client: which answers are worth another try, how long to
 * wait (exponential backoff with full jitter, or the server's `Retry-After`), and the bounds.
 * Pure functions; the client supplies the clock and randomness.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included (default 3). */
  maxAttempts: number;
  /** Backoff cap of the first retry; doubles each time (default 200 ms). */
  baseDelayMs: number;
  /** Largest backoff cap (default 2 s). */
  maxDelayMs: number;
  /**
   * No attempt after a call's first (a retry, a login or its retry, the repeat after a 401) starts
   * unless its wait plus a whole attempt (up to the request timeout) ends within this much time of
   * the call's start (default 15 s). See {@link CallBudget}.
   */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2000,
  maxTotalMs: 15_000,
};

/** 429 (throttled: nothing was done) and 5xx (the server failed, maybe after acting). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Full jitter: a uniformly random wait between 0 and the capped exponential step. */
export function backoffDelayMs(
  retryNumber: number,
  policy: RetryPolicy,
  random: () => number,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(random() * cap);
}

/**
 * `Retry-After` as milliseconds from `nowMs`: delta-seconds or an HTTP date. Undefined when absent
 * or unreadable; never negative.
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * The time one client call may take, logins and repeats included. Its first network attempt
 * always runs (it ends within the request timeout); every later one (a retry, a login or a login
 * retry, the repeat after a 401) starts only if it can end, timeout and wait included, within
 * `maxTotalMs` of the call's start. So no call runs longer than {@link callWorstCaseMs}, whatever
 * the API does. The clock is the client's, so tests drive it.
 */
export class CallBudget {
  private readonly deadline: number;
  private attempts = 0;

  constructor(
    private readonly now: () => number,
    policy: Pick<RetryPolicy, 'maxTotalMs'>,
    private readonly attemptMs: number,
  ) {
    this.deadline = now() + policy.maxTotalMs;
  }

  /** Whether a network attempt may start after waiting `waitMs`. */
  allows(waitMs = 0): boolean {
    return this.attempts === 0 || this.now() + waitMs + this.attemptMs <= this.deadline;
  }

  /** Counts a network attempt that starts now. */
  begin(): void {
    this.attempts += 1;
  }
}

/**
 * The longest one client call (a read, or one action without its state reads) can take: the
 * first attempt's timeout, or the budget every later attempt must end within. Each state read
 * after an action's unknown outcome is a call of its own with its own budget.
 */
export function callWorstCaseMs(
  policy: Pick<RetryPolicy, 'maxTotalMs'>,
  timeoutMs: number,
): number {
  return Math.max(timeoutMs, policy.maxTotalMs);
}

/**
 * The longest an action can take: its attempts, and the state reads between them, end within one
 * call's bound (each retry is judged after the read before it); the state check after its last
 * attempt (`readsPerCheck` reads: one for accept/decline) runs on budgets of its own.
 */
export function actionWorstCaseMs(
  policy: Pick<RetryPolicy, 'maxTotalMs'>,
  timeoutMs: number,
  readsPerCheck = 1,
): number {
  return callWorstCaseMs(policy, timeoutMs) * (1 + readsPerCheck);
}

/** What one attempt of a retried call came to (a final failure is thrown instead). */
export type AttemptResult<T, E> =
  | { kind: 'done'; value: T }
  /** Try again at once, without a wait; it counts as an attempt (a login with re-read credentials). */
  | { kind: 'again' }
  /** A failure worth another try, after the server's `Retry-After` when it gave one. */
  | { kind: 'retryable'; failure: E; waitMs?: number };

export interface RetryLoop<T, E extends Error> {
  readonly policy: RetryPolicy;
  readonly budget: CallBudget;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** One attempt (`n` from 1); throws a failure that is final. */
  attempt(n: number): Promise<AttemptResult<T, E>>;
  /** A thrown error that is an attempt without any response (timeout, network): retryable. */
  noResponse(error: unknown): error is E;
  /**
   * After each retryable failure, before the retry is judged (so its time counts): a result to
   * stop with, undefined to go on, or a throw. The client reads an action's resource here.
   */
  settle?(failure: E, n: number): Promise<{ value: T } | undefined>;
  /** Told of each retry just before its wait (the client logs it). */
  onRetry(failure: E, n: number, delayMs: number): void;
}

/**
 * The client's one retry loop: attempts until one is done, a failure is final, the attempts run
 * out or the call's budget has no room for the wait and another attempt. The wait is the server's
 * `Retry-After` or the backoff ({@link backoffDelayMs}), drawn before `settle` runs.
 */
export async function retrying<T, E extends Error>(loop: RetryLoop<T, E>): Promise<T> {
  for (let n = 1; ; n++) {
    let failure: E;
    let waitMs: number | undefined;
    try {
      const result = await loop.attempt(n);
      if (result.kind === 'done') return result.value;
      if (result.kind === 'again') continue;
      ({ failure, waitMs } = result);
    } catch (error: unknown) {
      if (!loop.noResponse(error)) throw error;
      failure = error;
    }
    const delay = waitMs ?? backoffDelayMs(n, loop.policy, loop.random);
    const settled = await loop.settle?.(failure, n);
    if (settled !== undefined) return settled.value;
    // Judged only now: the state read above took time of its own.
    if (n >= loop.policy.maxAttempts || !loop.budget.allows(delay)) throw failure;
    loop.onRetry(failure, n, delay);
    await loop.sleep(delay);
  }
}
