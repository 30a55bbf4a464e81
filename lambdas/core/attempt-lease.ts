import type { RecordedDecision, UnitLease, UnitStore } from './ports';
import { attemptOwner } from './unit-decision';

/**
 * One attempt at an event on `unitKey`'s lease, under a name of the attempt's own (attemptOwner),
 * so that another attempt at the same event, at the same moment, finds the unit busy as another
 * event would. Every way of taking the lease uses that one name: a lease write whose answer was
 * lost may have landed, and the attempt's next write finds it its own. A write that fails is
 * followed by giving the lease back before the error is rethrown (the lease is this attempt's
 * alone, so no retry could take it back, and the retry of this very event would wait it out).
 */
export function attemptLease(units: UnitStore, unitKey: string, eventId: string) {
  const owner = attemptOwner(eventId);
  const giveBack = async (options: { done?: string } = {}): Promise<void> => {
    try {
      await units.releaseUnitLease(unitKey, owner, options);
    } catch {
      // The lease runs out on its own; the outcome (or the original error) is what matters.
    }
  };
  const guarded = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error: unknown) {
      await giveBack();
      throw error;
    }
  };
  return {
    /** The attempt's own lease owner (attemptOwner). */
    owner,
    /**
     * Gives the lease back (with `done`, the unit remembers that event finished); a failure leaves
     * it to run out on its own.
     */
    giveBack,
    /** UnitStore.acquireUnitLease for this attempt. */
    take: (now: Date, leaseMs: number): Promise<UnitLease> =>
      guarded(() => units.acquireUnitLease(unitKey, owner, now, leaseMs)),
    /** UnitStore.acquireWithIntent for this attempt: whether the lease was taken with `intent`. */
    takeWithIntent: (now: Date, leaseMs: number, intent: RecordedDecision): Promise<boolean> =>
      guarded(() => units.acquireWithIntent(unitKey, owner, now, leaseMs, intent)),
  };
}
