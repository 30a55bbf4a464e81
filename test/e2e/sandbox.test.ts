/**
 * End to end, on loopback only: the `--once` sandbox scenario through the real receiver
 * (signature verification, subscription confirmation), SQS (fauxqs), the real worker (rules,
 * marketplace client, DynamoDB store on dynalite) and the marketplace simulator. (a) runs the
 * command a user runs and reads its exit code and last line; (b) runs the same scenario in
 * process and checks that every offer was decided once, that each decision unit (shift or lone
 * offer) was answered once by the marketplace's own count, and that the store and the
 * marketplace agree. The contention drill is sandbox-contention.test.ts. Each piece's edge cases
 * are left to the unit and integration tests.
 */
import { runSandbox } from '../../sandbox/run-sandbox';
import { PHI_NAMES, runSandboxCli } from '../support/sandbox-cli';

const SUMMARY = /^sandbox: (\d+) offers, (\d+) accepted, (\d+) declined, (\d+) review, (\d+) lost$/;

describe('sandbox --once', () => {
  it('(a) exits 0 and ends with a summary line that lost nothing', async () => {
    const { code, stdout, stderr } = await runSandboxCli(['--once']);
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    const last = lines[lines.length - 1] ?? '';
    const match = SUMMARY.exec(last);
    if (!match || code !== 0)
      throw new Error(`exit ${code}, last line "${last}"\n${stdout}\n${stderr}`);
    const [n, accepted, declined, review, lost] = match.slice(1).map(Number);
    expect(n).toBeGreaterThanOrEqual(20);
    expect(lost).toBe(0);
    expect(accepted + declined + review).toBe(n);
    // One printed decision per offer.
    expect(lines.filter((line) => line.startsWith('decided '))).toHaveLength(n);
    for (const name of PHI_NAMES) expect(stdout + stderr).not.toContain(name);
  });

  it('(b) decides every offer exactly once, and the store agrees with the marketplace', async () => {
    const printed: string[] = [];
    const result = await runSandbox({ mode: 'once', print: (line) => printed.push(line) });

    expect(result.problems).toEqual([]);
    expect(result.total).toBeGreaterThanOrEqual(20);
    expect(result.lost).toBe(0);
    expect(result.deadLettered).toBe(0);

    // One settled decision per offer, never applied twice: its own, or (legacy, a worker that
    // decides each offer alone) none of its own because its partner's single call answered both.
    for (const offer of result.offers) {
      expect(offer.appliedWrites).toBeLessThanOrEqual(1);
      if (offer.decidedBy !== 'own') {
        expect(offer.decidedBy).toBe('shift');
        const partners = result.offers.filter(
          (o) => o.shiftId === offer.shiftId && o.offerId !== offer.offerId,
        );
        expect(partners.some((p) => p.decidedBy === 'own' && p.action === offer.action)).toBe(true);
      }
    }

    // Each decision unit (the shift, or a lone offer) has one decision and, by the marketplace's
    // own count, exactly one answer when that decision is accept or decline, none for review.
    expect(result.answeredTwice).toBe(0);
    expect(result.contradicted).toBe(0);
    const units = new Map<string, typeof result.offers>();
    for (const o of result.offers) units.set(o.unitKey, [...(units.get(o.unitKey) ?? []), o]);
    expect([...units.values()].filter((members) => members.length >= 2)).not.toHaveLength(0);
    for (const [unitKey, members] of units) {
      const action = members[0].action;
      expect(members.map((m) => m.action)).toEqual(members.map(() => action));
      const answers = result.answerTally.units.find((u) => u.unitKey === unitKey);
      if (action === 'review') expect(answers).toBeUndefined();
      else
        expect(answers).toMatchObject({
          accepts: action === 'accept' ? 1 : 0,
          declines: action === 'decline' ? 1 : 0,
        });
    }
    expect(result.simulatorCalls.every((call) => call.status === 204)).toBe(true);

    // The counts agree with the marketplace's own state, offer by offer.
    const marketplace = (response: string) =>
      result.offers.filter((o) => o.marketplaceResponse === response).length;
    expect(result.accepted).toBe(marketplace('accepted'));
    expect(result.declined).toBe(marketplace('declined'));
    expect(result.review).toBe(marketplace('pending'));
    expect(result.accepted + result.declined + result.review).toBe(result.total);

    // The example rules give every kind of decision on this scenario.
    expect(result.accepted).toBeGreaterThan(0);
    expect(result.declined).toBeGreaterThan(0);
    expect(result.review).toBeGreaterThan(0);

    expect(printed[printed.length - 1]).not.toMatch(/problem|failed/);
    for (const name of PHI_NAMES) expect(printed.join('\n')).not.toContain(name);
  });
});
