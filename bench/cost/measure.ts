/**
 * Measures what marketplace events cost in AWS calls and log bytes by playing the sandbox's fixed
 * scenario (`npm start -- --once`: the real receiver and worker against dynalite, fauxqs and the
 * marketplace simulator) with every AWS SDK call counted on the way out:
 *
 * - DynamoDB: each command is sent with ReturnConsumedCapacity TOTAL, and the capacity dynalite
 *   reports (DynamoDB's rules: 1 WRU per KB written, 0.5 RRU per 4 KB read eventually consistent,
 *   1 consistent) is summed per command. A conditional write that fails costs DynamoDB a write
 *   unit but dynalite reports none: each is counted as 1 WRU.
 * - SQS: SendMessage (the receiver's enqueue; with DelaySeconds, a worker's hand-back) and
 *   ChangeMessageVisibility (a worker's retry delay). The sandbox's own poller is not Lambda's
 *   event source mapping, so its receives and deletes are not used.
 * - Logs: every Powertools JSON line the receiver and worker write at INFO, in bytes.
 * - Marketplace: the connector's HTTP calls to the marketplace API (node:http from a connector frame),
 *   logins apart: a warm worker logs in about once an hour, not per event.
 *
 * Events = the receiver's SendMessage calls (one per SNS notification accepted).
 */
import http from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runSandbox, type SandboxResult } from '../../sandbox/run-sandbox';

export interface SandboxMeasurement {
  readonly events: number;
  readonly offers: number;
  readonly summary: string;
  /** DynamoDB calls the sandbox made itself (watching for decisions): left out of the counts. */
  readonly harnessDynamoCalls: Record<string, number>;
  /** Calls per DynamoDB command name (document-client names: GetCommand, UpdateCommand...). */
  readonly dynamoCalls: Record<string, number>;
  /** The connector's DynamoDB calls by store method and command. */
  readonly dynamoByMethod: Record<string, number>;
  readonly wru: number;
  readonly rru: number;
  readonly failedConditionalWrites: number;
  readonly sqs: { enqueues: number; handBacks: number; visibilityChanges: number };
  readonly logBytes: { receiver: number; worker: number };
  readonly logLines: { receiver: number; worker: number };
  readonly notifications: number;
  /** The connector's marketplace API calls, logins excluded, and its logins. */
  readonly marketplace: { calls: number; logins: number };
}

const READS = new Set([
  'GetCommand',
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetCommand',
  'BatchGetItemCommand',
  'TransactGetCommand',
  'TransactGetItemsCommand',
]);
/** A stack frame in the connector's handlers or use cases (async frames included), not the sandbox's. */
const CONNECTOR_FRAME = /lambdas[\\/](worker|receiver|reconciler|core)[\\/]/;
/** A frame of the connector's marketplace client (its requests are sent from its own modules). */
const MARKETPLACE_FRAME = /lambdas[\\/]adapters[\\/]marketplace/;
/** The store method that made a call: the first `Dynamo<Something>.<method>` frame. */
const STORE_METHOD = /at (?:async )?((?:Dynamo(?!DB)\w+|UnitStore\w*|\w+Store)\.\w+)/;
const SETUP = new Set(['CreateTableCommand', 'DescribeTableCommand', 'UpdateTimeToLiveCommand']);
/** The marketplace's login (`POST /auth/v1/login`): once an hour in a warm worker, not per event. */
const LOGIN_PATH = '/auth/v1/login';

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

function capacityUnits(consumed: unknown): number {
  const list = (
    Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]
  ) as Capacity[];
  return list.reduce(
    (sum, c) => sum + (c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0)),
    0,
  );
}

type Send = (
  this: unknown,
  command: { input?: Record<string, unknown> },
  ...rest: unknown[]
) => Promise<unknown>;

