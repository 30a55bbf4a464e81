/**
 * Cost-bench usage for unit tests: a figure marked as the test's, a usage of zeros (one worker
 * invocation per event, every X-Ray trace sampled) and a sandbox measurement of 10 events that did
 * nothing, in each of which a test sets what it prices.
 */
import type { SandboxMeasurement } from '../../bench/cost/measure';
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

/** A sandbox run of 10 offers and 10 events that made no call and printed nothing. */
export function quietMeasurement(overrides: Partial<SandboxMeasurement> = {}): SandboxMeasurement {
  return {
    events: 10,
    offers: 10,
    summary: 'test',
    harnessDynamoCalls: {},
    dynamoCalls: {},
    dynamoByMethod: {},
    wru: 0,
    rru: 0,
    failedConditionalWrites: 0,
    sqs: { enqueues: 0, handBacks: 0, visibilityChanges: 0 },
    logBytes: { receiver: 0, worker: 0 },
    logLines: { receiver: 0, worker: 0 },
    notifications: 0,
    marketplace: { calls: 0, logins: 0 },
    ...overrides,
  };
}
