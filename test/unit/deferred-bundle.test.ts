/**
 * What a deployed bundle does when a module loaded on first use fails to load (adapters/first-use.ts):
 * the receiver's handler is bundled with the deployed esbuild options, its shared secret's module
 * (Powertools' secrets, which loads the Secrets Manager client) swapped for one whose first
 * evaluation throws and any later one would succeed, and run in a fresh Node process. Every request
 * with credentials is answered 503 and the module is evaluated once: esbuild's bundle keeps a
 * module's first error for every later `import()`, which is why onFirstLoad does not try again (the
 * unit tests, under ts-jest's `require`, would otherwise see a retry the deployed code never makes).
 * With the module loading, the same requests pass the check and stop at the stale timestamp (400).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptionsFrom } from '../../bench/cold/parts';
import { CONNECTOR_BUNDLING } from '../../lib/bundling';
import { PROJECT_ROOT } from '../../lib/connector-function';
import { basicAuth, receiverHarness } from '../support/receiver-harness';
import {
  TOPIC_ARN,
  apiEvent,
  deliveryHeaders,
  notificationFields,
  sign,
} from '../support/sns-fixtures';

const PASSWORD = 'pw-0123456789abcdefghijklmnopqrstuvwxyz';
const SECRETS_MODULE = '@aws-lambda-powertools/parameters/secrets';
const { identity } = receiverHarness({ now: new Date() });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'deferred-bundle-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The receiver bundled as deployed, its secrets module replaced by one that fails `failures` times. */
async function bundleReceiver(failures: number): Promise<string> {
  const outfile = join(dir, `receiver-${failures}.js`);
  await build({
    ...esbuildOptionsFrom(CONNECTOR_BUNDLING),
    sourcemap: false,
    entryPoints: [join(PROJECT_ROOT, 'lambdas/receiver/handler.ts')],
    outfile,
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
    plugins: [
      {
        name: 'failing-secrets-module',
        setup(esbuild) {
          esbuild.onResolve({ filter: /^@aws-lambda-powertools\/parameters\/secrets$/ }, () => ({
            path: SECRETS_MODULE,
            namespace: 'stub',
          }));
          esbuild.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
            loader: 'js',
            contents: [
              'globalThis.secretsModuleEvaluations = (globalThis.secretsModuleEvaluations ?? 0) + 1;',
              `if (globalThis.secretsModuleEvaluations <= ${failures}) throw new Error('broken module');`,
              `export const getSecret = async () => ${JSON.stringify(PASSWORD)};`,
            ].join('\n'),
          }));
        },
      },
    ],
  });
  return outfile;
}

/** Runs the bundle's handler on each event in turn, in a fresh process: statuses and evaluations. */
function run(bundle: string, events: unknown[]): { statuses: number[]; evaluations: number } {
  const script = `
    const { handler } = require(process.argv[1]);
    (async () => {
      const statuses = [];
      for (const event of JSON.parse(process.argv[2])) statuses.push((await handler(event)).statusCode);
      process.stdout.write('\\nRESULT ' + JSON.stringify({ statuses, evaluations: globalThis.secretsModuleEvaluations ?? 0 }));
    })();`;
  const result = spawnSync(process.execPath, ['-e', script, bundle, JSON.stringify(events)], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'ca-central-1',
      QUEUE_URL: 'https://sqs.ca-central-1.amazonaws.com/111122223333/events',
      ALLOWED_TOPIC_ARNS: TOPIC_ARN,
      SHARED_SECRET_ARN: 'arn:aws:secretsmanager:ca-central-1:111122223333:secret:Shared-AbC123',
    },
  });
  if (result.status !== 0) throw new Error(`bundle run failed: ${result.stderr.slice(0, 500)}`);
  // The handler's own log lines go to stdout too: the result is the line after them.
  const line = result.stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (line === undefined) throw new Error('the bundle run printed no result');
  return JSON.parse(line.slice('RESULT '.length)) as { statuses: number[]; evaluations: number };
}

/** A signed notification two hours old, with the right credentials: passes the check, then 400. */
function staleWithCredentials(): unknown {
  const body = JSON.stringify(
    sign(notificationFields(new Date(Date.now() - 2 * 60 * 60 * 1000)), identity),
  );
  return apiEvent(body, {
    headers: { ...deliveryHeaders(body, false), authorization: basicAuth('connector', PASSWORD) },
  });
}

describe('a module loaded on first use, in the deployed bundle', () => {
  it('a failed load answers every request that needs it 503 and is evaluated once', async () => {
    const bundle = await bundleReceiver(1);
    const events = [staleWithCredentials(), staleWithCredentials(), staleWithCredentials()];
    expect(run(bundle, events)).toEqual({ statuses: [503, 503, 503], evaluations: 1 });
  });

  it('a module that loads is evaluated once, on the first request that needs it', async () => {
    const bundle = await bundleReceiver(0);
    const events = [staleWithCredentials(), staleWithCredentials()];
    expect(run(bundle, events)).toEqual({ statuses: [400, 400], evaluations: 1 });
  });
});
