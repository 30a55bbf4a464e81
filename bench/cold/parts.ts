/**
 * The pure parts of the cold-start bench (bench/cold.ts): the esbuild options derived from the
 * functions' one bundling definition, the environment a bundle is required with, which SDK and
 * Powertools names a function imports (its floor), the interleaved run order, the median and the
 * summary line. Nothing here reads files or starts processes.
 */
import type { BuildOptions } from 'esbuild';
import { ENV_NAMES } from '../../lambdas/adapters/env';
import { CONNECTOR_RUNTIME } from '../../lib/bundling';
import { seededRandom } from '../../sandbox/simulator/seeded-random';

/** The functions' Node.js major, from their runtime (`nodejs24.x` gives `24`). */
function runtimeMajor(runtimeName: string): string {
  const match = /^nodejs(\d+)\.x$/.exec(runtimeName);
  if (match === null) throw new Error(`not a Node.js runtime: ${runtimeName}`);
  return match[1];
}

/** esbuild's target for the functions' runtime, when the bundling definition names none. */
const RUNTIME_TARGET = `node${runtimeMajor(CONNECTOR_RUNTIME.name)}`;

/** What the Lambda runtime sets AWS_EXECUTION_ENV to for the functions' runtime. */
const RUNTIME_EXECUTION_ENV = `AWS_Lambda_${CONNECTOR_RUNTIME.name}`;

/** The subset of `NodejsFunction` bundling options the connector uses (lib/bundling.ts). */
export interface BundlingDefinition {
  readonly minify?: boolean;
  readonly sourceMap?: boolean;
  readonly sourcesContent?: boolean;
  readonly target?: string;
  readonly format?: string;
  readonly bundleAwsSDK?: boolean;
  readonly externalModules?: readonly string[];
  readonly mainFields?: readonly string[];
  /** Only `--alias` is understood (`<package>=<path from the project root>` each). */
  readonly esbuildArgs?: { readonly '--alias'?: readonly string[] };
}

/**
 * The esbuild build options `NodejsFunction` passes for `bundling` (aws-lambda-nodejs
 * `Bundling.buildEsbuildArgs`: --bundle --target --platform=node --format --minify --sourcemap
 * --sources-content --external, and `esbuildArgs`' --alias), as options for esbuild's JavaScript
 * API. Build with `absWorkingDir` the project root, as `NodejsFunction` runs esbuild there.
 */
export function esbuildOptionsFrom(bundling: BundlingDefinition): BuildOptions {
  const externals =
    bundling.externalModules ?? (bundling.bundleAwsSDK === true ? [] : ['@aws-sdk/*']);
  const aliases = (bundling.esbuildArgs?.['--alias'] ?? []).map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new Error(`not an --alias of the form <package>=<path>: ${entry}`);
    return [entry.slice(0, at), entry.slice(at + 1)] as const;
  });
  return {
    bundle: true,
    platform: 'node',
    target: bundling.target ?? RUNTIME_TARGET,
    ...(bundling.format !== undefined ? { format: bundling.format as 'cjs' | 'esm' } : {}),
    minify: bundling.minify === true,
    sourcemap: bundling.sourceMap === true,
    sourcesContent: bundling.sourcesContent ?? true,
    external: [...externals],
    ...(bundling.mainFields !== undefined ? { mainFields: [...bundling.mainFields] } : {}),
    ...(aliases.length > 0 ? { alias: Object.fromEntries(aliases) } : {}),
  };
}

/** Template environment values: strings, or CloudFormation intrinsics (Ref, Fn::ImportValue...). */
export type TemplateValue = string | Record<string, unknown>;

const ACCOUNT = '111122223333';
const REGION = 'ca-central-1';

/**
 * A plausible stand-in for a variable the template sets from another resource (an intrinsic),
 * shaped by its name: a queue URL, a secret, topic or bus ARN, else a plain resource name.
 */
