/**
 * Covers what each handler loads at start (issue 10, part 4), by walking its static value imports
 * (bench/cold/import-graph.ts, the walk the cold-start bench prints from): the worker reaches none
 * of the SDK clients it rarely calls (SNS for review notifications, EventBridge for won referrals,
 * SQS for record hand-backs), the reconciler neither SQS (it sends only when it finds dropped
 * offers) nor DynamoDB (it reads only offers still unanswered after the grace period); they load
 * through `import()` on first use (adapters/deferred-*.ts). Neither reaches lib-dynamodb, at start
 * or later: the stores convert items with util-dynamodb on the low-level client, whose middleware
 * is cached (adapters/dynamo-documents.ts). The receiver sends on every delivery,
 * so it keeps SQS at start (deferring it would only move the wait), but its shared secret's reader
 * (Powertools Parameters and Secrets Manager, off by default) loads on first use. The walker
 * itself is checked on small sources: type-only imports and `import()` are not edges, re-exports
 * are.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { moduleReferences, staticGraph } from '../../bench/cold/import-graph';
import { PROJECT_ROOT } from '../../lib/connector-function';

const SNS = '@aws-sdk/client-sns';
const EVENTBRIDGE = '@aws-sdk/client-eventbridge';
const SQS = '@aws-sdk/client-sqs';
const POWERTOOLS_PARAMETERS = '@aws-lambda-powertools/parameters';
const LIB_DYNAMODB = '@aws-sdk/lib-dynamodb';
const UTIL_DYNAMODB = '@aws-sdk/util-dynamodb';

describe('what the handlers load at start', () => {
  it('the worker reaches neither SNS, EventBridge nor SQS statically, and loads their adapters through import()', () => {
    const graph = staticGraph(PROJECT_ROOT, 'lambdas/worker/handler.ts');
    // What every invocation needs is still there: the walk does reach the SDK.
    expect(graph.packages).toEqual(
      expect.arrayContaining(['@aws-sdk/client-dynamodb', '@smithy/signature-v4']),
    );
    // The rules are read with a signed GET (adapters/s3-object-reader.ts): no S3 client at all.
    expect(graph.packages).not.toContain('@aws-sdk/client-s3');
    for (const pkg of [SNS, EVENTBRIDGE, SQS, LIB_DYNAMODB])
      expect(graph.packages).not.toContain(pkg);
    expect(graph.packages).toContain(UTIL_DYNAMODB);
    expect(graph.deferredFiles).toEqual([
      'lambdas/adapters/eventbridge-referral-publisher.ts',
      'lambdas/adapters/sns-notifier.ts',
      'lambdas/adapters/sqs-event-queue.ts',
    ]);
  });

  it('the reconciler reaches neither DynamoDB nor SQS statically, and no publisher of the worker at all', () => {
    const graph = staticGraph(PROJECT_ROOT, 'lambdas/reconciler/handler.ts');
    // What every run needs is still there: the login's secret and the Logger.
    expect(graph.packages).toEqual(
      expect.arrayContaining([
        '@aws-lambda-powertools/parameters',
        '@aws-lambda-powertools/logger',
      ]),
    );
    for (const pkg of [SQS, '@aws-sdk/client-dynamodb', LIB_DYNAMODB])
      expect(graph.packages).not.toContain(pkg);
    expect(graph.deferredFiles).toEqual([
      'lambdas/adapters/dynamo-offer-store.ts',
      'lambdas/adapters/sqs-event-queue.ts',
    ]);
    // What the store loads on the first read: the low-level client and util-dynamodb only.
    const store = staticGraph(PROJECT_ROOT, 'lambdas/adapters/dynamo-offer-store.ts');
    expect(store.packages).toEqual(
      expect.arrayContaining(['@aws-sdk/client-dynamodb', UTIL_DYNAMODB]),
    );
    expect(store.packages).not.toContain(LIB_DYNAMODB);
  });

  it('the receiver reaches SQS statically (it sends on every delivery), not the shared secret’s reader (off by default)', () => {
    const graph = staticGraph(PROJECT_ROOT, 'lambdas/receiver/handler.ts');
    expect(graph.packages).toContain(SQS);
    expect(graph.files).toContain('lambdas/adapters/sqs-event-queue.ts');
    expect(graph.packages).not.toContain(POWERTOOLS_PARAMETERS);
    expect(graph.deferredFiles).toEqual(['lambdas/adapters/shared-secret-reader.ts']);
  });
});

describe('the static import walk', () => {
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
