import * as v from 'valibot';
import { ConfigError } from './errors';
import { describeIssues } from './parse-json';
import { ruleLabel, rulesSchema, type Rules } from './rules-schema';

/**
 * Valibot's own messages end with the value received (`... but received "Toronto"`); this keeps
 * what was expected only (`Invalid type: Expected ("accept" | ...)`). The rules' own messages
 * name no value, so an error of `parseRules` can be logged (readRulesDocument).
 */
const WITHOUT_VALUES: v.Config<v.BaseIssue<unknown>> = {
  message: (issue) => issue.message.replace(/(?: but r|: R)eceived .*$/s, ''),
};

/**
 * Parses the rules handed to the worker (as JSON in its environment) or read from a rules file.
 * The error names every bad field with its rule's name and what it expected, never the value it
 * holds. Apart from `config.ts` (which re-exports it) so the worker reads rules without building
 * the deploy-time config schema.
 */
export function parseRules(json: string): Rules {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigError('Invalid rules: not valid JSON');
  }
  const result = v.safeParse(rulesSchema, raw, WITHOUT_VALUES);
  if (!result.success)
    throw new ConfigError(`Invalid rules:\n${describeIssues(result.issues, ruleLabel(raw))}`);
  return result.output;
}
