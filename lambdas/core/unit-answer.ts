import { type AcceptCounter, capPeriods } from './caps';
import { type Rules, rulesTimeZone } from './rules-schema';
import { OutOfTimeError } from './errors';
import type { Decision, InboxOffer, MarketplaceApi, OfferResult, RecordedDecision } from './ports';

/**
 * The unit decider's dealings with the marketplace and the caps, each on its own: reading a
 * unit's offers, sending its one answer (only with time for the worst case), and holding an
 * accept's place under `rules.limits`.
 */

/**
 * The unit's offers as the marketplace shows them now. Called under the lease: what was read
 * before taking it may be stale (another event may have answered in between).
 */
export async function unitOffers(
  marketplace: MarketplaceApi,
  offer: InboxOffer,
): Promise<InboxOffer[]> {
  if (offer.shiftId === undefined) return [await marketplace.getInboxOffer(offer.id)];
  const listed = await marketplace.listShiftOffers(offer.shiftId);
  // The list may lag behind the offer just read: the event's own offer is always part of it.
  return listed.some((o) => o.id === offer.id)
    ? listed
    : [...listed, offer].sort((a, b) => a.id.localeCompare(b.id));
}

/** Sends the decision's answer on `offerId` (the marketplace applies it to the whole unit). */
export async function sendAnswer(
  marketplace: MarketplaceApi,
  offerId: string,
  decision: Decision,
): Promise<void> {
  if (decision.action === 'accept') {
    await marketplace.acceptInboxOffer(
      offerId,
      decision.comment === undefined ? undefined : { comment: decision.comment },
    );
  } else if (decision.action === 'decline') {
    const body: { reason_code?: string; comment?: string } = {};
    if (decision.declineReasonCode !== undefined) body.reason_code = decision.declineReasonCode;
    if (decision.comment !== undefined) body.comment = decision.comment;
    await marketplace.declineInboxOffer(offerId, body);
  }
  // `review` leaves the offer open in the marketplace for a person to answer.
}

/** Throws OutOfTimeError unless the lease and the invocation both outlast an action's worst case. */
export function ensureTimeFor(
  nowMs: number,
  leaseUntil: number,
  remainingMs: (() => number) | undefined,
  actionBudgetMs: number,
): void {
  const leaseLeft = leaseUntil - nowMs;
  const invocationLeft = remainingMs?.() ?? Number.POSITIVE_INFINITY;
  if (Math.min(leaseLeft, invocationLeft) < actionBudgetMs) {
    throw new OutOfTimeError(
      `not enough time left to answer safely (${Math.round(Math.min(leaseLeft, invocationLeft))} ms < ${actionBudgetMs} ms)`,
    );
  }
}

/** The caps' counter and whether its accepts are a dry run's (counted on counters of their own). */
export interface CapsContext {
  counter?: AcceptCounter;
  dryRun?: boolean;
  now: () => Date;
}

/**
 * An accept under the caps (`rules.limits`): reserved on each period's counter, or turned into
 * `review` when a period is full. Dry runs count on counters of their own.
 */
export async function withinCaps(
  caps: CapsContext,
  unitKey: string,
  judged: Decision & { offers?: OfferResult[] },
  current: Rules,
): Promise<Decision & { offers?: OfferResult[]; capKeys?: string[] }> {
  if (judged.action !== 'accept' || caps.counter === undefined) return judged;
  const periods = capPeriodsNow(caps, current);
  if (periods.length === 0) return judged;
  const reservation = await caps.counter.reserve(unitKey, periods);
  if (reservation.ok) return { ...judged, capKeys: periods.map((p) => p.key) };
  const capped = `accept cap reached (${reservation.period.label})`;
  // A capped accept keeps no decline reason or comment of its own.
  const rest = { ...judged };
  delete rest.declineReasonCode;
  delete rest.comment;
  return {
    ...rest,
    action: 'review',
    reason: capped,
    explanation: [capped, ...(judged.explanation ?? [judged.reason])],
  };
}

/** Whether withinCaps would hold a place under the caps for `judged` (an accept under limits). */
export function takesCapPlace(caps: CapsContext, judged: Decision, current: Rules): boolean {
  return (
    judged.action === 'accept' &&
    caps.counter !== undefined &&
    capPeriodsNow(caps, current).length > 0
  );
}

function capPeriodsNow(caps: CapsContext, current: Rules) {
  return capPeriods(
    current.limits,
    caps.now(),
    rulesTimeZone(current),
    caps.dryRun === true ? 'dry-run-accepts' : 'accepts',
  );
}

/** An accept that did not take effect gives its place under the caps back. */
export async function giveBackCap(
  caps: CapsContext,
  unitKey: string,
  decision: RecordedDecision,
): Promise<void> {
  if (decision.capKeys !== undefined && caps.counter !== undefined)
    await caps.counter.release(unitKey, decision.capKeys);
}
