/**
 * The sandbox's composition root: the real receiver and worker (and, for the contention drill,
 * the real reconciler), wired as in AWS but on local stand-ins (dynalite, fauxqs, the marketplace
 * simulator, a local API Gateway and SQS poller). `runSandbox({ mode: 'once' })` plays the fixed
 * scenario to the end and returns what happened to every offer; with `scenario: 'contention'` it
 * plays the contention drill (contention.ts) instead; with `scenario: 'outage' | 'bad-password'` an
 * outage drill (supply-drills.ts) changes parts of the wiring and plays the run. `mode: 'stream'`
 * publishes offers until its signal aborts. `role` (roles.ts) says which side the connector takes: supply (the default, as
 * above), demand (the demand scenario, demand-scenario.ts: outbox offers answered by the
 * simulator's suppliers, assigned by the connector) or both (one organisation: the supply scenario
 * in its inbox and the demand scenario in its outbox).
 *
 * The parts, in the order a run uses them: aws-stand-ins.ts (dynalite, fauxqs),
 * sandbox-marketplace.ts (the simulator, the subscriptions, publishing), connector-wiring.ts
 * (receiver, workers, reconciler), play-run.ts (the scenario played), run-summary.ts (the end and
 * the result); sandbox-options.ts holds the options, the result types and their checks.
 */
import { LOGIN_METRICS } from '../lambdas/core/metric-names';
import { type CleanupStep, startAwsStandIns } from './aws-stand-ins';
import { startBadPasswordDrill } from './bad-password-drill';
import { startCapture } from './capture';
import { startConnector, startSandboxReconciler, type WiringInput } from './connector-wiring';
import { CONTENTION_DRILL } from './contention';
import { DecisionWatch } from './decision-watch';
import { errorMessage } from './http-util';
import { createOutageDrill } from './outage-drill';
import { describeOffer } from './outcomes';
import { playRun } from './play-run';
import { sandboxResources, writeSandboxResources } from './resources-file';
import { finishRun } from './run-summary';
import { offerPublisher, startMarketplace, subscribeConnector } from './sandbox-marketplace';
import {
  type AnySandboxResult,
  type BothSandboxResult,
  checkOptions,
  type DemandSandboxResult,
  loadRules,
  type SandboxOptions,
  type SandboxResult,
} from './sandbox-options';
import { queueDrained } from './sandbox-queues';
import type { WireInboxOfferDetail } from './simulator/model';
import type { SupplyDrill } from './supply-drills';
import { finishesWithin } from './timing';

export { loadRules, type SandboxOptions, type SandboxResult } from './sandbox-options';

const TABLE_NAME = 'sandbox-offers';

/** Runs the sandbox; resolves when the scenario is over (once) or the signal aborts (stream). */
export async function runSandbox(
  options: SandboxOptions & { role?: 'supply' },
): Promise<SandboxResult>;
export async function runSandbox(
  options: SandboxOptions & { role: 'demand' },
): Promise<DemandSandboxResult>;
export async function runSandbox(
  options: SandboxOptions & { role: 'both' },
): Promise<BothSandboxResult>;
export async function runSandbox(options: SandboxOptions): Promise<AnySandboxResult>;
export async function runSandbox(options: SandboxOptions): Promise<AnySandboxResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const rules = options.rules ?? loadRules();
  const role = options.role ?? 'supply';
  checkOptions(options, role);
  const drill = options.scenario === 'contention' ? CONTENTION_DRILL : undefined;
  const capture = options.captureDir !== undefined ? startCapture(options.captureDir) : undefined;
  const logLevel = options.verbose ? 'INFO' : 'WARN';
  // Stopped in reverse order. Each step gets a time limit: after a Ctrl-C in a terminal, fauxqs
  // (same process group) has already died of the signal and its stop() would wait for an exit
  // event that has come and gone.
  const cleanups: CleanupStep[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) {
      try {
        const finished = await finishesWithin(step.stop(), 3000);
        if (!finished && options.verbose)
          print(`sandbox: ${step.name} did not stop within 3 s; going on`);
      } catch (error: unknown) {
        print(`sandbox: stopping ${step.name} failed: ${errorMessage(error)}`);
      }
    }
  };

  try {
    const aws = await startAwsStandIns(TABLE_NAME, cleanups);
    const market = await startMarketplace({ options, role, drill: !!drill, print, cleanups });
    const { simulator, connector } = market;
    // An outage drill changes some of the wiring (receiver, worker, reconciler) and plays the run.
    const supplyDrill = await startSupplyDrill(options.scenario, connector.credentials);
    if (supplyDrill)
      cleanups.push({ name: `${supplyDrill.name} drill`, stop: () => supplyDrill.stop() });

    const wiring: WiringInput = {
      options,
      role,
      rules,
      print,
      logLevel,
      tableName: TABLE_NAME,
      aws,
      market,
      drill,
      supplyDrill,
      capture,
      cleanups,
    };
    const running = await startConnector(wiring);
    const { api, store } = running;
    print(
      `sandbox: services up (marketplace ${simulator.url}, receiver ${api.endpoint}, DynamoDB ${aws.dynalite.endpoint}, SQS ${aws.fauxqs.endpoint})`,
    );
    if (options.verbose)
      print(
        `sandbox: marketplace login ${connector.credentials.username} (password generated for this run)`,
      );
    await subscribeConnector(market, api.endpoint, print);
    // The operator CLI's way in (npx connector ... --sandbox): stream runs only, see resources-file.ts.
    if (options.mode === 'stream') {
      cleanups.push(
        writeSandboxResources(
          sandboxResources({
            dynamo: aws.dynalite.endpoint,
            sqs: aws.fauxqs.endpoint,
            tableName: TABLE_NAME,
            queues: aws.queues,
            receiver: api.endpoint,
            connector,
            marketplaceUrl: simulator.url,
          }),
        ),
      );
    }

    // Faults start after the subscription: they are about the run, not about setting it up.
    if (drill) simulator.faults.set(drill.faults);
    const reconciler = startSandboxReconciler(wiring, store);

    const published: WireInboxOfferDetail[] = [];
    const describe = (offerId: string) => {
      const detail = simulator.getOffer(offerId);
      return detail ? describeOffer(detail) : 'unknown offer';
    };
    const publish = offerPublisher({
      market,
      published,
      print,
      ...(options.verbose ? { verbose: true } : {}),
    });
    // The drill counts only each offer's own settled decision; the plain runs keep the legacy fallback.
    const watch = new DecisionWatch({
      store,
      print,
      describe,
      legacyShiftFallback: !drill && !supplyDrill,
    });
    const drained = () => queueDrained(aws.sqs, aws.queues.url);
    const run = { ...wiring, ...running, reconciler, published, publish, watch, drained };
    const outbox = await playRun(run);
    // Awaited here, so the cleanup below runs only once the result is in.
    return await finishRun(run, outbox);
  } finally {
    await cleanup();
  }
}

/** The outage drill, the bad-password drill (its Secrets Manager stand-in started), or none. */
async function startSupplyDrill(
  scenario: SandboxOptions['scenario'],
  credentials: { username: string; password: string },
): Promise<SupplyDrill | undefined> {
  if (scenario === 'outage') return createOutageDrill();
  if (scenario === 'bad-password')
    return startBadPasswordDrill({ credentials }, { loginFailureMetric: LOGIN_METRICS.failures });
  return undefined;
}
