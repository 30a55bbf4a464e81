/**
 * Covers judgeUnit (lambdas/core/judge.ts) alone: a shift's offers combined by caution, accept <
 * ignore < review < decline, whatever their order; the deciding offer's rule, reason code and
 * comment; and the unit's explanation naming the offer that decided. Through the processor (what
 * is sent, recorded and notified): decide-unit.test.ts and decide-unit-outcomes.test.ts.
 */
import type { DecisionAction } from '../../lambdas/core/config';
import { judgeUnit } from '../../lambdas/core/judge';
import type { InboxOffer } from '../../lambdas/core/ports';
import { inboxOffer } from '../support/offer-fixtures';
import { NOW, rulesOf } from '../support/rule-check';

/** One rule per action, chosen by the offer's city. */
const RULES = rulesOf({
  defaultAction: 'review',
  rules: [
    { name: 'to accept', match: { city: ['Accept'] }, action: 'accept', comment: 'Glad to help' },
    { name: 'to ignore', match: { city: ['Ignore'] }, action: 'ignore', comment: 'never sent' },
    { name: 'to review', match: { city: ['Review'] }, action: 'review' },
    {
      name: 'to decline',
      match: { city: ['Decline'] },
      action: 'decline',
      declineReasonCode: 'no_capacity',
      comment: 'Full',
    },
  ],
});

const CITY: Record<DecisionAction, string> = {
  accept: 'Accept',
  ignore: 'Ignore',
  review: 'Review',
  decline: 'Decline',
};
const offer = (id: string, action: DecisionAction): InboxOffer =>
  inboxOffer({
    id,
    shiftId: 'shift-1',
    location: { city: CITY[action], state: 'ON', zip: 'M5V', country: 'CA' },
  });
const unit = (...actions: DecisionAction[]) =>
  actions.map((action, index) => offer(`o${index}`, action));

describe('judgeUnit combines a shift by caution', () => {
  it.each<[DecisionAction[], DecisionAction, string]>([
    [['accept', 'accept'], 'accept', 'o0'],
    [['accept', 'ignore'], 'ignore', 'o1'],
    [['ignore', 'accept'], 'ignore', 'o0'],
    [['ignore', 'review'], 'review', 'o1'],
    [['review', 'ignore', 'accept'], 'review', 'o0'],
    [['accept', 'review', 'decline'], 'decline', 'o2'],
    [['decline', 'ignore'], 'decline', 'o0'],
    [['ignore', 'ignore'], 'ignore', 'o0'],
    [['review', 'decline', 'decline'], 'decline', 'o1'],
  ])('%j gives %s, decided by %s', (actions, action, deciding) => {
    const offers = unit(...actions);
    const decision = judgeUnit(RULES, offers, NOW);
    expect(decision.action).toBe(action);
    expect(decision.rule).toBe(`to ${action}`);
    expect(decision.explanation?.[0]).toContain(`offer ${deciding}`);
    // The order the offers come in makes no difference.
    expect(judgeUnit(RULES, [...offers].reverse(), NOW)).toEqual(decision);
  });

  it('sends the deciding rule’s comment and reason code only with an accept or a decline', () => {
    expect(judgeUnit(RULES, unit('accept', 'accept'), NOW)).toMatchObject({
      comment: 'Glad to help',
    });
    expect(judgeUnit(RULES, unit('accept', 'decline'), NOW)).toMatchObject({
      comment: 'Full',
      declineReasonCode: 'no_capacity',
    });
    const ignored = judgeUnit(RULES, unit('accept', 'ignore'), NOW);
    expect(ignored).not.toHaveProperty('comment');
    expect(ignored).not.toHaveProperty('declineReasonCode');
  });

  it('explains the unit by its deciding offer, and keeps every offer’s own explanation', () => {
    const decision = judgeUnit(RULES, unit('accept', 'review'), NOW);
    expect(decision.explanation).toEqual([
      'shift of 2 offers: review because offer o1 gave review (rule "to review")',
      'offer o1: review by rule "to review" (city held)',
      'offer o1: rule "to accept": city did not hold (the offer\'s city is not listed)',
      'offer o1: rule "to ignore": city did not hold (the offer\'s city is not listed)',
    ]);
    expect(decision.offers?.map((o) => o.explanation?.[0])).toEqual([
      'accept by rule "to accept" (city held)',
      'review by rule "to review" (city held)',
    ]);
    expect(judgeUnit(RULES, unit('accept', 'accept'), NOW).explanation?.[0]).toBe(
      'shift of 2 offers: accept, every offer gave accept; offer o0 decided (rule "to accept")',
    );
  });

  it('judges a lone offer as itself, with no per-offer list', () => {
    const decision = judgeUnit(RULES, [offer('x', 'ignore')], NOW);
    expect(decision).toEqual({
      action: 'ignore',
      rule: 'to ignore',
      reason: 'rule "to ignore": city matched',
      comment: 'never sent',
      explanation: [
        'ignore by rule "to ignore" (city held)',
        'rule "to accept": city did not hold (the offer\'s city is not listed)',
      ],
    });
  });

  it('sends an offer it cannot judge to review, saying which field', () => {
    const decision = judgeUnit(RULES, [inboxOffer({ id: 'x', careType: 'unknown' })], NOW);
    expect(decision).toMatchObject({ action: 'review', rule: 'unjudgeable' });
    expect(decision.explanation).toEqual([
      'review as unjudgeable (offer.care_type has a value this connector does not know)',
    ]);
  });
});
