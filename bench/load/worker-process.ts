/**
 * The worker side of the load benchmarks, in a process of its own (forked by sandbox-load.ts):
 * the real worker on the local SQS poller, `workers` invocations at once, against the simulator's
 * API, dynalite and fauxqs. In AWS the workers run in Lambda environments of their own, apart from
 * the marketplace; here it lets the workers and the simulator with the receiver use the two cores.
 *
 * It tells its parent, per worker invocation, when the invocation started (epoch ms, as
 * `performance.timeOrigin + performance.now()`, comparable across processes) and which offers its
 * records were about.
 */
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseRules, type Rules } from '../../lambdas/core/config';
import { DynamoAcceptCounter } from '../../lambdas/adapters/dynamo-accept-counter';
import { cachedDynamoClient, Documents } from '../../lambdas/adapters/dynamo-documents';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { MarketplaceClient } from '../../lambdas/adapters/marketplace-client';
import { SqsEventQueue } from '../../lambdas/adapters/sqs-event-queue';
import { createWorker } from '../../lambdas/worker/worker';
import { EMULATOR_AWS } from '../../sandbox/emulators';
import { startSqsPoller } from '../../sandbox/sqs-poller';
import { memoryLine, trackMemory } from './worker-memory';

/** What the parent sends: the settings (once), then `stop`. */
export type ToWorkers =
  | {
      type: 'start';
      simulatorUrl: string;
      credentials: { username: string; password: string };
      dynamoEndpoint: string;
      tableName: string;
      sqsEndpoint: string;
      queueUrl: string;
      queueArn: string;
      workers: number;
      batchSize: number;
    }
  | { type: 'stop' };

/** What the process sends back. */
export type FromWorkers =
  | { type: 'ready' }
  /** One worker invocation: when it started (epoch ms) and the offer id of each record. */
  | { type: 'batch'; at: number; offerIds: string[]; size: number }
  | { type: 'problem'; line: string }
  | { type: 'stopped' };

/** Rules that answer every offer at once: no review, no ignore. */
export const ANSWER_EVERY_OFFER: Rules = parseRules(
  JSON.stringify({
    defaultAction: 'accept',
    rules: [
      {
        name: 'decline-nursing',
        match: { care_type: ['nursing'] },
        action: 'decline',
        declineReasonCode: 'no_employee_with_skills',
      },
    ],
  }),
);

/** The `offer_id` of a queued record (the receiver's envelope around the SNS message), or undefined. */
export function offerIdOfRecord(body: string): string | undefined {
  try {
    const queued = JSON.parse(body) as { message?: unknown };
    if (typeof queued.message !== 'string') return undefined;
    const id = (JSON.parse(queued.message) as { offer_id?: unknown }).offer_id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function send(message: FromWorkers): void {
  process.send?.(message);
}

function start(settings: Extract<ToWorkers, { type: 'start' }>): () => Promise<void> {
  const sqs = new SQSClient({ ...EMULATOR_AWS, endpoint: settings.sqsEndpoint });
  // As the worker's handler builds it: middleware cached (lambdas/adapters/dynamo-documents.ts).
  const dynamo = cachedDynamoClient({ ...EMULATOR_AWS, endpoint: settings.dynamoEndpoint });
  const documents = new Documents(dynamo);
  const store = new DynamoOfferStore(documents, settings.tableName);
  const units = new DynamoUnitStore(documents, settings.tableName);
  const counter = new DynamoAcceptCounter(documents, settings.tableName);
  const logger = new Logger({ serviceName: 'worker', logLevel: 'ERROR' });
  // One worker per concurrent invocation, each with its own client, as each Lambda environment has.
  const handlers = Array.from({ length: settings.workers }, () => {
    const worker = createWorker({
      marketplace: new MarketplaceClient({
        baseUrl: settings.simulatorUrl,
        credentials: () => Promise.resolve(settings.credentials),
      }),
      store,
      units,
      counter,
      rules: ANSWER_EVERY_OFFER,
      role: 'supply',
      logger,
      retry: new SqsEventQueue(sqs, settings.queueUrl),
    });
    return (event: SQSEvent) => {
      const at = performance.timeOrigin + performance.now();
      const offerIds: string[] = [];
      for (const record of event.Records) {
        const id = offerIdOfRecord(record.body);
        if (id !== undefined) offerIds.push(id);
      }
      send({ type: 'batch', at, offerIds, size: event.Records.length });
      return worker(event);
    };
  });
  const poller = startSqsPoller({
    client: sqs,
    queueUrl: settings.queueUrl,
    queueArn: settings.queueArn,
    region: EMULATOR_AWS.region,
    handler: handlers,
    batchSize: settings.batchSize,
    onError: (error) => {
      send({ type: 'problem', line: `poller: ${String(error)}` });
    },
  });
  return async () => {
    await poller.stop();
    sqs.destroy();
    dynamo.destroy();
  };
}

/** Runs when forked: waits for `start`, then for `stop`. */
if (process.send !== undefined) {
  let stop: (() => Promise<void>) | undefined;
  // The process's peak memory, printed when it stops (worker-memory.ts: the worker's memory size).
  let memory: { tracker: ReturnType<typeof trackMemory>; workers: number } | undefined;
  process.on('message', (message: ToWorkers) => {
    if (message.type === 'start') {
      memory = { tracker: trackMemory(), workers: message.workers };
      stop = start(message);
      send({ type: 'ready' });
      return;
    }
    void (stop?.() ?? Promise.resolve()).finally(() => {
      if (memory !== undefined) console.log(memoryLine(memory.tracker.stop(), memory.workers));
      send({ type: 'stopped' });
      process.disconnect();
    });
  });
}
