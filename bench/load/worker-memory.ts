/**
 * The memory of the load benchmarks' worker process (worker-process.ts), so the worker's Lambda
 * memory (config `workerMemoryMb`) can be chosen from a measurement and measured again.
 *
 * The process runs `invocations` worker invocations at once, plus the local SQS poller and tsx's
 * loader, where a Lambda environment runs one invocation at a time: the figures are an upper
 * bound for one environment, not its size.
 */

/** What the process used at most, in MiB (as Lambda's "Max Memory Used" counts MB). */
export interface MemoryPeak {
  /** Resident set size at its highest (the kernel's own high-water mark, not a sample). */
  readonly rssMb: number;
  /** Resident set size once the modules were loaded, before the first invocation. */
  readonly loadedRssMb: number;
  /** V8's heap in use at its highest, sampled. */
  readonly heapUsedMb: number;
  /** V8's heap reserved at its highest, sampled. */
  readonly heapTotalMb: number;
}

const MIB = 1024 * 1024;

/** How often the heap is sampled: its peak between two samples is missed, so a lower bound. */
const HEAP_SAMPLE_MS = 100;

export interface MemoryTracker {
  /** Stops sampling; the peaks since `trackMemory`. */
  stop(): MemoryPeak;
}

/** Starts watching this process's memory; call once its modules are loaded. */
export function trackMemory(): MemoryTracker {
  const loadedRssMb = process.memoryUsage.rss() / MIB;
  let heapUsed = 0;
  let heapTotal = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    heapUsed = Math.max(heapUsed, usage.heapUsed);
    heapTotal = Math.max(heapTotal, usage.heapTotal);
  };
  sample();
  // Unreferenced: the sampling alone never keeps the process alive.
  const timer = setInterval(sample, HEAP_SAMPLE_MS).unref();
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return {
        // maxRSS is in kilobytes (KiB on Linux).
        rssMb: (process.resourceUsage().maxRSS * 1024) / MIB,
        loadedRssMb,
        heapUsedMb: heapUsed / MIB,
        heapTotalMb: heapTotal / MIB,
      };
    },
  };
}

/** `worker memory: peak RSS <n> MB ...`, the load report's line for one worker process. */
export function memoryLine(peak: MemoryPeak, invocations: number): string {
  const mb = (value: number) => Math.round(value).toString();
  return `worker memory: peak RSS ${mb(peak.rssMb)} MB (${mb(peak.loadedRssMb)} MB loaded, before the first invocation), peak heap used ${mb(peak.heapUsedMb)} MB of ${mb(peak.heapTotalMb)} MB, with ${invocations} concurrent invocation(s) in one process (an upper bound for one Lambda environment, which runs one at a time)`;
}
