/**
 * Covers decisions per decision unit (lambdas/core/decide-unit.ts, judge.ts) through the event
 * processor, with the shift-aware fake marketplace and the in-memory stores: shifts and bundles
 * judged as one with mixed rules, each offer's own result recorded on every offer, the explanation
 * and rules version kept. Review notifications, unjudgeable values, refused answers, intents and
 * the unit lease: decide-unit-outcomes.test.ts; two processors interleaved: decision-race.test.ts.
 */
import { parseRules } from '../../lambdas/core/config';
import { MAX_EXPLANATION_LINES } from '../../lambdas/core/unit-decision';
import { judgeUnit } from '../../lambdas/core/judge';
import { fixedRules, rulesVersionOf } from '../../lambdas/core/rules-source';
import type { OfferNotification, RecordedDecision } from '../../lambdas/core/ports';
import { inboxOffer } from '../support/offer-fixtures';
import { MemoryOfferStore } from '../support/offer-memory-store';
import {
  NOW,
  nursingService,
  nursingVisit,
  psw,
  RULES,
  setup,
  SHIFT,
} from '../support/decide-unit-setup';

/** The text of an offer's settled decision: on its unit's record (the offers' copies lack it). */
async function textOf(store: MemoryOfferStore, decision: RecordedDecision | undefined) {
  if (decision?.unitKey === undefined) return undefined;
  const unit = await store.getUnitDecision(decision.unitKey);
  if (unit === undefined || unit.eventId !== decision.eventId) return undefined;
  return {
    reason: unit.reason,
    explanation: unit.explanation,
    offers: unit.offers?.map(({ offerId, explanation }) => ({ offerId, explanation })),
  };
}

