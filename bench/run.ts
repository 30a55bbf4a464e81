/**
 * Benchmark runner: `npm run bench` runs every benchmark in turn; `npm run bench -- <name>
 * [options]` runs bench/<name>.ts alone, whose `run(args)` does the work; `--list` (or an unknown
 * name) lists them. Each prints a table and ends with its summary line. Helpers live in
 * subfolders. Benchmarks are dev-only and never part of `npm test`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** What every bench/<name>.ts exports. */
export interface Benchmark {
  description: string;
  run(args: readonly string[]): Promise<void>;
}

function isBenchmark(value: unknown): value is Benchmark {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof Benchmark, unknown>>;
  return typeof candidate.description === 'string' && typeof candidate.run === 'function';
}

/** The order `npm run bench` runs them in (the parts); any other comes after, by name. */
const ORDER = ['latency', 'throughput', 'receiver', 'cold', 'cost'];
const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);

/** Benchmark names: the .ts files beside this one, except the runner and declaration files. */
function available(): string[] {
  return readdirSync(__dirname)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && file !== 'run.ts')
    .map((file) => file.slice(0, -'.ts'.length))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

async function load(name: string): Promise<Benchmark> {
  const loaded: unknown = await import(join(__dirname, `${name}.ts`));
  if (!isBenchmark(loaded))
    throw new Error(`bench/${name}.ts does not export description and run(args)`);
  return loaded;
}

async function list(): Promise<void> {
  console.log('Usage: npm run bench -- <name> [options]\n\nAvailable benchmarks:');
  for (const name of available())
    console.log(`  ${name.padEnd(12)} ${(await load(name)).description}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const name = argv.at(0);
  const args = argv.slice(1);
  if (name === '--list' || name === '--help' || name === '-h') {
    await list();
    return;
  }
  if (name === undefined) {
    for (const each of available()) {
      console.log(`\n== npm run bench -- ${each}`);
      await (await load(each)).run([]);
    }
    return;
  }
  // Only a name from the listing: the argument never becomes an arbitrary path.
  if (!available().includes(name)) {
    console.error(`Unknown benchmark "${name}".\n`);
    await list();
    process.exitCode = 1;
    return;
  }
  await (await load(name)).run(args);
}

main().catch((error: unknown) => {
  // A benchmark's own refusals (bad option, a contender that does not verify) need no stack.
  if (error instanceof Error && error.name === 'BenchmarkError')
    console.error(`${error.name}: ${error.message}`);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
