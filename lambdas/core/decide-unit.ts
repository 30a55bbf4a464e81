import type { AcceptCounter } from './caps';
import { isRefusal, RetryLaterError } from './errors';
import { isAnswerable, judgeUnit } from './judge';
import { createIntents, DEFAULT_MAX_INTENT_AGE_MS, isStale, sendsNow } from './unit-intent';
import { rejudges, type Replay } from './replay';
import {
  type CapsContext,
  ensureTimeFor,
  giveBackCap,
  sendAnswer,
  unitOffers,
  withinCaps,
} from './unit-answer';
import {
  boundedDecision,
  decisionOf,
  resolutionOf,
  responseFor,
  reviewNotification,
  storedDecision,
  unitKeyOf,
} from './unit-decision';
import {
  type Decision,
  type DecisionResolution,
  type InboxOffer,
  type IntendedDecision,
  isFinal,
  type LastEvent,
  type MarketplaceApi,
  type Notifier,
  type OfferStore,
  type RecordedDecision,
  type RulesSource,
  type UnitStore,
} from './ports';
import { createUnitRecords, type HeldUnit, type OfferEvent } from './unit-records';
import { attemptLease } from './attempt-lease';

/**
 * Supply side: one answer per decision unit. The marketplace answers every offer of a shift or
 * bundle (same `shift_id`) with one call, so the unit of a decision is the shift, or the offer
 * when it has none. For an `OfferMatched`:
 *
 * 1. The event's offer is fetched to learn its unit, and the unit's lease is taken (a conditional
 *    write owned by this attempt at the event, expiring after any invocation that could hold it
 *    has ended). Only the holder decides; another event, or another delivery of the same one,
 *    finds it busy and comes back in seconds. A lone offer with no decision on record is judged
 *    first, and its intent written in the write that takes the lease, when nothing else must
 *    happen in between (see firstIntent): both writes of step 2's intent in one.
 * 2. Under the lease: a settled unit (applied, or resolved by what the marketplace showed) ends
 *    the event as already decided. Otherwise every offer of the unit is fetched and judged, and an
 *    accept or decline, or a review a person is told of, is recorded as `intended` (fenced by the
 *    lease) on the unit and its offers (an ignore, or a review with nobody to tell, is recorded
 *    once, at step 3). A review is told after its intent, before `applied`.
 * 3. One accept or decline is sent, only with enough lease and invocation time left for its worst
 *    case. Then the decision is recorded `applied`. A refusal (4xx) is resolved by reading the
 *    offers: answered, expired, closed or assigned elsewhere is recorded as `resolved`.
 *
 * A crash leaves an `intended` decision: the next event confirms it when the marketplace shows it
 * took effect, sends it again while it is younger than `maxIntentAgeMs`, and judges afresh by the
 * current rules when it is older. An intended review is told again however old it is: the person
 * may have been told already, and a review is never turned into an answer behind their back (a
 * crash's retry comes after the queue's visibility timeout, and the reconciler's after 10 minutes).
 */

/** Another event holds the unit's lease: retry once it is likely released (or has run out). */
export class UnitBusyError extends RetryLaterError {
  override readonly name = 'UnitBusyError';
}

export type UnitOutcome =
  'decided' | 'recovered' | 'already-decided' | 'not-actionable' | 'resolved';

export interface UnitResult {
  outcome: UnitOutcome;
  /** The decision applied or confirmed applied now (counted once by the caller). */
  decision?: Decision;
  /** Set when an intent was closed by the marketplace's state instead of our answer. */
  resolution?: DecisionResolution;
  /** The decision was made in dry-run mode: nothing was sent. */
  dryRun?: boolean;
  /** The version of the rules the decision was judged by. */
  rulesVersion?: string;
  unitKey?: string;
}

export interface DecideOptions {
  /** The invocation's time left (ms): an answer is sent only with time for its worst case. */
  remainingMs?: () => number;
  /** An operator's replay of the event (replay.ts). */
  replay?: Replay;
  /**
   * The caller found no decision on the offer's record just before: a lone offer is judged before
   * its lease is taken, and its intent written with the lease (UnitStore.acquireWithIntent), which
   * refuses, writing nothing, if a decision is there by then.
   */
  undecided?: boolean;
}

