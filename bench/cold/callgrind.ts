/**
 * Instruction counts for the cold-start bench (`--callgrind`): `valgrind --tool=callgrind` counts
 * the instructions a fresh `node` spends requiring a bundle, less those of a bare `node -e ""`.
 * Node runs with V8's `--single-threaded` here (no background compile or GC threads): without it
 * the count of one bundle moved by a third from run to run (867M to 1154M, the background threads'
 * work landing on the main thread or not); with it, within 1%. Fixed hash and random seeds take out
 * most of the rest (a bare node then counts the same every run). So the count is a steady measure of
 * the work, to confirm the ratios the timed runs give, not the deployed wall time itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The `summary:` (or `totals:`) instruction count of a callgrind output file. */
export function callgrindTotal(output: string): number {
  const line = /^(?:summary|totals):\s+(\d+)/m.exec(output);
  if (!line?.[1]) throw new Error('no summary line in the callgrind output');
  return Number(line[1]);
}

/** Instructions of `<node> -e <require file>` (or of a bare `node -e ""` without a file). */
export function instructions(
  node: string,
  file: string | undefined,
  env: Record<string, string>,
): number {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cold-cg-'));
  try {
    const out = join(dir, 'callgrind.out');
    const script = file === undefined ? '' : `require(${JSON.stringify(file)})`;
    const result = spawnSync(
      'valgrind',
      [
        '--tool=callgrind',
        `--callgrind-out-file=${out}`,
        node,
        '--single-threaded',
        // Fixed seeds: V8's hash tables and Math.random otherwise differ from run to run, and
        // with them the count (a floor measured 571M to 586M in three runs; with them, within 0.3%).
        '--hash-seed=1',
        '--random-seed=1',
        '-e',
        script,
      ],
      { env, encoding: 'utf8' },
    );
    if (result.status !== 0) {
      // Node's own error line, not valgrind's closing lines (`==<pid>== ...`) or the stack's tail.
      const node = result.stderr.split('\n').filter((line) => !/^==\d+==/.test(line));
      const error = node.find((line) => /^\w*Error\b/.test(line));
      throw new Error(
        `callgrind failed (exit ${result.status}): ${error ?? node.slice(-5).join(' ')}`,
      );
    }
    return callgrindTotal(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
