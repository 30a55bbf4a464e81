/**
 * Covers how createWorker (lambdas/worker/worker.ts) hands records back through its RecordRetry
 * port: a failed record's visibility is set from the retry schedule by its receive count (or the
 * longer wait a RetryLaterError asks for), still reported failed even when that change fails;
 * records the invocation has no time for (time guard, OutOfTimeError) are re-sent as copies and
 * acknowledged, or reported failed when the re-send fails. Sibling: worker-retry-receives.test.ts;
 * the delays themselves are worker-timing.test.ts, the SQS calls the sqs-event-queue tests.
 */
import type { SQSRecord } from 'aws-lambda';
import { OutOfTimeError, RetryLaterError } from '../../lambdas/core/errors';
import { WORKER_TIMING } from '../../lambdas/worker/timing';
import { WORKER_METRICS } from '../../lambdas/worker/worker';
import { matched } from '../support/offer-fixtures';
import { batch, sqsRecord } from '../support/worker-observability';
import { A, B, C, setup } from '../support/worker-retry-setup';

/** Records of OfferMatched for the offers A, B and C, message ids m-a, m-b and m-c. */
const threeRecords = (): [SQSRecord, SQSRecord, SQSRecord] => [
  sqsRecord(matched(A), { messageId: 'm-a' }),
  sqsRecord(matched(B), { messageId: 'm-b' }),
  sqsRecord(matched(C), { messageId: 'm-c' }),
];

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
    const [a, b, c] = threeRecords();

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
    const [a, b, c] = threeRecords();
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
