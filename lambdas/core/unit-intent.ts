import { isAnswerable, judgeUnit } from './judge';
import type {
  Decision,
  InboxOffer,
  IntendedDecision,
  Notifier,
  OfferResult,
  RecordedDecision,
  RulesSource,
} from './ports';
import { type CapsContext, takesCapPlace } from './unit-answer';
import { boundedDecision, unitKeyOf } from './unit-decision';

/**
 * The unit decider's intents (decide-unit.ts): which decisions go on record as `intended` before
 * they are carried out, what such a record holds, when one is too old to send without judging
 * again, and a lone offer's first decision judged before its lease is taken, so that the lease and
 * the intent are one write.
 */

/** An intent older than this is judged again by the current rules before anything is sent. */
export const DEFAULT_MAX_INTENT_AGE_MS = 10 * 60 * 1000;

/** An accept or a decline: an answer the marketplace is sent (unless in a dry run). */
export function sendsAnswer(decision: Decision): boolean {
  return decision.action === 'accept' || decision.action === 'decline';
}

/** An answer sent to the marketplace now: not a dry run's. */
export function sendsNow(decision: IntendedDecision): boolean {
  return sendsAnswer(decision) && decision.dryRun !== true;
}

/**
 * An answer's intent too old to send without judging again (or with an unreadable time) at `now`.
 * A review's never is: someone may have been told of it.
 */
export function isStale(intent: RecordedDecision, now: Date, maxAgeMs: number): boolean {
  if (intent.action === 'review') return false;
  const decidedAt = Date.parse(intent.decidedAt);
  return Number.isNaN(decidedAt) || now.getTime() - decidedAt > maxAgeMs;
}

export interface IntentDeps {
  rules: RulesSource;
  now: () => Date;
  caps: CapsContext;
  /** Told of each review: a review then goes on record as intended first, as an answer does. */
  notifier?: Notifier;
  dryRun?: boolean;
}

export function createIntents(deps: IntentDeps) {
  const { rules, now, caps } = deps;

  /** A review, when someone is told of it. */
  const tellsPerson = (decision: Decision): boolean =>
    decision.action === 'review' && deps.notifier !== undefined;

  /**
   * What is sent or told goes on record first: the fence against sending an answer twice, and
   * what a retry after a crash sends or tells again, unchanged, instead of judging anew (a person
   * told "review" must not find the offer accepted by a retry after a rules change or a new day
   * under a cap). An ignore, or a review with nobody to tell, neither sends nor tells: recorded
   * once, applied.
   */
  const recordsIntent = (decision: Decision): boolean =>
    sendsAnswer(decision) || tellsPerson(decision);

  /** A judged decision as recorded `intended` by `eventId`, answered through `target`. */
  function intentOf(
    judged: Decision & { offers?: OfferResult[]; capKeys?: string[] },
    rulesVersion: string,
    eventId: string,
    unitKey: string,
    offers: readonly InboxOffer[],
    target: InboxOffer,
    replaces?: string,
  ): IntendedDecision {
    return {
      ...judged,
      rulesVersion,
      ...(deps.dryRun === true ? { dryRun: true } : {}),
      state: 'intended',
      eventId,
      decidedAt: now().toISOString(),
      unitKey,
      offerIds: offers.map((o) => o.id),
      answeredVia: target.id,
      ...(replaces !== undefined ? { replacesEventId: replaces } : {}),
    };
  }

  /**
   * A lone offer's decision judged before its lease is taken (UnitStore.acquireWithIntent): an
   * intent the current rules give it. Undefined where something must happen under the lease
   * first: a shift's offers are read under it, an accept under the caps takes its place under it,
   * and an offer no longer answerable, an ignore or a review with nobody to tell record no intent.
   */
  async function firstIntent(
    offer: InboxOffer,
    eventId: string,
  ): Promise<IntendedDecision | undefined> {
    if (offer.shiftId !== undefined || !isAnswerable(offer)) return undefined;
    const { rules: current, version } = await rules.current();
    const judged = boundedDecision(judgeUnit(current, [offer], now()));
    if (takesCapPlace(caps, judged, current) || !recordsIntent(judged)) return undefined;
    return intentOf(judged, version, eventId, unitKeyOf(offer), [offer], offer);
  }

  return { tellsPerson, recordsIntent, intentOf, firstIntent };
}
