/**
 * Shared by the connector-cli-*.test.ts integration tests of the operator CLI: a hook pair that
 * starts dynalite (with the offer table), fauxqs and the marketplace simulator for the calling file,
 * whose clients and stores are live bindings (read them inside tests only); resources(), a
 * sandbox-shaped ConnectorResources with a fresh events queue and DLQ; run() and json(), the CLI's
 * main called with them at a fixed NOW; and decision(), a settled decision to record.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { cachedDynamoClient, Documents } from '../../lambdas/adapters/dynamo-documents';
import { main } from '../../cli/connector/main';
import type { ConnectorResources } from '../../cli/connector/resources';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { createOfferTable } from '../../lambdas/adapters/offer-table';
import type { RecordedDecision } from '../../lambdas/core/ports';
import {
  EMULATOR_AWS,
  type RunningEmulator,
  startDynalite,
  startFauxqs,
} from '../../sandbox/emulators';
import { type MarketplaceSimulator, startSimulator } from '../../sandbox/simulator/simulator';
import { shutDown } from './shut-down';

export const TABLE = 'cli-offers';
export const NOW = new Date('2026-11-30T12:00:00Z');
export const ago = (ms: number) => new Date(NOW.getTime() - ms);
export const MIN = 60_000;

let dynalite: RunningEmulator;
let fauxqs: RunningEmulator;
export let simulator: MarketplaceSimulator;
export let sqs: SQSClient;
export let raw: DynamoDBClient;
export let store: DynamoOfferStore;
export let units: DynamoUnitStore;
/** Makes queue names unique within the file. */
let queueCounter = 0;

/** Registers the calling file's beforeAll (emulators started, table created) and afterAll. */
export function useConnectorCliEmulators(): void {
  beforeAll(async () => {
    [dynalite, fauxqs, simulator] = await Promise.all([
      startDynalite(),
      startFauxqs(),
      startSimulator(),
    ]);
    raw = cachedDynamoClient({ ...EMULATOR_AWS, endpoint: dynalite.endpoint });
    await createOfferTable(raw, TABLE);
    store = new DynamoOfferStore(new Documents(raw), TABLE);
    units = new DynamoUnitStore(new Documents(raw), TABLE);
    sqs = new SQSClient({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint });
  });

  afterAll(() => shutDown([sqs, raw], [fauxqs, dynalite, simulator]));
}

async function queueUrl(name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-${++queueCounter}` }),
  );
  if (QueueUrl === undefined) throw new Error('no queue URL');
  return QueueUrl;
}

/** Resources with a fresh events queue and DLQ of their own. */
export async function resources(): Promise<ConnectorResources> {
  const queue = await queueUrl('events');
  const dlq = await queueUrl('dlq');
  return {
    source: 'sandbox',
    region: EMULATOR_AWS.region,
    tableName: TABLE,
    queueUrl: queue,
    queueArn: `arn:aws:sqs:${EMULATOR_AWS.region}:000000000000:${queue.slice(queue.lastIndexOf('/') + 1)}`,
    dlqUrl: dlq,
    endpointUrl: 'http://127.0.0.1:9/sns',
    role: 'supply',
    marketplace: { baseUrl: simulator.url, login: simulator.credentials },
    emulator: {
      dynamodb: dynalite.endpoint,
      sqs: fauxqs.endpoint,
      credentials: { ...EMULATOR_AWS.credentials },
    },
  };
}

export async function run(
  argv: string[],
  r: ConnectorResources,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    now: () => NOW,
    resources: async () => r,
  });
  return { code, out, err };
}

type Counts = Record<string, number>;

/** What these tests read of `--json` output, each command's fields optional (one type for all). */
interface JsonOutput {
  [field: string]: unknown;
  events: { lastHour: Counts; lastDay: Counts };
  failedEvents: { lastHour: Counts; lastDay: Counts };
  claimedEvents: { lastHour: Counts; lastDay: Counts };
  decisions: { lastHour: Counts; lastDay: Counts };
  record: { events: { eventId: string }[]; decision: unknown };
  eventId: string;
  deadLetters: { eventId?: string }[];
  moved: unknown[];
  subscriptions: { topic: string }[];
}

export const json = async (argv: string[], r: ConnectorResources) => {
  const result = await run([...argv, '--json'], r);
  return { ...result, data: JSON.parse(result.out) as JsonOutput };
};

export function decision(overrides: Partial<RecordedDecision> = {}): RecordedDecision {
  return {
    action: 'accept',
    rule: 'psw visits',
    reason: 'rule "psw visits" matched',
    state: 'applied',
    eventId: 'e-0',
    decidedAt: ago(5 * MIN).toISOString(),
    rulesVersion: 'v-7',
    explanation: ['rule "psw visits": care_type matched'],
    ...overrides,
  };
}
