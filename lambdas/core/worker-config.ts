import * as v from 'valibot';

/**
 * Deployment settings of the worker function (config `workerMaxConcurrency`, `workerMemoryMb`):
 * how many run at once and how big each is. Used at synth time only (config.ts builds them into
 * the schema, lib/app-stack.ts into the function); the functions never load it.
 */

/** The memory a Lambda function may have, in MB (Lambda's own bounds). */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10240 } as const;

/**
 * The memory at which Lambda gives a function one full vCPU. CPU comes in proportion to memory,
 * so below it the function's own code (its start-up included) takes 1769 / memory times as long
 * as on a full vCPU; its waits on the network do not.
 */
export const FULL_VCPU_MB = 1769;

/**
 * The worker's memory when `workerMemoryMb` is left out: 256 MB (README, Performance and cost). The
 * worker mostly waits on DynamoDB and the marketplace. Measured in the sandbox (the load benches'
 * `worker memory` line): its bundle loaded takes about 95 MB; under load the worker process
 * peaked at 160-211 MB RSS, an upper bound for one environment (that process ran five invocations
 * at once, with tsx and the stand-in SQS poller; a Lambda environment runs one at a time); its
 * live heap was 44-67 MB (with the heap capped at 96 MB it lost nothing and peaked at 138 MB).
 * At volume the worker is nearly always warm, so the price per event counts more than a cold
 * start's length: 256 MB bills about half the GB-seconds of 512 per event, while its own code (an
 * assumed 10 ms of the ~200 per event at 512 MB) and its cold start take about twice as long. At
 * low volume cold starts are more frequent, but the bill is negligible either way. An environment
 * that runs out of memory fails its invocation (alarm WorkerErrors) and its records come back.
 */
export const DEFAULT_WORKER_MEMORY_MB = 256;

/**
 * Below this the deploy warns: the worker's bundle alone takes about 95 MB once loaded (above), so
 * a smaller environment has little room for a batch of records and may run out of memory.
 */
export const WORKER_MEMORY_WARNING_MB = 192;

/** The synth-time warning for a `workerMemoryMb` below WORKER_MEMORY_WARNING_MB, else undefined. */
export function workerMemoryWarning(workerMemoryMb: number): string | undefined {
  if (workerMemoryMb >= WORKER_MEMORY_WARNING_MB) return undefined;
  return (
    `workerMemoryMb ${workerMemoryMb} is below ${WORKER_MEMORY_WARNING_MB}: the worker's code takes about 95 MB ` +
    'once loaded, so a batch may run out of memory (the invocation fails, WorkerErrors fires and ' +
    `its records come back). ${DEFAULT_WORKER_MEMORY_MB} is the measured default.`
  );
}

export const workerMemoryMbSchema = v.pipe(
  v.number(),
  v.integer('must be a whole number of MB'),
  v.minValue(LAMBDA_MEMORY_MB.min, `must be at least ${LAMBDA_MEMORY_MB.min} (Lambda's minimum)`),
  v.maxValue(LAMBDA_MEMORY_MB.max, `must be at most ${LAMBDA_MEMORY_MB.max} (Lambda's maximum)`),
);

/** The worker's fields of the connector config (config.ts spreads them into its schema). */
export const workerConfigFields = {
  /** At most this many worker instances at once, so the marketplace API is never flooded (2-1000). */
  workerMaxConcurrency: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(1000)),
    5,
  ),
  /**
   * The worker's memory in MB (128-10240; default `DEFAULT_WORKER_MEMORY_MB`). Lambda gives CPU in
   * proportion: less memory bills less per event and makes the worker's own code and cold start
   * slower in proportion (`FULL_VCPU_MB`).
   */
  workerMemoryMb: v.optional(workerMemoryMbSchema, DEFAULT_WORKER_MEMORY_MB),
};
