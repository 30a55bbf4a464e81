/**
 * The sandbox for the demand and both roles, end to end on loopback: the real receiver, SQS
 * (fauxqs), the real worker with `role: 'demand'` or `'both'` and `demandAssignment:
 * 'first-accepted'`, DynamoDB (dynalite) and the marketplace simulator, whose own suppliers answer
 * the outbox offers it posts for the connector's organisation. (a)-(c) run the commands a user
 * runs and read their exit code and last line: the exact demand summary, the both line, and
 * `--rules` changing the supply half of a both run. (d)-(e) run the same scenarios in process and
 * check the marketplace's own record: exactly one assign call per assigned offer, each to the
 * earliest accepted match the call met, none on any other offer, and the store agreeing; for both,
 * one organisation answered the inbox offers and assigned the outbox offers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { earliestAccepted, type DemandReport } from '../../sandbox/demand-outcomes';
import { demandScenario, expectedDemandCounts } from '../../sandbox/demand-scenario';
import { runSandbox } from '../../sandbox/run-sandbox';
import { PHI_NAMES, runSandboxCli } from '../support/sandbox-cli';

const expected = expectedDemandCounts(demandScenario());
const DEMAND_COUNTS = `${expected.offers} offers, ${expected.assigned} assigned, ${expected.waiting} waiting, ${expected['declined-by-all']} declined by all, ${expected.expired} expired, 0 lost`;
const SUPPLY_COUNTS = /^(\d+) offers, (\d+) accepted, (\d+) declined, (\d+) review, (\d+) lost$/;
const BOTH = /^sandbox: supply (.+); demand (.+)$/;

/** The last line, or an error showing the whole run when the exit code is not 0. */
function lastLine(result: { code: number | null; stdout: string; stderr: string }): string {
  const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
  const last = lines[lines.length - 1] ?? '';
  if (result.code !== 0)
    throw new Error(`exit ${result.code}, last line "${last}"\n${result.stdout}\n${result.stderr}`);
  return last;
}

/** No client data in what a user sees: health data, the street, the client's name. */
function expectNoClientData(output: string): void {
  for (const name of PHI_NAMES) expect(output).not.toContain(name);
  expect(output).not.toContain('Simulated Street');
  expect(output).not.toMatch(/Client [0-9a-f]{8}/);
}

/**
 * The marketplace's side of the demand run: one applied assign call per assigned offer, to the
 * earliest accepted match, except the offers a call on another offer of their shift assigned with
 * it (one call assigns a whole shift): those have no applied call of their own (a call refused 409
 * at most, made before the connector could know).
 */
function expectAssignedOnceToEarliest(demand: DemandReport): void {
  expect(demand.problems).toEqual([]);
  const assigned = demand.offers.filter((o) => o.category === 'assigned');
  const withShift = assigned.filter((o) => o.assignedWithShift === true);
  expect(withShift.length).toBeGreaterThanOrEqual(1);
  expect(demand.assignCalls.filter((c) => c.status === 204)).toHaveLength(
    assigned.length - withShift.length,
  );
  for (const offer of demand.offers) {
    const calls = demand.assignCalls.filter((c) => c.offerId === offer.offerId);
    if (offer.category !== 'assigned') {
      expect(calls).toEqual([]);
      continue;
    }
    if (offer.assignedWithShift === true) {
      expect(calls.every((c) => c.status === 409)).toBe(true);
      const byShift = demand.assignCalls.filter(
        (c) => c.status === 204 && c.assignedOfferIds.includes(offer.offerId),
      );
      expect(byShift).toHaveLength(1);
      continue;
    }
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call.status).toBe(204);
    expect(call.setting).toBe('manual');
    expect(call.matchId).toBe(earliestAccepted(call.acceptedOpen)?.matchId);
    expect(offer.assignedMatchId).toBe(call.matchId);
    expect(offer.recorded).toEqual({ matchId: call.matchId, state: 'applied' });
  }
  // Two suppliers accepted one offer before the connector looked: the choice was a real one.
  expect(demand.assignCalls.some((c) => c.acceptedOpen.length >= 2)).toBe(true);
  expect(new Set(assigned.map((o) => o.assignedTo)).size).toBeGreaterThanOrEqual(2);
}

