/**
 * Covers evaluateRules (lambdas/core/rules.ts): the default action, rule order, the decision's
 * fields, the explanation (deciding rule first, then each earlier rule's first condition that did
 * not hold) and that it never quotes client values; and the type, place and demand organisation
 * conditions, a table each. Time conditions: rules-time.test.ts; coordinates, price, skills and
 * visit limits: rules-offer.test.ts; validation: rules-schema.test.ts. Acting on a decision is
 * decide-unit.test.ts's and decide-unit-outcomes.test.ts's part.
 */
import { evaluateRules, normalizeCity, normalizeZip } from '../../lambdas/core/rules';
import type { InboxOffer } from '../../lambdas/core/ports';
import { inboxOffer } from '../support/offer-fixtures';
import { NOW, rulesOf, tryMatch } from '../support/rule-check';

const at = (city: string, zip = 'H2X 1Y4', state = 'QC', country = 'CA'): InboxOffer =>
  inboxOffer({ location: { city, state, zip, country } });

describe('the default action', () => {
  it.each(['accept', 'decline', 'review', 'ignore'] as const)(
    'applies %s with rule "default" when there are no rules',
    (defaultAction) => {
      const decision = evaluateRules(rulesOf({ defaultAction }), inboxOffer(), NOW);
      expect(decision).toEqual({
        action: defaultAction,
        rule: 'default',
        reason: 'no rule matched: default action',
        explanation: [`${defaultAction} by default (there are no rules)`],
      });
    },
  );

  it('applies when no rule holds, explaining each rule in order', () => {
    const rules = rulesOf({
      defaultAction: 'ignore',
      rules: [
        { name: 'nursing', match: { care_type: ['nursing'] }, action: 'accept' },
        { name: 'laval', match: { offer_type: ['visit'], city: ['Laval'] }, action: 'accept' },
      ],
    });
    expect(evaluateRules(rules, inboxOffer(), NOW).explanation).toEqual([
      'ignore by default (none of 2 rules held)',
      'rule "nursing": care_type did not hold (care_type is psw; listed: nursing)',
      'rule "laval": city did not hold (the offer\'s city is not listed)',
    ]);
  });
});

describe('rule order and the decision', () => {
  const rules = rulesOf({
    defaultAction: 'review',
    rules: [
      {
        name: 'no services',
        match: { offer_type: ['service'] },
        action: 'decline',
        declineReasonCode: 'no_capacity',
        comment: 'Fully booked',
      },
      { name: 'all psw', match: { care_type: ['psw'] }, action: 'accept' },
      {
        name: 'psw visits',
        match: { care_type: ['psw'], offer_type: ['visit'] },
        action: 'ignore',
      },
    ],
  });

  it.each<[string, Partial<InboxOffer>, string]>([
    [
      'a psw visit: the second rule, though the third holds too',
      { careType: 'psw', offerType: 'visit' },
      'all psw',
    ],
    ['a psw service: the first rule', { careType: 'psw', offerType: 'service' }, 'no services'],
    ['a nursing visit: none', { careType: 'nursing', offerType: 'visit' }, 'default'],
  ])('the first rule that holds decides: %s', (_name, offer, rule) => {
    expect(evaluateRules(rules, inboxOffer(offer), NOW).rule).toBe(rule);
  });

  it('carries the rule name, declineReasonCode and comment, and explains the deciding rule first', () => {
    expect(evaluateRules(rules, inboxOffer({ offerType: 'service' }), NOW)).toEqual({
      action: 'decline',
      rule: 'no services',
      reason: 'rule "no services": offer_type matched',
      explanation: ['decline by rule "no services" (offer_type held)'],
      declineReasonCode: 'no_capacity',
      comment: 'Fully booked',
    });
    const accepted = evaluateRules(rules, inboxOffer(), NOW);
    // No empty fields for what the rule does not set.
    expect(Object.keys(accepted).sort()).toEqual(['action', 'explanation', 'reason', 'rule']);
    expect(accepted.explanation).toEqual([
      'accept by rule "all psw" (care_type held)',
      'rule "no services": offer_type did not hold (offer_type is visit; listed: service)',
    ]);
  });

  it('requires every present condition, and names the first that did not hold in the order of the language', () => {
    const r = rulesOf({
      defaultAction: 'review',
      // Written city first: still tried after the types (the order is the language's, not the file's).
      rules: [
        {
          name: 'psw in montreal',
          match: { city: ['Montreal'], care_type: ['psw'], offer_type: ['visit'] },
          action: 'accept',
        },
      ],
    });
    expect(evaluateRules(r, inboxOffer(), NOW).action).toBe('accept');
    expect(
      evaluateRules(r, inboxOffer({ careType: 'nursing', location: at('Laval').location }), NOW)
        .explanation?.[1],
    ).toBe('rule "psw in montreal": care_type did not hold (care_type is nursing; listed: psw)');
    expect(evaluateRules(r, at('Laval'), NOW).explanation?.[1]).toBe(
      'rule "psw in montreal": city did not hold (the offer\'s city is not listed)',
    );
  });

  it('decides the same for the same rules, offer and time (pure)', () => {
    const offer = inboxOffer();
    expect(evaluateRules(rules, offer, NOW)).toEqual(
      evaluateRules(rules, structuredClone(offer), new Date(NOW)),
    );
  });
});

