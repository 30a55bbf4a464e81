/**
 * What the cold-start bench (bench/cold.ts) prints before its summary lines: the table of timed
 * medians, with --without each function without a package, and with --callgrind the instruction
 * counts. The issue's measure is the ratio to the floor.
 */
import { join } from 'node:path';
import type { BuiltBundle, DeployedFunction, FunctionBuild } from './build';
import { instructions } from './callgrind';
import { kilobytes, median, pairedRatio, verdict, type PairedRatio, type Variant } from './parts';

/** Issue 10's goal: every function's cold start within 10% of its floor's. */
export const GOAL_RATIO = 1.1;

/** An instruction count in millions: `440.6M`. */
const mega = (count: number) => `${(count / 1e6).toFixed(1)}M`;

export interface Measured {
  fn: DeployedFunction;
  build: FunctionBuild;
  bundleBytes: number;
  zipBytes: number;
  times: Record<Variant, number[]>;
  /** `--without`: the function rebuilt with `pkg` stood in for; no bundle if it holds none of it. */
  without?: { pkg: string; bundle: BuiltBundle | undefined };
}

/**
 * One callgrind count per bundle and floor (and rebuild without a package), less a bare node with
 * the same environment.
 */
export function printInstructions(
  measured: readonly Measured[],
  node: string,
  environmentOf: (fn: DeployedFunction) => Record<string, string>,
): void {
  console.log('\nInstructions (callgrind, less a bare node -e ""):');
  for (const m of measured) {
    const env = environmentOf(m.fn);
    const bare = instructions(node, undefined, env);
    const bundle = instructions(node, join(m.fn.assetDir, 'index.js'), env) - bare;
    const floor = instructions(node, m.build.floor.file, env) - bare;
    console.log(
      `  ${m.fn.name}: bundle ${mega(bundle)}, floor ${mega(floor)}, ratio ${(bundle / floor).toFixed(3)}x`,
    );
    if (m.without !== undefined) {
      const { pkg, bundle: rebuilt } = m.without;
      const count =
        rebuilt === undefined ? undefined : instructions(node, rebuilt.file, env) - bare;
      const measure =
        count === undefined
          ? undefined
          : {
              figures: mega(count),
              ratio: `${(count / floor).toFixed(3)}x`,
              difference: difference(bundle - count, mega),
            };
      console.log(`  ${withoutLine(m.fn.name, pkg, measure, isStale(m))}`);
    }
  }
}

/** cdk.out's bundle is not what the source builds now: a difference from it mixes in other changes. */
function isStale(m: Measured): boolean {
  return m.build.rebuiltBytes !== m.bundleBytes;
}

/** `<saved> less`, or `<more> more` where the function took longer without (noise, at few rounds). */
export function difference(saved: number, format: (value: number) => string): string {
  return saved >= 0 ? `${format(saved)} less` : `${format(-saved)} more`;
}

/**
 * `<fn>: without <pkg> (a do-nothing stand-in): <figures>, <difference>; to its floor <ratio>`: what
 * the package and the work done with it cost the start (`--without`), timed or counted; or that the
 * function's bundle holds none of it. `stale`: cdk.out's bundle is not what the source builds now,
 * so the difference would mix in other changes.
 */
export function withoutLine(
  fn: string,
  pkg: string,
  measure:
    { readonly figures: string; readonly ratio: string; readonly difference: string } | undefined,
  stale = false,
): string {
  if (measure === undefined) return `${fn}: without ${pkg}: its bundle holds none of ${pkg}`;
  const note = stale ? ' (cdk.out differs from the source: synth again for a fair difference)' : '';
  return `${fn}: without ${pkg} (a do-nothing stand-in): ${measure.figures}, ${measure.difference}${note}; to its floor ${measure.ratio}`;
}

function formatRow(cells: readonly string[], widths: readonly number[]): string {
  return `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
}

/** `1.08x (1.03-1.12)`: the paired ratio and its interval. */
export function pairedCell({ ratio, low, high }: PairedRatio): string {
  return `${ratio.toFixed(2)}x (${low.toFixed(2)}-${high.toFixed(2)})`;
}

/** The table of medians (the issue's floor), and with --without each function without it. */
export function printTable(measured: readonly Measured[]): void {
  const header = [
    'function',
    'bundle',
    'zip',
    'require (median)',
    'floor bundle',
    'floor require',
    'ratio',
    'paired (95%)',
  ];
  // One bootstrap per function, for its cell and its verdict.
  const paired = measured.map((m) => pairedRatio(m.times.bundle, m.times.floor));
  const rows = measured.map((m, i) => {
    const bundleMs = median(m.times.bundle);
    const floorMs = median(m.times.floor);
    return [
      m.fn.name,
      `${kilobytes(m.bundleBytes)} KB`,
      `${kilobytes(m.zipBytes)} KB`,
      `${bundleMs.toFixed(1)} ms`,
      `${kilobytes(m.build.floor.bytes)} KB`,
      `${floorMs.toFixed(1)} ms`,
      `${(bundleMs / floorMs).toFixed(2)}x`,
      pairedCell(paired[i]),
    ];
  });
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  console.log(formatRow(header, widths));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const row of rows) console.log(formatRow(row, widths));
  const verdicts = measured.map((m, i) => ({
    fn: m.fn.name,
    verdict: verdict(paired[i], GOAL_RATIO),
  }));
  const open = verdicts.some((v) => v.verdict === 'open')
    ? " (open: this run's interval spans the goal; more rounds may decide it)"
    : '';
  console.log(
    `\nPaired: the median of the per-round ratios, with a bootstrap 95% interval. Within ${GOAL_RATIO.toFixed(2)}x of the floor: ${verdicts.map((v) => `${v.fn} ${v.verdict}`).join(', ')}${open}`,
  );
  if (measured.some((m) => m.without !== undefined)) console.log('');
  for (const m of measured) {
    if (m.without === undefined) continue;
    const rebuilt = m.without.bundle;
    let measure: { figures: string; ratio: string; difference: string } | undefined;
    if (rebuilt !== undefined) {
      const withoutMs = median(m.times.without);
      measure = {
        figures: `${kilobytes(rebuilt.bytes)} KB, ${withoutMs.toFixed(1)} ms`,
        ratio: `${pairedCell(pairedRatio(m.times.without, m.times.floor))} paired`,
        difference: difference(median(m.times.bundle) - withoutMs, (ms) => `${ms.toFixed(1)} ms`),
      };
    }
    console.log(withoutLine(m.fn.name, m.without.pkg, measure, isStale(m)));
  }
}
