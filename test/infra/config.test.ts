/**
 * Covers the synth-time config path: choosing the file (context, local file, example), loading and
 * validating it (lib/load-config.ts), the rules' size bound (1 MiB, the rules store's), the topic allowlist (exact ARNs or
 * account + region + role topics, exactly one) and its expansion, the receiver policy settings and
 * their defaults, the reconciler settings (defaults and bounds), and bin/app.ts turning a bad config into a clear message and a non-zero exit
 * before anything is synthesised.
 * The schema's own rules (lambdas/core/config.ts) are exercised here only through whole files;
 * what the stacks do with a valid config is in stacks-*.test.ts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, ROLE_TOPICS, resolveAllowedTopicArns } from '../../lambdas/core/config';
import { TOPIC_EVENTS } from '../../lambdas/core/events';
import { MAX_RULES_BYTES, rulesDocument } from '../../lambdas/core/rules-document';
import {
  chooseConfigFile,
  EXAMPLE_CONFIG_FILE,
  LOCAL_CONFIG_FILE,
  loadConnectorConfig,
} from '../../lib/load-config';
import { PROJECT_ROOT } from './infra-support';

const EXAMPLE_PATH = path.join(PROJECT_ROOT, EXAMPLE_CONFIG_FILE);
const example = (): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(EXAMPLE_PATH, 'utf8')) as Record<string, unknown>;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connector-config-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function writeConfig(content: unknown): string {
  fileCount += 1;
  const file = path.join(dir, `config-${fileCount}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The ConfigError message for a config file, failing the test if it loads. */
