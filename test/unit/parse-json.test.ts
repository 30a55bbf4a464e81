/**
 * Covers lambdas/core/parse-json.ts: JSON text read against a zod schema, with failures that name
 * fields and issue codes but never quote the input. Callers' own error types are tested with them.
 */
import { z } from 'zod';
import { parseJsonWith } from '../../lambdas/core/parse-json';

const schema = z.strictObject({ id: z.string(), kind: z.enum(['a', 'b']) });

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

  it('names each bad field and its issue code, never values or unknown key names', () => {
    const result = parseJsonWith(schema, '{"id": 7, "kind": "PATIENT-NAME", "Jane Doe": true}');
    expect(result.ok).toBe(false);
    const problem = result.ok ? '' : result.problem;
    expect(problem).toBe('id: invalid_type; kind: invalid_value; (root): unrecognized_keys');
    expect(problem).not.toMatch(/PATIENT|Jane/);
  });
});
