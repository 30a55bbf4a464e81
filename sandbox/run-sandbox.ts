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
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseConnectorConfig, parseRules, type Role, type Rules } from '../lambdas/core/config';
import { DynamoOfferStore } from '../lambdas/adapters/dynamo-offer-store';
import { DynamoAcceptCounter } from '../lambdas/adapters/dynamo-accept-counter';
import { DynamoUnitStore } from '../lambdas/adapters/dynamo-unit-store';
import { MarketplaceClient } from '../lambdas/adapters/marketplace-client';
import { SqsEventQueue } from '../lambdas/adapters/sqs-event-queue';
import { createReceiver } from '../lambdas/receiver/receiver';
import { createReconciler } from '../lambdas/reconciler/reconciler';
import { createWorker } from '../lambdas/worker/worker';
import { startCapture } from './capture';
import { loginReporter } from '../lambdas/adapters/login-report';
import { LOGIN_METRICS } from '../lambdas/core/metric-names';
import { startBadPasswordDrill } from './bad-password-drill';
import {
  CONTENTION_DRILL,
  type DrillReport,
  drillLines,
  drillReport,
  startReconcilerLoop,
} from './contention';
import { countAppliedWrites } from './counting-store';
import { DecisionWatch } from './decision-watch';
import { collectDemandOutcomes, type DemandReport } from './demand-outcomes';
import {
  AssignmentWatch,
  playDemandScenario,
  type PostedOutboxOffer,
  waitForDemand,
} from './demand-play';
import { demandScenario } from './demand-scenario';
import { type CleanupStep, startAwsStandIns } from './aws-stand-ins';
import { EMULATOR_AWS } from './emulators';
import { errorMessage } from './http-util';
import { startLocalApi } from './local-api';
import { createOutageDrill } from './outage-drill';
import { collectOutcomes, describeOffer, type OutcomeReport, short } from './outcomes';
import { printNotifier } from './print-notifier';
import { queueDepth, queueDepthOrUndefined, queueDrained } from './sandbox-queues';
import { bothVerdict, connectorOrganization, type RoleRunVerdict } from './roles';
import { localReferralBus, waitForReferrals } from './referral-play';
import { contentionScenario, onceScenario, type ScenarioStep, streamScenario } from './scenario';
import {
  DEFAULT_SIGNATURE_VERSION,
  type NewOffer,
  type SignatureVersion,
  type SimulatorCall,
  startSimulator,
} from './simulator/simulator';
import type { WireInboxOfferDetail } from './simulator/model';
import { sandboxResources, writeSandboxResources } from './resources-file';
import { createSnsRoutingHttpGet } from './sns-routing-http-get';
import { startSqsPoller } from './sqs-poller';
import { isSupplyDrill, type SupplyDrill, type SupplyDrillName } from './supply-drills';
import { finishesWithin, sleep, waitUntil } from './timing';

export type { OfferOutcome } from './outcomes';
export type { DrillReport } from './contention';
export type { DemandReport } from './demand-outcomes';

export const DEFAULT_CONFIG_PATH = path.join(__dirname, '..', 'config', 'connector.example.json');

export interface SandboxOptions {
  mode: 'once' | 'stream';
  /** Once mode: the fixed scenario (default), the contention drill, or an outage drill (supply-drills.ts). */
  scenario?: 'default' | 'contention' | SupplyDrillName;
  /** Where the story goes, one line at a time (default: stdout). */
  print?: (line: string) => void;
  /** Powertools log level INFO instead of WARN, and a line per published offer. */
  verbose?: boolean;
  /** Stream mode runs until this aborts; once mode stops waiting when it aborts. */
  signal?: AbortSignal;
  /** Seed of the stream mode's offer mix (default 1). */
  seed?: number;
  /** Stream mode: pause between offers (default 1500 ms). */
  intervalMs?: number;
  /** Once mode: longest wait for every offer to be decided (default 60 s). */
  timeoutMs?: number;
  signatureVersion?: SignatureVersion;
  /** Default: the rules of config/connector.example.json. */
  rules?: Rules;
  /** The connector's side (default supply); demand and both are played in once mode, without the drill. */
  role?: Role;
  /** Once mode, not the drill: write what the connector wrote to this directory at the end (capture.ts). */
  captureDir?: string;
}

/** Role supply: every inbox offer's fate (the summary and checks as before roles existed). */
export interface SandboxResult extends OutcomeReport {
  /** The contention drill's conditions as measured during the run (contention only). */
  drill?: DrillReport;
}

