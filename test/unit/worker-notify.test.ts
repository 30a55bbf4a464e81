/**
 * Covers the worker's notification wiring (lambdas/worker/worker.ts): the notifier given to
 * createWorker reaches the processor, which is told the record's topic, so an outbox
 * OfferDeclinedByAll / OfferExpired is notified (an inbox OfferExpired is not) and a review
 * decision is notified; a failed publish fails that record alone (reported, not acknowledged, no
 * alert counted yet), and its redelivery notifies and acknowledges. What is notified and when is
 * in process-event-alerts.test.ts and decide-unit-outcomes.test.ts; the SNS message in
 * sns-notifier.test.ts.
 */
import { parseRules, type Role } from '../../lambdas/core/config';
import type { Notifier, OfferNotification } from '../../lambdas/core/ports';
import { createWorker, WORKER_METRICS } from '../../lambdas/worker/worker';
import { inboxOffer, OFFER_ID, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import {
  batch,
  CapturingLogger,
  RecordingMetrics,
  sqsRecord,
} from '../support/worker-observability';

const OUTBOX = 'arn:aws:sns:ca-central-1:123456789012:outbox-offers';
const INBOX = 'arn:aws:sns:ca-central-1:123456789012:inbox-offers';

function setup(notifier: Notifier, role: Role = 'both') {
  const store = new MemoryOfferStore();
  const logger = new CapturingLogger();
  const metrics = new RecordingMetrics();
  const worker = createWorker({
    marketplace: fakeMarketplace(inboxOffer()),
    store,
    units: store,
    rules: parseRules(JSON.stringify({ defaultAction: 'review' })),
    role,
    notifier,
    logger,
    metrics,
    now: () => new Date('2026-05-01T08:01:00Z'),
  });
  return { worker, logger, metrics };
}

function recording(): Notifier & { sent: OfferNotification[] } {
  const sent: OfferNotification[] = [];
  return { sent, notify: async (n) => void sent.push(n) };
}

const onTopic = (topicArn: string, eventName: string) => ({
  ...queuedEvent(offerEvent({ event_name: eventName })),
  topicArn,
});

describe('worker notifications', () => {
  it('passes the record’s topic on: an outbox OfferDeclinedByAll or OfferExpired is notified, an inbox OfferExpired is not', async () => {
    const notifier = recording();
    const { worker } = setup(notifier);

    await worker(
      batch(
        sqsRecord(onTopic(OUTBOX, 'OfferDeclinedByAll')),
        sqsRecord(onTopic(OUTBOX, 'OfferExpired')),
        sqsRecord(onTopic(INBOX, 'OfferExpired')),
      ),
    );

    expect(notifier.sent).toEqual([
      { kind: 'declined-by-all', offerId: OFFER_ID },
      { kind: 'expired', offerId: OFFER_ID },
    ]);
  });

  it('passes the notifier to the decisions: a review is notified', async () => {
    const notifier = recording();
    const { worker } = setup(notifier, 'supply');

    await expect(worker(batch(sqsRecord(onTopic(INBOX, 'OfferMatched'))))).resolves.toEqual({
      batchItemFailures: [],
    });

    expect(notifier.sent).toEqual([
      expect.objectContaining({
        kind: 'review',
        offerId: OFFER_ID,
        rule: 'default',
        city: 'Montréal',
      }),
    ]);
  });

  it('fails only the record whose publish failed, counting no alert yet; its redelivery notifies and is acknowledged', async () => {
    let calls = 0;
    const notifier: Notifier = {
      notify: async () => {
        calls += 1;
        if (calls === 1) throw new Error('SNS unavailable');
      },
    };
    const { worker, logger, metrics } = setup(notifier);
    const failing = sqsRecord(onTopic(OUTBOX, 'OfferExpired'), { messageId: 'm-expired' });
    const other = sqsRecord(onTopic(INBOX, 'OfferClosed'), { messageId: 'm-closed' });

    await expect(worker(batch(failing, other))).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-expired' }],
    });
    expect(metrics.published).toEqual([{ [WORKER_METRICS.failed]: 1 }]);
    expect(logger.withMessage('Record failed; it will be retried')).toEqual([
      expect.objectContaining({ errorMessage: 'SNS unavailable' }),
    ]);

    await expect(
      worker(
        batch({ ...failing, attributes: { ...failing.attributes, ApproximateReceiveCount: '2' } }),
      ),
    ).resolves.toEqual({ batchItemFailures: [] });
    expect(calls).toBe(2);
    expect(metrics.published[1]).toEqual({ [WORKER_METRICS.expired]: 1 });
  });
});
