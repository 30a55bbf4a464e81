/**
 * What happened to every offer of a sandbox run, read at the end from two independent sides: the
 * connector's own record of each offer (its settled decision) and the marketplace simulator (each
 * match's response, and the answers each decision unit received, counted from the accept/decline
 * calls that reached it). Disagreements between the two are reported as problems, in words.
 */
import type { DecisionAction, Rules } from '../lambdas/core/config';
import {
  type InboxOffer,
  isSettled,
  type MatchResponse,
  type OfferRecord,
  type OfferStore,
  type RecordedDecision,
} from '../lambdas/core/ports';
import { evaluateRules } from '../lambdas/core/rules';
import { readInboxOffer } from '../lambdas/adapters/marketplace/inbox-offer';
import type { WireInboxOfferDetail } from './simulator/model';
import type { AnswerTally, MarketplaceSimulator, SimulatorCall } from './simulator/simulator';

export type ScenarioName = 'once' | 'contention' | 'stream';

/** What the sandbox saw happen to one offer. */
export interface OfferOutcome {
  offerId: string;
  shiftId?: string;
  /** The decision unit: `shift#<shift id>` (shift or bundle) or `offer#<offer id>`. */
  unitKey: string;
  label: string;
  /** The settled decision: the offer's own, or (legacy, see `answeredWithShift`) its shift partner's. */
  action?: DecisionAction;
  rule?: string;
  decidedBy: 'own' | 'shift' | 'none';
  /** How many times an `applied` decision was written for the offer (more than once is wrong). */
  appliedWrites: number;
  /** The simulator's match response at the end. */
  marketplaceResponse: MatchResponse | undefined;
  /** Accept/decline requests the simulator received naming this offer. */
  calls: number;
}

export interface OutcomeReport {
  offers: OfferOutcome[];
  total: number;
  accepted: number;
  declined: number;
  review: number;
  /** Offers without a settled decision at the end. */
  lost: number;
  /** Decision units the marketplace received more than one answer for (its own count). */
  answeredTwice: number;
  /** Decision units the marketplace received both an accept and a decline for (its own count). */
  contradicted: number;
  answerTally: AnswerTally;
  simulatorCalls: SimulatorCall[];
  /** Messages left in the dead-letter queue; undefined when SQS no longer answered at the end. */
  deadLettered: number | undefined;
  /** Disagreements in words; each one fails the run. */
  problems: string[];
  /** Worth knowing, not a failure (the contention drill's dead-lettered messages). */
  notes: string[];
  ok: boolean;
  /**
   * `sandbox: <N> offers, <A> accepted, <D> declined, <R> review, <L> lost`, and for the
   * contention drill `, <T> answered twice, <C> contradicted` after it.
   */
  summary: string;
}

export const short = (id: string) => id.slice(0, 8);
export const describeOffer = (d: WireInboxOfferDetail) =>
  `${d.offer.care_type}/${d.offer.offer_type} ${d.client.address.city}`;
/** The connector's and the simulator's name for the unit an offer is answered in. */
export const unitKeyOf = (d: WireInboxOfferDetail) =>
  d.offer.shift_id ? `shift#${d.offer.shift_id}` : `offer#${d.offer.id}`;

/** The offer's own decision, when it needs nothing more (applied, or resolved by the marketplace's state). */
export function settledDecision(record: OfferRecord | undefined): RecordedDecision | undefined {
  return isSettled(record?.decision) ? record?.decision : undefined;
}

/**
 * LEGACY fallback, for the plain runs only: a worker that decides each offer alone answers a
 * shift through one offer and leaves its partners without a decision of their own; such a partner
 * counts as decided when a partner's applied accept/decline matches the response recorded on it.
 * Once the worker records the shift's decision on every offer of the shift, this never applies
 * and can go (with `decidedBy: 'shift'`). The contention drill never uses it.
 */
export function answeredWithShift(
  record: OfferRecord | undefined,
  partners: readonly (RecordedDecision | undefined)[],
): RecordedDecision | undefined {
  if (!record || settledDecision(record)) return undefined;
  return partners.find(
    (d): d is RecordedDecision =>
      d?.state === 'applied' &&
      ((d.action === 'accept' && record.matchResponse === 'accepted') ||
        (d.action === 'decline' && record.matchResponse === 'declined')),
  );
}

