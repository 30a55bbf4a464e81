/**
 * The pure parts of the latency and throughput benchmarks (bench/load/stats.ts). No durations are
 * measured or asserted here: every input is made up.
 */
import {
  BenchmarkError,
  latencyLine,
  nextPollTick,
  parseLoadOptions,
  percentile,
  pollingLatencies,
  type RateTrial,
  stepRates,
  splitWorkers,
  summarize,
  throughputLine,
  trialProblem,
} from '../../bench/load/stats';

const DEFAULTS = { durationS: 60, rates: [20, 50], workers: 5, batchSize: 10 };

describe('percentile and summarize', () => {
  it('takes the nearest rank of sorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
  });

  it('refuses a percentile outside (0, 100] and gives NaN for no values', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(percentile([], 50)).toBeNaN();
  });

  it('sorts before it summarizes and reports the max', () => {
    expect(summarize([30, 10, 20, 40])).toEqual({ count: 4, p50: 20, p95: 40, p99: 40, max: 40 });
    const empty = summarize([]);
    expect(empty.count).toBe(0);
    expect(empty.max).toBeNaN();
  });
});

describe('the polling model', () => {
  it('sees an offer at the first tick at or after its publication', () => {
    expect(nextPollTick(0, 300, 0)).toBe(0);
    expect(nextPollTick(1, 300, 0)).toBe(300);
    expect(nextPollTick(299, 300, 0)).toBe(300);
    expect(nextPollTick(301, 300, 100)).toBe(400);
    expect(nextPollTick(50, 300, 100)).toBe(100);
    expect(() => nextPollTick(0, 0, 0)).toThrow(RangeError);
  });

  it('adds the offer’s own answer time to its wait for the tick', () => {
    // One phase (0): published at 10 waits 290 for the tick at 300, then takes its 5 to answer.
    expect(pollingLatencies([10, 300], [5, 7], { intervalMs: 300, phases: 1 })).toEqual([295, 7]);
  });

  it('has a median near half the interval over evenly spread phases', () => {
    const published = Array.from({ length: 1200 }, (_, i) => i * 50); // 20/s for 60 s
    const answer = published.map(() => 40);
    const latencies = summarize(pollingLatencies(published, answer));
    expect(latencies.count).toBe(1200 * 300);
    expect(latencies.p50).toBeGreaterThan(145_000);
    expect(latencies.p50).toBeLessThan(155_000);
    expect(latencies.max).toBeLessThanOrEqual(300_000 + 40);
  });

  it('refuses mismatched inputs and a bad phase count', () => {
    expect(() => pollingLatencies([1, 2], [1])).toThrow(RangeError);
    expect(() => pollingLatencies([1], [1], { phases: 0 })).toThrow(RangeError);
  });
});

describe('stepping the rate up', () => {
  const trial = (rate: number, overrides: Partial<RateTrial> = {}): RateTrial => ({
    rate,
    published: rate * 60,
    lost: 0,
    p99: 100,
    achievedRate: rate,
    ...overrides,
  });

  it('says why a step is not sustained', () => {
    expect(trialProblem(trial(20))).toBeUndefined();
    expect(trialProblem(trial(20, { lost: 1 }))).toMatch(/1 offer\(s\) lost/);
    expect(trialProblem(trial(20, { p99: 1000 }))).toMatch(/not under 1000 ms/);
    expect(trialProblem(trial(20, { p99: Number.NaN }))).toMatch(/not under/);
    expect(trialProblem(trial(100, { achievedRate: 90 }))).toMatch(/only 90.0 offers\/s/);
    expect(trialProblem(trial(20, { published: 0 }))).toMatch(/nothing/);
    expect(trialProblem(trial(20, { problem: 'warm-up never drained' }))).toBe(
      'warm-up never drained',
    );
  });

  it('stops at a step that could not be timed, keeping the one before', async () => {
    const result = await stepRates([20, 50, 100], async (rate) =>
      rate === 50
        ? { rate, published: 0, lost: 0, p99: Number.NaN, achievedRate: 0, problem: 'not timed' }
        : trial(rate),
    );
    expect(result.sustained?.rate).toBe(20);
    expect(result.failed).toMatchObject({ trial: { rate: 50 }, problem: 'not timed' });
    expect(throughputLine(result)).toBe('throughput: 20 offers/s, lost=0, p99=100');
  });

  it('runs the rates in increasing order and stops at the first that fails', async () => {
    const ran: number[] = [];
    const result = await stepRates([100, 20, 50, 200], async (rate) => {
      ran.push(rate);
      return trial(rate, rate >= 100 ? { lost: 3 } : {});
    });
    expect(ran).toEqual([20, 50, 100]);
    expect(result.sustained?.rate).toBe(50);
    expect(result.failed?.trial.rate).toBe(100);
    expect(throughputLine(result)).toBe('throughput: 50 offers/s, lost=0, p99=100');
  });

  it('reports the highest rate when every step holds, and 0 when none does', async () => {
    const all = await stepRates([20, 50], async (rate) => trial(rate, { p99: rate * 2.4 }));
    expect(all.failed).toBeUndefined();
    expect(throughputLine(all)).toBe('throughput: 50 offers/s, lost=0, p99=120');
    const none = await stepRates([20, 50], async (rate) => trial(rate, { lost: 2, p99: 1500 }));
    expect(none.sustained).toBeUndefined();
    expect(throughputLine(none)).toBe('throughput: 0 offers/s, lost=2, p99=1500');
  });
});

