/**
 * Covers what each function's bundle carries of the marketplace client (issue 11 point 2, issue 10
 * part 4): esbuild, with the functions' own options (lib/bundling.ts, as the cold-start bench
 * reads them), bundles the worker and the reconciler handlers; the metafile lists every module a
 * bundle includes. The worker carries the resource modules it calls (inbox offers, demand
 * offers, referral acknowledgements) and none of the calls only the CLI, sandbox or tests make;
 * the reconciler carries the inbox list reader alone; neither carries the whole-API facade. Both
 * validate with Valibot, and no function carries zod (its module and schemas were a fifth of the
 * worker's cold start); the receiver carries no validator at all. No function carries the
 * deploy-time config schema, and the receiver carries no event schema: a schema is built when its
 * module loads, so a module in a bundle costs its schemas at every cold start whether or not they
 * are used. No function carries the emulator table setup (adapters/offer-table.ts), which
 * added CreateTable and its waiter to the worker's and reconciler's floors. No function carries
 * lib-dynamodb: the stores convert items with util-dynamodb on the low-level client
 * (adapters/dynamo-documents.ts), whose middleware is cached, which lib-dynamodb does not allow.
 * No function carries the S3 client: the worker reads its rules with a signed GET
 * (adapters/s3-object-reader.ts), about a fifth of its cold start less. Every function takes the
 * AWS SDK, Smithy and Powertools from their ES module builds (lib/bundling.ts `mainFields`), which
 * esbuild trims to what is used, never from their CommonJS builds, which it bundles whole. No
 * function carries the SDK's credential providers beyond the environment's, nor the STS and SSO
 * clients they use: each is bundled as the stand-in that declines
 * (adapters/environment-credentials-only.ts).
 */
import { build } from 'esbuild';
import { esbuildOptionsFrom } from '../../bench/cold/parts';
import {
  CONNECTOR_BUNDLING,
  CREDENTIALS_STAND_IN,
  STOOD_IN_CREDENTIAL_PROVIDERS,
} from '../../lib/bundling';
import { PROJECT_ROOT } from '../../lib/connector-function';

async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    ...esbuildOptionsFrom(CONNECTOR_BUNDLING),
    entryPoints: [entry],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    write: false,
    outfile: 'out/index.js',
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

/** Every function's handler, as lib/ bundles it. */
const FUNCTION_ENTRIES = [
  'lambdas/receiver/handler.ts',
  'lambdas/worker/handler.ts',
  'lambdas/reconciler/handler.ts',
] as const;

const CLIENT = 'lambdas/adapters/marketplace/';
/** Resource modules no Lambda calls, and the facade that gathers every module. */
const NOT_FOR_LAMBDAS = [
  `${CLIENT}inbox-offer-lists.ts`,
  `${CLIENT}outbox-offers.ts`,
  `${CLIENT}referral-lists.ts`,
  `${CLIENT}organizations.ts`,
  `${CLIENT}schemas/organizations.ts`,
  `${CLIENT}schemas/index.ts`,
  'lambdas/adapters/marketplace-client.ts',
];
/**
 * The deploy-time config schema (bin/ and lib/ parse the config with it): the functions read their
 * settings from plain lists (core/connector-values.ts) and parse rules with core/parse-rules.ts, so
 * none of them builds this schema at start-up.
 */
const DEPLOY_TIME_ONLY = ['lambdas/core/config.ts', 'lambdas/core/monitoring-config.ts'];
const bundled = (inputs: readonly string[], pkg: string) =>
  inputs.some((input) => input.includes(`node_modules/${pkg}/`));
const clientModules = (inputs: readonly string[]) =>
  inputs.filter((input) => input.startsWith(CLIENT)).map((input) => input.slice(CLIENT.length));

