import type { Rule, RuleMatch, Rules } from './config';
import type { Decision, InboxOffer } from './ports';

/**
 * Rule evaluation: which action to take on an offer the organisation was matched to. Pure: the
 * same rules and offer always give the same decision, so a retried event decides the same way.
 */

/** The conditions a rule can hold, in the order a decision's `reason` lists them. */
const CONDITIONS = ['care_type', 'offer_type', 'city', 'zip_prefix'] as const satisfies readonly (keyof RuleMatch)[];
type Condition = (typeof CONDITIONS)[number];

/**
 * Normalises a city name for comparison: accents removed (NFD, combining marks dropped), lower
 * case, surrounding space trimmed and inner runs of space collapsed, so `  Trois-Rivières ` and
 * `trois-rivieres` compare equal.
 */
export function normalizeCity(city: string): string {
  return city
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .trim()
    .replace(/\s+/g, ' ');
}

/** Normalises a postal/zip code or prefix: every space removed, upper case (`h2x 1y4` -> `H2X1Y4`). */
export function normalizeZip(zip: string): string {
  return zip.replace(/\s+/g, '').toUpperCase();
}

function conditionHolds(condition: Condition, match: RuleMatch, offer: InboxOffer): boolean {
  switch (condition) {
    case 'care_type':
      return match.care_type === undefined || (match.care_type as readonly string[]).includes(offer.careType);
    case 'offer_type':
      return match.offer_type === undefined || (match.offer_type as readonly string[]).includes(offer.offerType);
    case 'city': {
      if (match.city === undefined) return true;
      const city = normalizeCity(offer.location.city);
      return match.city.some((candidate) => normalizeCity(candidate) === city);
    }
    case 'zip_prefix': {
      if (match.zip_prefix === undefined) return true;
      const zip = normalizeZip(offer.location.zip);
      // An all-space prefix normalises to '' and would match every zip: never let it.
      return match.zip_prefix.some((prefix) => {
        const normalized = normalizeZip(prefix);
        return normalized.length > 0 && zip.startsWith(normalized);
      });
    }
  }
}

/** The conditions of `rule` that are present, or undefined if any of them fails on `offer`. */
function matchedConditions(rule: Rule, offer: InboxOffer): Condition[] | undefined {
  const present = CONDITIONS.filter((condition) => rule.match[condition] !== undefined);
  return present.every((condition) => conditionHolds(condition, rule.match, offer)) ? present : undefined;
}

/**
 * Decides what to do with an inbox offer: the first rule (in order) whose every present condition
 * holds decides; when none does, `rules.defaultAction` applies with rule `default`.
 *
 * The decision's `reason` names the rule and the conditions that matched, never their values:
 * city and zip describe where the client lives.
 */
export function evaluateRules(rules: Rules, offer: InboxOffer): Decision {
  for (const rule of rules.rules) {
    const matched = matchedConditions(rule, offer);
    if (matched === undefined) continue;
    const decision: Decision = {
      action: rule.action,
      rule: rule.name,
      reason: `rule "${rule.name}": ${matched.join(', ')} matched`,
    };
    if (rule.declineReasonCode !== undefined) decision.declineReasonCode = rule.declineReasonCode;
    if (rule.comment !== undefined) decision.comment = rule.comment;
    return decision;
  }
  return { action: rules.defaultAction, rule: 'default', reason: 'no rule matched: default action' };
}
