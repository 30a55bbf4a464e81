import type { z } from 'zod';

/** Reading JSON text against a schema: the value, or a problem that never quotes the input. */
export type JsonParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Turns zod issues into one line per field, e.g. `rules.rules.0.action: Invalid option ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

/**
 * Field paths and issue codes only, e.g. `version: invalid_value; (root): unrecognized_keys`:
 * safe to log for data that may carry client details, since zod's messages can quote input
 * (an unknown key's name, for one).
 */
export function describeIssuePaths(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.code}`).join('; ');
}

/**
 * Parses `text` as JSON and validates it with `schema`. A failure is returned, not thrown, so each
 * caller raises its own error type; it names fields and issue codes, never values (JSON.parse's
 * own message quotes the input, so it is dropped).
 */
export function parseJsonWith<S extends z.ZodType>(schema: S, text: string): JsonParseResult<z.output<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not valid JSON' };
  }
  const result = schema.safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, problem: describeIssuePaths(result.error) };
}
