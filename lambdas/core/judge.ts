import type { DecisionAction, Rules } from './config';
import type { Decision, InboxOffer, OfferResult } from './ports';
import { evaluateRules } from './rules';

/**
 * Judging a decision unit: each offer by the rules, then one answer for the unit. The marketplace
 * answers every offer of a shift or bundle with one call, so the unit gets the most cautious of
 * its offers' results: accept only when every offer would be accepted, decline when any offer is
 * declined by a rule, else review.
 */

/** Whether the match can still be answered: pending, and open or of unknown (null) status. */
export function isAnswerable(offer: InboxOffer): boolean {
  return offer.match.response === 'pending' && (offer.match.status === 'open' || offer.match.status === null);
}

/**
 * Fields the connector cannot judge by. The offer goes to `review` instead of a rule deciding on
 * a value it does not know (an enum the marketplace added) or a match not known to be open.
 */
function unjudgeable(offer: InboxOffer): string | undefined {
  if (offer.careType === 'unknown') return 'offer.care_type has a value this connector does not know';
  if (offer.offerType === 'unknown') return 'offer.offer_type has a value this connector does not know';
  if (offer.match.status === null) return 'match.status is null, so the match is not known to be open';
  return undefined;
}

/** One offer's own result: by the rules, or `review` when a field cannot be judged. */
export function judgeOffer(rules: Rules, offer: InboxOffer): OfferResult & Decision {
  const problem = unjudgeable(offer);
  if (problem !== undefined) return { offerId: offer.id, action: 'review', rule: 'unjudgeable', reason: problem };
  return { offerId: offer.id, ...evaluateRules(rules, offer) };
}

const CAUTION: Readonly<Record<DecisionAction, number>> = { accept: 0, review: 1, decline: 2 };

/**
 * The unit's decision over its answerable offers (at least one), with each offer's own result
 * when there is more than one. The deciding result is the first offer (by id) with the unit's
 * action: its rule, reason code and comment go with the answer.
 */
export function judgeUnit(rules: Rules, offers: readonly InboxOffer[]): Decision & { offers?: OfferResult[] } {
  const results = [...offers].sort((a, b) => a.id.localeCompare(b.id)).map((offer) => judgeOffer(rules, offer));
  const first = results[0];
  if (first === undefined) throw new RangeError('judgeUnit needs at least one offer');
  if (results.length === 1) {
    const { offerId: _offerId, ...decision } = first;
    return decision;
  }
  const action = results.reduce<DecisionAction>((most, r) => (CAUTION[r.action] > CAUTION[most] ? r.action : most), 'accept');
  const deciding = results.find((r) => r.action === action) ?? first;
  const decision: Decision & { offers: OfferResult[] } = {
    action,
    rule: deciding.rule,
    reason:
      action === 'accept'
        ? `shift of ${results.length} offers: every offer accepted (first by ${deciding.reason})`
        : `shift of ${results.length} offers: ${action} because offer ${deciding.offerId} gave ${action} (${deciding.reason})`,
    offers: results.map(({ offerId, action: a, rule, reason }) => ({ offerId, action: a, rule, reason })),
  };
  if (deciding.declineReasonCode !== undefined && action === 'decline') decision.declineReasonCode = deciding.declineReasonCode;
  if (deciding.comment !== undefined && action !== 'review') decision.comment = deciding.comment;
  return decision;
}
