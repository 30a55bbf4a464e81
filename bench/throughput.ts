/**
 * Throughput (issue 10, part 2): the highest steady rate the sandbox's pieces (bench/load) sustain
 * for 60 s with 0 lost offers and p99 under 1 s, found by stepping the rate up; the search stops
 * at the first rate that is not sustained. A steady rate: each rate's timed run follows 10 s of the
 * same rate, untimed, and starts once those offers are all answered (the JIT has compiled the hot
 * paths; a backlog from the first seconds does not carry into the timing).
 *
 * Options: --duration S (default 60), --rates a,b,c (default 20,50,75,100,125,150,200,250,300,400:
 * a step of at most 25% up to 250), --workers N and --batch-size N (default: the stack's
 * workerMaxConcurrency and event source batch size), --worker-processes N (default 1),
 * --warm-up S (default 10; 0 for none).
 */
import { loadSettings, type LoadRun, runLoad, WarmUpBacklogError } from './load/sandbox-load';
import {
  cpuLine,
  machineLine,
  stackLoadDefaults,
  SUMMARY_HEADER,
  summaryRow,
  workerProcessesOf,
} from './load/report';
import {
  parseLoadOptions,
  type RateTrial,
  stepRates,
  summarize,
  throughputLine,
  trialProblem,
} from './load/stats';

export const description =
  'Highest steady offers/s the sandbox sustains for 60 s with 0 lost and p99 under 1 s';

/** Goal of the issue. */
const GOAL_RATE = 200;

/** Seconds of each rate, untimed, before its timed run. */
const WARM_UP_S = 10;

export async function run(args: readonly string[]): Promise<void> {
  // The SDK's notice that Node 20 support ends in 2027 is noise here (as in the sandbox).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseLoadOptions(args, {
    durationS: 60,
    rates: [20, 50, 75, 100, 125, 150, 200, 250, 300, 400],
    warmUpS: WARM_UP_S,
    ...stackLoadDefaults(),
  });
  const workerProcesses = workerProcessesOf(options);
  console.log(
    `Throughput: rates ${options.rates.join(', ')} offers/s, ${options.durationS} s each after ${options.warmUpS ?? 0} s untimed, ${options.workers} concurrent worker invocations in ${workerProcesses} process(es), batch size ${options.batchSize}`,
  );
  console.log(machineLine());
  const rows: string[] = [];
  const result = await stepRates(options.rates, async (rate): Promise<RateTrial> => {
    let load: LoadRun;
    try {
      load = await runLoad(loadSettings(options, rate));
    } catch (error: unknown) {
      // A rate whose warm-up never drains is not held: the search stops there, with its result.
      if (!(error instanceof WarmUpBacklogError)) throw error;
      rows.push(`${`${rate}/s`.padEnd(34)}  not timed: ${error.message}`);
      console.log(`  ${rate} offers/s: not timed: ${error.message}`);
      return {
        rate,
        published: 0,
        lost: 0,
        p99: Number.NaN,
        achievedRate: 0,
        problem: error.message,
      };
    }
    const summary = summarize(load.answeredMs);
    const trial: RateTrial = {
      rate,
      published: load.published,
      lost: load.lost,
      p99: summary.p99,
      achievedRate: load.achievedRate,
    };
    const verdict = trialProblem(trial) ?? 'sustained';
    rows.push(
      `${summaryRow(`${rate}/s (kept ${load.achievedRate.toFixed(1)}/s)`, summary, load.published)}${String(load.lost).padStart(7)}${load.cpuS.toFixed(1).padStart(8)}  ${verdict}`,
    );
    console.log(`  ${rate} offers/s: ${verdict}; ${cpuLine(load)}`);
    return trial;
  });
  console.log(
    `\n${'rate'.padEnd(34)}${SUMMARY_HEADER}${'lost'.padStart(7)}${'CPU s'.padStart(8)}  verdict`,
  );
  for (const row of rows) console.log(row);
  const rate = result.sustained?.rate ?? 0;
  console.log(
    `\nGoal: >= ${GOAL_RATE} offers/s sustained (${rate >= GOAL_RATE ? 'met' : 'NOT met'})${result.failed ? `; stopped at ${result.failed.trial.rate}/s: ${result.failed.problem}` : ''}`,
  );
  console.log(throughputLine(result));
}