export interface UnitDeciderDeps {
  marketplace: MarketplaceApi;
  store: OfferStore;
  units: UnitStore;
  rules: RulesSource;
  now: () => Date;
  decisionLeaseMs: number;
  actionBudgetMs: number;
  maxIntentAgeMs?: number;
  /**
   * Told of every `review` decision, once it is recorded as intended (at least once; a retry
   * tells the same review again, from the intent).
   */
  notifier?: Notifier;
  /** Counters for `rules.limits`; without one, accepts are not capped. */
  counter?: AcceptCounter;
  /** Decide, record and notify, but never send an answer. */
  dryRun?: boolean;
  /** Live: decide again what was decided in a dry run (its offers still open), instead of keeping it. */
  redecideDryRun?: boolean;
}

export function createUnitDecider(deps: UnitDeciderDeps) {
  const { marketplace, store, units, rules, now } = deps;
  const maxIntentAgeMs = deps.maxIntentAgeMs ?? DEFAULT_MAX_INTENT_AGE_MS;
  const finality = { redecideDryRun: deps.redecideDryRun === true && deps.dryRun !== true };
  const { record, recordFacts, factsOf, completeCopies } = createUnitRecords({
    store,
    units,
    now,
    finality,
  });
  const caps: CapsContext = {
    now,
    ...(deps.counter !== undefined ? { counter: deps.counter } : {}),
    ...(deps.dryRun !== undefined ? { dryRun: deps.dryRun } : {}),
  };
  const { tellsPerson, recordsIntent, intentOf, firstIntent } = createIntents({
    rules,
    now,
    caps,
    ...(deps.notifier !== undefined ? { notifier: deps.notifier } : {}),
    ...(deps.dryRun !== undefined ? { dryRun: deps.dryRun } : {}),
  });

  /**
   * Decides the unit of `offer` for the event `eventId`. `lastEvent` is written on the event's own
   * offer with its facts.
   */
  async function decide(
    offer: InboxOffer,
    eventId: string,
    lastEvent: LastEvent,
    options: DecideOptions = {},
  ): Promise<UnitResult> {
    const unitKey = unitKeyOf(offer);
    const event: OfferEvent = { offerId: offer.id, ...lastEvent };
    const first = options.undecided === true ? await firstIntent(offer, eventId) : undefined;
    const attempt = attemptLease(units, unitKey, eventId);
    const held: HeldUnit = { unitKey, owner: attempt.owner, eventId, released: false };
    const whileHeld = async (
      work: () => Promise<Omit<UnitResult, 'unitKey'>>,
    ): Promise<UnitResult> => {
      try {
        return { unitKey, ...(await work()) };
      } finally {
        if (!held.released) await attempt.giveBack();
      }
    };
    if (first !== undefined) {
      const leaseFrom = now().getTime();
      const leaseUntil = leaseFrom + deps.decisionLeaseMs;
      // An intent this attempt has no time to send is not written: its retry judges afresh.
      if (sendsNow(first))
        ensureTimeFor(leaseFrom, leaseUntil, options.remainingMs, deps.actionBudgetMs);
      if (await attempt.takeWithIntent(new Date(leaseFrom), deps.decisionLeaseMs, first)) {
        const answer = { offers: [offer], target: offer, decision: first, recovered: false };
        return whileHeld(() => carryOut(offer, held, answer, leaseUntil, event, options));
      }
    }
    // Without an intent, or refused (a lease or a decision is there by now): the lease alone, by
    // the same attempt, whose refused write may have landed after all (an answer lost, the write
    // sent again) and is then found its own.
    const leaseFrom = now().getTime();
    const lease = await attempt.take(new Date(leaseFrom), deps.decisionLeaseMs);
    if (lease.kind === 'busy') {
      // No wait until the lease runs out: its holder normally finishes (and releases) in seconds,
      // and the retry schedule outlasts a crashed holder's lease by itself (worker timing).
      throw new UnitBusyError('decision unit is held by another event');
    }
    const leaseUntil = leaseFrom + deps.decisionLeaseMs;
    return whileHeld(() => decideHeld(offer, held, lease.decision, leaseUntil, event, options));
  }

  async function decideHeld(
    offer: InboxOffer,
    held: HeldUnit,
    current: RecordedDecision | undefined,
    leaseUntil: number,
    lastEvent: OfferEvent,
    options: DecideOptions,
  ): Promise<Omit<UnitResult, 'unitKey'>> {
    const { unitKey, eventId } = held;
    const { replay } = options;
    // An operator's replay judges a settled decision again only while the unit is answerable.
    const replayed =
      current !== undefined && isFinal(current, finality) && rejudges(current, replay, eventId)
        ? await unitOffers(marketplace, offer)
        : undefined;
    const replaces = replayed?.some(isAnswerable) === true ? current?.eventId : undefined;
    if (current !== undefined && isFinal(current, finality) && replaces === undefined) {
      // Decided by an earlier event, which may have crashed before every offer carried it.
      await completeCopies(current);
      if (!(current.offerIds ?? []).includes(offer.id))
        await store.recordDecision(offer.id, storedDecision(current));
      await recordFacts([offer], lastEvent);
      return { outcome: 'already-decided' };
    }

    // A lone offer no event of ours has decided yet is not read again under the lease: the read
    // just made is as good (our answers are fenced by the unit's decision, and a change by anyone
    // else in between makes the answer refused, which resolveRefusal reads and closes). One
    // marketplace round trip less on the common path.
    const offers =
      replayed ??
      (current === undefined && offer.shiftId === undefined
        ? [offer]
        : await unitOffers(marketplace, offer));
    const ids = offers.map((o) => o.id);
    const answerable = offers.filter(isAnswerable);
    const intent = current?.state === 'intended' ? current : undefined;

    if (intent !== undefined) {
      const shown = responseFor(intent.action);
      // An earlier attempt's call took effect but was never recorded: confirm it, send nothing.
      if (shown !== undefined && offers.some((o) => o.match.response === shown)) {
        await record(held, ids, { ...intent, state: 'applied' }, factsOf(offers, lastEvent));
        return {
          outcome: 'recovered',
          decision: decisionOf(intent),
        };
      }
    }

    if (answerable.length === 0) {
      if (intent === undefined) {
        await recordFacts(offers, lastEvent);
        return { outcome: 'not-actionable' };
      }
      return closeResolved(held, offers, intent, lastEvent);
    }

    // Never undefined: `answerable` is not empty here.
    const target = answerable.find((o) => o.id === offer.id) ?? answerable[0];
    let decision: IntendedDecision;
    if (intent === undefined || isStale(intent, now(), maxIntentAgeMs)) {
      // A replaced accept, or a stale intended one, never took effect (the marketplace shows
      // the match still pending; one it took was confirmed above): its places under the caps go
      // back before the unit is judged again, which takes them again if it still accepts. Both
      // calls are idempotent per unit, so a crash in between loses nothing.
      if (replaces !== undefined && current !== undefined)
        await giveBackCap(caps, unitKey, current);
      else if (intent !== undefined) await giveBackCap(caps, unitKey, intent);
      const { rules: currentRules, version } = await rules.current();
      const judged = boundedDecision(judgeUnit(currentRules, answerable, now()));
      decision = intentOf(
        await withinCaps(caps, unitKey, judged, currentRules),
        version,
        eventId,
        unitKey,
        offers,
        target,
        replaces,
      );
      // On record before it is carried out (recordsIntent); an ignore, or a review with nobody
      // to tell, is recorded once, applied, under the same lease (one write less per offer).
      if (recordsIntent(decision)) await record(held, ids, decision);
    } else {
      // Young enough: send what was decided then, even if the rules have changed since.
      decision = intent;
    }
    const answer = { offers, target, decision, recovered: intent !== undefined };
    return carryOut(offer, held, answer, leaseUntil, lastEvent, options);
  }

  /**
   * Carries out a decision under the lease, its intent on record if it sends or tells: a review
   * is told, an answer sent (a refusal resolved), and the decision recorded `applied` with the
   * unit's offers' facts, giving the lease back.
   */
  async function carryOut(
    offer: InboxOffer,
    held: HeldUnit,
    answer: {
      offers: readonly InboxOffer[];
      target: InboxOffer;
      decision: IntendedDecision;
      /** An earlier attempt's intent, sent again. */
      recovered: boolean;
    },
    leaseUntil: number,
    lastEvent: OfferEvent,
    options: DecideOptions,
  ): Promise<Omit<UnitResult, 'unitKey'>> {
    const { offers, target, decision } = answer;
    if (tellsPerson(decision)) {
      // Before `applied`: a failed notification fails the record, and its retry notifies again.
      await deps.notifier?.notify(reviewNotification(target, decision));
    }
    if (sendsNow(decision)) {
      ensureTimeFor(now().getTime(), leaseUntil, options.remainingMs, deps.actionBudgetMs);
      try {
        await sendAnswer(marketplace, target.id, decision);
      } catch (error: unknown) {
        if (!isRefusal(error)) throw error;
        return resolveRefusal(error, offer, held, decision, lastEvent);
      }
    }
    // A dry run sent nothing: the marketplace's response is still what it was.
    await record(
      held,
      offers.map((o) => o.id),
      { ...decision, state: 'applied' },
      factsOf(
        offers,
        lastEvent,
        decision.dryRun === true ? undefined : responseFor(decision.action),
      ),
    );
    return {
      outcome: answer.recovered ? 'recovered' : 'decided',
      decision: decisionOf(decision),
      ...(decision.rulesVersion !== undefined ? { rulesVersion: decision.rulesVersion } : {}),
      ...(decision.dryRun === true ? { dryRun: true } : {}),
    };
  }

  /**
   * The marketplace refused the answer (already answered, expired, closed...): read the unit
   * again and close the intent with what it shows. A refusal while the unit still looks
   * answerable is not understood: it fails the record so it is retried (and, if it persists,
   * reaches the DLQ for an operator).
   */
  async function resolveRefusal(
    refusal: unknown,
    offer: InboxOffer,
    held: HeldUnit,
    decision: IntendedDecision,
    lastEvent: OfferEvent,
  ): Promise<Omit<UnitResult, 'unitKey'>> {
    const latest = await unitOffers(marketplace, offer);
    if (latest.some(isAnswerable)) throw refusal;
    const { resolution, response } = resolutionOf(latest);
    if (resolution === 'answered' && response === responseFor(decision.action)) {
      // Our own answer, from an attempt whose success was never recorded.
      const ids = latest.map((o) => o.id);
      await record(held, ids, { ...decision, state: 'applied' }, factsOf(latest, lastEvent));
      return {
        outcome: 'recovered',
        decision: decisionOf(decision),
      };
    }
    return closeResolved(held, latest, decision, lastEvent);
  }

  /**
   * Closes an intent the marketplace settled otherwise (answered by someone else, expired, closed,
   * assigned elsewhere): its places under the caps go back, and it is recorded `resolved` with
   * what the offers show.
   */
  async function closeResolved(
    held: HeldUnit,
    offers: readonly InboxOffer[],
    intent: RecordedDecision,
    lastEvent: OfferEvent,
  ): Promise<Omit<UnitResult, 'unitKey'>> {
    const { resolution, response } = resolutionOf(offers);
    await giveBackCap(caps, held.unitKey, intent);
    await record(
      held,
      offers.map((o) => o.id),
      {
        ...intent,
        state: 'resolved',
        resolution,
        ...(response !== undefined ? { marketplaceResponse: response } : {}),
      },
      factsOf(offers, lastEvent),
    );
    return { outcome: 'resolved', resolution };
  }

  return { decide, completeCopies };
}
