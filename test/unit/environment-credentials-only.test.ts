/**
 * Covers the stand-in bundled in place of the SDK's credential providers beyond the environment's
 * (lambdas/adapters/environment-credentials-only.ts, lib/bundling.ts STOOD_IN_CREDENTIAL_PROVIDERS):
 * each provider declines so the SDK's chain goes on; a bundle built with the functions' options,
 * run in a fresh process, takes its credentials from the environment and, without them, fails with
 * the SDK's own error once the chain is exhausted, not with a missing module or a metadata call.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import * as standIn from '../../lambdas/adapters/environment-credentials-only';
import { esbuildOptionsFrom } from '../../bench/cold/parts';
import { CONNECTOR_BUNDLING } from '../../lib/bundling';
import { PROJECT_ROOT } from '../../lib/connector-function';

describe('the credential providers’ stand-in', () => {
  it.each([
    'fromSSO',
    'fromIni',
    'fromProcess',
    'fromTokenFile',
    'fromHttp',
    'fromContainerMetadata',
    'fromInstanceMetadata',
  ] as const)('%s declines, so the chain goes on to its next link', async (name) => {
    await expect(standIn[name]({})()).rejects.toMatchObject({
      name: 'CredentialsProviderError',
      tryNextLink: true,
      message: expect.stringContaining(name),
    });
  });

  it('names the container credentials variables as the metadata package does', () => {
    expect([standIn.ENV_CMDS_FULL_URI, standIn.ENV_CMDS_RELATIVE_URI]).toEqual([
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    ]);
  });
});

describe('a bundle built with the functions’ options', () => {
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'env-credentials-'));
    const entry = join(dir, 'entry.mjs');
    // One call, one attempt, to an endpoint nobody listens on: what fails says which step failed.
    writeFileSync(
      entry,
      [
        "import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';",
        "const client = new DynamoDBClient({ maxAttempts: 1, endpoint: 'http://127.0.0.1:9' });",
        "client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } })).then(",
        "  () => console.log('OK'),",
        '  (error) => console.log(`${error.name}: ${error.message}`),',
        ');',
      ].join('\n'),
    );
    bundle = join(dir, 'index.js');
    await build({
      ...esbuildOptionsFrom(CONNECTOR_BUNDLING),
      entryPoints: [entry],
      outfile: bundle,
      absWorkingDir: PROJECT_ROOT,
      nodePaths: [join(PROJECT_ROOT, 'node_modules')],
      logLevel: 'silent',
    });
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(env: Record<string, string>): Promise<string> {
    const { stdout } = await promisify(execFile)(process.execPath, [bundle], {
      encoding: 'utf8',
      timeout: 20_000,
      // Nothing from this machine: no profile, no shared config files (HOME is empty).
      env: { PATH: process.env.PATH ?? '', HOME: dir, AWS_REGION: 'us-east-1', ...env },
    });
    return stdout.trim();
  }

  it('signs with the credentials of the environment, as in Lambda', async () => {
    const line = await run({
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    // It got as far as the network.
    expect(line).toMatch(/ECONNREFUSED/);
  });

  it('without them, ends the chain with the SDK’s own error', async () => {
    // The chain's later links are the stand-in's, not the SDK's providers.
    expect(readFileSync(bundle, 'utf8')).toContain('not in this bundle');
    expect(await run({})).toBe(
      'CredentialsProviderError: Could not load credentials from any providers',
    );
  });
});
