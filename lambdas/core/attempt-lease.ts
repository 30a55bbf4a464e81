import type { UnitLease, UnitStore } from './ports';
import { attemptOwner } from './unit-decision';

/** A lease taken for one attempt at an event, and how to give it back. */
export interface AttemptLease {
  /** The attempt's own lease owner (attemptOwner). */
  owner: string;
  lease: UnitLease;
  /**
   * Gives the lease back (with `done`, the unit remembers that event finished); a failure leaves
   * it to run out on its own.
   */
  giveBack: (options?: { done?: string }) => Promise<void>;
}

/**
 * Takes `unitKey`'s lease under a name of this attempt's own, so that another attempt at the same
 * event, at the same moment, finds the unit busy as another event would. A lease write whose
 * answer was lost may have landed: the lease is this attempt's alone, so no retry could take it
 * back, and it is given back before the error is rethrown (else the retry of this very event would
 * wait the whole lease out).
 */
export async function takeAttemptLease(
  units: UnitStore,
  unitKey: string,
  eventId: string,
  now: Date,
  leaseMs: number,
): Promise<AttemptLease> {
  const owner = attemptOwner(eventId);
  const giveBack = async (options: { done?: string } = {}): Promise<void> => {
    try {
      await units.releaseUnitLease(unitKey, owner, options);
    } catch {
      // The lease runs out on its own; the outcome (or the original error) is what matters.
    }
  };
  try {
    return { owner, lease: await units.acquireUnitLease(unitKey, owner, now, leaseMs), giveBack };
  } catch (error: unknown) {
    await giveBack();
    throw error;
  }
}
