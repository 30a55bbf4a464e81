import type { DecisionAction, Rules } from './rules-schema';
import type { Decision, InboxOffer, OfferResult } from './ports';
import { evaluateRules } from './rules';

/**
 * Judging a decision unit: each offer by the rules, then one answer for the unit. The marketplace
 * answers every offer of a shift or bundle with one call, so the unit gets the most cautious of
 * its offers' results: accept only when every offer would be accepted, decline when any offer is
 * declined by a rule, else review when any offer needs a person, else ignore.
 */

/** Whether the match can still be answered: pending, and open or of unknown (null) status. */
export function isAnswerable(offer: InboxOffer): boolean {
  return (
    offer.match.response === 'pending' &&
    (offer.match.status === 'open' || offer.match.status === null)
  );
}

/**
 * Fields the connector cannot judge by. The offer goes to `review` instead of a rule deciding on
 * a value it does not know (an enum the marketplace added) or a match not known to be open.
 */
function unjudgeable(offer: InboxOffer): string | undefined {
  if (offer.careType === 'unknown')
    return 'offer.care_type has a value this connector does not know';
  if (offer.offerType === 'unknown')
    return 'offer.offer_type has a value this connector does not know';
  if (offer.match.status === null)
    return 'match.status is null, so the match is not known to be open';
  return undefined;
}

/** One offer's own result at `now`: by the rules, or `review` when a field cannot be judged. */
export function judgeOffer(rules: Rules, offer: InboxOffer, now: Date): OfferResult & Decision {
  const problem = unjudgeable(offer);
  if (problem !== undefined) {
    return {
      offerId: offer.id,
      action: 'review',
      rule: 'unjudgeable',
      reason: problem,
      explanation: [`review as unjudgeable (${problem})`],
    };
  }
  return { offerId: offer.id, ...evaluateRules(rules, offer, now) };
}

/**
 * Least to most cautious. `ignore` (leave it open, tell nobody) is below `review` (leave it open,
 * tell a person): a shift with an offer someone must look at is shown to someone.
 */
const CAUTION: Readonly<Record<DecisionAction, number>> = {
  accept: 0,
  ignore: 1,
  review: 2,
  decline: 3,
};

/**
 * The unit's decision at `now` over its answerable offers (at least one), with each offer's own
 * result when there is more than one. The deciding result is the first offer (by id) with the
 * unit's action: its rule, reason code and comment go with the answer, and the unit's
 * explanation names it before its own explanation.
 */
export function judgeUnit(
  rules: Rules,
  offers: readonly InboxOffer[],
  now: Date,
): Decision & { offers?: OfferResult[] } {
  const results = [...offers]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((offer) => judgeOffer(rules, offer, now));
  const first = results.at(0);
  if (first === undefined) throw new RangeError('judgeUnit needs at least one offer');
  if (results.length === 1) {
    const { offerId: _offerId, ...decision } = first;
    return decision;
  }
  const action = results.reduce<DecisionAction>(
    (most, r) => (CAUTION[r.action] > CAUTION[most] ? r.action : most),
    'accept',
  );
  const deciding = results.find((r) => r.action === action) ?? first;
  const size = `shift of ${results.length} offers`;
  const decision: Decision & { offers: OfferResult[] } = {
    action,
    rule: deciding.rule,
    reason:
      action === 'accept'
        ? `${size}: every offer accepted (first by ${deciding.reason})`
        : `${size}: ${action} because offer ${deciding.offerId} gave ${action} (${deciding.reason})`,
    explanation: [
      action === 'accept'
        ? `${size}: accept, every offer gave accept; offer ${deciding.offerId} decided (rule "${deciding.rule}")`
        : `${size}: ${action} because offer ${deciding.offerId} gave ${action} (rule "${deciding.rule}")`,
      ...(deciding.explanation ?? []).map((line) => `offer ${deciding.offerId}: ${line}`),
    ],
    offers: results.map(({ offerId, action: a, rule, reason, explanation }) => ({
      offerId,
      action: a,
      rule,
      reason,
      ...(explanation ? { explanation } : {}),
    })),
  };
  if (deciding.declineReasonCode !== undefined && action === 'decline')
    decision.declineReasonCode = deciding.declineReasonCode;
  if (deciding.comment !== undefined && (action === 'accept' || action === 'decline'))
    decision.comment = deciding.comment;
  return decision;
}