describe('the summary lines', () => {
  it('prints the latency line in its fixed format, rounded', () => {
    const push = { count: 1200, p50: 41.6, p95: 88.2, p99: 140.4, max: 300 };
    expect(latencyLine(push, 150_041.6)).toBe(
      'latency: p50=42 p95=88 p99=140 polling-p50=150042 ratio=3607',
    );
  });

  it('says n/a rather than a number when nothing was answered', () => {
    expect(latencyLine(summarize([]), 150_000)).toBe(
      'latency: p50=n/a p95=n/a p99=n/a polling-p50=150000 ratio=n/a',
    );
  });
});

describe('the options', () => {
  it('keeps the defaults without options', () => {
    expect(parseLoadOptions([], DEFAULTS)).toEqual(DEFAULTS);
  });

  it('takes each option as --name value or --name=value', () => {
    expect(
      parseLoadOptions(
        ['--duration', '10', '--rates=20,100', '--workers', '3', '--batch-size=1'],
        DEFAULTS,
      ),
    ).toEqual({
      durationS: 10,
      rates: [20, 100],
      workers: 3,
      batchSize: 1,
    });
  });

  it('takes a warm-up of 0 (none) or more seconds, and refuses a negative one', () => {
    expect(parseLoadOptions(['--warm-up', '0'], DEFAULTS)).toEqual({ ...DEFAULTS, warmUpS: 0 });
    expect(parseLoadOptions(['--warm-up=2.5'], DEFAULTS)).toEqual({ ...DEFAULTS, warmUpS: 2.5 });
    expect(() => parseLoadOptions(['--warm-up', '-1'], DEFAULTS)).toThrow(
      /--warm-up must be 0 or more/,
    );
    expect(() => parseLoadOptions(['--warm-up', '0,1'], DEFAULTS)).toThrow(/one number/);
  });

  it('refuses unknown options and bad values, naming them', () => {
    expect(() => parseLoadOptions(['--rate', '20'], DEFAULTS)).toThrow(/unknown option --rate/);
    expect(() => parseLoadOptions(['--duration'], DEFAULTS)).toThrow(/--duration needs a value/);
    expect(() => parseLoadOptions(['--duration', '-1'], DEFAULTS)).toThrow(/positive/);
    expect(() => parseLoadOptions(['--rates', '20,x'], DEFAULTS)).toThrow(
      /--rates must be positive/,
    );
    expect(() => parseLoadOptions(['--duration', '1,2'], DEFAULTS)).toThrow(/one number/);
    expect(() => parseLoadOptions(['--workers', '2.5'], DEFAULTS)).toThrow(/whole number/);
    expect(() => parseLoadOptions(['--batch-size', '11'], DEFAULTS)).toThrow(/1 to 10/);
    expect(() => parseLoadOptions(['--bogus'], DEFAULTS)).toThrow(BenchmarkError);
  });

  it('does not change the defaults it was given', () => {
    const defaults = { ...DEFAULTS, rates: [20] };
    parseLoadOptions(['--rates', '5'], defaults);
    expect(defaults.rates).toEqual([20]);
  });
});

describe('spreading the worker invocations over processes', () => {
  it('takes --worker-processes as a whole number', () => {
    expect(parseLoadOptions(['--worker-processes', '3'], DEFAULTS).workerProcesses).toBe(3);
    expect(() => parseLoadOptions(['--worker-processes=1.5'], DEFAULTS)).toThrow(
      /--worker-processes must be a whole number/,
    );
  });

  it('splits the invocations as evenly as it gets, never leaving a process empty', () => {
    expect(splitWorkers(5, 2)).toEqual([3, 2]);
    expect(splitWorkers(5, 1)).toEqual([5]);
    expect(splitWorkers(6, 3)).toEqual([2, 2, 2]);
    expect(splitWorkers(2, 5)).toEqual([1, 1]);
    for (const [workers, processes] of [
      [7, 3],
      [10, 4],
      [1, 1],
    ])
      expect(splitWorkers(workers, processes).reduce((a, b) => a + b, 0)).toBe(workers);
    expect(() => splitWorkers(0, 1)).toThrow(RangeError);
    expect(() => splitWorkers(3, 0)).toThrow(RangeError);
  });
});
