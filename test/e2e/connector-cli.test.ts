/**
 * End to end: the operator CLI against a running sandbox, as an operator would use it. Starts
 * `npm start` (stream mode) as a child process, waits until it is ready (it has written
 * .sandbox/resources.json and decided an offer), runs `npx connector status --sandbox --json` and
 * `npx connector offer <id> --sandbox` as child processes, then stops the sandbox (Ctrl-C) and
 * checks it removed its resources file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table-keys';
import { SANDBOX_RESOURCES_FILE, sandboxResourcesSchema } from '../../sandbox/resources-file';
import { PHI_NAMES, runNpx, type CliRun } from '../support/sandbox-cli';

const ROOT = path.join(__dirname, '..', '..');

const runConnector = (args: readonly string[]): Promise<CliRun> => runNpx(['connector', ...args]);

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  log: () => string,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}\n${log()}`);
}

/** An offer the running sandbox has decided, read from its table. */
async function decidedOffer(): Promise<string | undefined> {
  if (!existsSync(SANDBOX_RESOURCES_FILE)) return undefined;
  const r = v.parse(
    sandboxResourcesSchema,
    JSON.parse(readFileSync(SANDBOX_RESOURCES_FILE, 'utf8')),
  );
  const raw = new DynamoDBClient({
    region: r.region,
    credentials: r.credentials,
    endpoint: r.dynamoEndpoint,
  });
  try {
    const { Items = [] } = await DynamoDBDocumentClient.from(raw).send(
      new ScanCommand({
        TableName: r.tableName,
        FilterExpression: 'attribute_exists(#d.#s) AND #d.#s = :applied',
        ExpressionAttributeNames: { '#d': 'decision', '#s': 'state' },
        ExpressionAttributeValues: { ':applied': 'applied' },
      }),
    );
    // The offer id is in the key (`OFFER#<id>`); offer items keep no copy of it.
    const { partitionKey, offerKeyPrefix } = OFFER_TABLE;
    const offer = Items.find((item) => {
      const key: unknown = item[partitionKey];
      return (
        typeof key === 'string' && key.startsWith(offerKeyPrefix) && Array.isArray(item.events)
      );
    });
    const key: unknown = offer?.[partitionKey];
    return typeof key === 'string' ? key.slice(offerKeyPrefix.length) : undefined;
  } finally {
    raw.destroy();
  }
}

describe('npx connector against the running sandbox', () => {
  let sandbox: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    // Only when the test did not get to stop it (a failure on the way).
    if (sandbox?.pid !== undefined && sandbox.exitCode === null && sandbox.signalCode === null) {
      const exited = new Promise((resolve) => sandbox?.once('exit', resolve));
      try {
        process.kill(-sandbox.pid, 'SIGINT');
      } catch {
        return; // Already gone.
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    }
  });

  it('status and offer answer from the sandbox, and the resources file goes away with it', async () => {
    // Its own process group, so the stop reaches npm, tsx and the emulators as Ctrl-C would.
    sandbox = spawn('npm', ['start'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    sandbox.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    sandbox.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const offerId = await waitFor('a decided offer', decidedOffer, 90_000, () => output);

    type Status = {
      events: { lastHour: Record<string, number> };
      lastEvent: { eventName?: string; offerId?: string } | null;
    };
    const status = await runConnector(['status', '--sandbox', '--json']);
    if (status.code !== 0)
      throw new Error(`status exit ${status.code}\n${status.stdout}\n${status.stderr}`);
    const data = { ...(JSON.parse(status.stdout) as Status), stdout: status.stdout };
    expect(data).toMatchObject({
      source: 'sandbox',
      role: 'supply',
      alarmsInAlarm: null,
      queue: { oldestAgeSeconds: null },
    });
    expect(Object.values(data.events.lastHour).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // The newest event seen on an offer (the decided offer's OfferMatched, or a later one).
    expect(data.lastEvent).toMatchObject({
      eventName: expect.any(String),
      offerId: expect.any(String),
    });

    const offer = await runConnector(['offer', offerId, '--sandbox']);
    if (offer.code !== 0)
      throw new Error(`offer exit ${offer.code}\n${offer.stdout}\n${offer.stderr}`);
    expect(offer.stdout).toContain(`offer ${offerId}`);
    expect(offer.stdout).toMatch(/state:\s+applied/);
    expect(offer.stdout).toMatch(/1\. \S+ OfferMatched/);
    for (const name of PHI_NAMES)
      expect(data.stdout + offer.stdout + offer.stderr).not.toContain(name);

    const pid = sandbox.pid as number;
    const exited = new Promise<number | null>((resolve) =>
      sandbox?.once('exit', (code) => {
        resolve(code);
      }),
    );
    process.kill(-pid, 'SIGINT');
    await exited;
    expect(existsSync(SANDBOX_RESOURCES_FILE)).toBe(false);
  });
});
