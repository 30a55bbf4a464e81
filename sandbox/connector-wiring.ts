/**
 * The connector as the sandbox runs it: the real receiver behind a local API Gateway, the real
 * worker behind a local SQS poller, and (for the drills) the real reconciler on a timer, all on
 * the run's stand-ins (aws-stand-ins.ts) and marketplace (sandbox-marketplace.ts).
 */
import { connectorLogger } from '../lambdas/adapters/observability';
import type { Role, Rules } from '../lambdas/core/config';
import { DynamoAcceptCounter } from '../lambdas/adapters/dynamo-accept-counter';
import { Documents } from '../lambdas/adapters/dynamo-documents';
import { DynamoOfferStore } from '../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../lambdas/adapters/dynamo-unit-store';
import { loginReporter } from '../lambdas/adapters/login-report';
import { MarketplaceClient } from '../lambdas/adapters/marketplace-client';
import { SqsEventQueue } from '../lambdas/adapters/sqs-event-queue';
import { createReceiver, type ReceiverDeps } from '../lambdas/receiver/receiver';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { MarketplaceSimulator } from './simulator/simulator';
import { createReconciler } from '../lambdas/reconciler/reconciler';
import { createWorker } from '../lambdas/worker/worker';
import type { AwsStandIns, CleanupStep } from './aws-stand-ins';
import type { RunCapture } from './capture';
import { type CONTENTION_DRILL, type ReconcilerLoop, startReconcilerLoop } from './contention';
import { appliedWriteCounter } from './counting-store';
import { EMULATOR_AWS } from './emulators';
import { errorMessage } from './http-util';
import { type LocalApi, startLocalApi } from './local-api';
import { printNotifier } from './print-notifier';
import type { SandboxMarketplace } from './sandbox-marketplace';
import type { SandboxOptions } from './sandbox-options';
import { createSnsRoutingHttpGet } from './sns-routing-http-get';
import { type SqsPoller, startSqsPoller } from './sqs-poller';
import type { SupplyDrill } from './supply-drills';

/** What the wiring needs from the run: its options and the pieces started before the connector. */
export interface WiringInput {
  options: SandboxOptions;
  role: Role;
  rules: Rules;
  print: (line: string) => void;
  logLevel: 'INFO' | 'WARN';
  tableName: string;
  aws: AwsStandIns;
  market: SandboxMarketplace;
  /** The contention drill, when it is played. */
  drill: typeof CONTENTION_DRILL | undefined;
  /** An outage drill, when one is played: it changes parts of the wiring. */
  supplyDrill: SupplyDrill | undefined;
  capture: RunCapture | undefined;
  cleanups: CleanupStep[];
}

export interface RunningConnector {
  api: LocalApi;
  /**
   * The offer store. Its applied decisions, and lone offers' written through the unit store, are
   * counted in `appliedWrites` (offer id to count; sandbox/counting-store.ts).
   */
  store: DynamoOfferStore;
  appliedWrites: Map<string, number>;
  poller: SqsPoller;
}

/**
 * The real receiver as the sandbox and the load benches run it: enqueueing on the emulated queue,
 * with its certificate and SubscribeURL GETs routed to the simulator's SNS.
 */
export function sandboxReceiver(
  input: Pick<ReceiverDeps, 'allowedTopicArns' | 'logger' | 'metrics'> & {
    sqs: SQSClient;
    queueUrl: string;
    simulator: Pick<MarketplaceSimulator, 'snsLocalUrl' | 'region'>;
  },
): ReturnType<typeof createReceiver> {
  const { sqs, queueUrl, simulator, ...deps } = input;
  return createReceiver({
    ...deps,
    queue: new SqsEventQueue(sqs, queueUrl),
    httpGet: createSnsRoutingHttpGet({
      localUrl: simulator.snsLocalUrl,
      regions: [simulator.region],
    }),
  });
}

/** Starts the receiver (behind the local API) and the workers (behind the SQS poller). */
export async function startConnector(input: WiringInput): Promise<RunningConnector> {
  const { options, print, logLevel, capture, supplyDrill, drill, tableName, cleanups } = input;
  const { dynamo, sqs, queues } = input.aws;
  const { simulator, connector, bus, marketplace } = input.market;
  const receiver = sandboxReceiver({
    sqs,
    queueUrl: queues.url,
    simulator,
    allowedTopicArns: connector.topicArns,
    logger: connectorLogger('receiver', { logLevel }),
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
  const counting = appliedWriteCounter(appliedWrites);
  const documents = new Documents(dynamo);
  const units = counting.units(new DynamoUnitStore(documents, tableName));
  // The accept caps of `--rules` (rules.limits), counted in the same table as in AWS.
  const counter = new DynamoAcceptCounter(documents, tableName);
  const store = counting.store(new DynamoOfferStore(documents, tableName));
  // One worker per concurrent invocation, each with its own client and logger, as each Lambda
  // execution environment has; the plain runs use one.
  const workers = Array.from({ length: drill?.workerInvocations ?? 1 }, () => {
    const drillWorker = supplyDrill?.worker;
    const drillCounts = drillWorker?.metrics;
    const workerLogger = connectorLogger('worker', {
      logLevel: drillWorker?.quiet && !options.verbose ? 'CRITICAL' : logLevel,
    });
    // As the worker's handler does: refused logins count in MarketplaceLoginFailures (the drill checks it).
    const client = drillWorker?.credentials
      ? new MarketplaceClient({
          baseUrl: simulator.url,
          credentials: drillWorker.credentials,
          onLogin: loginReporter(workerLogger, drillCounts),
        })
      : marketplace();
    return createWorker({
      marketplace: client,
      store,
      units,
      counter,
      rules: input.rules,
      role: input.role,
      // Demand side: one login holds every persona of the organisation, so the same client assigns.
      ...(input.role === 'supply'
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
  return { api, store, appliedWrites, poller };
}

/**
 * The contention drill's reconciler, or an outage drill's (through the drill's queue wrapper), on
 * a timer (its stop pushed on `cleanups`); none for the plain runs.
 */
export function startSandboxReconciler(
  input: WiringInput,
  store: DynamoOfferStore,
): ReconcilerLoop | undefined {
  const { drill, supplyDrill, options, print } = input;
  const schedule = drill
    ? { intervalMs: drill.reconcilerIntervalMs, minMatchAgeMs: drill.reconcilerMinMatchAgeMs }
    : supplyDrill?.reconciler;
  if (!schedule) return undefined;
  const reconcilerQueue = new SqsEventQueue(input.aws.sqs, input.aws.queues.url);
  const reconciler = startReconcilerLoop(
    createReconciler({
      inbox: input.market.marketplace(),
      store,
      queue: supplyDrill?.reconciler?.queue(reconcilerQueue) ?? reconcilerQueue,
      logger: connectorLogger('reconciler', { logLevel: input.logLevel }),
      minMatchAgeMs: schedule.minMatchAgeMs,
    }),
    schedule.intervalMs,
    (error) => {
      if (options.verbose) print(`reconciler: run failed: ${errorMessage(error)}`);
    },
  );
  input.cleanups.push({ name: 'reconciler', stop: () => reconciler.stop() });
  return reconciler;
}