/** Role demand: every outbox offer's fate; `summary` is the demand line. */
export interface DemandSandboxResult extends RoleRunVerdict {
  role: 'demand';
  demand: DemandReport;
}

/** Role both: each side's report; `summary` is the combined line (roles.ts, bothVerdict). */
export interface BothSandboxResult extends RoleRunVerdict {
  role: 'both';
  supply: OutcomeReport;
  demand: DemandReport;
}

export type AnySandboxResult = SandboxResult | DemandSandboxResult | BothSandboxResult;

export class SandboxError extends Error {
  override readonly name = 'SandboxError';
}

/** Reads the rules from a connector config file (the example config by default). */
export function loadRules(configPath: string = DEFAULT_CONFIG_PATH): Rules {
  const text = readFileSync(configPath, 'utf8');
  const raw: unknown = JSON.parse(text);
  // A file with `marketplace` is a whole connector config; otherwise just the rules object.
  if (typeof raw === 'object' && raw !== null && 'marketplace' in raw)
    return parseConnectorConfig(raw, configPath).rules;
  return parseRules(text);
}

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
  if (options.scenario === 'contention' && options.mode !== 'once')
    throw new SandboxError('the contention scenario is played with --once');
  if (role !== 'supply' && options.mode !== 'once')
    throw new SandboxError(`role ${role} is played with --once`);
  if (role !== 'supply' && options.scenario === 'contention')
    throw new SandboxError('the contention drill is for role supply');
  if (
    options.captureDir !== undefined &&
    (options.mode !== 'once' || options.scenario === 'contention')
  )
    throw new SandboxError('the capture is for --once runs without the contention drill');
  if (isSupplyDrill(options.scenario) && (options.mode !== 'once' || role !== 'supply'))
    throw new SandboxError(`the ${options.scenario} drill is played with --once, role supply`);
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
    // --- AWS stand-ins -------------------------------------------------------------------------
    const { dynalite, dynamo, fauxqs, sqs, queues } = await startAwsStandIns(TABLE_NAME, cleanups);

    // --- the marketplace ------------------------------------------------------------------------
    const simulator = await startSimulator({
      signatureVersion: options.signatureVersion ?? DEFAULT_SIGNATURE_VERSION,
      // The made-up clients (their canaries) follow the run's seed.
      seed: options.seed ?? 1,
      ...(options.verbose
        ? {
            onCall: (call: SimulatorCall) => {
              print(`marketplace: ${call.action} ${short(call.offerId)} -> ${call.status}`);
            },
          }
        : {}),
    });
    cleanups.push({ name: 'simulator', stop: () => simulator.stop() });
    const connector = connectorOrganization(simulator, role);
    // Plain supply runs win what they accept (auto assignment) and take the referrals in.
    const referrals = role === 'supply' && options.mode === 'once' && !drill;
    if (referrals) {
      simulator.setAssignment(simulator.demandOrganizationId, 'auto');
      connector.topicArns.push(simulator.inboxReferralsTopicArn);
    }
    const bus = localReferralBus(options.verbose ? print : undefined);
    const marketplace = () =>
      new MarketplaceClient({
        baseUrl: simulator.url,
        credentials: async () => connector.credentials,
      });
    // An outage drill changes some of the wiring below (receiver, worker, reconciler) and plays the run.
    const supplyDrill = await startSupplyDrill(options.scenario, connector.credentials);
    if (supplyDrill)
      cleanups.push({ name: `${supplyDrill.name} drill`, stop: () => supplyDrill.stop() });

    // --- the connector: the real receiver and worker --------------------------------------------
    const receiver = createReceiver({
      allowedTopicArns: connector.topicArns,
      queue: new SqsEventQueue(sqs, queues.url),
      httpGet: createSnsRoutingHttpGet({
        localUrl: simulator.snsLocalUrl,
        regions: [simulator.region],
      }),
      logger: new Logger({ serviceName: 'receiver', logLevel }),
      ...(capture ? { metrics: capture.metrics('receiver') } : {}),
    });
    const api = await startLocalApi({
      handler: supplyDrill?.receiver?.(receiver) ?? receiver,
      onHandlerError: (error) => {
        print(`api: receiver threw: ${errorMessage(error)}`);
      },
    });
    cleanups.push({ name: 'local API', stop: () => api.close() });

    const appliedWrites = new Map<string, number>();
    const units = new DynamoUnitStore(DynamoDBDocumentClient.from(dynamo), TABLE_NAME);
    // The accept caps of `--rules` (rules.limits), counted in the same table as in AWS.
    const counter = new DynamoAcceptCounter(DynamoDBDocumentClient.from(dynamo), TABLE_NAME);
    const store = countAppliedWrites(
      new DynamoOfferStore(DynamoDBDocumentClient.from(dynamo), TABLE_NAME),
      appliedWrites,
    );
    // One worker per concurrent invocation, each with its own client and logger, as each Lambda
    // execution environment has; the plain runs use one.
    const workers = Array.from({ length: drill?.workerInvocations ?? 1 }, () => {
      const drillWorker = supplyDrill?.worker;
      const workerLogger = new Logger({
        serviceName: 'worker',
        logLevel: drillWorker?.quiet && !options.verbose ? 'CRITICAL' : logLevel,
      });
      // As the worker's handler does: refused logins count in MarketplaceLoginFailures (the drill checks it).
      const client = drillWorker?.credentials
        ? new MarketplaceClient({
            baseUrl: simulator.url,
            credentials: drillWorker.credentials,
            onLogin: loginReporter(workerLogger, drillWorker.metrics),
          })
        : marketplace();
      return createWorker({
        marketplace: client,
        store,
        units,
        counter,
        rules,
        role,
        // Demand side: one login holds every persona of the organisation, so the same client assigns.
        ...(role === 'supply'
          ? {}
          : { demandAssignment: 'first-accepted' as const, demandMarketplace: client }),
        // The review topic's stand-in: a line per notification in the story.
        notifier: capture ? capture.notifier(printNotifier(print)) : printNotifier(print),
        referralMarketplace: client,
        markReferralsProcessed: true,
        referralPublisher: capture ? capture.publisher(bus) : bus,
        logger: workerLogger,
        ...(capture ? { metrics: capture.metrics('worker') } : {}),
        // As in AWS: a failed record comes back in seconds, one out of time is re-sent.
        retry: new SqsEventQueue(sqs, queues.url),
        ...(drillWorker?.timing ? { timing: drillWorker.timing } : {}),
        ...(drillWorker?.metrics ? { metrics: drillWorker.metrics } : {}),
      });
    });
    const poller = startSqsPoller({
      client: sqs,
      queueUrl: queues.url,
      queueArn: queues.arn,
      region: EMULATOR_AWS.region,
      handler: workers,
      ...(drill ? { batchSize: drill.batchSize } : {}),
      onError: (error) => {
        if (!options.signal?.aborted) print(`poller: ${errorMessage(error)}`);
      },
    });
    // Stopped before the servers it talks to (cleanups run in reverse).
    cleanups.push({ name: 'SQS poller', stop: () => poller.stop() });

    print(
      `sandbox: services up (marketplace ${simulator.url}, receiver ${api.endpoint}, DynamoDB ${dynalite.endpoint}, SQS ${fauxqs.endpoint})`,
    );
    if (options.verbose)
      print(
        `sandbox: marketplace login ${connector.credentials.username} (password generated for this run)`,
      );

    for (const topicArn of connector.topicArns) {
      await simulator.subscribe(topicArn, api.endpoint);
      print(`sandbox: subscription to ${topicArn} confirmed by the receiver`);
    }
    // The operator CLI's way in (npx connector ... --sandbox): stream runs only, see resources-file.ts.
    if (options.mode === 'stream') {
      cleanups.push(
        writeSandboxResources(
          sandboxResources({
            dynamo: dynalite.endpoint,
            sqs: fauxqs.endpoint,
            tableName: TABLE_NAME,
            queues,
            receiver: api.endpoint,
            connector,
            marketplaceUrl: simulator.url,
          }),
        ),
      );
    }

    // --- the contention drill: faults, and the reconciler beside SNS ------------------------------
    // Faults start after the subscription: they are about the run, not about setting it up.
    if (drill) simulator.faults.set(drill.faults);
    // The contention drill's reconciler, or an outage drill's (through the drill's queue wrapper).
    const schedule = drill
      ? { intervalMs: drill.reconcilerIntervalMs, minMatchAgeMs: drill.reconcilerMinMatchAgeMs }
      : supplyDrill?.reconciler;
    const reconcilerQueue = new SqsEventQueue(sqs, queues.url);
    const reconciler = schedule
      ? startReconcilerLoop(
          createReconciler({
            inbox: marketplace(),
            store,
            queue: supplyDrill?.reconciler?.queue(reconcilerQueue) ?? reconcilerQueue,
            logger: new Logger({ serviceName: 'reconciler', logLevel }),
            minMatchAgeMs: schedule.minMatchAgeMs,
          }),
          schedule.intervalMs,
          (error) => {
            if (options.verbose) print(`reconciler: run failed: ${errorMessage(error)}`);
          },
        )
      : undefined;
    if (reconciler) cleanups.push({ name: 'reconciler', stop: () => reconciler.stop() });

    const published: WireInboxOfferDetail[] = [];
    const describe = (offerId: string) => {
      const detail = simulator.getOffer(offerId);
      return detail ? describeOffer(detail) : 'unknown offer';
    };
    const publish = (step: ScenarioStep) => {
      const copies = step.copies ? { copies: step.copies } : {};
      // Matched to the connector's organisation alone (role both: the organisation with both personas).
      const to = (offer: NewOffer): NewOffer => ({
        ...offer,
        supplyOrganizationId: connector.organizationId,
      });
      const created =
        step.kind === 'shift'
          ? simulator.addShift(step.offers.map(to), copies)
          : [simulator.addOffer(to(step.offer), copies)];
      published.push(...created);
      if (options.verbose) {
        for (const d of created)
          print(
            `offer   ${short(d.offer.id)} ${describeOffer(d)}${d.offer.shift_id ? ` (shift ${short(d.offer.shift_id)})` : ''}${step.copies ? ` (delivered ${step.copies} times)` : ''}`,
          );
      }
    };
    // The drill counts only each offer's own settled decision; the plain runs keep the legacy fallback.
    const watch = new DecisionWatch({
      store,
      print,
      describe,
      legacyShiftFallback: !drill && !supplyDrill,
    });

    const drained = () => queueDrained(sqs, queues.url);
    let outbox: { offers: PostedOutboxOffer[]; watch: AssignmentWatch } | undefined;
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
      await reconciler?.stop();
      if (reconciler) await waitUntil(drained, 10000, options.signal);
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
        outbox = { offers, watch: new AssignmentWatch(store, simulator, print) };
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
      if (referrals)
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
      await reconciler?.stop();
      if (reconciler) await waitUntil(() => queueDrained(sqs, queues.url), 10000, options.signal);
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

    await poller.stop();
    if (capture) {
      await capture.write({ dynamo, simulator, credentials: connector.credentials });
      print(`sandbox: capture written to ${options.captureDir}`);
    }
    const deadLettered =
      options.mode === 'once'
        ? await queueDepth(sqs, queues.dlqUrl)
        : await queueDepthOrUndefined(sqs, queues.dlqUrl);
    const scenario = drill ? 'contention' : options.mode;
    if (outbox) {
      const demand = await collectDemandOutcomes({
        store,
        simulator,
        offers: outbox.offers,
        outboxTopicArn: connector.outboxTopicArn ?? '',
        deadLettered,
      });
      for (const line of demand.lines) print(line);
      if (role === 'demand')
        return {
          role,
          demand,
          summary: demand.summary,
          ok: demand.ok,
          problems: demand.problems,
          notes: demand.notes,
        };
      const supply = await collectOutcomes({
        scenario,
        store,
        simulator,
        offers: published,
        rules,
        appliedWrites,
        deadLettered,
      });
      return { role: 'both', supply, demand, ...bothVerdict(supply, demand) };
    }
    const report = await collectOutcomes({
      scenario,
      store,
      simulator,
      offers: published,
      rules,
      appliedWrites,
      deadLettered,
    });
    if (supplyDrill) {
      const verdict = supplyDrill.verdict({
        simulator,
        report,
        published,
        ...(reconciler ? { reconciler: reconciler.stats() } : {}),
      });
      const problems = [...report.problems, ...verdict.problems];
      return {
        ...report,
        notes: [...report.notes, ...verdict.notes],
        problems,
        ok: report.ok && verdict.problems.length === 0,
      };
    }
    if (!drill || !reconciler) return report;
    const measured = drillReport({
      simulator,
      offers: published,
      rules,
      poller: poller.stats(),
      reconciler: reconciler.stats(),
    });
    for (const line of drillLines(measured)) print(line);
    return { ...report, drill: measured };
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

/** The options the demand player and waiter take as they are (absent ones left out). */
function flags(options: SandboxOptions): { verbose?: boolean; signal?: AbortSignal } {
  return {
    ...(options.verbose ? { verbose: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
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
