/**
 * The cost benchmark prices the worker's configured memory (config workerMemoryMb): its own code
 * is CPU time, assumed 10 ms at 512 MB, stretched or shrunk with the memory's share of a vCPU (no
 * gain past the full vCPU at 1769 MB), while the DynamoDB and marketplace round trips stay what
 * they are; the template's MemorySize is what gets priced; `lean` is the default memory whatever
 * the config sets, and the `worker-512` variant prices the former default.
 */
import type { DurationSample } from '../../bench/cost/duration';
import type { CostLine } from '../../bench/cost/model';
import { cpuShareFactor, workerBilledMs } from '../../bench/cost/usage';
import { priceConfig, variantConfig, VARIANTS, type CostVariant } from '../../bench/cost/variants';
import { DEFAULT_WORKER_MEMORY_MB, FULL_VCPU_MB } from '../../lambdas/core/worker-config';
import { exampleConfig } from '../infra/infra-support';
import { quietMeasurement } from '../support/cost-usage';

/** 10 events: 60 DynamoDB calls and 20 marketplace calls, so 6 x 5 ms + 2 x 100 ms = 230 ms of round trips. */
const measurement = quietMeasurement({
  dynamoCalls: { GetCommand: 10, UpdateCommand: 50 },
  wru: 50,
  rru: 10,
  sqs: { enqueues: 10, handBacks: 0, visibilityChanges: 0 },
  marketplace: { calls: 20, logins: 0 },
});
const ROUND_TRIPS_MS = 230;

const variant = (name: string): CostVariant => {
  const found = VARIANTS.find((v) => v.name === name);
  if (found === undefined) throw new Error(`no variant ${name}`);
  return found;
};

describe('cpuShareFactor', () => {
  it('stretches CPU time in proportion below a full vCPU and not at all above', () => {
    expect(cpuShareFactor(FULL_VCPU_MB)).toBe(1);
    expect(cpuShareFactor(FULL_VCPU_MB / 2)).toBeCloseTo(2, 9);
    expect(cpuShareFactor(256)).toBeCloseTo(1769 / 256, 9);
    expect(cpuShareFactor(4 * FULL_VCPU_MB)).toBe(1);
  });
});

describe('workerBilledMs', () => {
  it('is the round trips plus 10 ms of own code at 512 MB', () => {
    expect(workerBilledMs(measurement, 512).value).toBe(ROUND_TRIPS_MS + 10);
  });

  it('doubles only the own code at 256 MB, the round trips unchanged', () => {
    expect(workerBilledMs(measurement, 256).value).toBe(ROUND_TRIPS_MS + 20);
    expect(workerBilledMs(measurement, 128).value).toBe(ROUND_TRIPS_MS + 40);
  });

  it('shrinks the own code up to the full vCPU, and no further', () => {
    // 10 ms x 512 / 1769 = 2.9 ms; Lambda bills whole milliseconds.
    expect(workerBilledMs(measurement, FULL_VCPU_MB).value).toBe(ROUND_TRIPS_MS + 3);
    expect(workerBilledMs(measurement, 10240).value).toBe(ROUND_TRIPS_MS + 3);
  });

  it('shows the figures it used in its source', () => {
    expect(workerBilledMs(measurement, 256).source).toContain(
      '6.00 DynamoDB calls/event x 5 ms + 2.00 marketplace calls/event x 100 ms',
    );
    expect(workerBilledMs(measurement, 256).source).toContain(
      "own code 10 ms at 512 MB x 2.00 for 256 MB's CPU share = 20.0 ms",
    );
  });
});

describe("the priced worker follows the template's memory", () => {
  const receiver: DurationSample = { medianMs: 1, p90Ms: 1, count: 1 };
  const workerLine = (lines: readonly CostLine[]) => {
    const found = lines.find(
      (line) => line.type === 'AWS::Lambda::Function' && line.detail.startsWith('worker: '),
    );
    if (found === undefined) throw new Error('no worker line');
    return found;
  };

  it('lean is the default memory whatever the config sets; worker-512 is the former default', () => {
    const big = { ...exampleConfig(), workerMemoryMb: 2048 };
    expect(variantConfig(variant('lean'), big).workerMemoryMb).toBe(DEFAULT_WORKER_MEMORY_MB);
    expect(variantConfig(variant('worker-512'), big).workerMemoryMb).toBe(512);
  });

  it('prices 256 MB for 250 ms and 512 MB for 240 ms: about half the compute per event', () => {
    const at = (workerMemoryMb: number) =>
      priceConfig({ ...exampleConfig(), workerMemoryMb }, measurement, receiver);
    const small = at(256);
    const large = at(512);
    expect(small.usage.durationMs.worker.value).toBe(250);
    expect(large.usage.durationMs.worker.value).toBe(240);
    expect(workerLine(small.lines).detail).toMatch(/^worker: 256 MB arm64 x 250 ms/);
    expect(workerLine(large.lines).detail).toMatch(/^worker: 512 MB arm64 x 240 ms/);
    // GB-seconds: 0.25 x 0.250 against 0.5 x 0.240; the request charge is the same on both.
    const request = 0.2;
    const ratio =
      (workerLine(small.lines).perMillion - request) /
      (workerLine(large.lines).perMillion - request);
    expect(ratio).toBeCloseTo((0.25 * 0.25) / (0.5 * 0.24), 3);
  });
});
