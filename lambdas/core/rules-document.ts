import { ConfigError } from './errors';
import { parseRules } from './parse-rules';
import type { Rules } from './rules-schema';

/**
 * The rules as one JSON document in the rules store (an S3 object in AWS): what `cdk deploy` and
 * the publish command write, and what the worker reads. One place for its key and size bound, so
 * the stack, the command and the worker cannot disagree.
 */

/** The object key the stack publishes to, the worker reads and the publish command writes by default. */
export const RULES_OBJECT_KEY = 'rules.json';

/**
 * Largest rules document accepted anywhere (synth, publish, worker). Hundreds of rules take tens
 * of kilobytes; the bound only stops a wrong file from being read into every worker.
 */
export const MAX_RULES_BYTES = 1024 * 1024;

/**
 * The document for a validated rule set: its JSON, as the worker will parse it again (so the
 * version computed from either side is the same). Throws a ConfigError when it is over the bound.
 */
export function rulesDocument(rules: Rules): string {
  const json = JSON.stringify(rules);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_RULES_BYTES) {
    throw new ConfigError(
      `rules: the serialised rules are ${bytes} bytes; at most ${MAX_RULES_BYTES} (1 MiB) are accepted. Merge rules or shorten comments.`,
    );
  }
  return json;
}

export type RulesDocumentResult = { ok: true; rules: Rules } | { ok: false; problem: string };

/**
 * Reads a rules document as the worker receives it. A failure names field paths and issue codes
 * only (never values), so it can be logged.
 */
export function readRulesDocument(text: string): RulesDocumentResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_RULES_BYTES)
    return {
      ok: false,
      problem: `Invalid rules: the document is ${bytes} bytes, over ${MAX_RULES_BYTES}`,
    };
  try {
    return { ok: true, rules: parseRules(text) };
  } catch (error: unknown) {
    if (error instanceof ConfigError) return { ok: false, problem: error.message };
    throw error;
  }
}