describe('marketplace client modules in the function bundles', () => {
  jest.setTimeout(60_000);

  it('the worker bundles the resource modules it calls, nothing of the client it does not, and validates with Valibot, not zod', async () => {
    const inputs = await inputsOf('lambdas/worker/handler.ts');
    expect(clientModules(inputs)).toEqual(
      expect.arrayContaining([
        'transport.ts',
        'session.ts',
        'inbox-offers.ts',
        'demand-offers.ts',
        'referral-acks.ts',
      ]),
    );
    for (const module of NOT_FOR_LAMBDAS) expect(inputs).not.toContain(module);
    expect(inputs).not.toContain(`${CLIENT}inbox-offer-entries.ts`);
    for (const module of DEPLOY_TIME_ONLY) expect(inputs).not.toContain(module);
    // What it reads of the settings at run time is bundled instead.
    expect(inputs).toEqual(
      expect.arrayContaining(['lambdas/core/connector-values.ts', 'lambdas/core/parse-rules.ts']),
    );
    expect(bundled(inputs, 'zod')).toBe(false);
    expect(bundled(inputs, 'valibot')).toBe(true);
  });

  it('the reconciler bundles the inbox list reader only, and validates with Valibot, not zod', async () => {
    const inputs = await inputsOf('lambdas/reconciler/handler.ts');
    expect(clientModules(inputs)).toContain('inbox-offer-entries.ts');
    for (const module of [
      ...NOT_FOR_LAMBDAS,
      `${CLIENT}inbox-offers.ts`,
      `${CLIENT}demand-offers.ts`,
      `${CLIENT}referral-acks.ts`,
      `${CLIENT}schemas/outbox-offers.ts`,
      `${CLIENT}schemas/referrals.ts`,
      ...DEPLOY_TIME_ONLY,
      // The queue envelope's schema: the reconciler builds envelopes, it never parses one.
      'lambdas/core/events.ts',
    ])
      expect(inputs).not.toContain(module);
    expect(bundled(inputs, 'zod')).toBe(false);
    expect(bundled(inputs, 'valibot')).toBe(true);
  });

  it('the receiver builds no marketplace event or queue envelope schema (it only sets queue attributes), and carries no validator', async () => {
    const inputs = await inputsOf('lambdas/receiver/handler.ts');
    // The SNS envelope is checked field by field (adapters/sns-envelope.ts): no validator library.
    expect(inputs).toContain('lambdas/adapters/sns-envelope.ts');
    expect(bundled(inputs, 'zod')).toBe(false);
    expect(bundled(inputs, 'valibot')).toBe(false);
    expect(inputs).toContain('lambdas/core/event-names.ts');
    for (const module of [
      'lambdas/core/events.ts',
      'lambdas/core/marketplace-event.ts',
      ...DEPLOY_TIME_ONLY,
    ])
      expect(inputs).not.toContain(module);
  });

  it('no function carries the emulator table setup (CreateTable and its waiter), only the key names', async () => {
    for (const entry of FUNCTION_ENTRIES) {
      const inputs = await inputsOf(entry);
      expect(inputs).not.toContain('lambdas/adapters/offer-table.ts');
    }
    // The stores read the key names from their own module.
    expect(await inputsOf('lambdas/worker/handler.ts')).toContain(
      'lambdas/adapters/offer-table-keys.ts',
    );
  });

  it('every function takes the AWS SDK, Smithy and Powertools from their ES module builds', async () => {
    for (const entry of FUNCTION_ENTRIES) {
      const inputs = (await inputsOf(entry)).filter((input) =>
        /node_modules\/@(aws-sdk|smithy|aws-lambda-powertools)\//.test(input),
      );
      expect(inputs.length).toBeGreaterThan(0);
      expect(inputs.filter((input) => input.includes('/dist-cjs/'))).toEqual([]);
    }
  });

  it('no function carries lib-dynamodb or the S3 client; the worker and the reconciler (its store, built on first use) carry util-dynamodb', async () => {
    const packageOf = (name: string) => (input: string) =>
      input.includes(`node_modules/@aws-sdk/${name}/`);
    for (const entry of FUNCTION_ENTRIES) {
      const inputs = await inputsOf(entry);
      expect(inputs.filter(packageOf('lib-dynamodb'))).toEqual([]);
      expect(inputs.filter(packageOf('client-s3'))).toEqual([]);
      if (entry !== 'lambdas/receiver/handler.ts')
        expect(inputs.some(packageOf('util-dynamodb'))).toBe(true);
    }
  });

  it('no function carries a credential provider beyond the environment’s, nor the clients they use: each carries the stand-in', async () => {
    for (const entry of FUNCTION_ENTRIES) {
      const inputs = await inputsOf(entry);
      for (const pkg of [...STOOD_IN_CREDENTIAL_PROVIDERS, '@aws-sdk/nested-clients'])
        expect([pkg, bundled(inputs, pkg)]).toEqual([pkg, false]);
      // What every function still has: the environment's provider, first in the chain.
      expect(bundled(inputs, '@aws-sdk/credential-provider-env')).toBe(true);
      expect(inputs).toContain(CREDENTIALS_STAND_IN.replace(/^\.\//, ''));
    }
  });
});
