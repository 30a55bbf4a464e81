/**
 * Covers the worker's timing (lambdas/worker/timing.ts): the shipped values and how they follow
 * from the marketplace client's worst cases, that they break no relation, that each relation
 * (guard vs client, timeout vs guard, leases vs timeout, visibility vs leases, retry schedule vs
 * visibility and event lease, service limits) is reported in words when broken, and the retry and
 * re-send delays. The CDK side (the synthesised timeout and visibility) is test/infra/worker-queue.test.ts.
 */
import { DEFAULT_RETRY_POLICY } from '../../lambdas/adapters/marketplace/retry';
import {
  deriveWorkerTiming,
  READS_PER_RECORD,
  resendDelaySeconds,
  retryDelaySeconds,
  timingProblems,
  WORKER_CLIENT,
  WORKER_TIMING,
  type WorkerTiming,
} from '../../lambdas/worker/timing';

describe('the shipped timing', () => {
  it('follows from the client: 15 s a read, 30 s an action, 250 s a record, then timeout, leases and visibility', () => {
    expect(WORKER_CLIENT).toEqual({ timeoutMs: 10_000, retry: DEFAULT_RETRY_POLICY });
    expect(READS_PER_RECORD).toBe(14); // the offer, 2 listing pages, 10 shift offers, 1 resolution read
    expect(WORKER_TIMING).toEqual({
      readMs: 15_000,
      actionMs: 30_000,
      recordMs: 14 * 15_000 + 30_000 + 10_000,
      actionBudgetMs: 30_000,
      workerTimeoutS: 300,
      eventLeaseMs: 360_000,
      decisionLeaseMs: 360_000,
      visibilityTimeoutS: 1800,
      retryDelaysS: [5, 15, 60, 300],
      maxReceiveCount: 5,
    });
  });

  it('breaks no relation', () => {
    expect(timingProblems(WORKER_TIMING)).toEqual([]);
  });

  it('follows a faster client down and still fits', () => {
    const client = { timeoutMs: 5_000, retry: { ...DEFAULT_RETRY_POLICY, maxTotalMs: 8_000 } };
    const timing = deriveWorkerTiming(client);
    expect(timing.recordMs).toBe(14 * 8_000 + 16_000 + 10_000);
    expect(timing.workerTimeoutS).toBe(180);
    expect(timingProblems(timing, client)).toEqual([]);
  });

  it('reports a client too slow for any Lambda', () => {
    const client = { timeoutMs: 20_000, retry: { ...DEFAULT_RETRY_POLICY, maxTotalMs: 60_000 } };
    expect(timingProblems(deriveWorkerTiming(client), client).join('\n')).toContain(
      "exceeds Lambda's 900 s",
    );
  });
});

describe('each relation, when broken, is reported', () => {
  const cases: Array<[string, (t: WorkerTiming) => WorkerTiming, string]> = [
    [
      'the assumed read worst case is below the client’s',
      (t) => ({ ...t, readMs: 10_000 }),
      "the client's worst cases",
    ],
    [
      'the action budget is below the client’s action worst case',
      (t) => ({ ...t, actionBudgetMs: 20_000 }),
      'the action budget (20 s) is shorter',
    ],
    [
      'the time guard is below a record’s worst case',
      (t) => ({ ...t, recordMs: 200_000 }),
      'the time guard (200 s) is shorter than a record',
    ],
    [
      'the worker timeout does not exceed the guard',
      (t) => ({ ...t, workerTimeoutS: 250 }),
      'no record would ever start',
    ],
    [
      'the worker timeout exceeds Lambda’s limit',
      (t) => ({
        ...t,
        workerTimeoutS: 960,
        eventLeaseMs: 1_020_000,
        decisionLeaseMs: 1_020_000,
        visibilityTimeoutS: 6000,
      }),
      "exceeds Lambda's 900 s",
    ],
    [
      'the event lease does not outlast the timeout',
      (t) => ({ ...t, eventLeaseMs: 300_000 }),
      'the event lease (300 s) does not outlast',
    ],
    [
      'the decision lease does not outlast the timeout',
      (t) => ({ ...t, decisionLeaseMs: 290_000 }),
      'the decision-unit lease (290 s) does not outlast',
    ],
    [
      'the retry delays before the last receive do not outlast the decision lease',
      (t) => ({ ...t, decisionLeaseMs: 500_000 }),
      'not more than the event and unit leases (500 s)',
    ],
    [
      'the visibility does not cover timeout plus event lease',
      (t) => ({ ...t, eventLeaseMs: 1_600_000 }),
      'plus the event lease',
    ],
    [
      'the visibility does not cover timeout plus decision lease',
      (t) => ({ ...t, decisionLeaseMs: 1_600_000 }),
      'plus the decision-unit lease',
    ],
    [
      'the visibility is under 6x the timeout',
      (t) => ({ ...t, visibilityTimeoutS: 1200 }),
      'under 6x the worker timeout',
    ],
    [
      'the visibility exceeds SQS’s limit',
      (t) => ({ ...t, visibilityTimeoutS: 50_000 }),
      "exceeds SQS's 43200 s",
    ],
    [
      'the receive count is out of range',
      (t) => ({ ...t, maxReceiveCount: 0 }),
      'maxReceiveCount (0)',
    ],
    ['the schedule is empty', (t) => ({ ...t, retryDelaysS: [] }), 'the retry schedule is empty'],
    [
      'a delay is not a whole second',
      (t) => ({ ...t, retryDelaysS: [0.5, 15, 60, 300] }),
      'not all whole seconds',
    ],
    ['the schedule shrinks', (t) => ({ ...t, retryDelaysS: [5, 60, 15, 300] }), 'shrink'],
    [
      'a delay is no shorter than the visibility',
      (t) => ({ ...t, retryDelaysS: [5, 15, 60, 300, 1800] }),
      'no sooner than a crash',
    ],
    [
      'the delays before the last receive do not outlast the event lease',
      (t) => ({ ...t, retryDelaysS: [5, 15, 45, 120, 300] }),
      'add up to 185 s',
    ],
  ];

  it.each(cases)('%s', (_label, breakIt, words) => {
    const problems = timingProblems(breakIt(WORKER_TIMING));
    expect(problems.join('\n')).toContain(words);
  });

  it('a client whose budget leaves no room after its first attempt', () => {
    const client = { timeoutMs: 15_000, retry: DEFAULT_RETRY_POLICY };
    expect(timingProblems(WORKER_TIMING, client).join('\n')).toContain(
      'no retry, and no request after a login, could start',
    );
  });
});

describe('retry delays', () => {
  it('follow the schedule by receive count, the last entry repeating', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((count) => retryDelaySeconds(count))).toEqual([
      5, 15, 60, 300, 300, 300, 300,
    ]);
  });

  it('read a missing or unreadable receive count as the first', () => {
    expect(retryDelaySeconds(Number.NaN)).toBe(5);
    expect(retryDelaySeconds(0)).toBe(5);
  });

  it('take the error’s own wait when it is longer, rounded up to a second, never past SQS’s limit', () => {
    expect(retryDelaySeconds(1, 42_001)).toBe(43);
    expect(retryDelaySeconds(3, 42_001)).toBe(60);
    expect(retryDelaySeconds(1, 100 * 3600 * 1000)).toBe(43_200);
  });

  it('re-send a copy at once, or after the error’s wait within SQS’s 15 minutes', () => {
    expect(resendDelaySeconds()).toBe(0);
    expect(resendDelaySeconds(1_500)).toBe(2);
    expect(resendDelaySeconds(3_600_000)).toBe(900);
  });
});
