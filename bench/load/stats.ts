/**
 * The pure parts of the event-to-answer and throughput benchmarks (bench/latency.ts,
 * bench/throughput.ts): percentiles, the polling loop's latency model, the rate stepping, the
 * options and the summary lines. No I/O and no clock here, so all of it is unit tested
 * (test/unit/bench-load-stats.test.ts).
 */

/** Bad options or a run that cannot be trusted: what every benchmark in bench/ throws. */
export class BenchmarkError extends Error {
  override readonly name = 'BenchmarkError';
}

// ---------------------------------------------------------------------------------------------
// Percentiles

/** Nearest-rank percentile (p in (0, 100]) of values sorted ascending; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1],
  };
}

// ---------------------------------------------------------------------------------------------
// The polling loop an organisation would build itself

/** What an organisation would build itself: `GET /inbox/offers` every 5 minutes. */
export const POLL_INTERVAL_MS = 5 * 60 * 1000;

/** Poll phases the model averages over: one every second of the interval by default. */
export const POLL_PHASES = 300;

/**
 * When a loop polling every `intervalMs`, first tick at `phaseMs` (0 <= phase < interval), sees an
 * offer published at `publishedMs`: the first tick at or after it.
 */
export function nextPollTick(publishedMs: number, intervalMs: number, phaseMs: number): number {
  if (!(intervalMs > 0)) throw new RangeError('the poll interval must be positive');
  const ticks = Math.ceil((publishedMs - phaseMs) / intervalMs);
  return phaseMs + Math.max(0, ticks) * intervalMs;
}

/**
 * The polling loop's latency for each offer and each of `phases` evenly spread poll phases (the
 * loop's start is unknown, so every phase is equally likely): from publication to the next poll
 * tick, plus the time the offer then takes to be answered (`answerMs`, the same offer's measured
 * answer time: the polling loop must still read and answer it). `publishedMs[i]` and `answerMs[i]`
 * belong to the same offer.
 */
export function pollingLatencies(
  publishedMs: readonly number[],
  answerMs: readonly number[],
  options: { intervalMs?: number; phases?: number } = {},
): number[] {
  if (publishedMs.length !== answerMs.length)
    throw new RangeError('one answer time per published offer');
  const intervalMs = options.intervalMs ?? POLL_INTERVAL_MS;
  const phases = options.phases ?? POLL_PHASES;
  if (!Number.isInteger(phases) || phases < 1)
    throw new RangeError('phases must be a whole number of at least 1');
  const latencies: number[] = [];
  for (let k = 0; k < phases; k += 1) {
    const phaseMs = (k * intervalMs) / phases;
    publishedMs.forEach((published, i) =>
      latencies.push(nextPollTick(published, intervalMs, phaseMs) - published + answerMs[i]),
    );
  }
  return latencies;
}

// ---------------------------------------------------------------------------------------------
// Stepping the rate up

/** One step of the throughput search: a rate held for the duration, and what it gave. */
export interface RateTrial {
  rate: number;
  published: number;
  lost: number;
  p99: number;
  /** The rate the publisher really kept (offers / duration). */
  achievedRate: number;
  /** Why the step could not be timed at all (its warm-up never drained), when it could not. */
  problem?: string;
}

/** Most p99 a sustained rate may have. */
export const MAX_SUSTAINED_P99_MS = 1000;
/** Share of the asked rate the publisher must have kept for the step to count as that rate. */
export const MIN_RATE_KEPT = 0.95;

/** Why a step does not count as sustained, or undefined when it does. */
export function trialProblem(trial: RateTrial): string | undefined {
  if (trial.problem !== undefined) return trial.problem;
  if (trial.published === 0) return 'nothing was published';
  if (trial.lost > 0) return `${trial.lost} offer(s) lost`;
  if (!(trial.p99 < MAX_SUSTAINED_P99_MS))
    return `p99 ${Math.round(trial.p99)} ms is not under ${MAX_SUSTAINED_P99_MS} ms`;
  if (trial.achievedRate < MIN_RATE_KEPT * trial.rate)
    return `only ${trial.achievedRate.toFixed(1)} offers/s published`;
  return undefined;
}

export interface SteppingResult {
  trials: RateTrial[];
  /** The highest step sustained before the first one that was not; undefined if none was. */
  sustained?: RateTrial;
  /** The first step that was not sustained (the search stops there). */
  failed?: { trial: RateTrial; problem: string };
}

/**
 * Runs the rates in increasing order and stops at the first that is not sustained: the result is
 * the last one sustained before it (a faster rate that happened to pass later is not steady).
 */
