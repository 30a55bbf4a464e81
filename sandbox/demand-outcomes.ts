/**
 * What became of every outbox offer of a demand run, read at the end from the marketplace
 * simulator (each offer's status and matches, and the assign requests it received with the
 * accepted matches each one met) and checked against the connector's own record of each offer
 * (its assignment). Disagreements are problems, in words; ids, care types and cities only.
 *
 * Each offer falls in exactly one category, in this order:
 * - assigned: the marketplace shows it assigned;
 * - lost: it has an accepted match, yet it is not assigned at the end (the connector did not
 *   assign it: still open, or expired or closed meanwhile);
 * - declined by all: every matched supplier declined it;
 * - expired: it expired with no accepted match;
 * - waiting: still open with no accepted match (suppliers yet to answer; nothing for the connector
 *   to do).
 * An offer closed with no accepted match fits none: the scenario never closes one, so it is a problem.
 */
import type { OfferStore } from '../lambdas/core/ports';
import type { PostedOutboxOffer } from './demand-play';
import { short } from './outcomes';
import type { AcceptedOpenMatch, AssignCall, MarketplaceSimulator } from './simulator/simulator';

export type DemandCategory = 'assigned' | 'lost' | 'declined-by-all' | 'expired' | 'waiting';

export interface DemandOutcome {
  offerId: string;
  shiftId?: string;
  label: string;
  /** The marketplace's offer status at the end. */
  status: string | undefined;
  category: DemandCategory | undefined;
  /** Matches whose response is `accepted` at the end. */
  acceptedMatches: number;
  /** The match the marketplace shows assigned, and its supplier's organisation name. */
  assignedMatchId?: string;
  assignedTo?: string;
  /** Assign requests the marketplace received for the offer (any status). */
  assignCalls: number;
  /** The connector's record of its assignment, if any. */
  recorded?: { matchId: string; state: 'intended' | 'applied' };
}

export interface DemandReport {
  offers: DemandOutcome[];
  total: number;
  assigned: number;
  waiting: number;
  declinedByAll: number;
  expired: number;
  lost: number;
  assignCalls: AssignCall[];
  deadLettered: number | undefined;
  problems: string[];
  notes: string[];
  /** One line per offer not assigned, printed before the summary: `outbox <id> <label>: <category>`. */
  lines: string[];
  ok: boolean;
  /** `<N> offers, <S> assigned, <W> waiting, <X> declined by all, <E> expired, <L> lost`. */
  counts: string;
  /** `sandbox: ` and the counts. */
  summary: string;
}

const CATEGORY_WORDS: Record<DemandCategory, string> = {
  assigned: 'assigned',
  lost: 'LOST (accepted, never assigned)',
  'declined-by-all': 'declined by all',
  expired: 'expired',
  waiting: 'waiting',
};

/**
 * The match `first-accepted` must choose among the accepted, still open matches: the earliest by
 * the match's `created_at`, ties broken by match id (the connector's documented rule, written
 * again here so the judge does not borrow the code it judges).
 */
export function earliestAccepted(
  matches: readonly AcceptedOpenMatch[],
): AcceptedOpenMatch | undefined {
  return [...matches].sort(
    (a, b) =>
      Date.parse(a.createdAt) - Date.parse(b.createdAt) ||
      (a.matchId < b.matchId ? -1 : a.matchId > b.matchId ? 1 : 0),
  )[0];
}

/** The category of an offer from its status and whether any of its matches was accepted. */
export function demandCategory(
  status: string | undefined,
  anyAccepted: boolean,
): DemandCategory | undefined {
  if (status === 'assigned') return 'assigned';
  if (anyAccepted) return 'lost';
  if (status === 'declined_by_all') return 'declined-by-all';
  if (status === 'expired') return 'expired';
  if (status === 'open') return 'waiting';
  return undefined;
}

export interface DemandCollectInput {
  store: Pick<OfferStore, 'getOffer'>;
  simulator: Pick<
    MarketplaceSimulator,
    'getOutboxOffer' | 'outboxMatches' | 'assignCalls' | 'events'
  >;
  offers: readonly PostedOutboxOffer[];
  /** The connector organisation's outbox-offers topic: every offer with an event there must be known to the connector. */
  outboxTopicArn: string;
  deadLettered: number | undefined;
}

