import { safeParse } from 'zod/mini';
import type * as z from 'zod/v4/core';

/** Reading JSON text against a schema: the value, or a problem that never quotes the input. */
export type JsonParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Turns zod issues into one line per field, e.g. `rules.rules.0.action: Invalid option ...`; an
 * unknown key gets a line of its own naming it (`rules.rules.0.match: unknown field "weekday"`).
 * `label` may add words at the end of a line, such as the name of the rule its path is in.
 */
export function describeIssues(
  error: z.$ZodError,
  label: (path: readonly PropertyKey[]) => string = () => '',
): string {
  const line = (path: readonly PropertyKey[], message: string) =>
    `${path.length ? path.map(String).join('.') : '(root)'}: ${message}${label(path)}`;
  return error.issues
    .flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => line(issue.path, `unknown field "${key}"`))
        : [line(issue.path, issue.message)],
    )
    .join('\n');
}

/**
 * Field paths and issue codes only, e.g. `version: invalid_value; (root): unrecognized_keys`:
 * safe to log for data that may carry client details, since zod's messages can quote input
 * (an unknown key's name, for one).
 */
export function describeIssuePaths(error: z.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.code}`)
    .join('; ');
}

/**
 * Parses `text` as JSON and validates it with `schema`. A failure is returned, not thrown, so each
 * caller raises its own error type; it names fields and issue codes, never values (JSON.parse's
 * own message quotes the input, so it is dropped).
 */
export function parseJsonWith<S extends z.$ZodType>(
  schema: S,
  text: string,
): JsonParseResult<z.output<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not valid JSON' };
  }
  const result = safeParse(schema, raw);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, problem: describeIssuePaths(result.error) };
}
