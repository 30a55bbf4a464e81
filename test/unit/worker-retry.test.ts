/**
 * Covers how createWorker (lambdas/worker/worker.ts) hands records back through its RecordRetry
 * port: a failed record's visibility is set from the retry schedule by its receive count (or the
 * longer wait a RetryLaterError asks for) and it is still reported failed; a failed visibility
 * change still reports it; records the invocation has no time for (the time guard, or an
 * OutOfTimeError) are re-sent as copies and acknowledged, and reported failed when the re-send
 * fails. A small SQS model on a fake clock shows a failing record reaching the DLQ after
 * maxReceiveCount receives in minutes, and a record handed back for lack of time never charged.
 * The delays themselves are worker-timing.test.ts; the SQS calls are the sqs-event-queue tests.
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseRules } from '../../lambdas/core/config';
import { OutOfTimeError, RetryLaterError } from '../../lambdas/core/errors';
import { WORKER_TIMING } from '../../lambdas/worker/timing';
import type { RecordRetry } from '../../lambdas/adapters/record-retry';
import { createWorker, WORKER_METRICS } from '../../lambdas/worker/worker';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace, type FakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';

/** One in-memory table serving as both the offer store and the unit store. */
function bothStores(): { store: MemoryOfferStore; units: MemoryOfferStore } {
  const store = new MemoryOfferStore();
  return { store, units: store };
}
import {
  CapturingLogger,
  lambdaContext,
  RecordingMetrics,
  sqsRecord,
} from '../support/worker-observability';

const RULES = parseRules(JSON.stringify({ defaultAction: 'accept' }));
const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const C = 'cccccccc-0000-4000-8000-00000000000c';
const NOW = new Date('2026-05-01T08:01:00Z');

