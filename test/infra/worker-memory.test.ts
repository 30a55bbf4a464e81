/**
 * Covers config `workerMemoryMb` (lambdas/core/worker-config.ts): the schema takes a whole number
 * of MB within Lambda's bounds and refuses anything else naming the field, its default is
 * DEFAULT_WORKER_MEMORY_MB, and the worker's MemorySize in the template follows it while the
 * receiver and the reconciler keep their own 256 MB. Pricing the configured memory is in
 * test/unit/bench-cost-memory.test.ts.
 */
import { ConfigError, parseConnectorConfig } from '../../lambdas/core/config';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import {
  DEFAULT_WORKER_MEMORY_MB,
  LAMBDA_MEMORY_MB,
  WORKER_MEMORY_WARNING_MB,
} from '../../lambdas/core/worker-config';
import { build, exampleConfig, functionFor } from './infra-support';

/** The example config as a file holds it, with `workerMemoryMb` set (or left out: undefined). */
function withMemory(workerMemoryMb: unknown): Record<string, unknown> {
  const raw = JSON.parse(JSON.stringify(exampleConfig())) as Record<string, unknown>;
  if (workerMemoryMb === undefined) delete raw['workerMemoryMb'];
  else raw['workerMemoryMb'] = workerMemoryMb;
  return raw;
}

function refusal(workerMemoryMb: unknown): string {
  try {
    parseConnectorConfig(withMemory(workerMemoryMb));
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`expected workerMemoryMb ${JSON.stringify(workerMemoryMb)} to be refused`);
}

// Synthesis prints each warning annotation to console.error: the low-memory warning is expected
// here, so it is kept off the test output, and anything else printed still fails the file.
let printed: string[] = [];
beforeEach(() => {
  printed = [];
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  const unexpected = printed.filter((line) => !/WARNING workerMemoryMb \d+ is below/.test(line));
  expect(unexpected).toEqual([]);
});

const memoryOf = (config: ReturnType<typeof parseConnectorConfig>, service: string) =>
  functionFor(build(config).appTemplate, service).properties['MemorySize'];

describe('config workerMemoryMb', () => {
  it('defaults to 256 MB when left out', () => {
    expect(DEFAULT_WORKER_MEMORY_MB).toBe(256);
    expect(parseConnectorConfig(withMemory(undefined)).workerMemoryMb).toBe(256);
  });

  it.each([LAMBDA_MEMORY_MB.min, 512, 1769, LAMBDA_MEMORY_MB.max])('accepts %i MB', (mb) => {
    expect(parseConnectorConfig(withMemory(mb)).workerMemoryMb).toBe(mb);
  });

  it.each([
    [127, /workerMemoryMb: .*at least 128/],
    [10241, /workerMemoryMb: .*at most 10240/],
    [300.5, /workerMemoryMb: must be a whole number of MB/],
    ['512', /workerMemoryMb: /],
  ])('refuses %p, naming the field and the rule', (mb, message) => {
    expect(refusal(mb)).toMatch(message);
  });
});

describe("the worker's memory in the template", () => {
  it('is the default when the config leaves it out; the receiver and reconciler keep 256 MB', () => {
    const config = parseConnectorConfig(withMemory(undefined));
    const app = build(config).appTemplate;
    expect(functionFor(app, 'worker').properties['MemorySize']).toBe(DEFAULT_WORKER_MEMORY_MB);
    expect(functionFor(app, 'receiver').properties['MemorySize']).toBe(256);
    expect(functionFor(app, 'reconciler').properties['MemorySize']).toBe(256);
  });

  it('follows workerMemoryMb', () => {
    expect(memoryOf(parseConnectorConfig(withMemory(1024)), 'worker')).toBe(1024);
    expect(memoryOf(parseConnectorConfig(withMemory(128)), 'worker')).toBe(128);
  });
});

describe('a worker memory too small for its code', () => {
  const warningsAt = (mb: number) =>
    Annotations.fromStack(build(parseConnectorConfig(withMemory(mb))).app).findWarning(
      '*',
      Match.stringLikeRegexp('workerMemoryMb'),
    );

  it.each([LAMBDA_MEMORY_MB.min, WORKER_MEMORY_WARNING_MB - 1])(
    'deploys at %i MB with a warning that names the field, the room the code takes and the default',
    (mb) => {
      const warnings = warningsAt(mb);
      expect(warnings).toHaveLength(1);
      expect(JSON.stringify(warnings[0]?.entry.data)).toMatch(
        new RegExp(`workerMemoryMb ${mb} is below ${WORKER_MEMORY_WARNING_MB}.*about 95 MB.*256`),
      );
    },
  );

  it.each([WORKER_MEMORY_WARNING_MB, DEFAULT_WORKER_MEMORY_MB, 1769])(
    'gives no warning at %i MB',
    (mb) => {
      expect(warningsAt(mb)).toHaveLength(0);
    },
  );
});
