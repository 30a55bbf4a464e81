/**
 * Covers evaluateRules (lambdas/core/rules.ts): each condition alone, conditions combined, rule
 * order, the default action, city/zip normalisation, and that reasons never quote client
 * location. Parsing and validating the rules themselves is config.ts's job (parseRules is only
 * used here to build realistic input); acting on a decision is covered by process-event.test.ts.
 */
import { parseRules, type Rules } from '../../lambdas/core/config';
import { evaluateRules, normalizeCity, normalizeZip } from '../../lambdas/core/rules';
import { inboxOffer } from '../support/offer-fixtures';

function rules(json: object): Rules {
  return parseRules(JSON.stringify(json));
}

describe('evaluateRules', () => {
  it('applies the default action with rule "default" when there are no rules', () => {
    for (const defaultAction of ['accept', 'decline', 'review'] as const) {
      const decision = evaluateRules(rules({ defaultAction }), inboxOffer());
      expect(decision).toEqual({ action: defaultAction, rule: 'default', reason: expect.any(String) });
    }
  });

  it('matches care_type against the list', () => {
    const r = rules({ defaultAction: 'review', rules: [{ name: 'nursing only', match: { care_type: ['nursing'] }, action: 'accept' }] });
    expect(evaluateRules(r, inboxOffer({ careType: 'nursing' })).rule).toBe('nursing only');
    expect(evaluateRules(r, inboxOffer({ careType: 'psw' })).rule).toBe('default');
  });

  it('matches offer_type against the list', () => {
    const r = rules({ defaultAction: 'review', rules: [{ name: 'services', match: { offer_type: ['service'] }, action: 'decline' }] });
    expect(evaluateRules(r, inboxOffer({ offerType: 'service' })).action).toBe('decline');
    expect(evaluateRules(r, inboxOffer({ offerType: 'visit' })).action).toBe('review');
  });

  it('matches city ignoring case, accents and surrounding space', () => {
    const r = rules({ defaultAction: 'review', rules: [{ name: 'montreal', match: { city: ['  MONTREAL '] }, action: 'accept' }] });
    const at = (city: string) => inboxOffer({ location: { city, state: 'QC', zip: 'H2X 1Y4', country: 'CA' } });
    expect(evaluateRules(r, at('Montréal')).action).toBe('accept');
    expect(evaluateRules(r, at(' montréal  ')).action).toBe('accept');
    expect(evaluateRules(r, at('Montréal-Nord')).action).toBe('review');
    expect(evaluateRules(r, at('Laval')).action).toBe('review');
  });

  it('matches any city in the list', () => {
    const r = rules({ defaultAction: 'decline', rules: [{ name: 'south shore', match: { city: ['Longueuil', 'Brossard'] }, action: 'accept' }] });
    const at = (city: string) => inboxOffer({ location: { city, state: 'QC', zip: 'J4K 1A1', country: 'CA' } });
    expect(evaluateRules(r, at('brossard')).action).toBe('accept');
    expect(evaluateRules(r, at('Longueuil')).action).toBe('accept');
    expect(evaluateRules(r, at('Boucherville')).action).toBe('decline');
  });

  it('matches zip by prefix ignoring case and spaces', () => {
    const r = rules({ defaultAction: 'review', rules: [{ name: 'plateau', match: { zip_prefix: ['h2x 1'] }, action: 'accept' }] });
    const at = (zip: string) => inboxOffer({ location: { city: 'Montréal', state: 'QC', zip, country: 'CA' } });
    expect(evaluateRules(r, at('H2X 1Y4')).action).toBe('accept');
    expect(evaluateRules(r, at('h2x1y4')).action).toBe('accept');
    expect(evaluateRules(r, at('H2X 2A1')).action).toBe('review');
    // A prefix matches the start only.
    expect(evaluateRules(r, at('AH2X 1Y4')).action).toBe('review');
  });

  it('requires every present condition to hold', () => {
    const r = rules({
      defaultAction: 'review',
      rules: [{ name: 'psw in montreal', match: { care_type: ['psw'], city: ['Montreal'] }, action: 'accept' }],
    });
    expect(evaluateRules(r, inboxOffer()).action).toBe('accept');
    expect(evaluateRules(r, inboxOffer({ careType: 'nursing' })).action).toBe('review');
    expect(evaluateRules(r, inboxOffer({ location: { city: 'Laval', state: 'QC', zip: 'H7N 1A1', country: 'CA' } })).action).toBe('review');
  });

  it('lets the first matching rule decide, in order', () => {
    const r = rules({
      defaultAction: 'review',
      rules: [
        { name: 'no services', match: { offer_type: ['service'] }, action: 'decline', declineReasonCode: 'no_capacity' },
        { name: 'all psw', match: { care_type: ['psw'] }, action: 'accept' },
        { name: 'psw visits', match: { care_type: ['psw'], offer_type: ['visit'] }, action: 'decline' },
      ],
    });
    expect(evaluateRules(r, inboxOffer({ careType: 'psw', offerType: 'visit' })).rule).toBe('all psw');
    expect(evaluateRules(r, inboxOffer({ careType: 'psw', offerType: 'service' })).rule).toBe('no services');
    expect(evaluateRules(r, inboxOffer({ careType: 'nursing', offerType: 'visit' })).rule).toBe('default');
  });

  it('carries the rule name, declineReasonCode and comment into the decision', () => {
    const r = rules({
      defaultAction: 'accept',
      rules: [{ name: 'too far', match: { zip_prefix: ['J'] }, action: 'decline', declineReasonCode: 'out_of_area', comment: 'Outside our area' }],
    });
    const decision = evaluateRules(r, inboxOffer({ location: { city: 'Longueuil', state: 'QC', zip: 'J4K 1A1', country: 'CA' } }));
    expect(decision).toEqual({
      action: 'decline',
      rule: 'too far',
      reason: expect.any(String),
      declineReasonCode: 'out_of_area',
      comment: 'Outside our area',
    });
    // A rule without them adds no empty fields.
    const plain = evaluateRules(rules({ defaultAction: 'review', rules: [{ name: 'psw', match: { care_type: ['psw'] }, action: 'accept' }] }), inboxOffer());
    expect(Object.keys(plain).sort()).toEqual(['action', 'reason', 'rule']);
  });

  it('names the rule and the matched conditions in the reason, never the location values', () => {
    const r = rules({
      defaultAction: 'review',
      rules: [{ name: 'montreal psw', match: { care_type: ['psw'], city: ['Montreal'], zip_prefix: ['H2X'] }, action: 'accept' }],
    });
    const decision = evaluateRules(r, inboxOffer());
    expect(decision.reason).toContain('montreal psw');
    expect(decision.reason).toContain('care_type, city, zip_prefix matched');
    for (const value of ['Montréal', 'Montreal', 'H2X', 'h2x', 'H2X 1Y4', 'QC']) {
      expect(decision.reason.replace('montreal psw', '')).not.toContain(value);
    }
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
