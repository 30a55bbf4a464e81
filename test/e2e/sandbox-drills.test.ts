/**
 * The outage drills end to end, as a user runs them (sandbox/outage-drill.ts,
 * sandbox/bad-password-drill.ts):
 * - `npm start -- --once --scenario outage`: the receiver answers 503 until SNS has given up on at
 *   least a third of the offers; the reconciler finds every one of them and the worker decides it.
 * - `npm start -- --once --scenario bad-password`: a wrong password in the worker's secret; records
 *   fail, some reach the dead-letter queue; the password is fixed in the secret and the dead
 *   letters redriven; every offer is decided.
 * Each must end with the supply summary and 0 lost, exit 0, print its facts as counted by the
 * boundaries that saw them, no problem line, and no client health data.
 */
import { type CliRun, PHI_NAMES, runSandboxCli } from '../support/sandbox-cli';

const SUMMARY = /^sandbox: (\d+) offers, (\d+) accepted, (\d+) declined, (\d+) review, (\d+) lost$/;

const numbers = (pattern: RegExp, stdout: string, what: string): number[] => {
  const match = pattern.exec(stdout);
  if (!match) throw new Error(`no ${what} line in:\n${story(stdout)}`);
  return match.slice(1).map(Number);
};

/** The sandbox's own lines (not each decision or the connector's JSON logs), to show on failure. */
const story = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('sandbox: '))
    .join('\n');

/** The summary's numbers, after checking it is the last line, the run exited 0 and no problem was printed. */
function passed(run: CliRun): { offers: number; lost: number } {
  const lines = run.stdout.split('\n').filter((line) => line.trim() !== '');
  const last = lines[lines.length - 1] ?? '';
  const match = SUMMARY.exec(last);
  if (!match || run.code !== 0)
    throw new Error(`exit ${run.code}, last line "${last}"\n${story(run.stdout)}\n${run.stderr}`);
  expect(run.stdout).not.toContain('sandbox: problem:');
  for (const name of PHI_NAMES) expect(run.stdout + run.stderr).not.toContain(name);
  const [offers, accepted, declined, review, lost] = match.slice(1).map(Number);
  expect(accepted + declined + review + lost).toBe(offers);
  return { offers, lost };
}

describe('sandbox --once --scenario outage', () => {
  it('loses nothing when SNS gives up on a third of the offers: the reconciler finds each one and the worker decides it', async () => {
    const run = await runSandboxCli(['--once', '--scenario', 'outage']);
    const { offers, lost } = passed(run);
    expect(offers).toBe(24);
    expect(lost).toBe(0);

    const [gaveUp, deliveries, percent, enqueued] = numbers(
      /^sandbox: note: outage: SNS gave up on (\d+) of (\d+) deliveries \((\d+)%\); the reconciler enqueued (\d+)$/m,
      run.stdout,
      'SNS',
    );
    expect(deliveries).toBe(offers);
    expect(gaveUp * 3).toBeGreaterThanOrEqual(deliveries);
    expect(percent).toBeGreaterThanOrEqual(33);
    expect(enqueued).toBeGreaterThanOrEqual(1);
    const [refused] = numbers(
      /^sandbox: note: outage: the receiver was down [\d.]+ s and answered (\d+) delivery attempts 503/m,
      run.stdout,
      'receiver',
    );
    // SNS tried each of those deliveries more than once before giving up.
    expect(refused).toBeGreaterThan(gaveUp);
    const [of, found, decided] = numbers(
      /^sandbox: note: outage: of the (\d+) offers SNS gave up on, the reconciler found (\d+) \(a shift is one event\) and the worker decided (\d+)$/m,
      run.stdout,
      'found',
    );
    expect([of, found, decided]).toEqual([gaveUp, gaveUp, gaveUp]);
  });
});

describe('sandbox --once --scenario bad-password', () => {
  it('loses nothing while the password is wrong: records fail, dead letters are redriven once it is fixed, every offer is decided', async () => {
    const run = await runSandboxCli(['--once', '--scenario', 'bad-password']);
    const { offers, lost } = passed(run);
    expect(offers).toBe(24);
    expect(lost).toBe(0);

    const [refused, beforeFix, failed] = numbers(
      /^sandbox: note: bad-password: logins refused: (\d+) \(401, counted by the marketplace\), (\d+) of them before the fix; records failed: (\d+) \(the worker's RecordsFailed\)$/m,
      run.stdout,
      'logins',
    );
    expect(beforeFix).toBeGreaterThanOrEqual(offers);
    expect(refused).toBeGreaterThanOrEqual(beforeFix);
    expect(failed).toBeGreaterThanOrEqual(offers);
    const [deadLettered, pickup] = numbers(
      /^sandbox: note: bad-password: (\d+) record\(s\) reached the dead-letter queue; after the fix the worker logged in ([\d.]+) s later/m,
      run.stdout,
      'dead letters',
    );
    expect(deadLettered).toBeGreaterThanOrEqual(1);
    // Picked up by itself, long before the credentials cache (5 minutes) would have run out.
    expect(pickup).toBeLessThan(30);
    const [redriven, decided, of] = numbers(
      /^sandbox: note: bad-password: dead letters redriven: (\d+); offers decided: (\d+) of (\d+)/m,
      run.stdout,
      'redrive',
    );
    expect(redriven).toBe(deadLettered);
    expect([decided, of]).toEqual([offers, offers]);
  });
});
