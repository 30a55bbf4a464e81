/**
 * The contention drill end to end, as a user runs it: `npm start -- --once --scenario contention`
 * (sandbox/contention.ts). Shifts and bundles whose offers the rules judge differently, every
 * event delivered at least twice, the reconciler re-enqueueing undecided offers every 1.5 s beside
 * SNS, several worker invocations at once and 5% 5xx/429 answers with latency. It passes when no
 * offer is left without a settled decision and the marketplace simulator, counting the answers it
 * received, saw no decision unit answered twice or both ways. Checks the drill's own report that
 * its conditions held, the summary line, the exit code, and that no client health data leaked.
 */
import { PHI_NAMES, runSandboxCli } from '../support/sandbox-cli';

const SUMMARY =
  /^sandbox: (\d+) offers, (\d+) accepted, (\d+) declined, (\d+) review, (\d+) lost, (\d+) answered twice, (\d+) contradicted$/;
const UNITS =
  /^sandbox: contention: (\d+) offers, (\d+) shifts\/bundles, (\d+) of them judged differently by the rules; every offer delivered at least (\d+) times$/m;
const WORKERS =
  /^sandbox: contention: (\d+) worker invocations, up to (\d+) at once; reconciler every ([\d.]+) s: (\d+) runs, \d+ offers enqueued, \d+ runs failed$/m;
const FAULTS =
  /^sandbox: contention: (\d+) marketplace requests, (\d+)-(\d+) ms each; faults injected: \d+ 503 before acting, \d+ 502 after acting, \d+ 429; \d+ deliveries duplicated$/m;

const numbers = (match: RegExpExecArray | null, what: string): number[] => {
  if (!match) throw new Error(`no ${what} line`);
  return match.slice(1).map(Number);
};

describe('sandbox --once --scenario contention', () => {
  it('answers every shift, bundle and offer once under contention: 0 lost, 0 answered twice, 0 contradicted', async () => {
    const { code, stdout, stderr } = await runSandboxCli(['--once', '--scenario', 'contention']);
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    const last = lines[lines.length - 1] ?? '';
    // The story, and stderr without the connector's JSON logs (retries under contention are many).
    const story = [
      ...lines.filter((line) => line.startsWith('sandbox: ')),
      ...stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{')),
    ].join('\n');
    for (const name of PHI_NAMES) expect(stdout + stderr).not.toContain(name);

    // The drill's conditions held (measured during the run, whatever its outcome).
    const [offers, units, mixed, deliveries] = numbers(UNITS.exec(stdout), 'units');
    expect(offers).toBeGreaterThanOrEqual(40);
    expect(units).toBeGreaterThanOrEqual(5);
    expect(mixed).toBeGreaterThanOrEqual(5);
    expect(deliveries).toBeGreaterThanOrEqual(2);
    const [invocations, atOnce, interval, runs] = numbers(WORKERS.exec(stdout), 'workers');
    expect(atOnce).toBeGreaterThanOrEqual(4);
    expect(invocations).toBeGreaterThan(atOnce);
    expect(interval).toBeGreaterThanOrEqual(1);
    expect(interval).toBeLessThanOrEqual(3);
    expect(runs).toBeGreaterThanOrEqual(2);
    const [requests, latencyFrom] = numbers(FAULTS.exec(stdout), 'faults');
    expect(requests).toBeGreaterThanOrEqual(offers);
    expect(latencyFrom).toBeGreaterThan(0);

    // The summary's shape, then the verdict; on failure show what the drill said.
    const match = SUMMARY.exec(last);
    if (!match) throw new Error(`last line "${last}"\n${story}`);
    const [n, accepted, declined, review, lost, twice, contradicted] = match.slice(1).map(Number);
    expect(n).toBe(offers);
    expect(accepted + declined + review + lost).toBe(n);
    if (code !== 0 || lost !== 0 || twice !== 0 || contradicted !== 0)
      throw new Error(`exit ${code}\n${story}`);
    expect(story).not.toContain('sandbox: problem:');
  });
});
