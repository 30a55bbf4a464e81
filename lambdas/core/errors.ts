/**
 * Errors that are part of the core's contracts: the store's conditional-write refusals and the
 * signal that a record should come back soon. Adapters throw them; the worker maps them.
 */

/** An `intended` decision or assignment was about to replace a settled one (a concurrent invocation won). */
export class DecisionConflictError extends Error {
  override readonly name = 'DecisionConflictError';
}

/** A write for a decision unit whose lease the writer no longer holds (it expired, another event took it). */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/**
 * The record could not finish now for a reason that passes (another event holds the unit's lease,
 * the event's claim is held, not enough time left): retry it soon. `retryAfterMs`, when given, is
 * the least wait that can help (e.g. until the other holder's lease runs out).
 */
export class RetryLaterError extends Error {
  override readonly name: string = 'RetryLaterError';
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Not enough time is left in this invocation to finish the record safely; nothing was sent. */
export class OutOfTimeError extends RetryLaterError {
  override readonly name = 'OutOfTimeError';
}

/**
 * Whether a marketplace call failed because the marketplace refused it for good (a 4xx other than
 * 401, 408 and 429, with a known outcome): the offer is not in a state to take the answer. Read
 * off the error's `status` and `outcomeUnknown` fields, which the marketplace adapter's errors
 * carry, so the core needs no adapter import.
 */
export function isRefusal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, outcomeUnknown } = error as { status?: unknown; outcomeUnknown?: unknown };
  if (typeof status !== 'number' || outcomeUnknown === true) return false;
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

/** Configuration (a config file, rules, or a function's environment) that cannot be used. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
