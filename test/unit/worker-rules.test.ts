/**
 * Covers the worker with rules read from a changing store (core/rules-cache.ts through the
 * worker's reporter, lambdas/worker/rules-report.ts), with a scripted store and a fake clock: a
 * worker that never read good rules fails its records (retried) and says why; decisions record
 * the version of the rules they were judged by; an invalid upload keeps the last good version,
 * with the warn line `Rules invalid; keeping the last good version` (version and field paths, no
 * values) and the RulesInvalid metric; a failed read does the same with RulesReadFailed.
 */
import type { SQSEvent } from 'aws-lambda';
import type { Rules } from '../../lambdas/core/config';
import {
  cachedRules,
  type RulesFetch,
  type RulesFetchResult,
} from '../../lambdas/core/rules-cache';
import { rulesVersionOf } from '../../lambdas/core/rules-source';
import { rulesReporter } from '../../lambdas/worker/rules-report';
import { createWorker, WORKER_METRICS } from '../../lambdas/worker/worker';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { CapturingLogger, RecordingMetrics, sqsRecord } from '../support/worker-observability';

const ACCEPT_ALL: Rules = { defaultAction: 'accept', rules: [] };
const DECLINE_ALL: Rules = { defaultAction: 'decline', rules: [] };
const PROBLEM = 'Invalid rules: rules.0.match.city: too_small';

const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const C = 'cccccccc-0000-4000-8000-00000000000c';
const D = 'dddddddd-0000-4000-8000-00000000000d';

const valid = (rules: Rules, tag: string): RulesFetchResult => ({
  kind: 'valid',
  snapshot: { rules, version: rulesVersionOf(rules) },
  tag,
  storeVersion: `s3-${tag}`,
});

function setup(...steps: (RulesFetchResult | Error)[]) {
  let clock = Date.parse('2026-05-01T08:01:00Z');
  const fetch: RulesFetch = async () => {
    const step = steps.shift();
    if (step === undefined) throw new Error('unexpected read');
    if (step instanceof Error) throw step;
    return step;
  };
  const logger = new CapturingLogger();
  const metrics = new RecordingMetrics();
  const rules = cachedRules({ fetch, now: () => clock, report: rulesReporter(logger, metrics) });
  const marketplace = fakeMarketplace(...[A, B, C, D].map((id) => inboxOffer({ id })));
  const store = new MemoryOfferStore();
  const worker = createWorker({
    marketplace,
    store,
    units: store,
    rules,
    role: 'supply',
    logger,
    metrics,
    now: () => new Date(clock),
  });
  const decide = (offerId: string, messageId = `m-${offerId}`) =>
    worker({
      Records: [
        sqsRecord(queuedEvent(offerEvent({ offer_id: offerId, id: offerId })), { messageId }),
      ],
    } satisfies SQSEvent);
  return { worker, decide, store, logger, metrics, advance: (ms: number) => (clock += ms) };
}

it('fails records until good rules have been read, then records the version on each decision', async () => {
  const { decide, store, logger, metrics } = setup(
    new Error('connect ETIMEDOUT'),
    valid(ACCEPT_ALL, 'e1'),
  );

  await expect(decide(A)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: `m-${A}` }] });
  expect(
    logger.withMessage('Rules could not be read and no good version read yet; records are retried'),
  ).toEqual([
    expect.objectContaining({
      level: 'ERROR',
      errorName: 'Error',
      errorMessage: 'connect ETIMEDOUT',
    }),
  ]);
  expect(logger.withMessage('Record failed; it will be retried')).toEqual([
    expect.objectContaining({ errorName: 'RulesUnavailableError' }),
  ]);
  expect(metrics.published[0]).toEqual(
    expect.objectContaining({ [WORKER_METRICS.rulesReadFailed]: 1, [WORKER_METRICS.failed]: 1 }),
  );

  await expect(decide(A)).resolves.toEqual({ batchItemFailures: [] });
  expect((await store.getOffer(A))?.decision).toEqual(
    expect.objectContaining({
      action: 'accept',
      state: 'applied',
      rulesVersion: rulesVersionOf(ACCEPT_ALL),
    }),
  );
  expect(logger.withMessage('Rules loaded')).toEqual([
    expect.objectContaining({ rulesVersion: rulesVersionOf(ACCEPT_ALL), s3VersionId: 's3-e1' }),
  ]);
});

it('keeps deciding by the last good version when an invalid one is uploaded, says so, then takes the next good one', async () => {
  const { decide, store, logger, metrics, advance } = setup(
    valid(ACCEPT_ALL, 'e1'),
    { kind: 'invalid', problem: PROBLEM, storeVersion: 's3-bad' },
    valid(DECLINE_ALL, 'e2'),
  );
  await decide(A);
  advance(60_000);

  await expect(decide(B)).resolves.toEqual({ batchItemFailures: [] });
  expect((await store.getOffer(B))?.decision).toEqual(
    expect.objectContaining({ action: 'accept', rulesVersion: rulesVersionOf(ACCEPT_ALL) }),
  );
  expect(logger.withMessage('Rules invalid; keeping the last good version')).toEqual([
    expect.objectContaining({
      level: 'WARN',
      rulesVersion: rulesVersionOf(ACCEPT_ALL),
      rejectedS3VersionId: 's3-bad',
      problem: PROBLEM,
    }),
  ]);
  expect(metrics.published[1]).toEqual(
    expect.objectContaining({ [WORKER_METRICS.rulesInvalid]: 1, [WORKER_METRICS.accepted]: 1 }),
  );

  advance(60_000);
  await decide(C);
  expect((await store.getOffer(C))?.decision).toEqual(
    expect.objectContaining({ action: 'decline', rulesVersion: rulesVersionOf(DECLINE_ALL) }),
  );
  expect(logger.withMessage('Rules loaded').at(-1)).toEqual(
    expect.objectContaining({
      rulesVersion: rulesVersionOf(DECLINE_ALL),
      previousRulesVersion: rulesVersionOf(ACCEPT_ALL),
    }),
  );
});

it('keeps deciding by the last good version when the store cannot be read, and counts it', async () => {
  const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
  const { decide, store, logger, metrics, advance } = setup(valid(ACCEPT_ALL, 'e1'), denied);
  await decide(A);
  advance(60_000);

  await expect(decide(D)).resolves.toEqual({ batchItemFailures: [] });
  expect((await store.getOffer(D))?.decision).toEqual(
    expect.objectContaining({ action: 'accept', rulesVersion: rulesVersionOf(ACCEPT_ALL) }),
  );
  expect(logger.withMessage('Rules could not be read; keeping the last good version')).toEqual([
    expect.objectContaining({
      level: 'WARN',
      rulesVersion: rulesVersionOf(ACCEPT_ALL),
      errorName: 'AccessDenied',
    }),
  ]);
  expect(metrics.published[1]).toEqual(
    expect.objectContaining({ [WORKER_METRICS.rulesReadFailed]: 1 }),
  );
});
