/**
 * Plays the run once the connector is up: an outage drill's own play, the once scenario (inbox
 * offers, outbox offers or both, then the referrals and the assignments), or the stream of offers
 * until the signal aborts. Waits for what the connector does with them, but judges nothing
 * (run-summary.ts does).
 */
import type { RunningConnector, WiringInput } from './connector-wiring';
import type { ReconcilerLoop } from './contention';
import type { DecisionWatch } from './decision-watch';
import {
  AssignmentWatch,
  playDemandScenario,
  type PostedOutboxOffer,
  waitForDemand,
} from './demand-play';
import { demandScenario } from './demand-scenario';
import { waitForReferrals } from './referral-play';
import { flags, type SandboxOptions } from './sandbox-options';
import { queueDepthOrUndefined, queueDrained } from './sandbox-queues';
import { contentionScenario, onceScenario, type ScenarioStep, streamScenario } from './scenario';
import type { WireInboxOfferDetail } from './simulator/model';
import { sleep, waitUntil } from './timing';

/** Everything a run has started, and what it published and watches. */
export interface RunContext extends WiringInput, RunningConnector {
  reconciler: ReconcilerLoop | undefined;
  /** The inbox offers published so far. */
  published: WireInboxOfferDetail[];
  publish: (step: ScenarioStep) => void;
  watch: DecisionWatch;
  /** Whether the event queue is empty. */
  drained: () => Promise<boolean>;
}

/** The demand side's posted outbox offers and the watch on their assignments (roles demand, both). */
export interface Outbox {
  offers: PostedOutboxOffer[];
  watch: AssignmentWatch;
}

/** Plays the run to its end (once) or until the signal aborts (stream). */
export async function playRun(run: RunContext): Promise<Outbox | undefined> {
  const { options, role, drill, supplyDrill, watch, published, publish, drained, print } = run;
  const { simulator, connector, bus } = run.market;
  const { sqs, queues } = run.aws;
  let outbox: Outbox | undefined;
  if (supplyDrill) {
    const wait = () => waitForDecisions({ watch, published, drained, print, options });
    await supplyDrill.play({
      simulator,
      publish,
      published,
      sqs,
      queues,
      print,
      undecided: (offers) => watch.poll(offers),
      waitForDecisions: wait,
      ...flags(options),
    });
    await simulator.idle();
    await run.reconciler?.stop();
    if (run.reconciler) await waitUntil(drained, 10000, options.signal);
  } else if (options.mode === 'once') {
    const inboxSteps = role === 'demand' ? [] : drill ? contentionScenario() : onceScenario();
    for (const step of inboxSteps) {
      publish(step);
      if (drill) await sleep(drill.publishIntervalMs, options.signal);
    }
    if (role !== 'demand')
      print(`sandbox: ${published.length} offers published; waiting for every decision`);
    if (role !== 'supply') {
      const offers = await playDemandScenario({
        simulator,
        demandOrganizationId: connector.organizationId,
        steps: demandScenario(),
        print,
        ...flags(options),
      });
      outbox = { offers, watch: new AssignmentWatch(run.store, simulator, print) };
    }
    if (role !== 'demand')
      await waitForDecisions({
        watch,
        published,
        drained,
        print,
        options,
        ...(drill ? { quietMs: drill.quietMs } : {}),
      });
    if (run.market.referrals)
      print((await waitForReferrals({ simulator, bus, drained, ...flags(options) })).line);
    if (outbox)
      await waitForDemand({
        simulator,
        ...outbox,
        drained,
        print,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...flags(options),
      });
    await simulator.idle();
    // Events SNS delivered last (an offer declined by all, expired) are handled before the judging.
    if (outbox) await waitUntil(drained, 10000, options.signal);
    // Events the reconciler enqueued last are handled too, so no late answer escapes the count.
    await run.reconciler?.stop();
    if (run.reconciler) await waitUntil(() => queueDrained(sqs, queues.url), 10000, options.signal);
  } else {
    print('sandbox: streaming offers; Ctrl-C to stop');
    const stream = streamScenario(options.seed ?? 1);
    while (!options.signal?.aborted) {
      publish(stream.next().value as ScenarioStep);
      await watch.poll(published);
      await sleep(options.intervalMs ?? 1500, options.signal);
    }
    // Ctrl-C in a terminal also reaches fauxqs (same process group): once SQS is gone, the
    // offers in flight cannot finish, so wait for them only while it still answers.
    print('sandbox: stopping; letting the offers in flight finish (5 s at most)');
    await waitUntil(
      async () =>
        (await watch.poll(published)).length === 0 ||
        (await queueDepthOrUndefined(sqs, queues.url)) === undefined,
      5000,
    );
  }
  return outbox;
}

/**
 * Waits until every offer has a settled decision and nothing is left in the queue, the time limit
 * passes or the signal aborts. With `quietMs` (the drill), also stops once the queue has stayed
 * empty and no offer has settled for that long: a connector that leaves offers undecided for good
 * is what the drill is there to show, and waiting longer would change nothing.
 */
async function waitForDecisions(input: {
  watch: DecisionWatch;
  published: readonly WireInboxOfferDetail[];
  drained: () => Promise<boolean>;
  print: (line: string) => void;
  options: SandboxOptions;
  quietMs?: number;
}): Promise<void> {
  const { watch, published, quietMs } = input;
  let open: string[] = [];
  let drainedSince: number | undefined;
  const settled = await waitUntil(
    async () => {
      open = await watch.poll(published);
      const drained = await input.drained();
      if (open.length === 0 && drained) return true;
      if (quietMs === undefined) return false;
      const now = Date.now();
      drainedSince = drained ? (drainedSince ?? now) : undefined;
      return (
        drainedSince !== undefined &&
        now - drainedSince >= quietMs &&
        now - watch.lastChangeAt >= quietMs
      );
    },
    input.options.timeoutMs ?? 60000,
    input.options.signal,
  );
  if (!settled) input.print('sandbox: time limit reached before every offer was decided');
  else if (open.length > 0)
    input.print(
      `sandbox: ${open.length} offer(s) still undecided with nothing left to do; not waiting longer`,
    );
}
