/**
 * How often each decision unit was answered, counted by the marketplace from the accept/decline
 * calls it received, not from anything the connector says about itself. A unit is what one
 * answer covers: a shift or bundle (every offer sharing a `shift_id`) or a lone offer.
 *
 * A call counts when it reached the answer logic (see `SimulatorCall.answer`): it acted, even if
 * an injected fault then lost the response (the caller cannot tell, the marketplace can), or it
 * was refused 409 because the unit was already answered (a second answer attempt, whatever the
 * marketplace made of it). A fault that refused the call before acting is not an answer.
 */
import type { SimulatorCall } from './book-types';

/** The answers one unit received from one organisation. */
export interface UnitAnswers {
  /** `shift#<shift id>` or `offer#<offer id>`. */
  unitKey: string;
  organizationId: string;
  /** The offers the answer calls named (one or more offers of a shift), sorted. */
  offerIds: string[];
  accepts: number;
  declines: number;
}

export interface AnswerTally {
  /** Every unit that received at least one answer, in the order of its first answer. */
  units: UnitAnswers[];
  /** Units answered more than once (any mix of accepts and declines). */
  answeredTwice: number;
  /** Units that received both an accept and a decline. */
  contradicted: number;
}

/** Counts the answers per unit and organisation in a call log. */
export function tallyAnswers(calls: readonly SimulatorCall[]): AnswerTally {
  const byUnit = new Map<string, UnitAnswers>();
  for (const call of calls) {
    if (!call.answer || call.unitKey === undefined) continue;
    const organizationId = call.organizationId ?? '';
    // One organisation's answer does not make another's a second one: each answers its own match.
    const key = `${organizationId} ${call.unitKey}`;
    const unit = byUnit.get(key) ?? {
      unitKey: call.unitKey,
      organizationId,
      offerIds: [],
      accepts: 0,
      declines: 0,
    };
    if (!unit.offerIds.includes(call.offerId))
      unit.offerIds = [...unit.offerIds, call.offerId].sort();
    if (call.action === 'accept') unit.accepts += 1;
    else unit.declines += 1;
    byUnit.set(key, unit);
  }
  const units = [...byUnit.values()];
  return {
    units,
    answeredTwice: units.filter((u) => u.accepts + u.declines > 1).length,
    contradicted: units.filter((u) => u.accepts > 0 && u.declines > 0).length,
  };
}
