/**
 * Covers the publish command (cli/rules-publish.ts) with a plain fake S3 client and files in a
 * temporary directory: a rules file and a whole config are validated as synth validates them and
 * written as one application/json object to the given bucket and key (the parsed rules, so the
 * printed version is the one the worker will record); an invalid file prints one line per bad
 * field, exits 2 and writes nothing; usage errors, an unreadable file and an S3 failure exit 1;
 * --help exits 0. The real wire protocol is in test/integration/s3-rules-store.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  PUBLISH_EXIT,
  PUBLISH_USAGE,
  publishRules,
  type RulesObjectWriter,
} from '../../cli/rules-publish';
import { parseRules } from '../../lambdas/core/config';
import { MAX_RULES_BYTES, RULES_OBJECT_KEY } from '../../lambdas/core/rules-document';
import { rulesVersionOf } from '../../lambdas/core/rules-source';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE_CONFIG = path.join(PROJECT_ROOT, 'config', 'connector.example.json');
const RULES = {
  defaultAction: 'review',
  rules: [{ name: 'toronto', match: { city: ['Toronto'] }, action: 'accept' }],
};

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-publish-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let files = 0;
function file(content: unknown): string {
  files += 1;
  const name = path.join(dir, `rules-${files}.json`);
  fs.writeFileSync(name, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return name;
}

/** Runs the command against a fake S3 that keeps each PutObject input and answers with a version. */
async function run(
  argv: string[],
  answer: (input: PutObjectCommand['input']) => Promise<{ VersionId?: string }> = async () => ({
    VersionId: 'v-42',
  }),
) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const puts: PutObjectCommand['input'][] = [];
  const s3: RulesObjectWriter = {
    send: async (command) => {
      puts.push(command.input);
      return answer(command.input);
    },
  };
  const code = await publishRules(
    argv,
    { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) },
    { s3 },
  );
  return { code, stdout, stderr, puts };
}

describe('publishing', () => {
  it('writes a valid rules file to the bucket and key as JSON and prints its version and the S3 version', async () => {
    const { code, stdout, stderr, puts } = await run([file(RULES), '--bucket', 'my-rules-bucket']);
    const rules = parseRules(JSON.stringify(RULES));

    expect({ code, stderr }).toEqual({ code: PUBLISH_EXIT.published, stderr: [] });
    expect(stdout).toEqual([`published: ${rulesVersionOf(rules)} (s3 version v-42)`]);
    expect(puts).toEqual([
      {
        Bucket: 'my-rules-bucket',
        Key: RULES_OBJECT_KEY,
        Body: expect.any(String),
        ContentType: 'application/json',
      },
    ]);
    // The parsed rules (defaults filled in), so the worker computes the same version from them.
    expect(JSON.parse(puts[0]?.Body as string)).toEqual(rules);
  });

  it('publishes the rules of a whole config file, to another key when asked', async () => {
    const { code, stdout, puts } = await run([
      EXAMPLE_CONFIG,
      '--bucket',
      'my-rules-bucket',
      '--key',
      'staging/rules.json',
    ]);
    const example = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, 'utf8')) as { rules: unknown };
    const rules = parseRules(JSON.stringify(example.rules));

    expect(code).toBe(PUBLISH_EXIT.published);
    expect(puts.map((p): unknown[] => [p.Key, JSON.parse(p.Body as string)])).toEqual([
      ['staging/rules.json', rules],
    ]);
    expect(stdout).toEqual([`published: ${rulesVersionOf(rules)} (s3 version v-42)`]);
  });

  it('says so when the bucket is not versioned (no VersionId)', async () => {
    const { stdout } = await run([file(RULES), '--bucket', 'my-rules-bucket'], async () => ({}));
    expect(stdout).toEqual([
      expect.stringMatching(
        /^published: [0-9a-f]{12} \(s3 version none: the bucket is not versioned\)$/,
      ),
    ]);
  });

  it('exits 1 naming the object and the S3 error when the write fails', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const { code, stdout, stderr } = await run(
      [file(RULES), '--bucket', 'my-rules-bucket'],
      async () => {
        throw denied;
      },
    );
    expect({ code, stdout }).toEqual({ code: PUBLISH_EXIT.failed, stdout: [] });
    expect(stderr).toEqual([
      `rules publish: could not write s3://my-rules-bucket/${RULES_OBJECT_KEY}: AccessDenied: Access Denied`,
    ]);
  });
});

