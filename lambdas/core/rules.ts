import {
  CONDITIONS,
  checkCondition,
  type Condition,
  type EvaluationContext,
} from './rule-conditions';
import { foldName, rulesTimeZone, type Rule, type Rules } from './rules-schema';
import type { Decision, InboxOffer } from './ports';

export { greatCircleKm, normalizeZip } from './rule-conditions';

/**
 * Rule evaluation: which action to take on an offer the organisation was matched to. Pure: the
 * same rules, offer and evaluation time always give the same decision, so a retried event decides
 * the same way; the time is passed in (the worker's clock), never read here.
 */

/**
 * Normalises a city name for comparison: accents removed (NFD, combining marks dropped), lower
 * case, surrounding space trimmed and inner runs of space collapsed, so `  Trois-Rivières ` and
 * `trois-rivieres` compare equal.
 */
export const normalizeCity = foldName;

type RuleOutcome = { holds: true; held: string[] } | { holds: false; line: string };

/** A rule on the offer: the conditions that held (with notes), or the first that did not. */
function tryRule(rule: Rule, offer: InboxOffer, context: EvaluationContext): RuleOutcome {
  const held: string[] = [];
  const present = CONDITIONS.filter((condition: Condition) => rule.match[condition] !== undefined);
  for (const condition of present) {
    const check = checkCondition(condition, rule.match, offer, context);
    if (!check.holds)
      return {
        holds: false,
        line: `rule "${rule.name}": ${condition} did not hold (${check.why})`,
      };
    held.push(check.note === undefined ? condition : `${condition} (${check.note})`);
  }
  return { holds: true, held };
}

/**
 * Decides what to do with an inbox offer at `now`: the first rule (in order) whose every present
 * condition holds decides; when none does, `rules.defaultAction` applies with rule `default`.
 *
 * The decision's `reason` is a one-line summary naming the rule and the conditions that matched.
 * Its `explanation` is the whole story: first the deciding rule (or `default`) and its action,
 * then, for each earlier rule, the first condition that did not hold and why. Neither ever quotes
 * the client's location, the demand organisation or the service's skills.
 */
export function evaluateRules(rules: Rules, offer: InboxOffer, now: Date): Decision {
  const context: EvaluationContext = { now: now.getTime(), timeZone: rulesTimeZone(rules) };
  const skipped: string[] = [];
  for (const rule of rules.rules) {
    const outcome = tryRule(rule, offer, context);
    if (!outcome.holds) {
      skipped.push(outcome.line);
      continue;
    }
    const matched = CONDITIONS.filter((condition) => rule.match[condition] !== undefined);
    const decision: Decision = {
      action: rule.action,
      rule: rule.name,
      reason: `rule "${rule.name}": ${matched.join(', ')} matched`,
      explanation: [
        `${rule.action} by rule "${rule.name}" (${outcome.held.join(', ')} held)`,
        ...skipped,
      ],
    };
    if (rule.declineReasonCode !== undefined) decision.declineReasonCode = rule.declineReasonCode;
    if (rule.comment !== undefined) decision.comment = rule.comment;
    return decision;
  }
  const none =
    rules.rules.length === 0
      ? 'there are no rules'
      : `none of ${rules.rules.length} rule${rules.rules.length === 1 ? '' : 's'} held`;
  return {
    action: rules.defaultAction,
    rule: 'default',
    reason: 'no rule matched: default action',
    explanation: [`${rules.defaultAction} by default (${none})`, ...skipped],
  };
}
