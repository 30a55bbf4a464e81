import { createHash } from 'node:crypto';
import type { Rules } from './rules-schema';
import type { RulesSnapshot, RulesSource } from './ports';

/**
 * The version of a rule set: the first 12 hex digits of the SHA-256 of its JSON. The same rules
 * always have the same version wherever they are stored, so a decision's `rulesVersion` names
 * exactly what it was judged by.
 */
export function rulesVersionOf(rules: Rules): string {
  return createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 12);
}

/** A fixed rule set as a RulesSource (tests, the sandbox, tools). */
export function fixedRules(rules: Rules): RulesSource {
  const snapshot: RulesSnapshot = { rules, version: rulesVersionOf(rules) };
  return { current: () => Promise.resolve(snapshot) };
}

/** A RulesSource as given, or a fixed rule set wrapped as one. */
export function asRulesSource(rules: Rules | RulesSource): RulesSource {
  return 'current' in rules ? rules : fixedRules(rules);
}
