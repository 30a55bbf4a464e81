/**
 * Helpers for the rules' condition tables (test/unit/rules*.test.ts): rules parsed as the worker
 * parses them, and one condition tried alone on an offer at a given time.
 */
import { parseRules, type Rules } from '../../lambdas/core/config';
import type { InboxOffer } from '../../lambdas/core/ports';
import { evaluateRules } from '../../lambdas/core/rules';

/** The fixture offer's first visit is 2026-05-03T09:00Z; this is two days before (a Friday). */
export const NOW = new Date('2026-05-01T09:00:00Z');

export function rulesOf(json: object): Rules {
  return parseRules(JSON.stringify(json));
}

/**
 * A one-rule set (`match`, accept) tried on `offer` at `now`: whether the rule held, and the
 * explanation line about it (the deciding line when it held, else its "did not hold" line).
 */
export function tryMatch(
  match: object,
  offer: InboxOffer,
  now: Date = NOW,
  timeZone?: string,
): { holds: boolean; line: string } {
  const rules = rulesOf({
    defaultAction: 'review',
    ...(timeZone ? { timeZone } : {}),
    rules: [{ name: 't', match, action: 'accept' }],
  });
  const decision = evaluateRules(rules, offer, now);
  const holds = decision.rule === 't';
  return { holds, line: (holds ? decision.explanation?.[0] : decision.explanation?.[1]) ?? '' };
}