/** Reads every offer's state at the marketplace and in the store, and judges the demand run. */
export async function collectDemandOutcomes(input: DemandCollectInput): Promise<DemandReport> {
  const { simulator, offers } = input;
  const calls = simulator.assignCalls();
  const problems: string[] = [];
  const heard = new Set(
    simulator
      .events()
      .flatMap((e) =>
        e.channel === 'outbox-offers' && e.topicArn === input.outboxTopicArn
          ? [e.payload.offer_id]
          : [],
      ),
  );

  const outcomes = await Promise.all(
    offers.map(async (o): Promise<DemandOutcome> => {
      const name = `outbox offer ${short(o.offerId)}`;
      const detail = simulator.getOutboxOffer(o.offerId);
      const matches = simulator.outboxMatches(o.offerId);
      const record = await input.store.getOffer(o.offerId);
      const mine = calls.filter((c) => c.offerId === o.offerId);
      const assigned = matches.find((m) => m.match.status === 'assigned');
      const acceptedMatches = matches.filter((m) => m.match.response === 'accepted').length;
      const category = demandCategory(detail?.offer.status, acceptedMatches > 0);
      if (category === undefined)
        problems.push(
          `${name}: ${detail ? `status ${detail.offer.status}, which the scenario never leads to` : 'missing at the marketplace'}`,
        );

      // --- the marketplace's side: one assign call per assigned offer, to the earliest accepted match
      for (const call of mine.filter((c) => c.status !== 204)) {
        problems.push(
          `${name}: an assign call refused ${call.status}${call.setting === 'auto' ? ' (the organisation assigns automatically: no assign call should be made)' : ''}`,
        );
      }
      if (category === 'assigned') {
        const applied = mine.filter((c) => c.status === 204);
        if (mine.length !== 1 || applied.length !== 1)
          problems.push(
            `${name}: assigned after ${mine.length} assign call(s), ${applied.length} of them applied; expected exactly one`,
          );
        const call = applied.at(0);
        if (call && call.matchId !== assigned?.match.id)
          problems.push(
            `${name}: the assign call named match ${short(call.matchId)}, the marketplace shows ${short(assigned?.match.id ?? 'none')} assigned`,
          );
        const earliest = call ? earliestAccepted(call.acceptedOpen) : undefined;
        if (call && earliest?.matchId !== call.matchId) {
          problems.push(
            `${name}: assigned to match ${short(call.matchId)}, but the earliest accepted match then was ${earliest ? short(earliest.matchId) : 'none'}`,
          );
        }
      }

      // --- the connector's side: its record agrees, and it heard of every offer it was told about
      const recorded = record?.assignment
        ? { matchId: record.assignment.matchId, state: record.assignment.state }
        : undefined;
      if (
        category === 'assigned' &&
        (recorded?.state !== 'applied' || recorded.matchId !== assigned?.match.id)
      ) {
        problems.push(
          `${name}: the marketplace shows match ${short(assigned?.match.id ?? 'none')} assigned, the store ${recorded ? `${recorded.state} ${short(recorded.matchId)}` : 'no assignment'}`,
        );
      }
      if (category !== 'assigned' && recorded?.state === 'applied')
        problems.push(
          `${name}: the store says assigned to ${short(recorded.matchId)}, the marketplace says ${detail?.offer.status}`,
        );
      if (heard.has(o.offerId) && record === undefined)
        problems.push(
          `${name}: the connector has no record of it, though its events were published to the connector's topic`,
        );

      return {
        offerId: o.offerId,
        ...(o.shiftId ? { shiftId: o.shiftId } : {}),
        label: o.label,
        status: detail?.offer.status,
        category,
        acceptedMatches,
        ...(assigned
          ? { assignedMatchId: assigned.match.id, assignedTo: assigned.supply.name }
          : {}),
        assignCalls: mine.length,
        ...(recorded ? { recorded } : {}),
      };
    }),
  );

  const stray = calls.filter((c) => !offers.some((o) => o.offerId === c.offerId));
  if (stray.length > 0)
    problems.push(`${stray.length} assign call(s) on offers the scenario did not post`);
  if (input.deadLettered !== undefined && input.deadLettered > 0)
    problems.push(`${input.deadLettered} message(s) in the dead-letter queue`);

  const count = (category: DemandCategory) =>
    outcomes.filter((o) => o.category === category).length;
  const counts = `${outcomes.length} offers, ${count('assigned')} assigned, ${count('waiting')} waiting, ${count('declined-by-all')} declined by all, ${count('expired')} expired, ${count('lost')} lost`;
  return {
    offers: outcomes,
    total: outcomes.length,
    assigned: count('assigned'),
    waiting: count('waiting'),
    declinedByAll: count('declined-by-all'),
    expired: count('expired'),
    lost: count('lost'),
    assignCalls: calls,
    deadLettered: input.deadLettered,
    problems,
    notes: [],
    lines: outcomes
      .filter((o) => o.category !== 'assigned')
      .map(
        (o) =>
          `outbox ${short(o.offerId)} ${o.label}: ${o.category ? CATEGORY_WORDS[o.category] : `status ${o.status ?? 'unknown'}`}${o.shiftId ? ` [shift ${short(o.shiftId)}]` : ''}`,
      ),
    ok: count('lost') === 0 && problems.length === 0,
    counts,
    summary: `sandbox: ${counts}`,
  };
}
