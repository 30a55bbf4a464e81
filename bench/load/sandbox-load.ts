/**
 * The sandbox's pieces, put under load: in this process the marketplace simulator (no faults, its
 * SNS delivering by HTTP POST as always, several at once as real SNS does) and the real receiver
 * behind the local API Gateway stand-in; in child processes dynalite and fauxqs
 * (sandbox/aws-stand-ins.ts) and the real worker on the local SQS poller (worker-process.ts),
 * `workers` invocations at once as Lambda runs up to `workerMaxConcurrency` of them, spread over
 * `workerProcesses` processes. So the work spreads over the machine's cores, as in AWS it runs on
 * separate machines.
 *
 * `runLoad` publishes `OfferMatched` at a fixed rate for a while and times each offer at the
 * simulator's boundaries: from just before the simulator publishes it (addOffer signs and queues
 * the SNS delivery) to the simulator's API answering the connector's accept or decline (its
 * `onCall` hook). The rules answer every offer: nursing offers are declined, all else accepted.
 */
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { type CleanupStep, startAwsStandIns } from '../../sandbox/aws-stand-ins';
import { sandboxReceiver } from '../../sandbox/connector-wiring';
import { startLocalApi } from '../../sandbox/local-api';
import { connectorOrganization } from '../../sandbox/roles';
import { queueDepth } from '../../sandbox/sandbox-queues';
import { type NewOffer, startSimulator } from '../../sandbox/simulator/simulator';
import { sleep, waitUntil } from '../../sandbox/timing';
import { cpuSecondsBetween, processCpuSeconds } from './child-cpu';
import { BenchmarkError, DEFAULT_WORKER_PROCESSES, type LoadOptions, splitWorkers } from './stats';
import { startWorkersChild } from './workers-child';

/** Where an offer's time goes, stage by stage (ms; answered offers only, in publication order). */
export interface StageTimes {
  /** Simulator publishes -> SNS's POST reaches the local API (signing and the delivery queue). */
  delivery: number[];
  /** The receiver: verify, enqueue on SQS, answer SNS. */
  receiver: number[];
  /** Enqueued -> a worker invocation gets the record (waiting in the queue: the backlog). */
  queued: number[];
  /** The worker's batch starts -> the simulator gets the answer (earlier records of the batch included). */
  worker: number[];
}

