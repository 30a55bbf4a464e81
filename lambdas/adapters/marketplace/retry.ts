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
   * No retry starts unless its wait plus a whole attempt (up to the request timeout) ends within
   * this much time from the first attempt (default 15 s).
   */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2000, maxTotalMs: 15_000 };

/** 429 (throttled: nothing was done) and 5xx (the server failed, maybe after acting). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Full jitter: a uniformly random wait between 0 and the capped exponential step. */
export function backoffDelayMs(retryNumber: number, policy: RetryPolicy, random: () => number): number {
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