describe('refusing invalid rules (exit 2, nothing written)', () => {
  it('prints one line per bad field of a rules file', async () => {
    const bad = file({
      defaultAction: 'maybe',
      rules: [{ name: 'x', match: {}, action: 'accept' }],
    });
    const { code, stderr, puts } = await run([bad, '--bucket', 'my-rules-bucket']);
    expect({ code, puts }).toEqual({ code: PUBLISH_EXIT.invalid, puts: [] });
    expect(stderr).toEqual([
      expect.stringMatching(new RegExp(`^${escape(bad)}: defaultAction: `)),
      expect.stringMatching(
        new RegExp(`^${escape(bad)}: rules\\.0\\.match: a rule must have at least one condition`),
      ),
      'rules publish: nothing published',
    ]);
  });

  it('checks a whole config as synth does, other fields included', async () => {
    const config = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, 'utf8')) as Record<string, unknown>;
    const bad = file({
      ...config,
      workerMaxConcurrency: 0,
      rules: {
        defaultAction: 'review',
        rules: [{ name: 'x', match: { city: ['a'] }, action: 'nope' }],
      },
    });
    const { code, stderr, puts } = await run([bad, '--bucket', 'my-rules-bucket']);
    expect({ code, puts }).toEqual({ code: PUBLISH_EXIT.invalid, puts: [] });
    expect(stderr.slice(0, -1).sort()).toEqual(
      [
        expect.stringMatching(/: rules\.rules\.0\.action: /),
        expect.stringMatching(/: workerMaxConcurrency: /),
      ].sort(),
    );
  });

  it('refuses rules over the 1 MiB bound', async () => {
    const huge = file({
      defaultAction: 'review',
      rules: [{ name: 'x', match: { city: ['c'.repeat(MAX_RULES_BYTES)] }, action: 'accept' }],
    });
    const { code, stderr, puts } = await run([huge, '--bucket', 'my-rules-bucket']);
    expect({ code, puts }).toEqual({ code: PUBLISH_EXIT.invalid, puts: [] });
    expect(stderr[0]).toMatch(/: rules: the serialised rules are \d+ bytes; at most 1048576/);
  });

  it('refuses a file that is not JSON', async () => {
    const { code, stderr } = await run([
      file('{ "defaultAction": "review", }'),
      '--bucket',
      'my-rules-bucket',
    ]);
    expect(code).toBe(PUBLISH_EXIT.invalid);
    expect(stderr[0]).toMatch(/: not valid JSON: /);
  });
});

describe('usage', () => {
  it('prints the usage on --help and exits 0', async () => {
    const { code, stdout, puts } = await run(['--help']);
    expect({ code, stdout, puts }).toEqual({
      code: PUBLISH_EXIT.published,
      stdout: [PUBLISH_USAGE],
      puts: [],
    });
  });

  it.each([
    [[], /give the rules file/],
    [['a.json', 'b.json', '--bucket', 'my-rules-bucket'], /one file only/],
    [['a.json'], /--bucket is required/],
    [['a.json', '--bucket'], /--bucket needs a value/],
    [['a.json', '--bucket', 'Not_A_Bucket'], /not an S3 bucket name/],
    [['a.json', '--bucket', 'my-rules-bucket', '--force'], /unknown option --force/],
  ])('exits 2 (usage) on %j', async (argv, message) => {
    const { code, stderr, puts } = await run(argv);
    expect({ code, puts }).toEqual({ code: PUBLISH_EXIT.invalid, puts: [] });
    expect(stderr[0]).toMatch(message);
    expect(stderr[1]).toBe(PUBLISH_USAGE);
  });

  it('exits 1 when the file cannot be read', async () => {
    const missing = path.join(dir, 'missing.json');
    const { code, stderr } = await run([missing, '--bucket', 'my-rules-bucket']);
    expect({ code, stderr }).toEqual({
      code: PUBLISH_EXIT.failed,
      stderr: [`rules publish: cannot read ${missing} (ENOENT)`],
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