/** The offer as the worker reads it: the simulator's inbox view through the worker's own mapping. */
function asInboxOffer(d: WireInboxOfferDetail): InboxOffer {
  const read = readInboxOffer(d);
  if (!read.ok)
    throw new Error(
      `simulator offer ${short(d.offer.id)} does not read as the worker reads it: ${read.fields.join(', ')}`,
    );
  return read.offer;
}

/**
 * One answer for a shift or bundle, as judge.ts combines them: accept only if every offer would
 * be, decline if any would be, else review if any would be, else ignore.
 */
export function combineActions(actions: readonly DecisionAction[]): DecisionAction {
  if (actions.includes('decline')) return 'decline';
  if (actions.length > 0 && actions.every((a) => a === 'accept')) return 'accept';
  return actions.includes('review') || actions.length === 0 ? 'review' : 'ignore';
}

/**
 * Each offer's action under `rules`, taken alone, at `now` (the sandbox checks at the end of a
 * run: its example rules judge its offers the same at any time within it).
 */
export function ruleActions(
  rules: Rules,
  offers: readonly WireInboxOfferDetail[],
  now: Date = new Date(),
): Map<string, DecisionAction> {
  return new Map(
    offers.map((d) => [d.offer.id, evaluateRules(rules, asInboxOffer(d), now).action]),
  );
}

/** The offers grouped by decision unit, in publish order. */
export function unitsOf<T extends { unitKey: string }>(items: readonly T[]): Map<string, T[]> {
  const units = new Map<string, T[]>();
  for (const item of items) units.set(item.unitKey, [...(units.get(item.unitKey) ?? []), item]);
  return units;
}

const RESPONSE_AFTER = {
  accept: 'accepted',
  decline: 'declined',
  review: 'pending',
  ignore: 'pending',
} as const;

export interface CollectInput {
  scenario: ScenarioName;
  store: Pick<OfferStore, 'getOffer'>;
  simulator: Pick<MarketplaceSimulator, 'getOffer' | 'calls' | 'answerTally'>;
  offers: readonly WireInboxOfferDetail[];
  rules: Rules;
  appliedWrites: ReadonlyMap<string, number>;
  deadLettered: number | undefined;
}

