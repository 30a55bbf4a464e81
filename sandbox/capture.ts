/**
 * `npm start -- --once --capture DIR`: what the connector wrote during the run, kept for a search
 * (the no-PHI e2e test searches it, with the run's stdout and stderr, for the simulator's client
 * canaries). Written at the end of the run:
 *
 * - `connector/dynamodb.json`: every item of every DynamoDB table, as stored (a full scan);
 * - `connector/notifications.json`: each notification the worker's notifier received and the SNS
 *   Publish request the real SNS notifier would send for it;
 * - `connector/events.json`: each `ReferralReceived` the worker handed the bus and the PutEvents
 *   entry the real EventBridge publisher would put for it;
 * - `connector/metrics.json`: the EMF documents of the receiver's and worker's Powertools metrics
 *   (the sandbox gives them metrics only when capturing; Powertools logs go to stdout as always);
 * - `simulator/canaries.json`: the simulator's clients and their canary values (client-canaries.ts),
 *   read from its own store: what the search looks for;
 * - `simulator/served.json`: the referral, inbox and outbox offer details the simulator serves the
 *   connector's login over HTTP at the end of the run (client PHI: proof the canaries were served).
 *
 * Everything under `connector/` comes from the connector; everything under `simulator/` holds PHI.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type {
  EventBridgeClient,
  PutEventsCommand,
  PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { EventBridgeReferralPublisher } from '../lambdas/adapters/eventbridge-referral-publisher';
import { SnsNotifier } from '../lambdas/adapters/sns-notifier';
import type {
  Notifier,
  OfferNotification,
  ReferralEventPublisher,
  ReferralReceivedEvent,
} from '../lambdas/core/ports';
import { clientCanaryValues } from './simulator/client-canaries';
import type { MarketplaceSimulator } from './simulator/simulator';

/** The files a capture writes, relative to its directory. */
export const CAPTURE_FILES = {
  dynamodb: 'connector/dynamodb.json',
  notifications: 'connector/notifications.json',
  events: 'connector/events.json',
  metrics: 'connector/metrics.json',
  canaries: 'simulator/canaries.json',
  served: 'simulator/served.json',
} as const;

/** The directory of the connector's files (the ones searched). */
export const CONNECTOR_CAPTURE_DIR = 'connector';

/** The metrics namespace of the sandbox's captured metrics. */
const SANDBOX_METRICS_NAMESPACE = 'AlayaCareConnectorSandbox';
const SANDBOX_REVIEW_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:sandbox-review';
const SANDBOX_BUS_ARN = 'arn:aws:events:us-east-1:000000000000:event-bus/sandbox-referrals';

/** Powertools metrics that keep each EMF document they would print. */
class CapturedMetrics extends Metrics {
  constructor(
    serviceName: string,
    private readonly documents: unknown[],
  ) {
    super({ namespace: SANDBOX_METRICS_NAMESPACE, serviceName });
  }

