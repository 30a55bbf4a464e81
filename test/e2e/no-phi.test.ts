/**
 * No PHI anywhere, proven: the `--once` sandbox runs as a user runs it, with `--verbose` (INFO
 * logs) and `--capture`, while every client the simulator makes carries unique canaries (names,
 * street, phone, date of birth, diagnosis, client ids; sandbox/simulator/client-canaries.ts).
 * Then the run's stdout and stderr (every log line) and everything the connector wrote (every
 * DynamoDB item, every notification and its SNS request, every EventBridge event, every EMF
 * metric document) are searched for every canary: none may appear.
 *
 * The controls show the search could have found one: the canaries come from the simulator's own
 * store and were served to the connector's login (referral details and outbox offers in full, the
 * diagnosis on inbox offers); the captures are not empty and hold the ids (not PHI) of what was
 * forwarded or assigned; and a canary planted in a copy of the captures is found by the same search.
 * Supply covers inbox offers and referrals (won, marked processed, forwarded); both adds outbox offers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CAPTURE_FILES,
  type CanaryCapture,
  CONNECTOR_CAPTURE_DIR,
  type ServedDetail,
} from '../../sandbox/capture';
import { clientCanaryValues } from '../../sandbox/simulator/client-canaries';
import type { WireClient } from '../../sandbox/simulator/model';
import { canaryNeedles, findNeedles, type Haystack, readHaystacks } from '../support/phi-search';
import { runSandboxCli } from '../support/sandbox-cli';

const readJson = (dir: string, file: string): unknown =>
  JSON.parse(readFileSync(path.join(dir, file), 'utf8'));

describe.each([
  { role: 'supply', args: [] as string[], clients: 24 },
  { role: 'both', args: ['--role', 'both'], clients: 24 + 11 },
])('sandbox --once --role $role --verbose --capture', ({ role, args, clients }) => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), `no-phi-${role}-`));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes no client canary to any log line, metric, DynamoDB item, notification or event', async () => {
    const run = await runSandboxCli(['--once', '--verbose', '--capture', dir, ...args]);
    if (run.code !== 0) throw new Error(`exit ${run.code}\n${run.stdout}\n${run.stderr}`);

    // --- the canaries: from the simulator's own store, every client, and served to the connector --
    const canaries = readJson(dir, CAPTURE_FILES.canaries) as CanaryCapture;
    expect(canaries.clients).toHaveLength(clients);
    for (const c of canaries.clients) expect(c.values).toHaveLength(8);
    const values = canaries.clients.flatMap((c) => c.values);
    const served = readJson(dir, CAPTURE_FILES.served) as ServedDetail[];
    const fullClients = served
      .map((d) => (d.body as { client?: WireClient }).client)
      .filter((c): c is WireClient => c?.demographics !== undefined);
    const fullPaths = served
      .filter((d) => (d.body as { client?: WireClient }).client?.demographics !== undefined)
      .map((d) => d.path);
    // Role supply: each won referral's detail; role both: each outbox offer the connector posted.
    expect(fullClients).toHaveLength(role === 'supply' ? 8 : 11);
    for (const p of fullPaths)
      expect(p).toMatch(
        role === 'supply' ? /^\/offers\/v1\/inbox\/referrals\// : /^\/offers\/v1\/outbox\/offers\//,
      );
    // Every value of every client served in full is a canary of the list, found by the search in what was served.
    const servedText: Haystack = { name: 'served', text: JSON.stringify(served) };
    for (const client of fullClients) {
      const own = clientCanaryValues(client);
      expect(own).toHaveLength(8);
      for (const value of own) expect(values).toContain(value);
      expect(
        findNeedles([servedText], own)
          .map((f) => f.needle)
          .sort(),
      ).toEqual([...own].sort());
    }

    // --- the captures: not empty, and holding the ids (not PHI) of what the connector handled ------
    const tables = readJson(dir, CAPTURE_FILES.dynamodb) as Record<string, unknown[]>;
    const items = Object.values(tables).flat();
    expect(items.length).toBeGreaterThan(clients);
    const dynamoText = JSON.stringify(tables);
    const events = readJson(dir, CAPTURE_FILES.events) as Array<{
      event: { referralId: string };
      entry: { Detail: string };
    }>;
    if (role === 'supply') {
      const referralIds = fullPaths.map((p) => p.split('/').at(-1) ?? '');
      expect(new Set(events.map((e) => e.event.referralId))).toEqual(new Set(referralIds));
      for (const e of events)
        expect(JSON.parse(e.entry.Detail)).toMatchObject({ referralId: e.event.referralId });
      expect(referralIds.filter((id) => !dynamoText.includes(id))).toEqual([]);
    } else {
      // The 7 outbox offers the connector assigned, at least, are recorded (one gets no answer, so no event).
      const recorded = fullPaths
        .map((p) => p.split('/').at(-1) ?? '')
        .filter((id) => dynamoText.includes(id));
      expect(recorded.length).toBeGreaterThanOrEqual(7);
    }
    expect((readJson(dir, CAPTURE_FILES.notifications) as unknown[]).length).toBeGreaterThan(0);
    expect((readJson(dir, CAPTURE_FILES.metrics) as unknown[]).length).toBeGreaterThan(0);
    expect(run.stdout).toContain('"level":"INFO"');

    // --- the search: every log line and every captured file of the connector ---------------------
    const connectorFiles = readHaystacks(path.join(dir, CONNECTOR_CAPTURE_DIR));
    expect(connectorFiles.map((h) => h.name).sort()).toEqual(
      [
        CAPTURE_FILES.dynamodb,
        CAPTURE_FILES.events,
        CAPTURE_FILES.metrics,
        CAPTURE_FILES.notifications,
      ]
        .map((f) => path.relative(CONNECTOR_CAPTURE_DIR, f))
        .sort(),
    );
    const haystacks: Haystack[] = [
      { name: 'stdout', text: run.stdout },
      { name: 'stderr', text: run.stderr },
      ...connectorFiles,
    ];
    const needles = canaryNeedles(values);
    expect(findNeedles(haystacks, needles)).toEqual([]);

    // --- the same search finds a canary planted in a copy of the captures ------------------------
    const planted = fullClients[0].demographics.last_name.toLowerCase();
    const copy = haystacks.map((h) =>
      h.name === path.relative(CONNECTOR_CAPTURE_DIR, CAPTURE_FILES.dynamodb)
        ? { ...h, text: h.text.replace('"S":', `"S":"${planted}",`) }
        : h,
    );
    expect(findNeedles(copy, needles)).toEqual(
      expect.arrayContaining([
        {
          needle: fullClients[0].demographics.last_name,
          where: path.relative(CONNECTOR_CAPTURE_DIR, CAPTURE_FILES.dynamodb),
        },
      ]),
    );
  });
});
