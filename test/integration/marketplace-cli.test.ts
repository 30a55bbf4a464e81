/**
 * `npm run simulator` as a user runs it (the CLI script through tsx, as a child process): its
 * first stdout lines are exactly `simulator: <base URL>` and one `org: <kind> <id> <username>
 * <password>` per seeded organisation (and `org: both ...` with `--both`), the printed logins work
 * with the connector's client, the seeded offers are open for the supply organisation, and
 * SIGTERM stops it. The simulator's behaviour itself is covered by marketplace-contract-*.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MarketplaceClient } from '../../lambdas/adapters/marketplace-client';

const ROOT = path.join(__dirname, '..', '..');
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
});

/** Starts the CLI and resolves with its first `count` stdout lines. */
function startCli(args: string[], count: number): Promise<string[]> {
  const proc = spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      path.join(ROOT, 'sandbox', 'simulator-cli.ts'),
      ...args,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child = proc;
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.once('exit', (code) => {
      reject(
        new Error(`simulator exited (${String(code)}) before printing ${count} lines: ${stderr}`),
      );
    });
    const reader = createInterface({ input: proc.stdout });
    reader.on('line', (line) => {
      lines.push(line);
      if (lines.length === count) resolve([...lines]);
    });
  });
}

describe('npm run simulator', () => {
  it('prints the base URL and one line per seeded organisation first, and those logins work', async () => {
    const [first, supplyLine, demandLine, fourth] = await startCli(
      ['--port', '0', '--offers', '2'],
      4,
    );
    expect(first).toMatch(/^simulator: http:\/\/127\.0\.0\.1:\d+$/);
    const baseUrl = first.slice('simulator: '.length);
    const orgLine = /^org: (supply|demand) ([0-9a-f-]{36}) (\S+) (\S+)$/;
    const supply = orgLine.exec(supplyLine);
    const demand = orgLine.exec(demandLine);
    expect(supply?.[1]).toBe('supply');
    expect(demand?.[1]).toBe('demand');
    expect(fourth.startsWith('org:')).toBe(false);
    if (!supply || !demand) throw new Error('org lines did not parse');

    const supplyClient = new MarketplaceClient({
      baseUrl,
      credentials: async () => ({ username: supply[3], password: supply[4] }),
    });
    expect((await supplyClient.currentIdentity()).organization_id).toBe(supply[2]);
    expect((await supplyClient.listInboxOffers({ status: 'open' })).total_items).toBe(2);
    const demandClient = new MarketplaceClient({
      baseUrl,
      credentials: async () => ({ username: demand[3], password: demand[4] }),
    });
    expect((await demandClient.currentIdentity()).organization_id).toBe(demand[2]);
    expect(await demandClient.getAssignmentSetting()).toBe('manual');

    const proc = child;
    const exit = new Promise<number | null>((resolve) =>
      proc?.once('exit', (code) => {
        resolve(code);
      }),
    );
    proc?.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('with --both, prints a third organisation holding both personas, whose one login reads its inbox and its outbox', async () => {
    const lines = await startCli(['--port', '0', '--offers', '0', '--both'], 5);
    const baseUrl = lines[0].slice('simulator: '.length);
    expect(lines.slice(1, 3).map((line) => line.split(' ')[1])).toEqual(['supply', 'demand']);
    const both = /^org: both ([0-9a-f-]{36}) (\S+) (\S+)$/.exec(lines[3]);
    expect(lines[4].startsWith('org:')).toBe(false);
    if (!both) throw new Error(`no both line: ${lines[3]}`);
    const client = new MarketplaceClient({
      baseUrl,
      credentials: async () => ({ username: both[2], password: both[3] }),
    });
    expect((await client.currentIdentity()).organization_id).toBe(both[1]);
    expect((await client.listInboxOffers()).total_items).toBe(0);
    expect((await client.listOutboxOffers()).total_items).toBe(0);
    expect(await client.getAssignmentSetting()).toBe('manual');

    // Stopped as a user stops it, so the client's open connections close with the server.
    const proc = child;
    const exit = new Promise<number | null>((resolve) =>
      proc?.once('exit', (code) => {
        resolve(code);
      }),
    );
    proc?.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('refuses an unknown option with usage on stderr and exit code 2', async () => {
    await expect(startCli(['--bogus'], 1)).rejects.toThrow(
      /exited \(2\).*unknown argument --bogus/s,
    );
  });
});
