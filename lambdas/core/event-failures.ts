/**
 * What an event's record tells people (`connector dlq list`, `connector status`) of failed
 * attempts: the failure an attempt leaves on it, and, for an unclaimed event (an OfferMatched, a
 * referral event) that a later attempt finishes, that failure marked done. Never on the decision
 * path: each write here is best effort, and the error thrown is always the attempt's own.
 */
import { UnitBusyError } from './decide-unit';
import { OutOfTimeError } from './errors';
import type { EventCompletion, EventFailure, OfferStore } from './ports';
import type { ProcessResult } from './process-result';
import { ReferralBusyError } from './referral-event';

/** What a failed attempt leaves on its event: the error's name and, for marketplace errors, operation and status (never a message). */
export function failureOf(error: unknown, at: Date): EventFailure {
  const { name, operation, status } = (
    typeof error === 'object' && error !== null ? error : {}
  ) as { name?: unknown; operation?: unknown; status?: unknown };
  const failure: EventFailure = {
    errorName: typeof name === 'string' ? name.slice(0, 100) : 'Error',
    at: at.toISOString(),
  };
  if (typeof operation === 'string') failure.operation = operation.slice(0, 100);
  if (typeof status === 'number') failure.status = status;
  return failure;
}

export function eventFailures(
  store: Pick<OfferStore, 'releaseEvent' | 'completeFailedEvent'>,
  now: () => Date,
) {
  /** A failed attempt's record for `connector dlq list`. */
  async function recordFailure(eventId: string, error: unknown): Promise<void> {
    try {
      await store.releaseEvent(eventId, failureOf(error, now()));
    } catch {
      // A claim's lease expires on its own; an unclaimed event's record is only for people.
    }
  }

  /**
   * An unclaimed event's failed attempt put on record, unless it found its unit or referral busy
   * with another event or copy (a shift's offers arrive together, and all but one wait), or had no
   * time left to act (the worker hands the record back as a new copy, which no receive count links
   * to this one): no failure of its own, retried on the schedule, and kept off the event item
   * (during a deploy, an older version's claim there, which a failure record would give back to a
   * third copy), unless the record heads for the DLQ now (`lastReceive`).
   */
  async function recordUnclaimedFailure(
    eventId: string,
    error: unknown,
    lastReceive: boolean,
  ): Promise<void> {
    const notAFailure =
      error instanceof UnitBusyError ||
      error instanceof ReferralBusyError ||
      error instanceof OutOfTimeError;
    if (!notAFailure || lastReceive) await recordFailure(eventId, error);
  }

  /**
   * A retried unclaimed event that finished: the failure an earlier receive may have left on its
   * record is marked done.
   */
  async function closeUnclaimedFailure(result: ProcessResult): Promise<void> {
    const completion: EventCompletion = { eventName: result.eventName, outcome: result.outcome };
    if (result.offerId !== undefined) completion.offerId = result.offerId;
    try {
      await store.completeFailedEvent(result.eventId, now(), completion);
    } catch {
      // The failure stays on record; the offer's or referral's record shows it handled.
    }
  }

  /**
   * An unclaimed event's handling (an OfferMatched's, a referral event's) with its record for
   * people: a failure is put on record (recordUnclaimedFailure) and rethrown; a finish marks done
   * the failure an earlier receive may have left, when the queue delivered this message before
   * (`retried`). A first receive skips that look-up; so a failure stays on record when another
   * message finishes the event (a second SNS copy, a redriven dead letter), as it does for the
   * day `connector status` counts.
   */
  async function unclaimed(
    ids: Pick<ProcessResult, 'eventId' | 'eventName'>,
    receive: { lastReceive: boolean; retried: boolean },
    handle: () => Promise<Omit<ProcessResult, 'eventId' | 'eventName'>>,
  ): Promise<ProcessResult> {
    let result: ProcessResult;
    try {
      result = { ...ids, ...(await handle()) };
    } catch (error: unknown) {
      await recordUnclaimedFailure(ids.eventId, error, receive.lastReceive);
      throw error;
    }
    if (receive.retried) await closeUnclaimedFailure(result);
    return result;
  }

  return { recordFailure, unclaimed };
}
