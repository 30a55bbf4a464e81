import {
  esbuildOptionsFrom,
  floorEntrySource,
  functionEnvironment,
  interleavedOrder,
  kilobytes,
  median,
  pairedRatio,
  placeholderFor,
  summaryLine,
  verdict,
} from '../../bench/cold/parts';
import { pairedCell } from '../../bench/cold/report';
import { CONNECTOR_BUNDLING, CONNECTOR_RUNTIME } from '../../lib/bundling';
import { callgrindTotal } from '../../bench/cold/callgrind';

describe('cold bench: median', () => {
  it('takes the middle sample of an odd count, whatever the order', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([5])).toBe(5);
  });

  it('takes the mean of the middle two of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is not moved by one outlier', () => {
    expect(median([10, 11, 12, 13, 5000])).toBe(12);
  });

  it('refuses no samples', () => {
    expect(() => median([])).toThrow(RangeError);
  });

  it('leaves its input as it was', () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('cold bench: paired ratio', () => {
  it('takes the median of the per-round ratios, drift between rounds cancelled', () => {
    // The machine slows down round by round; each round's pair is 5% apart.
    const floor = [100, 140, 180, 220, 260, 300, 340];
    const bundle = floor.map((ms) => ms * 1.05);
    const paired = pairedRatio(bundle, floor);
    expect(paired.ratio).toBeCloseTo(1.05, 10);
    expect(paired.low).toBeCloseTo(1.05, 10);
    expect(paired.high).toBeCloseTo(1.05, 10);
  });

  it('gives an interval around the ratio, wider for noisier rounds', () => {
    const floor = Array.from({ length: 21 }, () => 100);
    const tight = floor.map((ms, i) => ms * (1.05 + ((i % 5) - 2) * 0.005));
    const loose = floor.map((ms, i) => ms * (1.05 + ((i % 5) - 2) * 0.05));
    const a = pairedRatio(tight, floor);
    const b = pairedRatio(loose, floor);
    for (const p of [a, b]) {
      expect(p.low).toBeLessThanOrEqual(p.ratio);
      expect(p.high).toBeGreaterThanOrEqual(p.ratio);
    }
    expect(b.high - b.low).toBeGreaterThan(a.high - a.low);
    expect(a.high - a.low).toBeGreaterThan(0);
  });

  it('repeats its interval for the same samples', () => {
    const floor = [100, 104, 98, 120, 101, 99, 103];
    const bundle = [109, 108, 111, 119, 104, 115, 107];
    expect(pairedRatio(bundle, floor)).toEqual(pairedRatio(bundle, floor));
  });

  it('refuses unpaired or no samples', () => {
    expect(() => pairedRatio([1, 2], [1])).toThrow(RangeError);
    expect(() => pairedRatio([], [])).toThrow(RangeError);
  });

  it('calls a goal met or not only when the whole interval is on one side of it', () => {
    expect(verdict({ ratio: 1.05, low: 1.02, high: 1.1 }, 1.1)).toBe('met');
    expect(verdict({ ratio: 1.15, low: 1.11, high: 1.2 }, 1.1)).toBe('not met');
    expect(verdict({ ratio: 1.09, low: 1.04, high: 1.13 }, 1.1)).toBe('open');
  });

  it('prints the ratio and its interval to two decimals', () => {
    expect(pairedCell({ ratio: 1.0789, low: 1.031, high: 1.1249 })).toBe('1.08x (1.03-1.12)');
  });
});

describe('cold bench: interleaving order', () => {
  it('runs every function bundle and floor once per round', () => {
    const runs = interleavedOrder(['receiver', 'worker', 'reconciler'], 15);
    expect(runs).toHaveLength(3 * 2 * 15);
    for (const fn of ['receiver', 'worker', 'reconciler']) {
      expect(runs.filter((run) => run.fn === fn && run.variant === 'bundle')).toHaveLength(15);
      expect(runs.filter((run) => run.fn === fn && run.variant === 'floor')).toHaveLength(15);
    }
  });

  it('keeps each pair back to back and alternates which goes first, by round and by function', () => {
    const runs = interleavedOrder(['a', 'b'], 2);
    expect(runs.map((run) => `${run.fn}:${run.variant}`)).toEqual([
      'a:bundle',
      'a:floor',
      'b:floor',
      'b:bundle',
      'a:floor',
      'a:bundle',
      'b:bundle',
      'b:floor',
    ]);
  });

  it('puts the bundle first in half of the rounds for an even count', () => {
    const runs = interleavedOrder(['only'], 16);
    const firsts = runs.filter((_, index) => index % 2 === 0);
    expect(firsts.filter((run) => run.variant === 'bundle')).toHaveLength(8);
  });

  it('rotates three variants so each takes every place equally often over three rounds', () => {
    const runs = interleavedOrder(['a', 'b'], 3, { a: ['bundle', 'floor', 'without'] });
    const rounds = [0, 1, 2].map((round) =>
      runs.slice(round * 5, round * 5 + 5).map((run) => `${run.fn}:${run.variant}`),
    );
    expect(rounds).toEqual([
      ['a:bundle', 'a:floor', 'a:without', 'b:floor', 'b:bundle'],
      ['a:floor', 'a:without', 'a:bundle', 'b:bundle', 'b:floor'],
      ['a:without', 'a:bundle', 'a:floor', 'b:floor', 'b:bundle'],
    ]);
  });

  it('refuses a round count that is not a positive integer', () => {
    expect(() => interleavedOrder(['a'], 0)).toThrow(RangeError);
    expect(() => interleavedOrder(['a'], 1.5)).toThrow(RangeError);
  });
});

describe('cold bench: summary line', () => {
  it('has exactly the issue format: KB rounded, ms to one decimal', () => {
    expect(summaryLine('worker', 1_495_212, 313.64, 237.02)).toBe(
      'cold: worker=1495KB/313.6ms floor=237.0ms',
    );
  });

  it('matches the pattern a comparison over time parses', () => {
    expect(summaryLine('receiver', 499, 0.04, 12)).toMatch(
      /^cold: [a-z]+=\d+KB\/\d+(\.\d)?ms floor=\d+(\.\d)?ms$/,
    );
  });

  it('counts kilobytes as 1000 bytes', () => {
    expect(kilobytes(1499)).toBe(1);
    expect(kilobytes(1500)).toBe(2);
  });
});

describe('cold bench: esbuild options from the bundling definition', () => {
  it('passes what NodejsFunction passes to esbuild for the connector', () => {
    expect(esbuildOptionsFrom(CONNECTOR_BUNDLING)).toMatchObject({
      bundle: true,
      platform: 'node',
      target: CONNECTOR_BUNDLING.target,
      format: 'cjs',
      minify: CONNECTOR_BUNDLING.minify,
      sourcemap: CONNECTOR_BUNDLING.sourceMap,
      sourcesContent: CONNECTOR_BUNDLING.sourcesContent,
    });
  });

  it('passes the definition’s --alias entries as esbuild aliases, and refuses one without a path', () => {
    expect(
      esbuildOptionsFrom({ esbuildArgs: { '--alias': ['@scope/pkg=./stand-in.ts', 'b=./c.ts'] } })
        .alias,
    ).toEqual({ '@scope/pkg': './stand-in.ts', b: './c.ts' });
    expect(esbuildOptionsFrom({}).alias).toBeUndefined();
    expect(() => esbuildOptionsFrom({ esbuildArgs: { '--alias': ['@scope/pkg'] } })).toThrow(
      /<package>=<path>/,
    );
  });

  it("targets the functions' runtime when the definition names no target", () => {
    // Derived from CONNECTOR_RUNTIME; CONNECTOR_BUNDLING.target is written out beside it by hand.
    expect(esbuildOptionsFrom({}).target).toBe(CONNECTOR_BUNDLING.target);
  });

  it('keeps the SDK out when it is not bundled, and lists given externals as they are', () => {
    expect(esbuildOptionsFrom({ bundleAwsSDK: false }).external).toEqual(['@aws-sdk/*']);
    expect(esbuildOptionsFrom({ bundleAwsSDK: true }).external).toEqual([]);
    expect(esbuildOptionsFrom({ externalModules: ['@aws-sdk/*', '@smithy/*'] }).external).toEqual([
      '@aws-sdk/*',
      '@smithy/*',
    ]);
  });
});

describe('cold bench: floor entry', () => {
  it('re-exports the SDK and Powertools names only, merged per module and sorted', () => {
    const source = floorEntrySource([
      { specifier: '@aws-sdk/client-sqs', names: ['SQSClient'] },
      { specifier: '../adapters/env', names: ['requireEnv'] },
      { specifier: 'zod', names: ['z'] },
      { specifier: '@aws-lambda-powertools/logger', names: ['Logger'] },
      { specifier: '@aws-sdk/client-sqs', names: ['SendMessageCommand', 'SQSClient'] },
    ]);
    expect(source).toBe(
      "export { Logger as m0_Logger } from '@aws-lambda-powertools/logger';\n" +
        "export { SQSClient as m1_SQSClient, SendMessageCommand as m1_SendMessageCommand } from '@aws-sdk/client-sqs';\n",
    );
  });

  it('keeps a module imported for its effects only', () => {
    expect(floorEntrySource([{ specifier: '@aws-sdk/client-s3', names: [] }])).toBe(
      "import '@aws-sdk/client-s3';\n",
    );
  });
});

describe('cold bench: environment', () => {
  it('keeps literal values, replaces intrinsics by shaped placeholders and takes nothing else from the bench', () => {
    const env = functionEnvironment(
      {
        NODE_OPTIONS: '--enable-source-maps',
        QUEUE_URL: { 'Fn::ImportValue': 'x' },
        CREDENTIALS_SECRET_ARN: { Ref: 'y' },
      },
      'bench-worker',
      512,
      '/usr/bin',
    );
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(env.QUEUE_URL).toMatch(/^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com\/\d{12}\//);
    expect(env.CREDENTIALS_SECRET_ARN).toMatch(/^arn:aws:secretsmanager:/);
    expect(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE).toBe('512');
    expect(env.PATH).toBe('/usr/bin');
    expect(Object.keys(env)).not.toContain('HOME');
    // What Lambda sets for the deployed runtime, so the SDK and Powertools read the same.
    expect(env.AWS_EXECUTION_ENV).toBe(`AWS_Lambda_${CONNECTOR_RUNTIME.name}`);
  });

  it('shapes topic and bus ARNs and names other resources', () => {
    expect(placeholderFor('NOTIFICATION_TOPIC_ARN')).toMatch(/^arn:aws:sns:/);
    expect(placeholderFor('REFERRAL_EVENT_BUS_ARN')).toMatch(/^arn:aws:events:.*:event-bus\//);
    expect(placeholderFor('TABLE_NAME')).toBe('bench-table-name');
  });
});

describe('cold bench: callgrind output', () => {
  it('reads the summary count, and the totals line when there is no summary', () => {
    expect(callgrindTotal('events: Ir\nsummary: 86945261\nfl=x\n')).toBe(86_945_261);
    expect(callgrindTotal('events: Ir\nfn=a\n0 5\ntotals: 1234\n')).toBe(1234);
  });

  it('refuses output without a count instead of reporting zero', () => {
    expect(() => callgrindTotal('events: Ir\n')).toThrow(/no summary/);
  });
});
