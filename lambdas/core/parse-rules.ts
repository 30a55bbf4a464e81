import { ConfigError } from './errors';
import { describeIssues } from './parse-json';
import { ruleLabel, rulesSchema, type Rules } from './rules-schema';

/**
 * Parses the rules handed to the worker (as JSON in its environment) or read from a rules file.
 * The error names every bad field with its rule's name; rules are the operator's own words, never
 * client data, so zod's messages may quote them. Apart from `config.ts` (which re-exports it) so
 * the worker reads rules without building the deploy-time config schema.
 */
export function parseRules(json: string): Rules {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigError('Invalid rules: not valid JSON');
  }
  const result = rulesSchema.safeParse(raw);
  if (!result.success)
    throw new ConfigError(`Invalid rules:\n${describeIssues(result.error, ruleLabel(raw))}`);
  return result.data;
}
