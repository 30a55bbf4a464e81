/**
 * The cold bench's `--without=<package>` (bench/cold.ts): the do-nothing stand-in for a package
 * (parts.ts standInSource), the function rebuilt with it (build.ts buildWithout) and the line it
 * prints (report.ts withoutLine). The option's own parsing is in bench/cold.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { Metafile } from 'esbuild';
import { buildWithout, type DeployedFunction, type FunctionBuild } from '../../bench/cold/build';
import { isPackageName, specifierPattern, standInSource } from '../../bench/cold/parts';
import { difference, withoutLine } from '../../bench/cold/report';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'bench-without-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Bundles `source` (ESM) to CommonJS in the scratch folder and requires it. */
function loadModule(source: string, name: string): Record<string, unknown> {
  const file = join(scratch, `${name}.js`);
  const { outputFiles } = buildSync({
    stdin: { contents: source, loader: 'js' },
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
  });
  writeFileSync(file, outputFiles[0]?.text ?? '');
  return createRequire(file)(file) as Record<string, unknown>;
}

describe('cold bench --without: the stand-in module', () => {
  it('exports every name given, reserved words and default included, but not __esModule', () => {
    const stand = loadModule(
      standInSource(['string', 'enum', 'default', '__esModule', 'string']),
      'names',
    );
    expect(Object.keys(stand).sort()).toEqual(['default', 'enum', 'string']);
  });

  it('lets start-up code call, chain and construct with it, and await what it builds', async () => {
    const z = loadModule(standInSource(['object', 'string', 'minLength', 'Thing']), 'chain') as {
      object: (shape: unknown) => { check: (...c: unknown[]) => unknown };
      string: () => { check: (...c: unknown[]) => unknown };
      minLength: (n: number) => unknown;
      Thing: new () => unknown;
    };
    const built = z.object({ id: z.string().check(z.minLength(1)) });
    expect(typeof built).toBe('function');
    expect(built.check(z.minLength(2))).toBe(built);
    expect(new z.Thing()).toBe(built);
    // Not thenable: an await gives it back at once instead of waiting on a `then` forever.
    await expect(Promise.resolve(built)).resolves.toBe(built);
    // Into a string (a template, a message) it turns empty rather than throwing.
    expect(`${built as unknown as string}|`).toBe('|');
  });
});

describe('cold bench --without: package names', () => {
  it.each(['zod', '@aws-sdk/client-sqs', 'lodash.merge', 'a-b_c~d', 'JSONStream'])(
    'takes %s',
    (name) => {
      expect(isPackageName(name)).toBe(true);
    },
  );

  it.each(['', 'zod/mini', '../zod', '/abs', 'a b', '@scope', '@scope/', '.hidden'])(
    'refuses %p',
    (name) => {
      expect(isPackageName(name)).toBe(false);
    },
  );
});

describe('cold bench --without: which specifiers are the package', () => {
  it.each(['zod', 'zod/mini', 'zod/v4/core'])('%s is zod', (specifier) => {
    expect(specifierPattern('zod').test(specifier)).toBe(true);
  });

  it.each(['zod-extra', 'zodx', '@x/zod', './zod', '../core/zod', 'lib/zod'])(
    '%s is not zod',
    (specifier) => {
      expect(specifierPattern('zod').test(specifier)).toBe(false);
    },
  );

  it('takes a scoped name as it is, its dot included', () => {
    const pattern = specifierPattern('@aws-lambda-powertools/logger');
    expect(pattern.test('@aws-lambda-powertools/logger/types')).toBe(true);
    expect(pattern.test('@aws-lambda-powertools/loggerx')).toBe(false);
    expect(specifierPattern('lodash.merge').test('lodashXmerge')).toBe(false);
  });
});

describe('cold bench --without: the function rebuilt with the stand-in', () => {
  const fn: DeployedFunction = {
    name: 'probe',
    entry: 'test/support/bench-without-entry.ts',
    assetDir: '',
    memorySize: 256,
    variables: {},
  };
  const withInputs = (inputs: string[]): FunctionBuild =>
    ({
      metafile: {
        inputs: Object.fromEntries(inputs.map((input) => [input, {}])),
        outputs: {},
      } as unknown as Metafile,
    }) as FunctionBuild;

  it('bundles none of the package, and its start-up code still runs', async () => {
    const built = await buildWithout(
      fn,
      withInputs(['node_modules/valibot/dist/index.js', fn.entry]),
      'valibot',
      scratch,
    );
    if (built === undefined) throw new Error('expected a bundle');
    // Valibot's default messages are its own code: none of it is bundled.
    const text = readFileSync(built.file, 'utf8');
    expect(text).not.toMatch(/Invalid type|Invalid length/);
    expect(text).not.toContain('node_modules/valibot');
    // The stand-in instead, and the start-up code ran with it.
    expect(text).toContain('new Proxy(');
    const loaded = createRequire(built.file)(built.file) as { parse?: unknown; rules?: unknown };
    expect(typeof loaded.parse).toBe('function');
    expect(typeof loaded.rules).toBe('function');
    expect(built.bytes).toBe(Buffer.byteLength(text));
  });

  it('builds nothing for a function whose bundle holds none of the package', async () => {
    await expect(
      buildWithout(fn, withInputs(['node_modules/@aws-sdk/client-sqs/x.js']), 'valibot', scratch),
    ).resolves.toBeUndefined();
  });
});

describe('cold bench --without: the printed line', () => {
  it('gives the figures, the ratio to the floor and what the package cost', () => {
    expect(
      withoutLine('worker', 'zod', {
        figures: '440.6M',
        ratio: '1.149x',
        difference: '40.5M less',
      }),
    ).toBe('worker: without zod (a do-nothing stand-in): 440.6M, 40.5M less; to its floor 1.149x');
  });

  it('warns when cdk.out is not what the source builds now', () => {
    expect(
      withoutLine(
        'worker',
        'zod',
        { figures: '611 KB, 70.1 ms', ratio: '1.20x', difference: '9.0 ms less' },
        true,
      ),
    ).toMatch(
      /9\.0 ms less \(cdk\.out differs from the source: synth again for a fair difference\); to its floor 1\.20x$/,
    );
  });

  it('says more, not a negative less, when the run without took longer', () => {
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    expect(difference(16.8, ms)).toBe('16.8 ms less');
    expect(difference(-9.7, ms)).toBe('9.7 ms more');
    expect(difference(0, ms)).toBe('0.0 ms less');
  });

  it('says so when the function holds none of the package', () => {
    expect(withoutLine('receiver', 'zod', undefined)).toBe(
      'receiver: without zod: its bundle holds none of zod',
    );
  });
});
