/**
 * Covers the rules store over a real S3 wire protocol (fauxqs's S3, started through
 * sandbox/emulators.ts): the publish command (cli/rules-publish.ts), with the real AWS SDK client,
 * writes a document the worker's adapter (lambdas/adapters/s3-rules-source.ts, reading with its
 * signed GET, s3-object-reader.ts) reads back as the same rules and version; the adapter's conditional read of an unchanged object is answered 304
 * and read as unchanged; an object overwritten by hand with invalid rules is reported invalid,
 * and the source keeps the last good version. fauxqs has no versioning, so S3 version ids are
 * absent here; the stack's bucket is versioned (test/infra/rules-store.test.ts).
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PUBLISH_EXIT, publishRules, type RulesObjectWriter } from '../../cli/rules-publish';
import { parseRules } from '../../lambdas/core/config';
import { RULES_OBJECT_KEY } from '../../lambdas/core/rules-document';
import { rulesVersionOf } from '../../lambdas/core/rules-source';
import { s3RulesFetch, s3RulesSource } from '../../lambdas/adapters/s3-rules-source';
import {
  identityOf,
  type RulesObjectReader,
  S3ReadError,
  signedObjectReader,
} from '../../lambdas/adapters/s3-object-reader';
import { cachedDynamoClient } from '../../lambdas/adapters/dynamo-documents';
import { MAX_RULES_BYTES } from '../../lambdas/core/rules-document';
import { EMULATOR_AWS, startFauxqs, type RunningEmulator } from '../../sandbox/emulators';
import { shutDown } from '../support/shut-down';

const RULES = {
  defaultAction: 'review',
  rules: [{ name: 'toronto', match: { city: ['Toronto'] }, action: 'accept' }],
};

let fauxqs: RunningEmulator;
let s3: S3Client;
let reader: RulesObjectReader;
let bucketCount = 0;

beforeAll(async () => {
  fauxqs = await startFauxqs();
  // Path-style: the emulator is one host, without a DNS name per bucket.
  s3 = new S3Client({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint, forcePathStyle: true });
  // The worker's reader, as it is built in the handler, on the emulator's endpoint.
  reader = signedObjectReader({
    region: () => Promise.resolve(EMULATOR_AWS.region),
    credentials: () => Promise.resolve(EMULATOR_AWS.credentials),
    endpoint: fauxqs.endpoint,
    timeoutMs: 2_000,
    maxBodyBytes: MAX_RULES_BYTES,
  });
});

afterAll(() => shutDown([s3], [fauxqs]));

async function newBucket(): Promise<string> {
  bucketCount += 1;
  const bucket = `rules-${bucketCount}-${Date.now()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** The publish command as an operator runs it, with the real client; resolves with its exit code and output. */
async function publish(rules: unknown, bucket: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  // The real client is what the dispatcher passes: it must fit the command's narrow port.
  const writer: RulesObjectWriter = s3;
  const code = await publishRules(
    ['rules.json', '--bucket', bucket],
    { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
    {
      s3: writer,
      readFile: async () => JSON.stringify(rules),
    },
  );
  return { code, stdout, stderr };
}

it('the worker reads back exactly what the publish command wrote, with the version it printed', async () => {
  const bucket = await newBucket();
  const { code, stdout, stderr } = await publish(RULES, bucket);
  const version = rulesVersionOf(parseRules(JSON.stringify(RULES)));
  expect({ code, stderr }).toEqual({ code: PUBLISH_EXIT.published, stderr: [] });
  expect(stdout).toEqual([`published: ${version} (s3 version none: the bucket is not versioned)`]);

  const result = await s3RulesFetch(reader, { bucket, key: RULES_OBJECT_KEY })(undefined);
  expect(result).toEqual({
    kind: 'valid',
    snapshot: { rules: parseRules(JSON.stringify(RULES)), version },
    tag: expect.stringMatching(/^"[0-9a-f]+"$/),
  });
});

it('a conditional read of an unchanged object is a 304, read as unchanged; a changed one is read again', async () => {
  const bucket = await newBucket();
  await publish(RULES, bucket);
  const fetch = s3RulesFetch(reader, { bucket, key: RULES_OBJECT_KEY });
  const first = await fetch(undefined);
  if (first.kind !== 'valid') throw new Error(`expected valid rules, got ${first.kind}`);

  await expect(fetch(first.tag)).resolves.toEqual({ kind: 'unchanged' });

  await publish({ defaultAction: 'decline', rules: [] }, bucket);
  await expect(fetch(first.tag)).resolves.toEqual(
    expect.objectContaining({
      kind: 'valid',
      snapshot: expect.objectContaining({ rules: { defaultAction: 'decline', rules: [] } }),
    }),
  );
});

it('an object overwritten by hand with invalid rules is reported invalid, and the source keeps the last good version', async () => {
  const bucket = await newBucket();
  await publish(RULES, bucket);
  let clock = 0;
  const source = s3RulesSource(reader, { bucket, key: RULES_OBJECT_KEY }, { now: () => clock });
  const good = await source.current();

  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: RULES_OBJECT_KEY,
      Body: '{"defaultAction":"maybe"}',
      ContentType: 'application/json',
    }),
  );
  await expect(s3RulesFetch(reader, { bucket, key: RULES_OBJECT_KEY })(undefined)).resolves.toEqual(
    {
      kind: 'invalid',
      problem: expect.stringContaining(
        'defaultAction: Invalid type: Expected ("accept" | "decline" | "review" | "ignore")',
      ),
    },
  );
  clock += 60_000;
  await expect(source.current()).resolves.toEqual(good);
});

it('a missing object is an error named by S3, with its status, for the cache to report unreadable', async () => {
  const bucket = await newBucket();
  const error: unknown = await reader
    .get({ bucket, key: RULES_OBJECT_KEY })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(S3ReadError);
  expect(error).toMatchObject({ name: 'NoSuchKey', status: 404, operation: 'GetObject' });
});

it("the worker's wiring: region and credentials from an SDK client built as in Lambda, the endpoint from AWS_ENDPOINT_URL_S3", async () => {
  const bucket = await newBucket();
  await publish(RULES, bucket);
  const saved = { ...process.env };
  process.env.AWS_REGION = EMULATOR_AWS.region;
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_AWS.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_AWS.credentials.secretAccessKey;
  process.env.AWS_ENDPOINT_URL_S3 = fauxqs.endpoint;
  const client = cachedDynamoClient();
  try {
    // As lambdas/worker/handler.ts builds it: no region, credentials or endpoint passed in.
    const wired = signedObjectReader({
      ...identityOf(client),
      timeoutMs: 2_000,
      maxBodyBytes: MAX_RULES_BYTES,
    });
    await expect(
      s3RulesFetch(wired, { bucket, key: RULES_OBJECT_KEY })(undefined),
    ).resolves.toMatchObject({
      kind: 'valid',
      snapshot: { rules: parseRules(JSON.stringify(RULES)) },
    });
  } finally {
    client.destroy();
    process.env = saved;
  }
});
