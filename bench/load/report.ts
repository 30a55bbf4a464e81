/**
 * What the load benchmarks print besides their summary lines: the machine, the stack settings the
 * run mirrored, and the table rows.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseConnectorConfig } from '../../lambdas/core/config';
import { WORKER_BATCH_SIZE } from '../../lib/constants';
import { DEFAULT_CONFIG_PATH } from '../../sandbox/sandbox-options';
import type { StageTimes } from './sandbox-load';
import {
  DEFAULT_WORKER_PROCESSES,
  type LatencySummary,
  type LoadOptions,
  splitWorkers,
  summarize,
} from './stats';

/** The stack's worker concurrency (workerMaxConcurrency of the example config): Lambda's pollers. */
export function stackWorkerConcurrency(): number {
  return parseConnectorConfig(
    JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as unknown,
    DEFAULT_CONFIG_PATH,
  ).workerMaxConcurrency;
}

/** The stack's settings the load benchmarks mirror by default: its worker concurrency and batch size. */
export function stackLoadDefaults(): { workers: number; batchSize: number } {
  return { workers: stackWorkerConcurrency(), batchSize: WORKER_BATCH_SIZE };
}

/** The worker processes a run with these options starts (`--worker-processes`, at most one per invocation). */
export function workerProcessesOf(options: LoadOptions): number {
  return splitWorkers(options.workers, options.workerProcesses ?? DEFAULT_WORKER_PROCESSES).length;
}

/** Node, CPUs and the load average when the run began (the machine may be shared). */
export function machineLine(): string {
  const [one] = loadavg();
  return `Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${one.toFixed(2)} at start`;
}

const ms = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';

export const SUMMARY_HEADER = `${'offers'.padStart(8)}${'p50 ms'.padStart(12)}${'p95 ms'.padStart(12)}${'p99 ms'.padStart(12)}${'max ms'.padStart(12)}`;

export function summaryRow(label: string, summary: LatencySummary, count = summary.count): string {
  return `${label.padEnd(34)}${String(count).padStart(8)}${ms(summary.p50).padStart(12)}${ms(summary.p95).padStart(12)}${ms(summary.p99).padStart(12)}${ms(summary.max).padStart(12)}`;
}

const STAGE_LABELS: Record<keyof StageTimes, string> = {
  delivery: '  simulator -> receiver (SNS POST)',
  receiver: '  receiver (verify, SQS send)',
  queued: '  in the queue, until taken',
  worker: '  worker batch start -> answer',
};

/**
 * Where the CPU went: this process (simulator, receiver) and the child processes (the workers,
 * dynalite, fauxqs), per offer; and the rate at which the machine's cores would be fully busy at that
 * cost, a ceiling for any run on this machine (other processes' load aside).
 */
export function cpuLine(run: {
  cpuS: number;
  childCpuS?: number;
  childCpuByName?: { workers: number; dynalite: number; fauxqs: number };
  published: number;
  /** Offers never answered: their work was not all done, so the figure per offer is too low. */
  lost?: number;
}): string {
  const children = run.childCpuS;
  const by = run.childCpuByName;
  const split =
    by === undefined
      ? ''
      : ` (workers ${by.workers.toFixed(1)}, dynalite ${by.dynalite.toFixed(1)}, fauxqs ${by.fauxqs.toFixed(1)})`;
  const total = run.cpuS + (children ?? 0);
  const perOffer = (total * 1000) / run.published;
  const ceiling = (cpus().length * 1000) / perOffer;
  const understated =
    (run.lost ?? 0) > 0
      ? ` (understated: ${String(run.lost)} offer(s) unanswered, their work not all done)`
      : '';
  return children === undefined
    ? `CPU ${run.cpuS.toFixed(1)} s in this process (${perOffer.toFixed(1)} ms per offer${understated}; the child processes' unknown)`
    : `CPU ${run.cpuS.toFixed(1)} s in this process (simulator, receiver) + ${children.toFixed(1)} s in the workers' and emulators' processes${split} = ${perOffer.toFixed(1)} ms per offer${understated}: ${cpus().length} cores are full at ~${Math.round(ceiling)} offers/s`;
}

/** One row per stage: where the time of the event-to-answer row goes. */
export function stageRows(stages: StageTimes): string[] {
  return (Object.keys(STAGE_LABELS) as Array<keyof StageTimes>).map((stage) =>
    summaryRow(STAGE_LABELS[stage], summarize(stages[stage])),
  );
}

/** How full the worker invocations were: records wait for the ones before them in their batch. */
export function batchLine(sizes: readonly number[]): string {
  if (sizes.length === 0) return '  (no worker invocations)';
  const records = sizes.reduce((a, b) => a + b, 0);
  return `  ${sizes.length} worker invocations, ${(records / sizes.length).toFixed(1)} records each on average, at most ${Math.max(...sizes)}`;
}
