import * as v from 'valibot';

/** Reading JSON text against a schema: the value, or a problem that never quotes the input. */
export type JsonParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The issues of a failed `v.safeParse`. */
export type Issues = readonly v.BaseIssue<unknown>[];

/**
 * An issue's field path as dotted text (`rules.0.match`), `(root)` for the input itself. An
 * unknown key's issue (a strict object's) is placed on the object that holds the key, since the
 * key itself is input: `unknownKey` gives it.
 */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  return dotted(pathKeys(issue));
}

/** The keys of an issue's path, without an unknown key's own name (`issuePath`). */
function pathKeys(issue: v.BaseIssue<unknown>): PropertyKey[] {
  const keys = (issue.path ?? []).map((item) => item.key as PropertyKey);
  if (unknownKey(issue) !== undefined) keys.pop();
  return keys;
}

const dotted = (keys: readonly PropertyKey[]): string =>
  keys.length ? keys.map(String).join('.') : '(root)';

/** The name of the key a strict object does not know, when that is the issue. */
export function unknownKey(issue: v.BaseIssue<unknown>): string | undefined {
  const last = issue.path?.at(-1);
  const strict = issue.type === 'strict_object' || issue.type === 'strict_tuple';
  return strict && issue.expected === 'never' && last ? String(last.key) : undefined;
}

/**
 * The fields of `value` when it is a plain object, else undefined: for a `v.rawCheck` that also
 * runs when the schema before it refused the input, so the value may not have its shape.
 */
export function fieldsOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The path of an issue a check raises itself on field `key` of `input` (and on item `index` of
 * that field's list, if given), as Valibot records one, for `addIssue` in a `v.rawCheck`.
 */
export function pathTo(
  input: Record<string, unknown>,
  key: string,
  index?: number,
): [v.IssuePathItem, ...v.IssuePathItem[]] {
  const value = input[key];
  const path: [v.IssuePathItem, ...v.IssuePathItem[]] = [
    { type: 'object', origin: 'value', input, key, value },
  ];
  if (index !== undefined && Array.isArray(value))
    path.push({ type: 'array', origin: 'value', input: value, key: index, value: value[index] });
  return path;
}

/**
 * One line per field, e.g. `rules.rules.0.action: Invalid type: Expected ("accept" | ...) but
 * received "x"`; an unknown key reads `rules.rules.0.match: unknown field "weekday"`. Valibot's
 * messages quote the input, so this is for the operator's own config and rules only. `label` may
 * add words at the end of a line, such as the name of the rule its path is in.
 */
export function describeIssues(
  issues: Issues,
  label: (path: readonly PropertyKey[]) => string = () => '',
): string {
  return issues
    .map((issue) => {
      const key = unknownKey(issue);
      const path = pathKeys(issue);
      const message = key === undefined ? issue.message : `unknown field "${key}"`;
      return `${dotted(path)}: ${message}${label(path)}`;
    })
    .join('\n');
}

/**
 * What an issue expected, never what it received: `expected string`, `min_length >=1`,
 * `required` (a key that is missing), `unknown_key`, or the check's name. Safe to log for data
 * that may carry client details: `received` is read only to tell a missing value.
 */
export function issueCode(issue: v.BaseIssue<unknown>): string {
  if (unknownKey(issue) !== undefined) return 'unknown_key';
  if (issue.kind === 'schema' && issue.received === 'undefined') return 'required';
  if (issue.kind === 'schema') return `expected ${issue.expected ?? issue.type}`;
  return issue.expected === null ? issue.type : `${issue.type} ${issue.expected}`;
}

/**
 * Field paths and what each expected, e.g. `version: expected 1; (root): unknown_key`: safe to log
 * for data that may carry client details, since Valibot's messages quote the input.
 */
export function describeIssuePaths(issues: Issues): string {
  return issues.map((issue) => `${issuePath(issue)}: ${issueCode(issue)}`).join('; ');
}

/**
 * Parses `text` as JSON and validates it with `schema`. A failure is returned, not thrown, so each
 * caller raises its own error type; it names fields and what they expected, never values
 * (JSON.parse's own message quotes the input, so it is dropped).
 */
export function parseJsonWith<S extends v.GenericSchema>(
  schema: S,
  text: string,
): JsonParseResult<v.InferOutput<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not valid JSON' };
  }
  const result = v.safeParse(schema, raw);
  return result.success
    ? { ok: true, value: result.output }
    : { ok: false, problem: describeIssuePaths(result.issues) };
}
