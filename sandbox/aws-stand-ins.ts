/**
 * The sandbox's AWS stand-ins, started and wired: dynalite (in a child process) with the offer table, fauxqs with the
 * events queue and its DLQ, and an SDK client for each. Used by the sandbox (run-sandbox.ts) and
 * by the load benchmarks (bench/load), so both run the connector on the same stand-ins.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { cachedDynamoClient } from '../lambdas/adapters/dynamo-documents';
import { createOfferTable } from '../lambdas/adapters/offer-table';
import { EMULATOR_AWS, type RunningEmulator, startDynaliteProcess, startFauxqs } from './emulators';
import { createQueues, type SandboxQueues } from './sandbox-queues';

/** A step to undo at the end; the caller runs them in reverse order. */
export interface CleanupStep {
  name: string;
  stop: () => Promise<void>;
}

export interface AwsStandIns {
  dynalite: RunningEmulator;
  dynamo: DynamoDBClient;
  fauxqs: RunningEmulator;
  sqs: SQSClient;
  queues: SandboxQueues;
}

/**
 * Starts dynalite (and creates `tableName`) and fauxqs (and the queues). Each piece's stop is
 * pushed on `cleanups` as soon as it runs, so a failure half way leaves nothing running once the
 * caller has run them.
 */
export async function startAwsStandIns(
  tableName: string,
  cleanups: CleanupStep[],
): Promise<AwsStandIns> {
  // In a child process: the sandbox's own process runs the connector and the simulator.
  const dynalite = await startDynaliteProcess();
  cleanups.push({ name: 'dynalite', stop: () => dynalite.stop() });
  // Cached middleware, as the functions' client (lambdas/adapters/dynamo-documents.ts).
  const dynamo = cachedDynamoClient({ ...EMULATOR_AWS, endpoint: dynalite.endpoint });
  cleanups.push({
    name: 'DynamoDB client',
    stop: () => {
      dynamo.destroy();
      return Promise.resolve();
    },
  });
  await createOfferTable(dynamo, tableName);

  const fauxqs = await startFauxqs();
  cleanups.push({ name: 'fauxqs', stop: () => fauxqs.stop() });
  const sqs = new SQSClient({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint });
  cleanups.push({
    name: 'SQS client',
    stop: () => {
      sqs.destroy();
      return Promise.resolve();
    },
  });
  const queues = await createQueues(sqs);
  return { dynalite, dynamo, fauxqs, sqs, queues };
}