/** Plays the fixed supply scenario once with the counters in place; restores everything after. */
export async function measureSandbox(): Promise<SandboxMeasurement> {
  // Every v3 client (DynamoDB, the document client, SQS) shares the Smithy Client's `send`.
  const clientPrototype = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: Send };
  const originalSend = clientPrototype.send;
  const dynamoCalls: Record<string, number> = {};
  let wru = 0;
  let rru = 0;
  let failedConditionalWrites = 0;
  const harnessDynamoCalls: Record<string, number> = {};
  const dynamoByMethod: Record<string, number> = {};
  const sqs = { enqueues: 0, handBacks: 0, visibilityChanges: 0 };

  clientPrototype.send = async function countingSend(this: unknown, command, ...rest) {
    const name = (command as object).constructor.name;
    const isDynamo =
      /^(Get|Put|Update|Delete|Query|Scan|BatchGet|BatchWrite|TransactGet|TransactWrite)(Item|Items)?Command$/.test(
        name,
      );
    if (name === 'SendMessageCommand') {
      if (command.input?.['DelaySeconds'] === undefined) sqs.enqueues += 1;
      else sqs.handBacks += 1;
    }
    if (name === 'ChangeMessageVisibilityCommand') sqs.visibilityChanges += 1;
    if (!isDynamo || SETUP.has(name)) return originalSend.call(this, command, ...rest);
    // The sandbox's own reads (the decision watch, the final outcome check) are not the connector's.
    if (!CONNECTOR_FRAME.test(new Error().stack ?? '')) {
      harnessDynamoCalls[name] = (harnessDynamoCalls[name] ?? 0) + 1;
      return originalSend.call(this, command, ...rest);
    }
    dynamoCalls[name] = (dynamoCalls[name] ?? 0) + 1;
    const method = STORE_METHOD.exec(new Error().stack ?? '')?.[1] ?? 'unknown';
    dynamoByMethod[`${method} (${name})`] = (dynamoByMethod[`${method} (${name})`] ?? 0) + 1;
    // In place: a document-client command has already handed this object to its inner command.
    if (command.input) command.input['ReturnConsumedCapacity'] = 'TOTAL';
    try {
      const output = (await originalSend.call(this, command, ...rest)) as {
        ConsumedCapacity?: unknown;
      };
      const units = capacityUnits(output.ConsumedCapacity);
      if (READS.has(name)) rru += units;
      else wru += units;
      return output;
    } catch (error: unknown) {
      if (error instanceof Error && /ConditionalCheckFailed|TransactionCanceled/.test(error.name)) {
        failedConditionalWrites += 1;
        wru += 1;
      }
      throw error;
    }
  };

  // Powertools writes its JSON lines to stdout; count them (and keep them off the bench output).
  const logBytes = { receiver: 0, worker: 0 };
  const logLines = { receiver: 0, worker: 0 };
  const originalWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let handled = false;
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const service = (JSON.parse(line) as { service?: unknown }).service;
        if (service === 'receiver' || service === 'worker') {
          logBytes[service] += Buffer.byteLength(line, 'utf8') + 1;
          logLines[service] += 1;
          handled = true;
        }
      } catch {
        // Not a JSON log line: let it through.
      }
    }
    if (handled) return true;
    return (originalWrite as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  };

  // The marketplace client sends on node:http (node:https in AWS; adapters/http-request.ts): count
  // the requests the connector's code makes.
  const marketplace = { calls: 0, logins: 0 };
  const originalRequest = http.request;
  const countingRequest = (
    target: string | URL | http.RequestOptions,
    ...rest: unknown[]
  ): http.ClientRequest => {
    // The client's own frames (retry loop, transport, session) fill the default 10 frames before
    // the connector's: read deeper.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 64;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    if (CONNECTOR_FRAME.test(stack) && MARKETPLACE_FRAME.test(stack)) {
      const path =
        typeof target === 'string'
          ? new URL(target).pathname
          : target instanceof URL
            ? target.pathname
            : (target.path ?? '');
      if (path.endsWith(LOGIN_PATH)) marketplace.logins += 1;
      else marketplace.calls += 1;
    }
    return (originalRequest as (...args: unknown[]) => http.ClientRequest)(target, ...rest);
  };
  http.request = countingRequest;

  const story: string[] = [];
  let result: SandboxResult;
  try {
    result = await runSandbox({ mode: 'once', verbose: true, print: (line) => story.push(line) });
  } finally {
    clientPrototype.send = originalSend;
    process.stdout.write = originalWrite;
    http.request = originalRequest;
  }
  if (result.lost > 0)
    throw new Error(
      `the sandbox lost ${result.lost} offers: its counts would not be a healthy run's`,
    );
  // The scenario answers offers, so a count of none means the count missed the client's requests.
  if (marketplace.calls === 0)
    throw new Error(
      'counted no marketplace call: the connector no longer sends through node:http.request',
    );
  return {
    events: sqs.enqueues,
    offers: result.offers.length,
    summary: result.summary,
    dynamoCalls,
    harnessDynamoCalls,
    dynamoByMethod,
    wru,
    rru,
    failedConditionalWrites,
    sqs,
    logBytes,
    logLines,
    notifications: story.filter((line) => line.startsWith('notify:')).length,
    marketplace,
  };
}