/** A RecordRetry that records what the worker asks, and can be told to fail. */
function recordingRetry() {
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
function setup(options: { remainingMs?: number; callMs?: number } = {}) {
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

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const matched = (offerId: string) => queuedEvent(offerEvent({ offer_id: offerId, id: offerId }));

describe('a record that fails', () => {
  it.each(WORKER_TIMING.retryDelaysS.concat([300]).map((seconds, i) => [i + 1, seconds]))(
    'on receive %i comes back after %i s, and is reported failed so the receive counts',
    async (receiveCount, seconds) => {
      const { marketplace, worker, context, visibility } = setup();
      marketplace.failNext('getInboxOffer', new Error('HTTP 503 from marketplace'));
      const record = sqsRecord(matched(A), { messageId: 'm-a', receiveCount });

      const response = await worker(batch(record), context);

      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-a' }]);
      expect(visibility).toEqual([{ receiptHandle: record.receiptHandle, seconds }]);
    },
  );

  it('waits as long as a RetryLaterError asks when that is longer than the schedule', async () => {
    const { marketplace, worker, context, visibility, logger } = setup();
    // Another event holds the unit's lease for 42.5 s more.
    marketplace.failNext('getInboxOffer', new RetryLaterError('decision unit is busy', 42_500));

    const response = await worker(
      batch(sqsRecord(matched(A), { messageId: 'busy', receiveCount: 1 })),
      context,
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'busy' }]);
    expect(visibility.map((v) => v.seconds)).toEqual([43]);
    expect(logger.withMessage('Record cannot finish now; it will be retried')[0]).toMatchObject({
      level: 'WARN',
      retryInSeconds: 43,
    });
  });

  it('keeps the schedule when a RetryLaterError asks for less', async () => {
    const { marketplace, worker, context, visibility } = setup();
    marketplace.failNext('getInboxOffer', new RetryLaterError('decision unit is busy', 2_000));
    await worker(batch(sqsRecord(matched(A), { receiveCount: 3 })), context);
    expect(visibility.map((v) => v.seconds)).toEqual([60]);
  });

  it('keeps the short schedule when malformed, so it reaches the DLQ quickly', async () => {
    const { worker, context, visibility } = setup();
    const response = await worker(
      batch(sqsRecord('not json', { messageId: 'bad', receiveCount: 2 })),
      context,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(visibility.map((v) => v.seconds)).toEqual([15]);
  });

  it('is still reported failed when its visibility cannot be changed (it comes back after the full timeout)', async () => {
    const { marketplace, worker, context, failing, logger } = setup();
    failing.visibility = true;
    marketplace.failNext('getInboxOffer');

    const response = await worker(
      batch(
        sqsRecord(matched(A), { messageId: 'm-a' }),
        sqsRecord(matched(B), { messageId: 'm-b' }),
      ),
      context,
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-a' }]);
    expect(
      logger.withMessage(
        'Could not set the record’s retry delay; it comes back after the visibility timeout',
      )[0],
    ).toMatchObject({
      level: 'WARN',
      messageId: 'm-a',
      errorName: 'AccessDenied',
    });
    expect(marketplace.actions().map((call) => call.offerId)).toEqual([B]);
  });
});

describe('a record the invocation has no time for', () => {
  it('is re-sent as a copy and acknowledged when the time guard stops the batch', async () => {
    // Room for one record; each marketplace call then takes a second.
    const { marketplace, worker, context, resent, visibility, metrics } = setup({
      remainingMs: WORKER_TIMING.recordMs + 1000,
      callMs: 1000,
    });
    const [a, b, c] = [
      sqsRecord(matched(A), { messageId: 'm-a' }),
      sqsRecord(matched(B), { messageId: 'm-b' }),
      sqsRecord(matched(C), { messageId: 'm-c' }),
    ];

    const response = await worker(batch(a, b, c), context);

    expect(response.batchItemFailures).toEqual([]);
    expect(marketplace.actions().map((call) => call.offerId)).toEqual([A]);
    // Same body and attributes, so the same event_id: the event claim makes a duplicate harmless.
    expect(resent).toEqual([
      { body: b.body, attributes: b.messageAttributes, delaySeconds: 0 },
      { body: c.body, attributes: c.messageAttributes, delaySeconds: 0 },
    ]);
    expect(visibility).toEqual([]);
    expect(metrics.published).toEqual([
      { [WORKER_METRICS.accepted]: 1, [WORKER_METRICS.handedBack]: 2 },
    ]);
  });

  it('names each record it hands back by its event and offer, as a processed record is named', async () => {
    const { worker, context, logger } = setup({
      remainingMs: WORKER_TIMING.recordMs + 1000,
      callMs: 1000,
    });
    const [a, b, c] = [
      sqsRecord(matched(A), { messageId: 'm-a' }),
      sqsRecord(matched(B), { messageId: 'm-b' }),
      sqsRecord(matched(C), { messageId: 'm-c' }),
    ];
    // A body the worker cannot read is handed back too, named by its message id only.
    const unreadable = sqsRecord('not json', { messageId: 'm-x' });
    const eventIdOf = (record: SQSRecord) =>
      (JSON.parse((JSON.parse(record.body) as { message: string }).message) as { event_id: string })
        .event_id;

    await worker(batch(a, b, c, unreadable), context);

    const handedBack = logger.lines.filter((line) => line.level === 'WARN');
    expect(handedBack.map((line) => [line.messageId, line.offerId, line.eventId])).toEqual([
      ['m-b', B, eventIdOf(b)],
      ['m-c', C, eventIdOf(c)],
      ['m-x', undefined, undefined],
    ]);
    // The keys of one record are not left on the next record's line, nor after the batch.
    logger.info('after');
    expect(logger.withMessage('after')[0]).not.toHaveProperty('offerId');
  });

  it('is re-sent after the wait an OutOfTimeError asks for, and the batch goes on', async () => {
    const { marketplace, worker, context, resent } = setup();
    marketplace.failNext(
      'getInboxOffer',
      new OutOfTimeError('too little left on the unit lease', 1_200),
    );
    const a = sqsRecord(matched(A), { messageId: 'm-a' });

    const response = await worker(batch(a, sqsRecord(matched(B), { messageId: 'm-b' })), context);

    expect(response.batchItemFailures).toEqual([]);
    expect(resent).toEqual([{ body: a.body, attributes: a.messageAttributes, delaySeconds: 2 }]);
    expect(marketplace.actions().map((call) => call.offerId)).toEqual([B]);
  });

  it('falls back to failing with the retry schedule when the re-send fails', async () => {
    const { worker, context, failing, visibility, logger } = setup({
      remainingMs: WORKER_TIMING.recordMs - 1,
    });
    failing.resend = true;
    const record = sqsRecord(matched(A), { messageId: 'm-a', receiveCount: 2 });

    const response = await worker(batch(record), context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-a' }]);
    expect(visibility).toEqual([{ receiptHandle: record.receiptHandle, seconds: 15 }]);
    expect(
      logger.withMessage('Could not re-send the record; it is retried as a failed one')[0],
    ).toMatchObject({ errorName: 'ServiceUnavailable' });
  });

  it('falls back to failing when an OutOfTimeError’s re-send fails', async () => {
    const { marketplace, worker, context, failing, visibility } = setup();
    failing.resend = true;
    marketplace.failNext('getInboxOffer', new OutOfTimeError('too little left in the invocation'));
    const response = await worker(batch(sqsRecord(matched(A), { messageId: 'm-a' })), context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-a' }]);
    expect(visibility.map((v) => v.seconds)).toEqual([5]);
  });
});

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
    const worker = createWorker({
      marketplace,
      ...bothStores(),
      rules: RULES,
      role: 'supply',
      logger: new CapturingLogger(),
      now: () => NOW,
      retry: recording.retry,
    });

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
    const worker = createWorker({
      marketplace,
      ...bothStores(),
      rules: RULES,
      role: 'supply',
      logger: new CapturingLogger(),
      now: () => NOW,
      retry: recording.retry,
    });
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