function errorFor(content: unknown): { file: string; message: string } {
  const file = writeConfig(content);
  try {
    loadConnectorConfig(file);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return { file, message: error.message };
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('the example config', () => {
  it('loads and describes a supply connector for two ca-central-1 inbox topics', () => {
    const config = loadConnectorConfig(EXAMPLE_PATH);
    expect(config.role).toBe('supply');
    expect(config.marketplace).toEqual({ environment: 'sandbox', region: 'ca' });
    expect(config.allowedTopicArns).toEqual([
      'arn:aws:sns:ca-central-1:111122223333:inbox-offers',
      'arn:aws:sns:ca-central-1:111122223333:inbox-referrals',
    ]);
    expect(config.rules.defaultAction).toBe('review');
    expect(config.rules.rules.map((r) => r.action)).toEqual([
      'accept',
      'decline',
      'accept',
      'ignore',
    ]);
    expect(config.rules.timeZone).toBe('America/Toronto');
    expect(config.rules.rules[1]?.declineReasonCode).toBeDefined();
  });

  it('leaves the receiver policy at its defaults: SignatureVersion 1 allowed, no shared secret', () => {
    expect(loadConnectorConfig(EXAMPLE_PATH).receiver).toEqual({
      requireSignatureVersion2: false,
      sharedSecret: { enabled: false },
    });
  });
});

/** The example without its exact ARNs, for the account-and-region form. */
function withoutArns(): Record<string, unknown> {
  const { allowedTopicArns: _arns, ...rest } = example();
  return rest;
}

describe('topic allowlist', () => {
  const account = '444455556666';

  it.each([
    ['supply', ['inbox-offers', 'inbox-referrals']],
    ['demand', ['outbox-offers', 'outbox-referrals']],
    ['both', ['inbox-offers', 'inbox-referrals', 'outbox-offers', 'outbox-referrals']],
  ] as const)(
    'allowedTopics for a %s connector defaults to its topics in that account and region',
    (role, names) => {
      const config = loadConnectorConfig(
        writeConfig({ ...withoutArns(), role, allowedTopics: { account, region: 'ca-central-1' } }),
      );
      expect(resolveAllowedTopicArns(config)).toEqual(
        names.map((name) => `arn:aws:sns:ca-central-1:${account}:${name}`),
      );
    },
  );

  it('the role topics are topics the marketplace publishes', () => {
    for (const names of Object.values(ROLE_TOPICS))
      for (const name of names) expect(Object.keys(TOPIC_EVENTS)).toContain(name);
  });

  it('allowedTopics takes explicit names and a prefix, and the partition follows the region', () => {
    const config = loadConnectorConfig(
      writeConfig({
        ...withoutArns(),
        allowedTopics: {
          account,
          region: 'cn-north-1',
          names: ['offers', 'offers', 'referrals'],
          namePrefix: 'alaya_',
        },
      }),
    );
    expect(resolveAllowedTopicArns(config)).toEqual([
      `arn:aws-cn:sns:cn-north-1:${account}:alaya_offers`,
      `arn:aws-cn:sns:cn-north-1:${account}:alaya_referrals`,
    ]);
    const gov = loadConnectorConfig(
      writeConfig({ ...withoutArns(), allowedTopics: { account, region: 'us-gov-west-1' } }),
    );
    expect(resolveAllowedTopicArns(gov)[0]).toBe(
      `arn:aws-us-gov:sns:us-gov-west-1:${account}:inbox-offers`,
    );
  });

  it('exact ARNs are used as given', () => {
    expect(resolveAllowedTopicArns(loadConnectorConfig(EXAMPLE_PATH))).toEqual(
      (example()['allowedTopicArns'] as string[]).slice(),
    );
  });

  it.each([
    [
      'neither form',
      () => withoutArns(),
      /^allowedTopicArns: give exactly one of allowedTopicArns .* or allowedTopics .*neither/m,
    ],
    [
      'both forms',
      () => ({ ...example(), allowedTopics: { account, region: 'ca-central-1' } }),
      /^allowedTopicArns: .*not both/m,
    ],
  ])('refuses %s, naming both fields', (_case, config, pattern) => {
    const { message } = errorFor(config());
    expect(message).toMatch(pattern);
    expect(message).toContain('allowedTopics');
  });

  it('reports a missing allowlist together with the other bad fields', () => {
    const { message } = errorFor({ ...withoutArns(), role: 'seller' });
    expect(message).toMatch(/^role: /m);
    expect(message).toMatch(/^allowedTopicArns: /m);
  });

  it.each([
    [
      'an 11-digit account',
      { account: '12345678901', region: 'ca-central-1' },
      'allowedTopics.account:',
    ],
    ['a made-up region', { account, region: 'canada' }, 'allowedTopics.region:'],
    [
      'an isolated-partition region',
      { account, region: 'us-isob-east-1' },
      'allowedTopics.region:',
    ],
    ['an empty name list', { account, region: 'ca-central-1', names: [] }, 'allowedTopics.names:'],
    [
      'a name with a colon',
      { account, region: 'ca-central-1', names: ['inbox:offers'] },
      'allowedTopics.names.0:',
    ],
    [
      'a prefix with a dot',
      { account, region: 'ca-central-1', namePrefix: 'prod.' },
      'allowedTopics.namePrefix:',
    ],
    [
      'a prefix that makes a name too long',
      { account, region: 'ca-central-1', names: ['n'.repeat(200)], namePrefix: 'p'.repeat(100) },
      'allowedTopics.namePrefix:',
    ],
    ['an unknown field', { account, region: 'ca-central-1', arn: 'x' }, 'allowedTopics:'],
  ])('refuses allowedTopics with %s, naming the field', (_case, allowedTopics, field) => {
    const { message } = errorFor({ ...withoutArns(), allowedTopics });
    expect(message).toContain(field);
  });
});

describe('receiver settings', () => {
  it('takes requireSignatureVersion2 and sharedSecret, each defaulting when left out', () => {
    const strict = loadConnectorConfig(
      writeConfig({ ...example(), receiver: { requireSignatureVersion2: true } }),
    );
    expect(strict.receiver).toEqual({
      requireSignatureVersion2: true,
      sharedSecret: { enabled: false },
    });
    const withSecret = loadConnectorConfig(
      writeConfig({ ...example(), receiver: { sharedSecret: { enabled: true } } }),
    );
    expect(withSecret.receiver).toEqual({
      requireSignatureVersion2: false,
      sharedSecret: { enabled: true },
    });
  });

  it.each([
    [
      'a string for requireSignatureVersion2',
      { requireSignatureVersion2: 'true' },
      'receiver.requireSignatureVersion2:',
    ],
    ['sharedSecret without enabled', { sharedSecret: {} }, 'receiver.sharedSecret.enabled:'],
    ['sharedSecret as a boolean', { sharedSecret: true }, 'receiver.sharedSecret:'],
    [
      'a secret value in the config',
      { sharedSecret: { enabled: true, value: 'hunter2hunter2' } },
      'receiver.sharedSecret:',
    ],
    ['an unknown setting', { allowRawDelivery: true }, 'receiver:'],
  ])('refuses %s, naming the field', (_case, receiver, field) => {
    const { message } = errorFor({ ...example(), receiver });
    expect(message).toContain(field);
  });
});

describe('reconciler settings', () => {
  it('default to enabled every 15 minutes, so configs written before the reconciler stay valid', () => {
    const { reconciler: _absent, ...withoutReconciler } = example();
    expect(loadConnectorConfig(writeConfig(withoutReconciler)).reconciler).toEqual({
      enabled: true,
      intervalMinutes: 15,
    });
    const partial = loadConnectorConfig(
      writeConfig({ ...withoutReconciler, reconciler: { intervalMinutes: 60 } }),
    );
    expect(partial.reconciler).toEqual({ enabled: true, intervalMinutes: 60 });
    const off = loadConnectorConfig(
      writeConfig({ ...withoutReconciler, reconciler: { enabled: false } }),
    );
    expect(off.reconciler).toEqual({ enabled: false, intervalMinutes: 15 });
  });

  it.each([
    ['an interval under 5 minutes', { intervalMinutes: 4 }, 'reconciler.intervalMinutes:'],
    ['an interval over a day', { intervalMinutes: 1441 }, 'reconciler.intervalMinutes:'],
    ['a fractional interval', { intervalMinutes: 7.5 }, 'reconciler.intervalMinutes:'],
    ['a string for enabled', { enabled: 'yes' }, 'reconciler.enabled:'],
    ['an unknown setting', { cron: '0 * * * *' }, 'reconciler:'],
  ])('refuses %s, naming the field', (_case, reconciler, field) => {
    const { message } = errorFor({ ...example(), reconciler });
    expect(message).toContain(field);
  });
});

describe('loadConnectorConfig rejects', () => {
  it.each([
    ['an unknown role', { role: 'seller' }, 'role:'],
    [
      'a topic ARN that is not SNS',
      { allowedTopicArns: ['arn:aws:sqs:ca-central-1:111122223333:inbox-offers'] },
      'allowedTopicArns.0:',
    ],
    [
      'a partial secret ARN',
      { credentialsSecretArn: 'arn:aws:secretsmanager:ca-central-1:111122223333:secret:alayacare' },
      'credentialsSecretArn:',
    ],
    ['a concurrency below 2', { workerMaxConcurrency: 1 }, 'workerMaxConcurrency:'],
  ])('%s, naming the field and the file', (_label, override, field) => {
    const { file, message } = errorFor({ ...example(), ...override });
    expect(message).toContain(file);
    expect(message).toContain(field);
  });

  it('a rule action that is not accept/decline/review', () => {
    const config = example();
    const rules = config['rules'] as { rules: Record<string, unknown>[] };
    rules.rules[0] = { ...rules.rules[0], action: 'maybe' };
    expect(errorFor(config).message).toMatch(/^rules\.rules\.0\.action: /m);
  });

  it('an unknown field, by name', () => {
    const { message } = errorFor({ ...example(), alarmEmial: 'ops@example.org' });
    expect(message).toContain('alarmEmial');
  });

  it('every bad field at once, one line each', () => {
    const { message } = errorFor({ ...example(), role: 'seller', workerMaxConcurrency: 0 });
    expect(message).toMatch(/^role: /m);
    expect(message).toMatch(/^workerMaxConcurrency: /m);
  });

  it('a file that is not JSON, naming the file', () => {
    const { file, message } = errorFor('{ "role": "supply", }');
    expect(message).toContain(file);
    expect(message).toContain('not valid JSON');
  });

  it('a file that does not exist, naming the file', () => {
    const missing = path.join(dir, 'nope.json');
    expect(() => loadConnectorConfig(missing)).toThrow(
      new RegExp(`Cannot read config file ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`),
    );
  });
});

describe('the rules size bound', () => {
  const withComment = (comment: string) => ({
    defaultAction: 'review' as const,
    rules: [{ name: 'r', match: { city: ['c'] }, action: 'review' as const, comment }],
  });
  const overhead = Buffer.byteLength(JSON.stringify(withComment('')));

  it('returns the rules as JSON up to 1 MiB and refuses one byte more', () => {
    expect(MAX_RULES_BYTES).toBe(1024 * 1024);
    const atLimit = withComment('a'.repeat(MAX_RULES_BYTES - overhead));
    expect(JSON.parse(rulesDocument(atLimit))).toEqual(atLimit);
    expect(() => rulesDocument(withComment('a'.repeat(MAX_RULES_BYTES - overhead + 1)))).toThrow(
      ConfigError,
    );
  });

  it('counts bytes, not characters', () => {
    // Fewer characters than the limit, but 'é' is two bytes in UTF-8.
    const comment = 'é'.repeat(MAX_RULES_BYTES - overhead - 10);
    expect(JSON.stringify(withComment(comment)).length).toBeLessThan(MAX_RULES_BYTES);
    expect(() => rulesDocument(withComment(comment))).toThrow(/bytes/);
  });

  it('takes hundreds of kilobytes of rules, which no longer travel in the environment', () => {
    const config = example();
    // 100 rules of 300 cities each: about 0.5 MB, far past the old 3,000-byte limit.
    config['rules'] = {
      defaultAction: 'review',
      rules: Array.from({ length: 100 }, (_, i) => ({
        name: `r${i}`,
        match: { city: Array.from({ length: 300 }, (_, c) => `City ${i}-${c}`) },
        action: 'accept',
      })),
    };
    expect(Buffer.byteLength(JSON.stringify(config['rules']))).toBeGreaterThan(300_000);
    expect(loadConnectorConfig(writeConfig(config)).rules.rules).toHaveLength(100);
  });

  it('refuses, at synth, a config whose rules are over the bound, naming the field and the size', () => {
    const config = example();
    config['rules'] = {
      defaultAction: 'review',
      rules: [{ name: 'huge', match: { city: ['x'.repeat(MAX_RULES_BYTES)] }, action: 'accept' }],
    };
    const { file, message } = errorFor(config);
    expect(message).toContain(file);
    expect(message).toMatch(/^rules: the serialised rules are \d+ bytes; at most 1048576/m);
  });
});

describe('chooseConfigFile', () => {
  const root = '/project';
  it('uses the context path, resolved from the working directory', () => {
    expect(chooseConfigFile('my.json', root, () => true)).toEqual({
      file: path.resolve('my.json'),
      isExample: false,
    });
  });
  it('else the local connector.config.json in the project root', () => {
    const local = path.join(root, LOCAL_CONFIG_FILE);
    expect(chooseConfigFile(undefined, root, (f) => f === local)).toEqual({
      file: local,
      isExample: false,
    });
  });
  it('else the example, flagged so the app can warn', () => {
    expect(chooseConfigFile(undefined, root, () => false)).toEqual({
      file: path.join(root, EXAMPLE_CONFIG_FILE),
      isExample: true,
    });
  });
  it('refuses a context value that is not a path', () => {
    expect(() => chooseConfigFile(42, root)).toThrow(ConfigError);
    expect(() => chooseConfigFile(' ', root)).toThrow(ConfigError);
  });
});

describe('bin/app.ts with a bad config', () => {
  it('prints the field errors and exits non-zero without writing a cloud assembly', () => {
    const config = example();
    const rules = config['rules'] as { rules: Record<string, unknown>[] };
    rules.rules[0] = { ...rules.rules[0], action: 'maybe' };
    const file = writeConfig(config);
    const outdir = fs.mkdtempSync(path.join(dir, 'out-'));

    const result = spawnSync(
      path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
      ['bin/app.ts'],
      {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({ config: file }),
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/^rules\.rules\.0\.action: /m);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(fs.existsSync(path.join(outdir, 'manifest.json'))).toBe(false);
  });
});
