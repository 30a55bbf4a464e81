/**
 * Cost-bench usage for unit tests: a figure marked as the test's, and a usage of zeros (one worker
 * invocation per event, every X-Ray trace sampled) in which each test sets what it prices.
 */
import type { Sourced, Usage } from '../../bench/cost/model';

export const sourced = <T>(value: T): Sourced<T> => ({ value, source: 'test' });

export function zeroUsage(overrides: Partial<Usage> = {}): Usage {
  const s = sourced;
  return {
    durationMs: { receiver: s(0), worker: s(0), reconciler: s(0) },
    workerInvocationsPerEvent: s(1),
    dynamoWruPerEvent: s(0),
    dynamoRruPerEvent: s(0),
    dynamoRruPerReconcilerRun: s(0),
    dynamoStorageGb: s(0),
    sqsFunctionRequestsPerEvent: s(0),
    sqsPollerRequestsPerEvent: s(0),
    sqsIdlePollsPerMonth: s(0),
    logBytesPerEvent: { receiver: s(0), worker: s(0) },
    logBytesPerReconcilerRun: s(0),
    accessLogBytesPerRequest: s(0),
    notificationsPerEvent: s(0),
    kmsDataKeyRequests: s({ idle: 0, traffic: 0 }),
    kmsReviewKeyRequestsTraffic: s(0),
    secretCalls: s({ idle: 0, traffic: 0 }),
    rulesReadsTraffic: s(0),
    customMetrics: s({ idle: [], traffic: [] }),
    xraySampledShare: s(1),
    ...overrides,
  };
}
