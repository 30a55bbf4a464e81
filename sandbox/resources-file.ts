/**
 * `.sandbox/resources.json`: where a running stream-mode sandbox (`npm start`) tells the operator
 * CLI (`npx connector ... --sandbox`) how to reach it: the emulators' endpoints, the table and
 * queues, the receiver's URL, the role and topics, and the simulator's URL and this run's login
 * (generated for the run; the file is the user's alone, mode 0600). Written once the sandbox is
 * ready, removed when it stops (only if it is still this run's). `--once` runs write none: they end
 * by themselves, and several may run at once.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { EMULATOR_AWS } from './emulators';

export const SANDBOX_RESOURCES_FILE = path.join(__dirname, '..', '.sandbox', 'resources.json');

export const sandboxResourcesSchema = v.object({
  version: v.literal(1),
  pid: v.pipe(v.number(), v.integer()),
  startedAt: v.string(),
  region: v.string(),
  credentials: v.object({ accessKeyId: v.string(), secretAccessKey: v.string() }),
  dynamoEndpoint: v.string(),
  sqsEndpoint: v.string(),
  tableName: v.string(),
  queueUrl: v.string(),
  queueArn: v.string(),
  dlqUrl: v.string(),
  endpointUrl: v.string(),
  role: v.picklist(['supply', 'demand', 'both']),
  topicArns: v.array(v.string()),
  marketplace: v.object({ baseUrl: v.string(), username: v.string(), password: v.string() }),
});

export type SandboxResources = v.InferOutput<typeof sandboxResourcesSchema>;

/** Writes the file; the returned step removes it (if it is still this process's). */
export function writeSandboxResources(
  resources: SandboxResources,
  file: string = SANDBOX_RESOURCES_FILE,
): { name: string; stop: () => Promise<void> } {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(resources, null, 2)}\n`, { mode: 0o600 });
  return {
    name: 'sandbox resources file',
    stop: async () => {
      try {
        const current: unknown = JSON.parse(readFileSync(file, 'utf8'));
        if (
          typeof current === 'object' &&
          current !== null &&
          (current as { pid?: unknown }).pid === resources.pid
        )
          rmSync(file, { force: true });
      } catch {
        // Gone already, or unreadable: not ours to remove.
      }
    },
  };
}

/** The file's content for this run, from what the sandbox started. */
export function sandboxResources(run: {
  dynamo: string;
  sqs: string;
  tableName: string;
  queues: { url: string; arn: string; dlqUrl: string };
  receiver: string;
  connector: {
    role: SandboxResources['role'];
    topicArns: string[];
    credentials: { username: string; password: string };
  };
  marketplaceUrl: string;
}): SandboxResources {
  return {
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    region: EMULATOR_AWS.region,
    credentials: { ...EMULATOR_AWS.credentials },
    dynamoEndpoint: run.dynamo,
    sqsEndpoint: run.sqs,
    tableName: run.tableName,
    queueUrl: run.queues.url,
    queueArn: run.queues.arn,
    dlqUrl: run.queues.dlqUrl,
    endpointUrl: run.receiver,
    role: run.connector.role,
    topicArns: run.connector.topicArns,
    marketplace: { baseUrl: run.marketplaceUrl, ...run.connector.credentials },
  };
}
