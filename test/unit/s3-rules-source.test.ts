/**
 * Covers the S3 side of the worker's rules (lambdas/adapters/s3-rules-source.ts) with a plain
 * fake reader: the GetObject it asks for (bucket, key, If-None-Match with the known tag only), a
 * 304 read as unchanged, a valid document parsed with the synth-time schema and versioned by
 * content (not by ETag or S3 version), an invalid or oversized one reported by field paths without
 * its values, and other errors passed on. Then the source as the worker builds it: the last good
 * version kept across an invalid upload. The cache's own rules are in rules-cache.test.ts; the
 * signed GET in s3-object-reader.test.ts; the real wire protocol in
 * test/integration/s3-rules-store.test.ts.
 */
import { parseRules } from '../../lambdas/core/config';
import { MAX_RULES_BYTES } from '../../lambdas/core/rules-document';
import { rulesVersionOf } from '../../lambdas/core/rules-source';
import { s3RulesFetch, s3RulesSource } from '../../lambdas/adapters/s3-rules-source';
import type {
  RulesObjectAnswer,
  RulesObjectReader,
  RulesObjectRequest,
} from '../../lambdas/adapters/s3-object-reader';

const LOCATION = { bucket: 'rules-bucket', key: 'rules.json' };
const RULES_TEXT = JSON.stringify({
  defaultAction: 'review',
  rules: [{ name: 'toronto', match: { city: ['Toronto'] }, action: 'accept' }],
});

type Found = Extract<RulesObjectAnswer, { kind: 'object' }>;

/** An object as GetObject returns it, with a body that records whether it was read. */
function object(text: string, fields: Partial<Omit<Found, 'kind' | 'text'>> = {}) {
  const found = {
    kind: 'object' as const,
    read: false,
    etag: '"etag-1"',
    versionId: 'v-1',
    contentLength: Buffer.byteLength(text),
    ...fields,
    text: async () => {
      found.read = true;
      return text;
    },
  };
  return found;
}

const NOT_MODIFIED: RulesObjectAnswer = { kind: 'not-modified' };

/** A fake reader answering GetObject with the next scripted answer; it keeps every request. */
function fakeS3(...answers: (RulesObjectAnswer | Error)[]) {
  const inputs: RulesObjectRequest[] = [];
  const client: RulesObjectReader = {
    get: async (request) => {
      inputs.push(request);
      const answer = answers.shift();
      if (answer === undefined) throw new Error('unexpected GetObject');
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { client, inputs };
}

describe('s3RulesFetch', () => {
  it('reads the configured object, without If-None-Match on a first read', async () => {
    const s3 = fakeS3(object(RULES_TEXT));
    const result = await s3RulesFetch(s3.client, LOCATION)(undefined);

    expect(s3.inputs).toEqual([{ bucket: 'rules-bucket', key: 'rules.json' }]);
    const rules = parseRules(RULES_TEXT);
    expect(result).toEqual({
      kind: 'valid',
      snapshot: { rules, version: rulesVersionOf(rules) },
      tag: '"etag-1"',
      storeVersion: 'v-1',
    });
  });

  it('versions by content: the same rules under another ETag and S3 version have the same version', async () => {
    const s3 = fakeS3(
      object(RULES_TEXT),
      object(` ${RULES_TEXT}\n`, { etag: '"etag-2"', versionId: 'v-2' }),
    );
    const fetch = s3RulesFetch(s3.client, LOCATION);
    const first = await fetch(undefined);
    expect(first.kind).toBe('valid');
    await expect(fetch('"etag-1"')).resolves.toEqual({
      ...first,
      tag: '"etag-2"',
      storeVersion: 'v-2',
    });
  });

  it('sends the known tag as If-None-Match and reads a 304 as unchanged', async () => {
    const s3 = fakeS3(NOT_MODIFIED);
    await expect(s3RulesFetch(s3.client, LOCATION)('"etag-1"')).resolves.toEqual({
      kind: 'unchanged',
    });
    expect(s3.inputs).toEqual([
      { bucket: 'rules-bucket', key: 'rules.json', ifNoneMatch: '"etag-1"' },
    ]);
  });

  it('reports a document that fails the rules schema by field path and code, never its values', async () => {
    const text = JSON.stringify({
      defaultAction: 'review',
      rules: [{ name: 'x', match: { city: ['Secretville'] }, action: 'maybe' }],
    });
    const result = await s3RulesFetch(
      fakeS3(object(text, { versionId: 'v-9' })).client,
      LOCATION,
    )(undefined);
    expect(result).toEqual({
      kind: 'invalid',
      problem: expect.stringContaining(
        'rules.0.action: Invalid type: Expected ("accept" | "decline" | "review" | "ignore") (rule "x")',
      ),
      storeVersion: 'v-9',
    });
    expect(JSON.stringify(result)).not.toContain('Secretville');
    expect(JSON.stringify(result)).not.toContain('maybe');
  });

  it('reports a document that is not JSON without quoting it', async () => {
    const result = await s3RulesFetch(
      fakeS3(object('{"defaultAction": Secretville')).client,
      LOCATION,
    )(undefined);
    expect(result).toEqual({
      kind: 'invalid',
      problem: 'Invalid rules: not valid JSON',
      storeVersion: 'v-1',
    });
  });

  it('refuses an object over the size bound without reading its body', async () => {
    const huge = object('never read', { contentLength: MAX_RULES_BYTES + 1 });
    const result = await s3RulesFetch(fakeS3(huge).client, LOCATION)(undefined);
    expect(result).toEqual({
      kind: 'invalid',
      problem: expect.stringMatching(/over 1048576/),
      storeVersion: 'v-1',
    });
    expect(huge.read).toBe(false);
  });

  it('passes any other error on (the cache keeps the last good version or fails)', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', status: 403 });
    await expect(s3RulesFetch(fakeS3(denied).client, LOCATION)('"etag-1"')).rejects.toBe(denied);
  });
});

describe('s3RulesSource', () => {
  it('keeps the last good rules when an invalid document is uploaded, and takes the next good one', async () => {
    let clock = 0;
    const fixed = JSON.stringify({ defaultAction: 'decline', rules: [] });
    const s3 = fakeS3(
      object(RULES_TEXT),
      object('{"defaultAction":"maybe"}', { etag: '"bad"' }),
      object(fixed, { etag: '"etag-3"' }),
    );
    const source = s3RulesSource(s3.client, LOCATION, { now: () => clock });

    const good = await source.current();
    clock += 60_000;
    await expect(source.current()).resolves.toEqual(good);
    clock += 60_000;
    await expect(source.current()).resolves.toEqual({
      rules: parseRules(fixed),
      version: rulesVersionOf(parseRules(fixed)),
    });
    // The invalid object's ETag is never sent back: the store is asked for anything but the good one.
    expect(s3.inputs.map((input) => input.ifNoneMatch)).toEqual([
      undefined,
      '"etag-1"',
      '"etag-1"',
    ]);
  });
});
