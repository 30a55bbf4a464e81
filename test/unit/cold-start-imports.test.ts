/**
 * Covers what each handler loads at start (issue 10, part 4), by walking its static value imports
 * (test/support/import-graph.ts). No handler reaches a module through `import()`: in the
 * functions' CommonJS bundles esbuild would put that module, and every SDK module it shares with
 * the rest, behind an initializer, kept whole and run whole at start, which cost more than loading
 * its package did (adapters/first-use.ts). The clients most invocations never call are built on
 * first use instead (adapters/deferred-*.ts), their packages imported as any other. The worker
 * reaches the clients it rarely calls (SNS for review notifications, EventBridge for won
 * referrals, SQS for record hand-backs); the reconciler reaches DynamoDB and SQS, none of the
 * worker's publishers. Neither reaches lib-dynamodb: the stores convert items with util-dynamodb
 * on the low-level client, whose middleware is cached (adapters/dynamo-documents.ts). The rules
 * are read with a signed GET, not an S3 client. The walker itself is checked on small sources:
 * type-only imports and `import()` are not edges, re-exports are.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { moduleReferences, packageName, staticGraph } from '../support/import-graph';
import { PROJECT_ROOT } from '../../lib/connector-function';

const DYNAMODB = '@aws-sdk/client-dynamodb';
const SNS = '@aws-sdk/client-sns';
const EVENTBRIDGE = '@aws-sdk/client-eventbridge';
const SQS = '@aws-sdk/client-sqs';
const POWERTOOLS_PARAMETERS = '@aws-lambda-powertools/parameters';
const LIB_DYNAMODB = '@aws-sdk/lib-dynamodb';
const UTIL_DYNAMODB = '@aws-sdk/util-dynamodb';

const HANDLERS = {
  worker: 'lambdas/worker/handler.ts',
  reconciler: 'lambdas/reconciler/handler.ts',
  receiver: 'lambdas/receiver/handler.ts',
} as const;

describe('what the handlers load at start', () => {
  it.each(Object.entries(HANDLERS))('the %s reaches no module through import()', (_, entry) => {
    const graph = staticGraph(PROJECT_ROOT, entry);
    expect(graph.deferredFiles).toEqual([]);
  });

  it('the worker reaches every client it calls, the DynamoDB one through util-dynamodb, and no S3 client', () => {
    const graph = staticGraph(PROJECT_ROOT, HANDLERS.worker);
    expect(graph.packages).toEqual(
      expect.arrayContaining([
        DYNAMODB,
        UTIL_DYNAMODB,
        SNS,
        EVENTBRIDGE,
        SQS,
        '@smithy/signature-v4',
      ]),
    );
    // The rules are read with a signed GET (adapters/s3-object-reader.ts): no S3 client at all.
    expect(graph.packages).not.toContain('@aws-sdk/client-s3');
    expect(graph.packages).not.toContain(LIB_DYNAMODB);
    expect(graph.files).toEqual(
      expect.arrayContaining([
        'lambdas/adapters/eventbridge-referral-publisher.ts',
        'lambdas/adapters/sns-notifier.ts',
        'lambdas/adapters/sqs-event-queue.ts',
      ]),
    );
  });

  it('the reconciler reaches DynamoDB and SQS, and no publisher of the worker', () => {
    const graph = staticGraph(PROJECT_ROOT, HANDLERS.reconciler);
    expect(graph.packages).toEqual(
      expect.arrayContaining([
        POWERTOOLS_PARAMETERS,
        '@aws-lambda-powertools/logger',
        DYNAMODB,
        UTIL_DYNAMODB,
        SQS,
      ]),
    );
    for (const pkg of [SNS, EVENTBRIDGE, LIB_DYNAMODB]) expect(graph.packages).not.toContain(pkg);
  });

  it('the receiver reaches SQS (it sends on every delivery) and the shared secret’s reader', () => {
    const graph = staticGraph(PROJECT_ROOT, HANDLERS.receiver);
    expect(graph.packages).toEqual(expect.arrayContaining([SQS, POWERTOOLS_PARAMETERS]));
    expect(graph.files).toContain('lambdas/adapters/sqs-event-queue.ts');
    expect(graph.packages).not.toContain(DYNAMODB);
  });
});

describe('the static import walk', () => {
  it('names a package by its scope and name, and a relative specifier by none', () => {
    expect(packageName('@aws-sdk/client-sqs')).toBe('@aws-sdk/client-sqs');
    expect(packageName('@aws-lambda-powertools/parameters/secrets')).toBe(
      '@aws-lambda-powertools/parameters',
    );
    expect(packageName('valibot')).toBe('valibot');
    expect(packageName('./first-use')).toBeUndefined();
  });

  it('counts value imports, side-effect imports and value re-exports, not type-only ones', () => {
    const source = [
      "import { a } from 'pkg-a';",
      "import b from 'pkg-b';",
      "import * as c from 'pkg-c';",
      "import 'pkg-d';",
      "import { type E, f } from 'pkg-f';",
      "import type { G } from 'pkg-g';",
      "import { type H } from 'pkg-h';",
      "export { i } from 'pkg-i';",
      "export * from 'pkg-j';",
      "export type { K } from 'pkg-k';",
      "export { type L } from 'pkg-l';",
      "import m = require('pkg-m');",
      'export const use = [a, b, c, f, m];',
    ].join('\n');
    expect(moduleReferences(source).filter((ref) => !ref.deferred)).toEqual(
      ['pkg-a', 'pkg-b', 'pkg-c', 'pkg-d', 'pkg-f', 'pkg-i', 'pkg-j', 'pkg-m'].map((specifier) => ({
        specifier,
        deferred: false,
      })),
    );
  });

  it('marks import() as deferred, wherever it is', () => {
    const source = [
      "export async function later() { return (await import('./lazy')).value; }",
      "export const also = () => import('pkg-lazy');",
    ].join('\n');
    expect(moduleReferences(source)).toEqual([
      { specifier: './lazy', deferred: true },
      { specifier: 'pkg-lazy', deferred: true },
    ]);
  });

  describe('over files', () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'import-graph-'));
      const files: Record<string, string> = {
        'entry.ts': [
          "import { now } from './now';",
          "import type { Later } from './later';",
          "import './dir';",
          "import { readFileSync } from 'node:fs';",
          "import { join } from 'path';",
          "export const go = async (): Promise<Later> => (await import('./later')).later(now, readFileSync, join);",
        ].join('\n'),
        'now.ts': "export { now } from './deep';",
        'deep.ts': "import { x } from '@scope/at-start/sub';\nexport const now = x;",
        'dir/index.ts': "import 'plain-package';",
        'later.ts':
          "import { y } from '@scope/at-first-use';\nexport type Later = number;\nexport const later = () => y;",
      };
      for (const [name, text] of Object.entries(files)) {
        const path = join(root, name);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
      }
    });
    afterAll(() => {
      rmSync(root, { recursive: true, force: true });
    });

    it('follows the static edges through files, folders and re-exports, leaving import() targets for later', () => {
      const graph = staticGraph(root, 'entry.ts');
      expect(graph.files).toEqual(['deep.ts', 'dir/index.ts', 'entry.ts', 'now.ts']);
      // Node's built-ins are not packages; a deep specifier names its package.
      expect(graph.packages).toEqual(['@scope/at-start', 'plain-package']);
      expect(graph.deferredFiles).toEqual(['later.ts']);
    });

    it('refuses a relative import it cannot resolve rather than leave part of the graph out', () => {
      writeFileSync(join(root, 'broken.ts'), "import { gone } from './gone';\nexport { gone };");
      expect(() => staticGraph(root, 'broken.ts')).toThrow(/cannot resolve \.\/gone/);
    });
  });
});