describe('care_type and offer_type', () => {
  it.each<[string, object, Partial<InboxOffer>, boolean]>([
    ['care_type listed', { care_type: ['nursing'] }, { careType: 'nursing' }, true],
    ['care_type not listed', { care_type: ['nursing'] }, { careType: 'psw' }, false],
    ['care_type, either of two', { care_type: ['nursing', 'psw'] }, { careType: 'psw' }, true],
    ['offer_type listed', { offer_type: ['service'] }, { offerType: 'service' }, true],
    ['offer_type not listed', { offer_type: ['service'] }, { offerType: 'visit' }, false],
  ])('%s', (_name, match, offer, holds) => {
    expect(tryMatch(match, inboxOffer(offer)).holds).toBe(holds);
  });
});

describe('city, state and country: case, accents and spaces ignored', () => {
  it.each<[string, object, InboxOffer, boolean]>([
    ['the same city, upper case and padded', { city: ['  MONTREAL '] }, at('Montréal'), true],
    ['accents and inner spaces', { city: ['Saint Jerome'] }, at(' Saint  Jérôme '), true],
    ['a longer name is another city', { city: ['Montréal'] }, at('Montréal-Nord'), false],
    ['another city', { city: ['Montréal'] }, at('Laval'), false],
    ['any of the list', { city: ['Longueuil', 'Brossard'] }, at('brossard'), true],
    ['state', { state: ['qc'] }, at('Montréal'), true],
    ['another state', { state: ['ON'] }, at('Montréal'), false],
    ['country', { country: [' ca'] }, at('Montréal'), true],
    ['another country', { country: ['US'] }, at('Montréal'), false],
    ['city and state both', { city: ['Montreal'], state: ['ON'] }, at('Montréal'), false],
  ])('%s', (_name, match, offer, holds) => {
    expect(tryMatch(match, offer).holds).toBe(holds);
  });
});

describe('zip_prefix: by prefix, case and spaces ignored', () => {
  it.each<[string, string, string, boolean]>([
    ['the same zip', 'h2x 1', 'H2X 1Y4', true],
    ['without its space', 'h2x 1', 'h2x1y4', true],
    ['another zip', 'h2x 1', 'H2X 2A1', false],
    ['the prefix inside, not at the start', 'H2X', 'AH2X 1Y4', false],
    ['the whole zip as prefix', 'H2X1Y4', 'H2X 1Y4', true],
  ])('%s', (_name, prefix, zip, holds) => {
    expect(tryMatch({ zip_prefix: [prefix] }, at('Montréal', zip)).holds).toBe(holds);
  });
});

describe('demand_org and not_demand_org: ids, or names case- and accent-insensitively', () => {
  const demand = { id: 'D3E4F5A6-7777-4888-9999-AAAABBBBCCCC', name: 'Réseau Santé Montérégie' };
  it.each<[string, object, boolean]>([
    ['by id', { demand_org: ['d3e4f5a6-7777-4888-9999-aaaabbbbcccc'] }, true],
    ['by name, no accents, lower case', { demand_org: ['reseau sante monteregie'] }, true],
    ['another organisation', { demand_org: ['Other Health'] }, false],
    ['a name that only starts the same', { demand_org: ['Réseau Santé'] }, false],
    ['not_demand_org, another organisation', { not_demand_org: ['Other Health'] }, true],
    ['not_demand_org naming it', { not_demand_org: ['RÉSEAU SANTÉ MONTÉRÉGIE'] }, false],
    ['not_demand_org by id', { not_demand_org: [demand.id] }, false],
  ])('%s', (_name, match, holds) => {
    const { holds: held, line } = tryMatch(match, inboxOffer({ demand }));
    expect(held).toBe(holds);
    expect(line).not.toMatch(/santé|sante|d3e4/i);
  });
});

describe('explanations never quote client values', () => {
  it('names fields and limits, never the location, coordinates, demand organisation or skills', () => {
    const offer = inboxOffer({ requiredSkills: ['Ostomy care'] });
    const rules = rulesOf({
      defaultAction: 'review',
      rules: [
        { name: 'city', match: { city: ['Laval'] }, action: 'accept' },
        { name: 'zip', match: { zip_prefix: ['J4'] }, action: 'accept' },
        { name: 'state', match: { state: ['ON'] }, action: 'accept' },
        {
          name: 'area',
          match: { service_area: [{ lat: 43.65, lon: -79.38, km: 10 }] },
          action: 'accept',
        },
        { name: 'org', match: { demand_org: ['Other'] }, action: 'accept' },
        { name: 'skills', match: { skills: ['lifts'] }, action: 'accept' },
        {
          name: 'psw',
          match: { care_type: ['psw'], city: ['Montreal'], zip_prefix: ['H2X'] },
          action: 'accept',
        },
      ],
    });
    const decision = evaluateRules(rules, offer, NOW);
    expect(decision.rule).toBe('psw');
    const words = [decision.reason, ...(decision.explanation ?? [])].join('\n');
    for (const value of [
      'Montr',
      'H2X',
      'h2x',
      'QC',
      '45.5',
      '73.5',
      'Demo Health',
      'd3e4f5a6',
      'Ostomy',
      'ostomy',
    ]) {
      expect(words).not.toContain(value);
    }
    expect(decision.explanation).toHaveLength(7);
    expect(decision.reason).toBe('rule "psw": care_type, city, zip_prefix matched');
  });
});

describe('normalisation', () => {
  it('normalizeCity folds accents, case and space', () => {
    expect(normalizeCity('  Trois-Rivières ')).toBe(normalizeCity('trois-rivieres'));
    expect(normalizeCity('Saint  Jérôme')).toBe('saint jerome');
    expect(normalizeCity('Québec')).not.toBe(normalizeCity('Quebec City'));
  });

  it('normalizeZip drops spaces and upper-cases', () => {
    expect(normalizeZip(' h2x 1y4 ')).toBe('H2X1Y4');
  });
});
