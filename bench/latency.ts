/**
 * Event to answer (issue 10, part 1): the sandbox's pieces in this process (bench/load), offers
 * published at 20/s for 60 s, each timed from the simulator publishing `OfferMatched` to the
 * simulator receiving the connector's accept or decline. Side by side, the same offers answered
 * by a loop polling `GET /inbox/offers` every 5 minutes, computed from the schedule (stats.ts).
 * Options: --duration S (default 60), --rates R (default 20), --workers N and --batch-size N
 * (default: the stack's workerMaxConcurrency and event source batch size), --worker-processes N
 * (default 1), --warm-up S (default 0: only the first offer, untimed, pays the login and the
 * certificate; the JIT's first seconds are in the timing).
 */
import { loadSettings, runLoad } from './load/sandbox-load';
import {
  batchLine,
  cpuLine,
  machineLine,
  stackLoadDefaults,
  stageRows,
  SUMMARY_HEADER,
  summaryRow,
  workerProcessesOf,
} from './load/report';
import {
  BenchmarkError,
  latencyLine,
  parseLoadOptions,
  POLL_INTERVAL_MS,
  POLL_PHASES,
  pollingLatencies,
  summarize,
} from './load/stats';

export const description =
  'Event to answer in the sandbox at 20 offers/s for 60 s, against polling every 5 minutes';

/** Goals of the issue. */
const GOAL_P99_MS = 250;
const GOAL_RATIO = 1000;

export async function run(args: readonly string[]): Promise<void> {
  // The SDK's notice that Node 20 support ends in 2027 is noise here (as in the sandbox).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseLoadOptions(args, { durationS: 60, rates: [20], ...stackLoadDefaults() });
  if (options.rates.length !== 1)
    throw new BenchmarkError('the latency benchmark runs one rate (--rates R)');
  const rate = options.rates[0];
  const workerProcesses = workerProcessesOf(options);
  console.log(
    `Event to answer: ${rate} offers/s for ${options.durationS} s, ${options.workers} concurrent worker invocations in ${workerProcesses} process(es), batch size ${options.batchSize}`,
  );
  console.log(machineLine());

  const result = await runLoad(loadSettings(options, rate));
  const push = summarize(result.answeredMs);
  const polling = summarize(
    pollingLatencies(result.answeredPublishedMs, result.answeredMs, {
      intervalMs: POLL_INTERVAL_MS,
      phases: POLL_PHASES,
    }),
  );

  console.log(
    `\npublished ${result.published} (${result.achievedRate.toFixed(1)}/s), answered ${push.count}, lost ${result.lost}, refused answers ${result.refusedCalls}, dead-lettered ${result.deadLettered}\n${cpuLine(result)}\n`,
  );
  console.log(`${'way'.padEnd(34)}${SUMMARY_HEADER}`);
  console.log(summaryRow('SNS -> receiver -> SQS -> worker', push));
  for (const row of stageRows(result.stages)) console.log(row);
  console.log(batchLine(result.batchSizes));
  console.log(
    summaryRow(`polling every ${POLL_INTERVAL_MS / 60000} min (model)`, polling, push.count),
  );
  const ratio = polling.p50 / push.p50;
  console.log(
    `\nPolling model: each offer is seen at the next tick of a ${POLL_INTERVAL_MS / 1000} s loop, over ${POLL_PHASES} evenly spread phases, ` +
      `then answered in its own measured time.`,
  );
  console.log(
    `Goal: p99 <= ${GOAL_P99_MS} ms (${push.p99 <= GOAL_P99_MS ? 'met' : 'NOT met'}), >= ${GOAL_RATIO}x faster than polling at p50 (${ratio >= GOAL_RATIO ? 'met' : 'NOT met'}), 0 lost (${result.lost === 0 ? 'met' : 'NOT met'})`,
  );
  console.log(latencyLine(push, polling.p50));
}
