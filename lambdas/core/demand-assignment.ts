import type { DemandAssignmentPolicy } from './connector-values';
import type { AcceptedMatch } from './ports';

/**
 * Demand side: which accepted match an outbox offer is assigned to. Pure, so every worker
 * invocation (and a redelivery) given the same matches picks the same one.
 */

/** A match that can still be assigned: accepted, and not closed, expired or assigned elsewhere. */
function isAssignable(match: AcceptedMatch): boolean {
  return match.status === 'open' || match.status === null;
}

/** Earlier `createdAt` first; ties broken by id so the order never depends on the API's listing. */
function earlierFirst(a: AcceptedMatch, b: AcceptedMatch): number {
  const at = Date.parse(a.createdAt);
  const bt = Date.parse(b.createdAt);
  if (!Number.isNaN(at) && !Number.isNaN(bt) && at !== bt) return at - bt;
  if (Number.isNaN(at) !== Number.isNaN(bt)) return Number.isNaN(at) ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The match to assign under `policy`, or undefined when there is none (policy `none`, or no
 * accepted match still open). `first-accepted` takes the earliest accepted match by `createdAt`;
 * a match with an unreadable time sorts last.
 */
export function chooseAssignment(
  policy: DemandAssignmentPolicy,
  matches: readonly AcceptedMatch[],
): AcceptedMatch | undefined {
  if (policy === 'none') return undefined;
  return [...matches].filter(isAssignable).sort(earlierFirst)[0];
}