/** The `offer_id` of an SNS Notification's marketplace event, or undefined (confirmations, bad JSON). */
function offerIdOfSns(body: string | null | undefined): string | undefined {
  try {
    const envelope = JSON.parse(body ?? '') as { Type?: unknown; Message?: unknown };
    if (envelope.Type !== 'Notification' || typeof envelope.Message !== 'string') return undefined;
    const id = (JSON.parse(envelope.Message) as { offer_id?: unknown }).offer_id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

const TABLE_NAME = 'bench-offers';

/**
 * SNS deliveries in flight at once to the local API: real SNS delivers concurrently (the
 * simulator's default of one at a time, in order, would cap a run near 150 to 300 offers/s).
 */
const SNS_DELIVERY_CONCURRENCY = 10;

/**
 * The stand-in SNS signs with a 1024-bit key: its signing is not the connector's work (SNS does it
 * in AWS), and at 2048 bits it was about 0.33 ms of this process's CPU per offer. The receiver
 * verifies the signatures exactly as it does SNS's.
 */
const SNS_SIGNING_KEY_BITS = 1024;

/** Every fourth offer is a nursing visit (declined); the rest PSW visits (accepted). */
function offerAt(index: number): NewOffer {
  return { careType: index % 4 === 3 ? 'nursing' : 'psw', city: 'Toronto' };
}

export interface LoadRun {
  rate: number;
  durationS: number;
  /** Publication times, ms from the first (one per offer, in order). */
  publishedMs: number[];
  /** Event-to-answer ms of each answered offer, in publication order of those offers. */
  answeredMs: number[];
  /** For each answered offer, its publication time (ms from the first), paired with answeredMs. */
  answeredPublishedMs: number[];
  stages: StageTimes;
  /** Records in each worker invocation of the timed run (the warm-up's excluded). */
  batchSizes: number[];
  published: number;
  lost: number;
  achievedRate: number;
  /** Accepts and declines the simulator refused (not 204); each is a wrong or late answer. */
  refusedCalls: number;
  deadLettered: number;
  workers: number;
  batchSize: number;
  /** Processes the worker invocations ran in. */
  workerProcesses: number;
  /** CPU time this process used during the run (user + system), in seconds. */
  cpuS: number;
  /** CPU seconds the child processes (the workers, dynalite, fauxqs) used during the run (unknown off Linux). */
  childCpuS?: number;
  /** The same, per child process: the workers', dynalite's and fauxqs's (unknown off Linux). */
  childCpuByName?: { workers: number; dynalite: number; fauxqs: number };
}

export interface LoadSettings {
  rate: number;
  durationS: number;
  workers: number;
  /** SQS records per worker invocation. */
  batchSize: number;
  /** Processes to spread the worker invocations over (default `DEFAULT_WORKER_PROCESSES`). */
  workerProcesses?: number;
  /**
   * Seconds of untimed offers at `rate` before the timed run, which starts once they are all
   * answered (default 0: only the single first offer, which pays the login and certificate).
   */
  warmUpS?: number;
  /** How long after the last publication an offer may still be answered before it counts lost. */
  graceMs?: number;
  /** Told of poller and receiver errors. */
  onProblem?: (line: string) => void;
}

/** A run at `rate` as the load benchmarks' options ask for it, its problems printed to stderr. */
export function loadSettings(options: LoadOptions, rate: number): LoadSettings {
  return {
    rate,
    durationS: options.durationS,
    workers: options.workers,
    batchSize: options.batchSize,
    ...(options.workerProcesses !== undefined ? { workerProcesses: options.workerProcesses } : {}),
    warmUpS: options.warmUpS ?? 0,
    onProblem: (line) => {
      console.error(line);
    },
  };
}

/** How long the warm-up's offers may take to be answered after the last is published. */
const WARM_UP_DRAIN_MS = 60000;

/**
 * The warm-up's offers were not all answered within `WARM_UP_DRAIN_MS` of the last: the rate is
 * far beyond what the sandbox holds, and it is not timed.
 */
export class WarmUpBacklogError extends BenchmarkError {}

/**
 * Publishes `total` offers at `rate`/s, offer i due at start + i / rate (a late timer publishes
 * what is due at once, keeping the rate), yielding to the event loop between publications so the
 * deliveries, the receiver and the workers run. Resolves with the start (performance clock).
 */
async function publishAtRate(
  rate: number,
  total: number,
  publish: (index: number) => void,
): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < total;) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 1) {
      await sleep(wait);
      continue;
    }
    while (i < total && start + (i * 1000) / rate <= performance.now()) {
      publish(i);
      i += 1;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return start;
}