  override publishStoredMetrics(): this {
    try {
      // What Powertools would print: JSON.stringify(serializeMetrics()), one line per flush.
      if (this.hasStoredMetrics())
        this.documents.push(JSON.parse(JSON.stringify(this.serializeMetrics())));
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }
}

/** The simulator's clients with their canary values (the capture's `simulator/canaries.json`). */
export interface CanaryCapture {
  clients: Array<{ id: string; values: string[] }>;
}

/** One detail the simulator served the connector's login. */
export interface ServedDetail {
  path: string;
  status: number;
  body: unknown;
}

export interface RunCapture {
  metrics(serviceName: string): Metrics;
  /** Records each notification (and its SNS request), then hands it on. */
  notifier(inner: Notifier): Notifier;
  /** Records each event (and its PutEvents entry), then hands it on. */
  publisher(inner: ReferralEventPublisher): ReferralEventPublisher;
  /** Writes every file; call once the connector has stopped. Returns the paths written. */
  write(input: {
    dynamo: DynamoDBClient;
    simulator: MarketplaceSimulator;
    credentials: { username: string; password: string };
  }): Promise<string[]>;
}

export function startCapture(dir: string): RunCapture {
  const metricDocuments: unknown[] = [];
  const notifications: Array<{ notification: OfferNotification; sns?: PublishCommandInput }> = [];
  const events: Array<{ event: ReferralReceivedEvent; entry?: PutEventsRequestEntry }> = [];

  return {
    metrics: (serviceName) => new CapturedMetrics(serviceName, metricDocuments),
    notifier(inner) {
      return {
        async notify(notification) {
          const record: (typeof notifications)[number] = {
            notification: structuredClone(notification),
          };
          notifications.push(record);
          const sns = new SnsNotifier(
            {
              send: async (command) => {
                record.sns = structuredClone(command.input);
                return { MessageId: randomUUID(), $metadata: {} };
              },
            },
            SANDBOX_REVIEW_TOPIC_ARN,
          );
          await sns.notify(notification);
          await inner.notify(notification);
        },
      };
    },
    publisher(inner) {
      return {
        async publishReferralReceived(event) {
          const record: (typeof events)[number] = { event: structuredClone(event) };
          events.push(record);
          const client = {
            send: async (command: PutEventsCommand) => {
              record.entry = structuredClone(command.input.Entries?.[0]);
              return { FailedEntryCount: 0, Entries: [{ EventId: randomUUID() }], $metadata: {} };
            },
          } as unknown as Pick<EventBridgeClient, 'send'>;
          await new EventBridgeReferralPublisher(client, SANDBOX_BUS_ARN).publishReferralReceived(
            event,
          );
          await inner.publishReferralReceived(event);
        },
      };
    },
    async write({ dynamo, simulator, credentials }) {
      const files: Array<[string, unknown]> = [
        [CAPTURE_FILES.dynamodb, await scanAllTables(dynamo)],
        [CAPTURE_FILES.notifications, notifications],
        [CAPTURE_FILES.events, events],
        [CAPTURE_FILES.metrics, metricDocuments],
        [
          CAPTURE_FILES.canaries,
          {
            clients: simulator
              .clientRecords()
              .map((c) => ({ id: c.id, values: clientCanaryValues(c) })),
          } satisfies CanaryCapture,
        ],
        [CAPTURE_FILES.served, await servedDetails(simulator, credentials)],
      ];
      return files.map(([name, content]) => {
        const file = path.join(dir, name);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(content, binaryAsText, 2)}\n`);
        return file;
      });
    },
  };
}

/** Binary attributes as text, so a search sees what they hold. */
function binaryAsText(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value;
}

/** Every item of every table, as stored (attribute-value JSON), table by table. */
async function scanAllTables(dynamo: DynamoDBClient): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  let tableStart: string | undefined;
  do {
    const listed = await dynamo.send(
      new ListTablesCommand({ ...(tableStart ? { ExclusiveStartTableName: tableStart } : {}) }),
    );
    for (const name of listed.TableNames ?? []) {
      const items: unknown[] = [];
      let itemStart: Record<string, unknown> | undefined;
      do {
        const page = await dynamo.send(
          new ScanCommand({
            TableName: name,
            ConsistentRead: true,
            ...(itemStart ? { ExclusiveStartKey: itemStart as never } : {}),
          }),
        );
        items.push(...(page.Items ?? []));
        itemStart = page.LastEvaluatedKey;
      } while (itemStart);
      tables[name] = items;
    }
    tableStart = listed.LastEvaluatedTableName;
  } while (tableStart);
  return tables;
}

/**
 * The details the simulator serves the connector's login: every referral, every inbox offer
 * matched to it and every outbox offer it posted (the others answer 403 or 404 and are left out).
 */
async function servedDetails(
  simulator: MarketplaceSimulator,
  credentials: { username: string; password: string },
): Promise<ServedDetail[]> {
  const login = await fetch(`${simulator.url}/auth/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (!login.ok)
    throw new Error(`capture: the simulator refused the connector's login (${login.status})`);
  const token = ((await login.json()) as { IdToken: string }).IdToken;
  const offerIds = simulator.offers().map((d) => d.offer.id);
  const paths = [
    ...simulator.referrals().map((r) => `/offers/v1/inbox/referrals/${r.id}`),
    ...offerIds.map((id) => `/offers/v1/inbox/offers/${id}`),
    ...offerIds.map((id) => `/offers/v1/outbox/offers/${id}`),
  ];
  const served: ServedDetail[] = [];
  for (const p of paths) {
    const response = await fetch(`${simulator.url}${p}`, { headers: { Authorization: token } });
    if (response.status === 403 || response.status === 404) continue;
    served.push({ path: p, status: response.status, body: await response.json() });
  }
  return served;
}