describe('sandbox --once --role demand|both (commands)', () => {
  it('(a) demand: exits 0 with the exact demand summary, one assigned line per assigned offer, no client data', async () => {
    const result = await runSandboxCli(['--once', '--role', 'demand']);
    expect(lastLine(result)).toBe(`sandbox: ${DEMAND_COUNTS}`);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('assigned '))).toHaveLength(
      expected.assigned,
    );
    expect(result.stdout).toContain('outbox-offers confirmed by the receiver');
    expect(result.stdout).not.toContain('inbox-offers');
    expectNoClientData(result.stdout + result.stderr);
  });

  it('(b) both: exits 0 with the supply counts and the demand counts on one last line', async () => {
    const result = await runSandboxCli(['--once', '--role', 'both']);
    const match = BOTH.exec(lastLine(result));
    if (!match) throw new Error(`last line "${lastLine(result)}"`);
    const supply = SUPPLY_COUNTS.exec(match[1]);
    const [n, accepted, declined, review, lost] = (supply ?? []).slice(1).map(Number);
    expect(n).toBeGreaterThanOrEqual(20);
    expect(accepted + declined + review).toBe(n);
    expect(lost).toBe(0);
    expect(match[2]).toBe(DEMAND_COUNTS);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('decided '))).toHaveLength(n);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('assigned '))).toHaveLength(
      expected.assigned,
    );
    expectNoClientData(result.stdout + result.stderr);
  });

  it('(c) both with --rules: the supply half follows the given rules, the demand half is unchanged', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-roles-'));
    try {
      const file = path.join(dir, 'decline-all.json');
      writeFileSync(file, JSON.stringify({ defaultAction: 'decline' }));
      const result = await runSandboxCli(['--once', '--role', 'both', '--rules', file]);
      expect(lastLine(result)).toMatch(
        new RegExp(
          `^sandbox: supply (\\d+) offers, 0 accepted, \\1 declined, 0 review, 0 lost; demand ${DEMAND_COUNTS}$`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a role other than supply without --once or with the contention drill (usage, exit 2)', async () => {
    for (const args of [
      ['--role', 'demand'],
      ['--once', '--role', 'both', '--scenario', 'contention'],
      ['--once', '--role', 'nobody'],
    ]) {
      const result = await runSandboxCli(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('usage: npm start');
    }
    const help = await runSandboxCli(['--help']);
    expect(help.stdout).toContain('--role R');
  });
});

describe('sandbox --once --role demand|both (in process, the marketplace’s record)', () => {
  it('(d) demand: every accepted offer assigned once, to its earliest accepted match', async () => {
    const printed: string[] = [];
    const result = await runSandbox({
      mode: 'once',
      role: 'demand',
      print: (line) => printed.push(line),
    });
    expect(result.summary).toBe(`sandbox: ${DEMAND_COUNTS}`);
    expect(result.ok).toBe(true);
    expect(result.demand.deadLettered).toBe(0);
    expectAssignedOnceToEarliest(result.demand);
    expect(result.demand.offers.filter((o) => o.shiftId !== undefined)).toHaveLength(2);
    expectNoClientData(printed.join('\n'));
  });

  it('(e) both: one organisation decides its inbox offers and assigns its outbox offers', async () => {
    const result = await runSandbox({ mode: 'once', role: 'both', print: () => undefined });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.supply.lost).toBe(0);
    expect(result.supply.problems).toEqual([]);
    expect(result.supply.answeredTwice).toBe(0);
    expectAssignedOnceToEarliest(result.demand);
    const answeredBy = new Set(result.supply.simulatorCalls.map((c) => c.organizationId));
    const assignedBy = new Set(result.demand.assignCalls.map((c) => c.organizationId));
    expect(answeredBy.size).toBe(1);
    expect([...assignedBy]).toEqual([...answeredBy]);
  });
});
