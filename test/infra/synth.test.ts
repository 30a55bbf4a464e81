/**
 * Covers one real synth, the way `cdk synth` runs it: bin/app.ts in a child process with the
 * cdk.json context, the example config, no AWS credentials and real esbuild bundling. Checks that
 * the app (including the cdk-nag plugin it registers) synthesises, that each function's asset is a
 * self-contained bundle with a source map, and that loading the bundle outside the project (no
 * node_modules to fall back on) yields an exported `handler` function.
 * Template details are asserted in stacks-*.test.ts (with bundling skipped); handler behaviour in
 * the unit, integration and e2e layers.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cdkJsonContext, PROJECT_ROOT } from './infra-support';

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
};

/** Stand-ins for the environment values that are cross-stack references in the template. */
const PLACEHOLDERS: Record<string, string> = {
  QUEUE_URL: 'https://sqs.ca-central-1.amazonaws.com/111122223333/events',
  TABLE_NAME: 'offers',
  CREDENTIALS_SECRET_ARN:
    'arn:aws:secretsmanager:ca-central-1:111122223333:secret:alayacare-AbC123',
};

let outdir: string;
let synth: ReturnType<typeof spawnSync>;
let functions: [string, Resource][];

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'connector-synth-'));
  // As on a machine without credentials: no account/region, so the templates are env-agnostic.
  const hidden = new Set([
    'CDK_DEFAULT_ACCOUNT',
    'CDK_DEFAULT_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_PROFILE',
  ]);
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !hidden.has(name)),
  );
  synth = spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({
        ...cdkJsonContext(),
        config: path.join(PROJECT_ROOT, 'config', 'connector.example.json'),
        'aws:cdk:enable-asset-metadata': true,
      }),
    },
    encoding: 'utf8',
    timeout: 110_000,
  });
  const template = path.join(outdir, 'AlayaCareConnectorApp.template.json');
  const resources = fs.existsSync(template)
    ? (JSON.parse(fs.readFileSync(template, 'utf8')) as { Resources: Record<string, Resource> })
        .Resources
    : {};
  functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
}, 115_000);

afterAll(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
});

it('synthesises both stacks from bin/app.ts, cdk-nag included, without credentials', () => {
  expect({ status: synth.status, stderr: synth.status === 0 ? '' : String(synth.stderr) }).toEqual({
    status: 0,
    stderr: '',
  });
  for (const stack of ['AlayaCareConnectorState', 'AlayaCareConnectorApp']) {
    expect(fs.existsSync(path.join(outdir, `${stack}.template.json`))).toBe(true);
  }
  // Receiver, worker and reconciler (the example config is a supply connector).
  expect(functions).toHaveLength(3);
});

it('bundles each function into a self-contained index.js exporting its handler', () => {
  expect(functions.length).toBeGreaterThan(0);
  for (const [id, fn] of functions) {
    const assetPath = fn.Metadata?.['aws:asset:path'];
    expect(typeof assetPath).toBe('string');
    const assetDir = path.join(outdir, assetPath as string);
    expect({ id, files: fs.readdirSync(assetDir).sort() }).toEqual({
      id,
      files: ['index.js', 'index.js.map'],
    });
    expect(fn.Properties['Handler']).toBe('index.handler');

    const variables = (fn.Properties['Environment'] as { Variables: Record<string, unknown> })
      .Variables;
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      AWS_REGION: 'ca-central-1',
    };
    for (const [name, value] of Object.entries(variables)) {
      env[name] = typeof value === 'string' ? value : (PLACEHOLDERS[name] ?? `placeholder-${name}`);
    }
    const load = spawnSync(
      process.execPath,
      [
        '-e',
        'const m = require(process.argv[1]); process.stdout.write(typeof m.handler);',
        path.join(assetDir, 'index.js'),
      ],
      { cwd: os.tmpdir(), env, encoding: 'utf8', timeout: 30_000 },
    );
    // stderr only matters on failure (on Node 20 the bundled SDK warns that it prefers Node 22).
    const stderr = load.status === 0 ? '' : load.stderr;
    expect({ id, status: load.status, stdout: load.stdout, stderr }).toEqual({
      id,
      status: 0,
      stdout: 'function',
      stderr: '',
    });
  }
});
