/**
 * The contention drill's reconciler schedule (sandbox/contention.ts): runs the reconciler every
 * interval, one run at a time, counts what it enqueued, counts and reports failed runs and goes
 * on after them (as EventBridge does), and stop() waits for the run in hand.
 */
import type { ReconcileSummary } from '../../lambdas/reconciler/reconciler';
import { startReconcilerLoop } from '../../sandbox/contention';

const summary = (enqueued: number): ReconcileSummary => ({
  runId: 'r',
  seen: enqueued,
  enqueued,
  skippedByCap: 0,
  incomplete: 0,
  malformed: 0,
  skipped: {
    'not-actionable': 0,
    expired: 0,
    'too-recent': 0,
    decided: 0,
    invalid: 0,
    'in-flight': 0,
    'backed-off': 0,
    'same-shift': 0,
  },
});
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('runs one at a time every interval, counts enqueues and failures, and stop() waits for the run in hand', async () => {
  let running = 0;
  let overlapped = false;
  let calls = 0;
  const errors: unknown[] = [];
  const loop = startReconcilerLoop(
    async () => {
      calls += 1;
      overlapped ||= running > 0;
      running += 1;
      await wait(15);
      running -= 1;
      if (calls === 2) throw new Error('inbox unavailable');
      return summary(1);
    },
    10,
    (error) => errors.push(error),
  );
  await wait(120);
  await loop.stop();
  const stats = loop.stats();
  expect(running).toBe(0);
  expect(overlapped).toBe(false);
  expect(stats.runs).toBe(calls);
  expect(stats.runs).toBeGreaterThanOrEqual(3);
  expect(stats.failed).toBe(1);
  expect(stats.enqueued).toBe(calls - 1);
  expect(errors).toEqual([new Error('inbox unavailable')]);
  await wait(40);
  expect(loop.stats().runs).toBe(calls);
});
