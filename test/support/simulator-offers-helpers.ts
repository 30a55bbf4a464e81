/**
 * Shared helpers for the marketplace simulator state tests in test/unit (simulator-offers-supply,
 * simulator-offers-demand and simulator-visit-clash): the supply organisation the book is made for,
 * a clock the test advances by hand, and the status an action throws.
 */
import { SimulatorApiError } from '../../sandbox/simulator/offer-book';

/** The supply organisation a book is made for. */
export const ORG = 'org-supply';

/** A clock that moves only when the test advances it (ms), by default from 2026-03-01T12:00Z. */
export function clock(start = Date.parse('2026-03-01T12:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

/** The HTTP status of the SimulatorApiError `action` throws, or undefined when it throws none. */
export function statusOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof SimulatorApiError) return error.status;
    throw error;
  }
  return undefined;
}