export function placeholderFor(name: string): string {
  if (name.endsWith(ENV_NAMES.queueUrl))
    return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/bench-queue`;
  if (name.includes('SECRET'))
    return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:bench-secret-AbCdEf`;
  if (name.includes('TOPIC')) return `arn:aws:sns:${REGION}:${ACCOUNT}:bench-topic`;
  if (name.includes('BUS')) return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/bench-bus`;
  return `bench-${name.toLowerCase().replace(/_/g, '-')}`;
}

/**
 * The environment a bundle is required with: the function's variables as deployed (intrinsics
 * replaced by placeholders), what the Lambda runtime itself sets that the SDK and Powertools read,
 * and PATH; nothing else from the bench's own environment.
 */
export function functionEnvironment(
  variables: Readonly<Record<string, TemplateValue>>,
  functionName: string,
  memorySize: number,
  path: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
    AWS_EXECUTION_ENV: RUNTIME_EXECUTION_ENV,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  if (path !== undefined) env.PATH = path;
  for (const [name, value] of Object.entries(variables))
    env[name] = typeof value === 'string' ? value : placeholderFor(name);
  return env;
}

/** The packages whose imports make up a floor: AWS SDK v3 and Powertools. */
export function isFloorPackage(specifier: string): boolean {
  return specifier.startsWith('@aws-sdk/') || specifier.startsWith('@aws-lambda-powertools/');
}

/** One value import: `import { names } from specifier` (type-only names left out). */
export interface ValueImport {
  readonly specifier: string;
  readonly names: readonly string[];
}

/**
 * The floor's entry source: the same names from the same SDK and Powertools modules, re-exported
 * so esbuild keeps exactly what the function keeps, and no project code. Names are merged per
 * module and sorted, so the entry (and its bundle) does not depend on file order.
 */
export function floorEntrySource(imports: readonly ValueImport[]): string {
  const byModule = new Map<string, Set<string>>();
  for (const { specifier, names } of imports) {
    if (!isFloorPackage(specifier)) continue;
    const set = byModule.get(specifier) ?? new Set<string>();
    for (const name of names) set.add(name);
    byModule.set(specifier, set);
  }
  const lines: string[] = [];
  let index = 0;
  for (const specifier of [...byModule.keys()].sort()) {
    const names = [...(byModule.get(specifier) ?? [])].sort();
    // Each module's names under an alias of their own: two modules may export the same name.
    const aliased = names.map((name) => `${name} as m${index}_${name}`);
    lines.push(
      aliased.length > 0
        ? `export { ${aliased.join(', ')} } from '${specifier}';`
        : `import '${specifier}';`,
    );
    index += 1;
  }
  return `${lines.join('\n')}\n`;
}

/**
 * ESM source of a do-nothing stand-in for a module that exports `names` (`--without`,
 * bench/cold.ts): each name (`default` too, when the module has one) is one callable proxy whose
 * every property, call and `new` give itself back, so start-up code that builds with the module
 * (schemas, say) runs and builds nothing. It is not thenable, so awaiting it does not hang, and it
 * turns into an empty string.
 */
export function standInSource(names: readonly string[]): string {
  const exported = [...new Set(names)]
    .filter((name) => name !== '__esModule')
    .sort()
    .map((name) => `stand as ${JSON.stringify(name)}`);
  return [
    'const stand = new Proxy(function () {}, {',
    '  get: (_target, key) =>',
    "    key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : stand,",
    '  apply: () => stand,',
    '  construct: () => stand,',
    '});',
    `export { ${exported.join(', ')} };`,
    '',
  ].join('\n');
}

/** A bare npm package name (`zod`, `@scope/name`), as `--without` takes it. */
export function isPackageName(value: string): boolean {
  return /^(?:@[a-zA-Z0-9][a-zA-Z0-9._~-]*\/)?[a-zA-Z0-9][a-zA-Z0-9._~-]*$/.test(value);
}

/** The specifiers of a package and its subpaths (`zod`, `zod/mini`), not of `zod-extra` or `@x/zod`. */
export function specifierPattern(pkg: string): RegExp {
  return new RegExp(`^${pkg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:/|$)`);
}

/** The function's bundle, its floor (issue 10) and, with --without, its rebuild without a package. */
export type Variant = 'bundle' | 'floor' | 'without';

export interface Run {
  readonly fn: string;
  readonly variant: Variant;
}

const BUNDLE_AND_FLOOR: readonly Variant[] = ['bundle', 'floor'];

/**
 * The order of the runs: in each round every function runs its variants (by default its bundle and
 * its floor; `variants` gives others per function) back to back, their order rotating by one from
 * round to round and from one function to the next, so drift in the machine's load falls on all
 * alike (for a pair: bundle first in every other round).
 */
export function interleavedOrder(
  functions: readonly string[],
  rounds: number,
  variants: Readonly<Record<string, readonly Variant[]>> = {},
): Run[] {
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new RangeError('rounds must be a positive integer');
  const runs: Run[] = [];
  for (let round = 0; round < rounds; round += 1) {
    functions.forEach((fn, position) => {
      const own = variants[fn] ?? BUNDLE_AND_FLOOR;
      const shift = (round + position) % own.length;
      for (const variant of [...own.slice(shift), ...own.slice(0, shift)])
        runs.push({ fn, variant });
    });
  }
  return runs;
}

/** The median of the samples (the mean of the middle two for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A ratio of two timings taken in the same rounds, and a 95% interval for it. */
export interface PairedRatio {
  /** The median of the per-round ratios. */
  readonly ratio: number;
  readonly low: number;
  readonly high: number;
}

/**
 * The function against its floor round by round: the median of `numerators[i] / denominators[i]`,
 * with a percentile-bootstrap 95% interval for that median (seeded, so a run's figures repeat).
 * Pairing the two runs of each round cancels what drifts between rounds (the machine's load); the
 * interval says whether a run decides a goal such as "within 10%" or leaves it open.
 */
export function pairedRatio(
  numerators: readonly number[],
  denominators: readonly number[],
  resamples = 2000,
): PairedRatio {
  if (numerators.length !== denominators.length || numerators.length === 0)
    throw new RangeError('paired ratio needs as many numerators as denominators, at least one');
  const ratios = numerators.map((value, i) => value / denominators[i]);
  const random = seededRandom(ratios.length);
  const medians: number[] = [];
  for (let n = 0; n < resamples; n += 1)
    medians.push(median(ratios.map(() => ratios[Math.floor(random() * ratios.length)])));
  medians.sort((a, b) => a - b);
  const at = (share: number) =>
    medians[Math.min(medians.length - 1, Math.floor(share * medians.length))];
  return { ratio: median(ratios), low: at(0.025), high: at(0.975) };
}

/** Whether an interval decides "at most `goal`": met, not met, or open (it spans the goal). */
export function verdict({ low, high }: PairedRatio, goal: number): 'met' | 'not met' | 'open' {
  if (high <= goal) return 'met';
  if (low > goal) return 'not met';
  return 'open';
}

/** Kilobytes (1000 bytes), rounded: the unit of the summary line. */
export function kilobytes(bytes: number): number {
  return Math.round(bytes / 1000);
}

/** `cold: <function>=<KB>KB/<ms>ms floor=<ms>ms`, milliseconds to one decimal. */
export function summaryLine(
  fn: string,
  bundleBytes: number,
  bundleMs: number,
  floorMs: number,
): string {
  return `cold: ${fn}=${kilobytes(bundleBytes)}KB/${bundleMs.toFixed(1)}ms floor=${floorMs.toFixed(1)}ms`;
}