export async function stepRates(
  rates: readonly number[],
  runTrial: (rate: number) => Promise<RateTrial>,
): Promise<SteppingResult> {
  const trials: RateTrial[] = [];
  let sustained: RateTrial | undefined;
  for (const rate of [...rates].sort((a, b) => a - b)) {
    const trial = await runTrial(rate);
    trials.push(trial);
    const problem = trialProblem(trial);
    if (problem !== undefined)
      return { trials, ...(sustained ? { sustained } : {}), failed: { trial, problem } };
    sustained = trial;
  }
  return { trials, ...(sustained ? { sustained } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Options

export interface LoadOptions {
  durationS: number;
  rates: number[];
  /** Concurrent worker invocations (Lambda's pollers, up to workerMaxConcurrency). */
  workers: number;
  /** SQS records per worker invocation (the stack's event source batch size). */
  batchSize: number;
  /** Processes the worker invocations are spread over (default `DEFAULT_WORKER_PROCESSES`). */
  workerProcesses?: number;
  /** Seconds of untimed offers at each rate before its timed run (0: none). */
  warmUpS?: number;
}

const LOAD_OPTION_NAMES = [
  'duration',
  'rates',
  'workers',
  'batch-size',
  'worker-processes',
  'warm-up',
] as const;

/**
 * The `--name value` and `--name=value` options of `args`, in order, each named in `names`: any
 * other argument is refused as unknown (with `usage`), an option without a value with its name.
 */
export function optionPairs(
  args: readonly string[],
  names: readonly string[],
  usage: string,
): Array<{ name: string; value: string }> {
  const pairs: Array<{ name: string; value: string }> = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args.at(i) ?? '';
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = match?.at(1);
    if (match === null || name === undefined || !names.includes(name))
      throw new BenchmarkError(`unknown option ${arg} (use ${usage})`);
    const value = match.at(2) ?? args.at((i += 1));
    if (value === undefined || value === '') throw new BenchmarkError(`--${name} needs a value`);
    pairs.push({ name, value });
  }
  return pairs;
}

/**
 * One: on the 2-core machine measured, two worker processes cost about 3.4 ms more CPU per offer
 * than one (18.4 against 22.5 ms in all at 100 offers/s), with both cores already full. More help
 * only where the one worker process's core is the limit (about 110 offers/s) and cores are free.
 */
export const DEFAULT_WORKER_PROCESSES = 1;

/**
 * How many of `workers` concurrent invocations each of `processes` processes runs: as even as it
 * gets, earlier processes taking the remainder; never an empty process (at most one per invocation).
 */
export function splitWorkers(workers: number, processes: number): number[] {
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError('workers must be a whole number of at least 1');
  if (!Number.isInteger(processes) || processes < 1)
    throw new RangeError('processes must be a whole number of at least 1');
  const count = Math.min(workers, processes);
  return Array.from(
    { length: count },
    (_, i) => Math.floor(workers / count) + (i < workers % count ? 1 : 0),
  );
}

/**
 * `--duration S`, `--rates a,b,c`, `--workers N`, `--batch-size N` (1 to 10),
 * `--worker-processes N` and `--warm-up S` (0 or more), each also as `--name=value`. Anything
 * else, a missing value or one out of its range is refused with the option named.
 */
export function parseLoadOptions(args: readonly string[], defaults: LoadOptions): LoadOptions {
  const options: LoadOptions = { ...defaults, rates: [...defaults.rates] };
  const pairs = optionPairs(
    args,
    LOAD_OPTION_NAMES,
    '--duration S, --rates a,b,c, --workers N, --batch-size N, --worker-processes N, --warm-up S',
  );
  for (const { name, value } of pairs) {
    const numbers = value.split(',').map((part) => Number(part.trim()));
    const zeroAllowed = name === 'warm-up';
    if (numbers.some((n) => !Number.isFinite(n) || n < 0 || (n === 0 && !zeroAllowed)))
      throw new BenchmarkError(
        `--${name} must be ${zeroAllowed ? '0 or more' : 'positive number(s)'}, not "${value}"`,
      );
    if (name === 'rates') options.rates = numbers;
    else if (numbers.length !== 1)
      throw new BenchmarkError(`--${name} takes one number, not "${value}"`);
    else if (name === 'duration') options.durationS = numbers[0];
    else if (name === 'warm-up') options.warmUpS = numbers[0];
    else if (!Number.isInteger(numbers[0]))
      throw new BenchmarkError(`--${name} must be a whole number, not "${value}"`);
    else if (name === 'workers') options.workers = numbers[0];
    else if (name === 'worker-processes') options.workerProcesses = numbers[0];
    else if (numbers[0] > 10)
      throw new BenchmarkError(`--batch-size must be 1 to 10 (SQS's limit), not "${value}"`);
    else options.batchSize = numbers[0];
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Summary lines (compared over time: their format does not change)

const ms = (value: number): string => (Number.isFinite(value) ? String(Math.round(value)) : 'n/a');

/** `latency: p50=<ms> p95=<ms> p99=<ms> polling-p50=<ms> ratio=<x>` */
export function latencyLine(push: LatencySummary, pollingP50: number): string {
  const ratio = pollingP50 / push.p50;
  return `latency: p50=${ms(push.p50)} p95=${ms(push.p95)} p99=${ms(push.p99)} polling-p50=${ms(pollingP50)} ratio=${Number.isFinite(ratio) ? Math.round(ratio) : 'n/a'}`;
}

/** `throughput: <n> offers/s, lost=<l>, p99=<ms>` (0 offers/s when no step was sustained). */
export function throughputLine(result: SteppingResult): string {
  const best = result.sustained;
  if (best) return `throughput: ${best.rate} offers/s, lost=${best.lost}, p99=${ms(best.p99)}`;
  const first = result.failed?.trial;
  return `throughput: 0 offers/s, lost=${first?.lost ?? 0}, p99=${ms(first?.p99 ?? Number.NaN)}`;
}