/** Reads every offer's record and the simulator's state, and judges the run. */
export async function collectOutcomes(input: CollectInput): Promise<OutcomeReport> {
  const { scenario, store, simulator, offers } = input;
  const drill = scenario === 'contention';
  const records = new Map(
    await Promise.all(
      offers.map(async (d) => [d.offer.id, await store.getOffer(d.offer.id)] as const),
    ),
  );
  const calls = simulator.calls();
  const tally = simulator.answerTally();
  const problems: string[] = [];
  const notes: string[] = [];

  const outcomes: OfferOutcome[] = offers.map((d) => {
    const id = d.offer.id;
    const record = records.get(id);
    const own = settledDecision(record);
    const partners = offers.filter(
      (p) => p.offer.shift_id && p.offer.shift_id === d.offer.shift_id && p.offer.id !== id,
    );
    const viaShift =
      own || drill
        ? undefined
        : answeredWithShift(
            record,
            partners.map((p) => records.get(p.offer.id)?.decision),
          );
    const decision = own ?? viaShift;
    return {
      offerId: id,
      ...(d.offer.shift_id ? { shiftId: d.offer.shift_id } : {}),
      unitKey: unitKeyOf(d),
      label: describeOffer(d),
      ...(decision ? { action: decision.action, rule: decision.rule } : {}),
      decidedBy: own ? 'own' : viaShift ? 'shift' : 'none',
      appliedWrites: input.appliedWrites.get(id) ?? 0,
      marketplaceResponse: simulator.getOffer(id)?.match.response,
      calls: calls.filter((c) => c.offerId === id).length,
    };
  });

  // --- each offer: its record against the marketplace ------------------------------------------
  for (const o of outcomes) {
    const record = records.get(o.offerId);
    if (o.appliedWrites > 1)
      problems.push(`offer ${short(o.offerId)}: ${o.appliedWrites} applied decisions`);
    const decision = o.decidedBy === 'own' ? record?.decision : undefined;
    // A resolved decision did not act: the marketplace's response is the one it recorded, if any.
    const expected =
      decision?.state === 'resolved'
        ? decision.marketplaceResponse
        : o.action !== undefined
          ? RESPONSE_AFTER[o.action]
          : undefined;
    if (expected !== undefined && o.marketplaceResponse !== expected) {
      problems.push(
        `offer ${short(o.offerId)}: store says ${o.action}${decision?.state === 'resolved' ? ' (resolved)' : ''}, marketplace says ${o.marketplaceResponse}`,
      );
    }
  }

  // --- each decision unit: one decision, the rules' combination, answered once -----------------
  const byRules = ruleActions(input.rules, offers);
  // By unit key alone: the sandbox has one supply organisation answering.
  const answersOf = new Map(tally.units.map((u) => [u.unitKey, u]));
  for (const [unitKey, members] of unitsOf(outcomes)) {
    const name = `${unitKey.startsWith('shift#') ? 'shift' : 'offer'} ${short(unitKey.slice(unitKey.indexOf('#') + 1))}`;
    const decided = [...new Set(members.flatMap((m) => (m.action ? [m.action] : [])))];
    if (decided.length > 1)
      problems.push(`${name}: its offers record different decisions (${decided.join(', ')})`);
    const combined = combineActions(members.map((m) => byRules.get(m.offerId) ?? 'review'));
    if (
      decided.length === 1 &&
      members.every((m) => m.action !== undefined) &&
      decided[0] !== combined
    ) {
      problems.push(
        `${name}: decided ${decided[0]}, but the rules combine its ${members.length} offer(s) to ${combined}`,
      );
    }
    const answers = answersOf.get(unitKey);
    const count = (answers?.accepts ?? 0) + (answers?.declines ?? 0);
    // An applied accept/decline (own or legacy) was sent; a resolved one was not.
    const sent = members.some(
      (m) =>
        (m.action === 'accept' || m.action === 'decline') &&
        records.get(m.offerId)?.decision?.state !== 'resolved',
    );
    if (sent && count === 0)
      problems.push(
        `${name}: decided ${decided.join('/')}, yet the marketplace received no answer`,
      );
    if (decided.length === 1 && (decided[0] === 'review' || decided[0] === 'ignore') && count > 0)
      problems.push(
        `${name}: decided ${decided[0]}, yet the marketplace received ${count} answer(s)`,
      );
    // The drill reports these two in its summary line; elsewhere any of them is a problem.
    if (!drill && count > 1) problems.push(`${name}: answered ${count} times`);
    if (!drill && answers && answers.accepts > 0 && answers.declines > 0)
      problems.push(`${name}: both accepted and declined`);
  }

  // --- calls that were no answer at all, and the dead-letter queue -----------------------------
  // Under the drill's faults a 409 is a second answer (counted above); in the plain runs every refusal is wrong.
  const refused = calls.filter((c) => (drill ? !c.answer : c.status !== 204));
  if (refused.length > 0)
    problems.push(`${refused.length} accept/decline call(s) refused by the marketplace`);
  if (anyDeadLettered(input.deadLettered)) {
    const line = `${input.deadLettered} message(s) in the dead-letter queue`;
    // The drill's retries under contention may exhaust a message's receives; its offer's fate is counted above.
    if (drill) notes.push(line);
    else problems.push(line);
  }

  const count = (action: DecisionAction) => outcomes.filter((o) => o.action === action).length;
  const lost = outcomes.filter((o) => o.decidedBy === 'none').length;
  const base = `sandbox: ${outcomes.length} offers, ${count('accept')} accepted, ${count('decline')} declined, ${count('review')} review, ${lost} lost`;
  return {
    offers: outcomes,
    total: outcomes.length,
    accepted: count('accept'),
    declined: count('decline'),
    review: count('review'),
    lost,
    answeredTwice: tally.answeredTwice,
    contradicted: tally.contradicted,
    answerTally: tally,
    simulatorCalls: calls,
    deadLettered: input.deadLettered,
    problems,
    notes,
    ok:
      lost === 0 &&
      problems.length === 0 &&
      (!drill || (tally.answeredTwice === 0 && tally.contradicted === 0)),
    summary: drill
      ? `${base}, ${tally.answeredTwice} answered twice, ${tally.contradicted} contradicted`
      : base,
  };
}

/** Unknown only when SQS had gone (Ctrl-C reaches fauxqs too); once modes always read it. */
function anyDeadLettered(count: number | undefined): boolean {
  return count !== undefined && count > 0;
}
