/**
 * Covers lambdas/core/parse-json.ts: JSON text read against a schema, with failures that name
 * fields and what they expected but never quote the input, and the operator-facing lines of
 * `describeIssues`. Callers' own error types are tested with them.
 */
import * as v from 'valibot';
import { describeIssues, parseJsonWith } from '../../lambdas/core/parse-json';

const schema = v.strictObject({
  id: v.string(),
  kind: v.picklist(['a', 'b']),
  name: v.optional(v.pipe(v.string(), v.minLength(1))),
});

describe('parseJsonWith', () => {
  it('returns the validated value', () => {
    expect(parseJsonWith(schema, '{"id":"x1","kind":"a"}')).toEqual({
      ok: true,
      value: { id: 'x1', kind: 'a' },
    });
  });

  it('reports text that is not JSON without quoting it', () => {
    const result = parseJsonWith(schema, '{"id": "SECRET-VALUE"');
    expect(result).toEqual({ ok: false, problem: 'not valid JSON' });
  });

  it('names each bad field and what it expected, never values or unknown key names', () => {
    const result = parseJsonWith(
      schema,
      '{"id": 7, "kind": "PATIENT-NAME", "name": "", "Jane Doe": true}',
    );
    expect(result.ok).toBe(false);
    const problem = result.ok ? '' : result.problem;
    expect(problem).toBe(
      'id: expected string; kind: expected ("a" | "b"); name: min_length >=1; (root): unknown_key',
    );
    expect(problem).not.toMatch(/PATIENT|Jane/);
  });

  it('calls a missing key required', () => {
    expect(parseJsonWith(schema, '{"kind":"b"}')).toEqual({ ok: false, problem: 'id: required' });
  });

  it('reports input that is not an object at the root', () => {
    expect(parseJsonWith(schema, '"Jane Doe"')).toEqual({
      ok: false,
      problem: '(root): expected Object',
    });
  });
});

describe('describeIssues', () => {
  const nested = v.strictObject({ rules: v.array(v.strictObject({ action: v.string() })) });
  const issuesOf = (input: unknown) => {
    const result = v.safeParse(nested, input);
    if (result.success) throw new Error('expected a failure');
    return result.issues;
  };

  it('puts an unknown key on the object that holds it, naming the key', () => {
    const issues = issuesOf({ rules: [{ action: 'x', weekday: 'mon' }] });
    expect(describeIssues(issues)).toBe('rules.0: unknown field "weekday"');
  });

  it("gives Valibot's message with the field's path and the label's words", () => {
    const issues = issuesOf({ rules: [{ action: 5 }] });
    const label = (path: readonly PropertyKey[]) => ` (path ${path.join('/')})`;
    expect(describeIssues(issues, label)).toBe(
      'rules.0.action: Invalid type: Expected string but received 5 (path rules/0/action)',
    );
  });
});
