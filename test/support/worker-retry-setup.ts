/**
 * For the worker retry suites (test/unit/worker-retry-handback.test.ts and
 * test/unit/worker-retry-receives.test.ts): the rules, offer ids and clock they share, a RecordRetry
 * that records what the worker asks of it, and a worker on a fake clock with its recordings.
 */
import type { Context, SQSRecord } from 'aws-lambda';
import { parseRules } from '../../lambdas/core/config';
import { WORKER_TIMING } from '../../lambdas/worker/timing';
import type { RecordRetry } from '../../lambdas/adapters/record-retry';
import { createWorker } from '../../lambdas/worker/worker';
import { inboxOffer } from './offer-fixtures';
import { fakeMarketplace, type FakeMarketplace } from './offer-marketplace-fake';
import { MemoryOfferStore } from './offer-memory-store';
import { CapturingLogger, lambdaContext, RecordingMetrics } from './worker-observability';

export const RULES = parseRules(JSON.stringify({ defaultAction: 'accept' }));
export const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
export const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
export const C = 'cccccccc-0000-4000-8000-00000000000c';
export const NOW = new Date('2026-05-01T08:01:00Z');

/** A RecordRetry that records what the worker asks, and can be told to fail. */
export function recordingRetry() {
  const visibility: Array<{ receiptHandle: string; seconds: number }> = [];
  const resent: Array<{
    body: string;
    attributes: SQSRecord['messageAttributes'];
    delaySeconds: number;
  }> = [];
  const failing = { visibility: false, resend: false };
  const retry: RecordRetry = {
    changeVisibility: async (receiptHandle, seconds) => {
      if (failing.visibility)
        throw Object.assign(new Error('Access to the resource is denied'), {
          name: 'AccessDenied',
        });
      visibility.push({ receiptHandle, seconds });
    },
    resend: async (record, delaySeconds) => {
      if (failing.resend)
        throw Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable' });
      resent.push({ body: record.body, attributes: record.messageAttributes, delaySeconds });
    },
  };
  return { retry, visibility, resent, failing };
}

/**
 * A worker on a fake clock: each marketplace call takes `callMs`, and the Lambda context's
 * remaining time is `deadline - clock`.
 */
export function setup(options: { remainingMs?: number; callMs?: number } = {}) {
  const marketplace: FakeMarketplace = fakeMarketplace(
    inboxOffer({ id: A }),
    inboxOffer({ id: B }),
    inboxOffer({ id: C }),
  );
  let clock = 0;
  const callMs = options.callMs ?? 0;
  const timed: FakeMarketplace = {
    ...marketplace,
    getInboxOffer: async (id) => {
      clock += callMs;
      return marketplace.getInboxOffer(id);
    },
    acceptInboxOffer: async (id, body) => {
      clock += callMs;
      return marketplace.acceptInboxOffer(id, body);
    },
  };
  const store = new MemoryOfferStore();
  const logger = new CapturingLogger();
  const metrics = new RecordingMetrics();
  const recording = recordingRetry();
  const worker = createWorker({
    marketplace: timed,
    store,
    units: store,
    rules: RULES,
    role: 'supply',
    logger,
    metrics,
    now: () => NOW,
    retry: recording.retry,
  });
  const deadline = options.remainingMs ?? 10 * WORKER_TIMING.recordMs;
  const context: Context = lambdaContext(() => deadline - clock);
  return { marketplace, store, logger, metrics, worker, context, ...recording };
}