/** Starts the pieces, publishes `rate` offers/s for `durationS`, waits for the answers, stops all. */
export async function runLoad(settings: LoadSettings): Promise<LoadRun> {
  if (!(settings.rate > 0) || !(settings.durationS > 0))
    throw new BenchmarkError('rate and duration must be positive');
  const problem = settings.onProblem ?? (() => undefined);
  const cleanups: CleanupStep[] = [];
  try {
    const { sqs, queues, dynalite, fauxqs } = await startAwsStandIns(TABLE_NAME, cleanups);

    const publishedAt = new Map<string, number>();
    const answeredAt = new Map<string, number>();
    let refusedCalls = 0;
    const simulator = await startSimulator({
      signatureVersion: '2',
      seed: 1,
      maxConcurrentDeliveries: SNS_DELIVERY_CONCURRENCY,
      signingKeyBits: SNS_SIGNING_KEY_BITS,
      onCall: (call) => {
        const at = performance.now();
        if (call.status !== 204) refusedCalls += 1;
        for (const id of call.affectedOfferIds) if (!answeredAt.has(id)) answeredAt.set(id, at);
      },
    });
    cleanups.push({ name: 'simulator', stop: () => simulator.stop() });
    const connector = connectorOrganization(simulator, 'supply');
    const logger = (serviceName: string) => new Logger({ serviceName, logLevel: 'ERROR' });

    const receiver = sandboxReceiver({
      sqs,
      queueUrl: queues.url,
      simulator,
      allowedTopicArns: connector.topicArns,
      logger: logger('receiver'),
    });
    // Stage clocks, read around the real receiver and worker (they are not changed).
    let timing = false;
    const deliveredAt = new Map<string, number>();
    const enqueuedAt = new Map<string, number>();
    const pickedAt = new Map<string, number>();
    const batchSizes: number[] = [];
    // Receiver calls still running: stopping waits for them while the queue is still up (SNS
    // delivers several at once, so a run cut short leaves some in flight).
    const receiving = new Set<Promise<unknown>>();
    const timedReceiver: typeof receiver = async (event) => {
      const at = performance.now();
      const call = receiver(event);
      receiving.add(call);
      const result = await call.finally(() => receiving.delete(call));
      const id = offerIdOfSns(event.body);
      if (id !== undefined && !deliveredAt.has(id)) {
        deliveredAt.set(id, at);
        enqueuedAt.set(id, performance.now());
      }
      return result;
    };
    const api = await startLocalApi({
      handler: timedReceiver,
      onHandlerError: (error) => {
        problem(`api: receiver threw: ${String(error)}`);
      },
    });
    cleanups.push({
      name: 'local API',
      stop: async () => {
        await api.close();
        await Promise.allSettled(receiving);
      },
    });

    // The workers in processes of their own (worker-process.ts), as Lambda runs them apart
    // (`workerProcesses` of them, each running its share of the invocations).
    const shares = splitWorkers(
      settings.workers,
      settings.workerProcesses ?? DEFAULT_WORKER_PROCESSES,
    );
    const workerPids: Array<number | undefined> = [];
    for (const [index, share] of shares.entries()) {
      const workers = await startWorkersChild({
        settings: {
          simulatorUrl: simulator.url,
          credentials: connector.credentials,
          dynamoEndpoint: dynalite.endpoint,
          tableName: TABLE_NAME,
          sqsEndpoint: fauxqs.endpoint,
          queueUrl: queues.url,
          queueArn: queues.arn,
          workers: share,
          batchSize: settings.batchSize,
        },
        onBatch: (at, offerIds, size) => {
          if (timing) batchSizes.push(size);
          for (const id of offerIds) if (!pickedAt.has(id)) pickedAt.set(id, at);
        },
        onProblem: problem,
      });
      cleanups.push({ name: `workers ${index + 1}`, stop: () => workers.stop() });
      workerPids.push(workers.pid);
    }
    const childCpu = () => [dynalite.pid, fauxqs.pid, ...workerPids].map(processCpuSeconds);
    for (const topicArn of connector.topicArns) await simulator.subscribe(topicArn, api.endpoint);

    // Warm-up, untimed: the first offer pays the login, the certificate fetch and the JIT.
    simulator.addOffer({ ...offerAt(0), supplyOrganizationId: connector.organizationId });
    if (!(await waitUntil(() => Promise.resolve(answeredAt.size >= 1), 15000, undefined, 20)))
      throw new BenchmarkError('the warm-up offer was not answered within 15 s');
    // Then, for a steady rate, the rate itself for a while: the hot paths compiled and the stand-ins
    // filled, as in a connector that has been answering for a while. Timing starts once every
    // warm-up offer is answered, so no backlog carries into it.
    const warmUp = Math.round(settings.rate * (settings.warmUpS ?? 0));
    if (warmUp > 0) {
      await publishAtRate(settings.rate, warmUp, (i) => {
        simulator.addOffer({ ...offerAt(i), supplyOrganizationId: connector.organizationId });
      });
      if (
        !(await waitUntil(
          () => Promise.resolve(answeredAt.size >= 1 + warmUp),
          WARM_UP_DRAIN_MS,
          undefined,
          50,
        ))
      )
        throw new WarmUpBacklogError(
          `${1 + warmUp - answeredAt.size} of the warm-up's offers were still unanswered ${WARM_UP_DRAIN_MS / 1000} s after the last`,
        );
    }
    // The timed run's counts start from here: the warm-up's answers, clocks, refusals and
    // dead letters are not its own.
    answeredAt.clear();
    pickedAt.clear();
    deliveredAt.clear();
    enqueuedAt.clear();
    refusedCalls = 0;
    const deadLetteredBefore = await queueDepth(sqs, queues.dlqUrl);

    // --- the timed run: offer i is due at start + i / rate -------------------------------------
    const total = Math.max(1, Math.round(settings.rate * settings.durationS));
    const order: string[] = [];
    timing = true;
    const cpuBefore = process.cpuUsage();
    const childCpuBefore = childCpu();
    const start = await publishAtRate(settings.rate, total, (i) => {
      const t = performance.now();
      const detail = simulator.addOffer({
        ...offerAt(i),
        supplyOrganizationId: connector.organizationId,
      });
      publishedAt.set(detail.offer.id, t);
      order.push(detail.offer.id);
    });
    const publishEnd = performance.now();
    await waitUntil(
      () => Promise.resolve(answeredAt.size >= total),
      settings.graceMs ?? 10000,
      undefined,
      50,
    );
    const cpu = process.cpuUsage(cpuBefore);
    const childCpuAfter = childCpu();
    const childCpuS = cpuSecondsBetween(childCpuBefore, childCpuAfter);
    const [dynaliteCpu, fauxqsCpu] = childCpuBefore.map((before, i) =>
      cpuSecondsBetween([before], [childCpuAfter[i]]),
    );
    const workersCpu = cpuSecondsBetween(childCpuBefore.slice(2), childCpuAfter.slice(2));
    // A moment for anything in flight, so the queue depths are read once it has settled.
    await sleep(200);
    const deadLettered = (await queueDepth(sqs, queues.dlqUrl)) - deadLetteredBefore;

    const publishedMs = order.map((id) => (publishedAt.get(id) ?? start) - start);
    const answeredMs: number[] = [];
    const answeredPublishedMs: number[] = [];
    const stages: StageTimes = { delivery: [], receiver: [], queued: [], worker: [] };
    for (const id of order) {
      const answered = answeredAt.get(id);
      if (answered === undefined) continue;
      const [published, delivered, enqueued, picked] = [
        publishedAt.get(id),
        deliveredAt.get(id),
        enqueuedAt.get(id),
        pickedAt.get(id),
      ];
      if (
        published !== undefined &&
        delivered !== undefined &&
        enqueued !== undefined &&
        picked !== undefined
      ) {
        stages.delivery.push(delivered - published);
        stages.receiver.push(enqueued - delivered);
        stages.queued.push(picked - enqueued);
        stages.worker.push(answered - picked);
      }
      answeredMs.push(answered - (publishedAt.get(id) ?? start));
      answeredPublishedMs.push((publishedAt.get(id) ?? start) - start);
    }
    // A run with an injected fault measures the fault, not the connector.
    const faults = simulator.faults.log.length;
    if (faults > 0)
      throw new BenchmarkError(
        `the simulator injected ${faults} fault(s): the benchmark must run without`,
      );
    // The asked duration, unless publishing overran it (a backlog the publisher could not keep up with).
    const elapsedS = Math.max(settings.durationS, (publishEnd - start) / 1000);
    return {
      rate: settings.rate,
      durationS: settings.durationS,
      publishedMs,
      answeredMs,
      answeredPublishedMs,
      stages,
      batchSizes,
      published: total,
      lost: total - answeredMs.length,
      achievedRate: total / elapsedS,
      refusedCalls,
      deadLettered,
      workers: settings.workers,
      batchSize: settings.batchSize,
      workerProcesses: shares.length,
      cpuS: (cpu.user + cpu.system) / 1e6,
      ...(childCpuS !== undefined ? { childCpuS } : {}),
      ...(workersCpu !== undefined && dynaliteCpu !== undefined && fauxqsCpu !== undefined
        ? { childCpuByName: { workers: workersCpu, dynalite: dynaliteCpu, fauxqs: fauxqsCpu } }
        : {}),
    };
  } finally {
    for (const step of cleanups.reverse()) {
      try {
        await step.stop();
      } catch (error: unknown) {
        problem(`stopping ${step.name} failed: ${String(error)}`);
      }
    }
  }
}