describe('a shift or bundle is decided as one', () => {
  it.each([
    [
      'accepts only when every offer would be accepted',
      [psw('a'), psw('b'), psw('c')],
      'accept',
      'acceptInboxOffer',
    ],
    [
      'declines when any offer is declined by a rule (accept + decline)',
      [psw('a'), nursingService('b')],
      'decline',
      'declineInboxOffer',
    ],
    [
      'declines over review (accept + review + decline)',
      [psw('a'), nursingVisit('b'), nursingService('c')],
      'decline',
      'declineInboxOffer',
    ],
    [
      'reviews when nothing declines but not all accept (accept + review)',
      [psw('a'), nursingVisit('b')],
      'review',
      undefined,
    ],
  ] as const)('%s', async (_name, offers, action, call) => {
    const { marketplace, store, processor, matched } = setup([...offers]);

    const result = await processor.process(matched('b'));

    expect(result).toMatchObject({
      outcome: 'decided',
      unitKey: `shift#${SHIFT}`,
      decision: { action },
    });
    expect(marketplace.actions().map((c) => c.method)).toEqual(call === undefined ? [] : [call]);
    for (const offer of offers) {
      const decision = (await store.getOffer(offer.id))?.decision;
      expect(decision).toMatchObject({
        action,
        state: 'applied',
        unitKey: `shift#${SHIFT}`,
        rulesVersion: rulesVersionOf(RULES),
      });
      // Each offer's own result travels with the shift's decision, on every offer.
      expect(decision?.offers?.map((o) => o.offerId)).toEqual(offers.map((o) => o.id));
    }
  });

  it('records each offer’s own result and a reason naming the deciding offer and rule', async () => {
    const { store, processor, matched } = setup([psw('a'), nursingService('b'), nursingVisit('c')]);
    await processor.process(matched('a'));
    // The intent holds each offer's own explanation; the settled decision keeps the results.
    const [, , , intent] = store.callsTo('recordUnitDecision')[0] as [
      string,
      string,
      Date,
      RecordedDecision,
    ];
    const decision = (await store.getOffer('c'))?.decision;
    expect(decision?.offers).toEqual(
      intent.offers?.map(({ explanation: _own, ...result }) => result),
    );
    const own = (first: string): unknown => expect.arrayContaining([first]);
    expect(intent.state).toBe('intended');
    expect(intent.offers).toEqual([
      {
        offerId: 'a',
        action: 'accept',
        rule: 'psw visits',
        reason: expect.stringContaining('psw visits'),
        explanation: own('accept by rule "psw visits" (care_type, offer_type held)'),
      },
      {
        offerId: 'b',
        action: 'decline',
        rule: 'no nursing services',
        reason: expect.stringContaining('no nursing services'),
        explanation: own('decline by rule "no nursing services" (care_type, offer_type held)'),
      },
      {
        offerId: 'c',
        action: 'review',
        rule: 'default',
        reason: 'no rule matched: default action',
        explanation: own('review by default (none of 2 rules held)'),
      },
    ]);
    expect(decision).toMatchObject({
      rule: 'no nursing services',
      declineReasonCode: 'no_capacity',
    });
    // The settled decision's text is on the shift's unit record, not on the offers' copies.
    expect(decision?.reason).toBeUndefined();
    expect(decision?.explanation).toBeUndefined();
    const text = await textOf(store, decision);
    expect(text?.offers).toEqual(
      intent.offers?.map(({ offerId, explanation }) => ({ offerId, explanation })),
    );
    expect(text?.reason).toContain('offer b gave decline');
    // The unit's explanation: which offer decided, then that offer's own explanation.
    expect(text?.explanation).toEqual([
      'shift of 3 offers: decline because offer b gave decline (rule "no nursing services")',
      'offer b: decline by rule "no nursing services" (care_type, offer_type held)',
      'offer b: rule "psw visits": care_type did not hold (care_type is nursing; listed: psw)',
    ]);
  });

  it('leaves a unit whose rules say ignore open: nothing sent, nobody notified, recorded applied with its explanation', async () => {
    const sent: OfferNotification[] = [];
    const quiet = parseRules(
      JSON.stringify({
        defaultAction: 'review',
        rules: [{ name: 'not ours', match: { offer_type: ['visit'] }, action: 'ignore' }],
      }),
    );
    const { marketplace, store, processor, matched } = setup([psw('a'), nursingVisit('b')], {
      rules: quiet,
      notifier: { notify: async (n) => void sent.push(n) },
    });
    const result = await processor.process(matched('a'));
    expect(result).toMatchObject({
      outcome: 'decided',
      decision: { action: 'ignore', rule: 'not ours' },
    });
    // The decision reported to the worker carries the explanation it logs.
    expect(result.decision?.explanation).toEqual([
      'shift of 2 offers: ignore because offer a gave ignore (rule "not ours")',
      'offer a: ignore by rule "not ours" (offer_type held)',
    ]);
    expect(marketplace.actions()).toEqual([]);
    expect(sent).toEqual([]);
    const settled = (await store.getOffer('b'))?.decision;
    expect(settled).toMatchObject({ action: 'ignore', state: 'applied' });
    expect((await textOf(store, settled))?.explanation).toEqual(result.decision?.explanation);
  });

  it('answers through the event’s own offer, once, and every later event of the shift is already decided', async () => {
    const { marketplace, processor, matched } = setup([psw('a'), psw('b'), psw('c')]);
    await processor.process(matched('c'));
    const later = await Promise.all([
      processor.process(matched('a')),
      processor.process(matched('b')),
    ]);
    expect(marketplace.actions()).toEqual([
      { method: 'acceptInboxOffer', offerId: 'c', body: { comment: 'Glad to help' } },
    ]);
    expect(later.map((r) => r.outcome)).toEqual(['already-decided', 'already-decided']);
    expect(marketplace.callsTo('getInboxOffer')).toHaveLength(1);
  });

  it('judges only the offers still answerable, and answers through one of them', async () => {
    const expired = psw('a', { match: { id: 'm-a', response: 'pending', status: 'expired' } });
    const { marketplace, processor, matched } = setup([expired, psw('b'), nursingService('z')]);
    await processor.process(matched('a'));
    expect(marketplace.actions()).toEqual([
      { method: 'declineInboxOffer', offerId: 'b', body: { reason_code: 'no_capacity' } },
    ]);
  });

  it('records the version of the rules a source served, read at decision time', async () => {
    const { store, processor, matched } = setup([inboxOffer({ id: 'x' })], { rules: RULES });
    await processor.process(matched('x'));
    expect((await store.getOffer('x'))?.decision?.rulesVersion).toMatch(/^[0-9a-f]{12}$/);
    const other = parseRules(JSON.stringify({ defaultAction: 'decline' }));
    expect(rulesVersionOf(other)).not.toBe(rulesVersionOf(RULES));
    expect((await fixedRules(other).current()).version).toBe(rulesVersionOf(other));
  });

  it('keeps a stored explanation bounded however many rules did not hold', async () => {
    const many = parseRules(
      JSON.stringify({
        defaultAction: 'decline',
        rules: Array.from({ length: 60 }, (_, i) => ({
          name: `city ${i}`,
          match: { city: [`Nowhere ${i}`] },
          action: 'accept',
        })),
      }),
    );
    const { store, processor, matched } = setup([inboxOffer({ id: 'x' })], { rules: many });
    await processor.process(matched('x'));
    // Bounded on the intent, and on the deciding event's item, which keeps the settled text.
    const [, , , intent] = store.callsTo('recordUnitDecision')[0] as [
      string,
      string,
      Date,
      RecordedDecision,
    ];
    expect(intent.explanation).toHaveLength(MAX_EXPLANATION_LINES);
    const explanation =
      (await textOf(store, (await store.getOffer('x'))?.decision))?.explanation ?? [];
    expect(explanation).toEqual(intent.explanation);
    expect(explanation).toHaveLength(MAX_EXPLANATION_LINES);
    expect(explanation[0]).toMatch(/default/);
    expect(explanation.at(-1)).toBe(`... ${61 - (MAX_EXPLANATION_LINES - 1)} more lines not kept`);
  });

  it('combines by caution whatever the order of offers (pure judgeUnit)', () => {
    const offers = [nursingService('b'), psw('a'), nursingVisit('c')];
    expect(judgeUnit(RULES, offers, new Date(NOW)).action).toBe('decline');
    expect(judgeUnit(RULES, [...offers].reverse(), new Date(NOW)).action).toBe('decline');
    expect(judgeUnit(RULES, [psw('a')], new Date(NOW))).not.toHaveProperty('offers');
  });
});
