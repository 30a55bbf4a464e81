/**
 * Covers createWorker (lambdas/worker/worker.ts) across receives: the leases its processor takes
 * (event, decision) from the worker timing, a retried record that finishes marking its earlier
 * failure done, and a small SQS model on a fake clock: a failing record reaches the DLQ after
 * maxReceiveCount receives in minutes; a record handed back for lack of time is never charged.
 * How records are handed back through RecordRetry: worker-retry-handback.test.ts.
 */
import type { Context, SQSRecord } from 'aws-lambda';
import { WORKER_TIMING } from '../../lambdas/worker/timing';
import { createWorker } from '../../lambdas/worker/worker';
import { inboxOffer, matched, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace, type FakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { batch, CapturingLogger, lambdaContext, sqsRecord } from '../support/worker-observability';
import { A, NOW, recordingRetry, RULES, setup } from '../support/worker-retry-setup';

/**
 * A worker over `marketplace` and one in-memory table (offer and unit store), whose hand-backs
 * `recording` keeps, for the SQS model below.
 */
function recordingWorker(
  marketplace: FakeMarketplace,
  recording: ReturnType<typeof recordingRetry>,
): ReturnType<typeof createWorker> {
  const store = new MemoryOfferStore();
  return createWorker({
    marketplace,
    store,
    units: store,
    rules: RULES,
    role: 'supply',
    logger: new CapturingLogger(),
    now: () => NOW,
    retry: recording.retry,
  });
}

describe('the processor', () => {
  it('claims events for the event lease of the worker timing', async () => {
    const { store, worker, context } = setup();
    const closed = queuedEvent(offerEvent({ offer_id: A, id: A, event_name: 'OfferClosed' }));
    await worker(batch(sqsRecord(closed)), context);
    expect(store.callsTo('claimEvent').map((args) => args[2])).toEqual([
      WORKER_TIMING.eventLeaseMs,
    ]);
  });

  it('decides an OfferMatched under the decision lease of the worker timing, with no event claim', async () => {
    const { store, worker, context } = setup();
    await worker(batch(sqsRecord(matched(A))), context);
    expect(store.callsTo('claimEvent')).toEqual([]);
    // The lease taken with the intent (a lone offer with no decision on record).
    expect(store.callsTo('acquireUnitLease')).toEqual([]);
    expect(store.callsTo('acquireWithIntent').map((args) => args[3])).toEqual([
      WORKER_TIMING.decisionLeaseMs,
    ]);
  });
});

describe('a retried record that finishes', () => {
  it('marks done the failure its earlier receive left, so the event no longer counts failed', async () => {
    const { marketplace, store, worker, context } = setup();
    const event = offerEvent({ offer_id: A, id: A });
    const eventId = String(event.event_id);
    marketplace.failNext('acceptInboxOffer', new Error('HTTP 503 from marketplace'));
    const first = await worker(batch(sqsRecord(queuedEvent(event), { receiveCount: 1 })), context);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(store.events.get(eventId)?.status).toBe('failed');

    const second = await worker(batch(sqsRecord(queuedEvent(event), { receiveCount: 2 })), context);

    expect(second.batchItemFailures).toEqual([]);
    expect(store.events.get(eventId)).toMatchObject({ status: 'done', failedAttempts: 1 });
    expect(marketplace.actions()).toHaveLength(2);
  });

  it('looks for no failure on a first receive', async () => {
    const { store, worker, context } = setup();
    await worker(batch(sqsRecord(matched(A), { receiveCount: 1 })), context);
    expect(store.callsTo('completeFailedEvent')).toEqual([]);
  });
});

/**
 * The queue as SQS keeps it, on a fake clock in seconds: a receive counts one more, a reported
 * failure waits out the visibility the worker set (or the queue's), past maxReceiveCount receives
 * the message moves to the DLQ, an acknowledged one is deleted, a re-sent copy is a new message.
 */
async function drive(
  worker: ReturnType<typeof createWorker>,
  recording: ReturnType<typeof recordingRetry>,
  first: SQSRecord,
  context: () => Context,
) {
  let clock = 0;
  let copies = 0;
  const receives: number[] = [];
  let message: { record: SQSRecord; receives: number; visibleAt: number } | undefined = {
    record: first,
    receives: 0,
    visibleAt: 0,
  };
  while (message !== undefined && clock < 24 * 3600) {
    clock = message.visibleAt;
    if (message.receives >= WORKER_TIMING.maxReceiveCount)
      return { outcome: 'dlq' as const, at: clock, receives, copies };
    message.receives += 1;
    receives.push(clock);
    const record: SQSRecord = {
      ...message.record,
      receiptHandle: `r-${clock}`,
      attributes: {
        ...message.record.attributes,
        ApproximateReceiveCount: String(message.receives),
      },
    };
    recording.visibility.length = 0;
    recording.resent.length = 0;
    const { batchItemFailures } = await worker(batch(record), context());
    if (batchItemFailures.length > 0) {
      message.visibleAt =
        clock + (recording.visibility[0]?.seconds ?? WORKER_TIMING.visibilityTimeoutS);
    } else if (recording.resent.length > 0) {
      copies += 1;
      message = {
        record: { ...record, body: recording.resent[0]?.body ?? '' },
        receives: 0,
        visibleAt: clock + (recording.resent[0]?.delaySeconds ?? 0),
      };
    } else {
      message = undefined;
    }
  }
  return {
    outcome: message === undefined ? ('deleted' as const) : ('stuck' as const),
    at: clock,
    receives,
    copies,
  };
}

describe('over many receives', () => {
  it('a record that keeps failing reaches the DLQ after maxReceiveCount receives, within minutes', async () => {
    const recording = recordingRetry();
    const marketplace = {
      ...fakeMarketplace(),
      getInboxOffer: async () => Promise.reject(new Error('HTTP 503 from marketplace')),
    };
    const worker = recordingWorker(marketplace, recording);

    const result = await drive(worker, recording, sqsRecord(matched(A)), () =>
      lambdaContext(() => 10 * WORKER_TIMING.recordMs),
    );

    expect(result.outcome).toBe('dlq');
    expect(result.receives).toEqual([0, 5, 20, 80, 380]);
    // The last failure's delay, then the move: 11 minutes, where 5 visibility timeouts took 2.5 hours.
    expect(result.at).toBe(680);
  });

  it('a record handed back for lack of time is never charged a receive, and is done once there is time', async () => {
    const recording = recordingRetry();
    const marketplace = fakeMarketplace(inboxOffer({ id: A }));
    const worker = recordingWorker(marketplace, recording);
    let invocations = 0;
    // Eight invocations with no time to spare, then one with room.
    const context = () => {
      invocations += 1;
      const remaining = invocations <= 8 ? WORKER_TIMING.recordMs - 1 : 10 * WORKER_TIMING.recordMs;
      return lambdaContext(() => remaining);
    };

    const result = await drive(worker, recording, sqsRecord(matched(A)), context);

    expect(result.outcome).toBe('deleted');
    expect(result.copies).toBe(8);
    // Each copy is a new message, received once: never near maxReceiveCount.
    expect(result.receives).toHaveLength(9);
    expect(marketplace.actions()).toHaveLength(1);
  });
});
