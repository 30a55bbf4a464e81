/**
 * Covers the S3 side of the worker's rules (lambdas/adapters/s3-rules-source.ts) with a plain
 * fake S3 client: the GetObject it sends (bucket, key, If-None-Match with the known tag only), a
 * 304 read as unchanged whatever the SDK names it, a valid document parsed with the synth-time
 * schema and versioned by content (not by ETag or S3 version), an invalid or oversized one
 * reported by field paths without its values, and other errors passed on. Then the source as the
 * worker builds it: the last good version kept across an invalid upload. The cache's own rules
 * are in rules-cache.test.ts; the real wire protocol in test/integration/s3-rules-store.test.ts.
 */
import type { GetObjectCommand } from '@aws-sdk/client-s3';
import { parseRules } from '../../lambdas/core/config';
import { MAX_RULES_BYTES } from '../../lambdas/core/rules-document';
import { rulesVersionOf } from '../../lambdas/core/rules-source';
import {
  type RulesObjectOutput,
  type RulesObjectReader,
  s3RulesFetch,
  s3RulesSource,
} from '../../lambdas/adapters/s3-rules-source';

const LOCATION = { bucket: 'rules-bucket', key: 'rules.json' };
const RULES_TEXT = JSON.stringify({
  defaultAction: 'review',
  rules: [{ name: 'toronto', match: { city: ['Toronto'] }, action: 'accept' }],
});

/** An object as GetObject returns it, with a body stream that records whether it was destroyed. */
function object(text: string, fields: Omit<RulesObjectOutput, 'Body'> = {}) {
  const body = {
    destroyed: false,
    transformToString: async () => text,
    destroy: () => void (body.destroyed = true),
  };
  return {
    Body: body,
    ETag: '"etag-1"',
    VersionId: 'v-1',
    ContentLength: Buffer.byteLength(text),
    ...fields,
  };
}

/** A 304 as the SDK raises it: an error carrying the status (its name varies by SDK version). */
function notModified(name: string): Error {
  return Object.assign(new Error('UnknownError'), { name, $metadata: { httpStatusCode: 304 } });
}

/** A fake S3 client answering GetObject with the next scripted answer; it keeps every input. */
function fakeS3(...answers: (RulesObjectOutput | Error)[]) {
  const inputs: GetObjectCommand['input'][] = [];
  const client: RulesObjectReader = {
    send: async (command) => {
      inputs.push(command.input);
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

    expect(s3.inputs).toEqual([{ Bucket: 'rules-bucket', Key: 'rules.json' }]);
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
      object(` ${RULES_TEXT}\n`, { ETag: '"etag-2"', VersionId: 'v-2' }),
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

  it.each(['304', 'NotModified'])(
    'sends the known tag as If-None-Match and reads a 304 (named %s) as unchanged',
    async (name) => {
      const s3 = fakeS3(notModified(name));
      await expect(s3RulesFetch(s3.client, LOCATION)('"etag-1"')).resolves.toEqual({
        kind: 'unchanged',
      });
      expect(s3.inputs).toEqual([
        { Bucket: 'rules-bucket', Key: 'rules.json', IfNoneMatch: '"etag-1"' },
      ]);
    },
  );

  it('reports a document that fails the rules schema by field path and code, never its values', async () => {
    const text = JSON.stringify({
      defaultAction: 'review',
      rules: [{ name: 'x', match: { city: ['Secretville'] }, action: 'maybe' }],
    });
    const result = await s3RulesFetch(
      fakeS3(object(text, { VersionId: 'v-9' })).client,
      LOCATION,
    )(undefined);
    expect(result).toEqual({
      kind: 'invalid',
      problem: expect.stringContaining('rules.0.action: Invalid option'),
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

  it('refuses an object over the size bound without reading its body, and frees the stream', async () => {
    const huge = object('never read', { ContentLength: MAX_RULES_BYTES + 1 });
    huge.Body.transformToString = async () => {
      throw new Error('the body was read');
    };
    const result = await s3RulesFetch(fakeS3(huge).client, LOCATION)(undefined);
    expect(result).toEqual({
      kind: 'invalid',
      problem: expect.stringMatching(/over 1048576/),
      storeVersion: 'v-1',
    });
    expect(huge.Body.destroyed).toBe(true);
  });

  it('passes any other error on (the cache keeps the last good version or fails)', async () => {
    const denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(s3RulesFetch(fakeS3(denied).client, LOCATION)('"etag-1"')).rejects.toBe(denied);
  });
});

describe('s3RulesSource', () => {
  it('keeps the last good rules when an invalid document is uploaded, and takes the next good one', async () => {
    let clock = 0;
    const fixed = JSON.stringify({ defaultAction: 'decline', rules: [] });
    const s3 = fakeS3(
      object(RULES_TEXT),
      object('{"defaultAction":"maybe"}', { ETag: '"bad"' }),
      object(fixed, { ETag: '"etag-3"' }),
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
    expect(s3.inputs.map((input) => input.IfNoneMatch)).toEqual([
      undefined,
      '"etag-1"',
      '"etag-1"',
    ]);
  });
});
