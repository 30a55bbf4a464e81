/**
 * Covers the demand side of createWorker (lambdas/worker/worker.ts): an assigned offer is counted
 * (OffersAssigned) and logged by ids; OfferDeclinedByAll / OfferExpired on the outbox-offers topic
 * are logged at warn and counted, while an inbox OfferExpired and a duplicate are not; no client
 * data reaches logs. The assignment logic itself is in process-event-demand.test.ts; the
 * simulator run in test/integration/demand-assign.test.ts.
 */
import type { SQSEvent } from 'aws-lambda';
import { parseRules } from '../../lambdas/core/config';
import type { MarketplaceDemandApi, OfferStatus } from '../../lambdas/core/ports';
import { createWorker, WORKER_METRICS } from '../../lambdas/worker/worker';
import { OFFER_ID, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { CapturingLogger, RecordingMetrics, sqsRecord } from '../support/worker-observability';

const RULES = parseRules(JSON.stringify({ defaultAction: 'review' }));
const OUTBOX = 'arn:aws:sns:ca-central-1:123456789012:outbox-offers';
const INBOX = 'arn:aws:sns:ca-central-1:123456789012:inbox-offers';

function setup() {
  let status: OfferStatus = 'open';
  const assigned: string[] = [];
  const demand: MarketplaceDemandApi = {
    getAssignmentSetting: async () => 'manual',
    getOutboxOfferStatus: async () => status,
    listAcceptedMatches: async () => [
      { id: 'match-1', createdAt: '2026-05-01T08:00:00Z', status: 'open' },
    ],
    assignOutboxOffer: async (_offerId, matchId) => {
      assigned.push(matchId);
      status = 'assigned';
    },
  };
  const logger = new CapturingLogger();
  const metrics = new RecordingMetrics();
  const worker = createWorker({
    marketplace: fakeMarketplace(),
    store: new MemoryOfferStore(),
    units: new MemoryOfferStore(),
    rules: RULES,
    role: 'demand',
    demandAssignment: 'first-accepted',
    demandMarketplace: demand,
    logger,
    metrics,
    now: () => new Date('2026-05-01T08:01:00Z'),
  });
  return { worker, logger, metrics, assigned };
}

const batch = (...records: SQSEvent['Records']): SQSEvent => ({ Records: records });
const onTopic = (topicArn: string, eventName: string, extra: Record<string, unknown> = {}) => ({
  ...queuedEvent(offerEvent({ event_name: eventName, ...extra })),
  topicArn,
});

describe('worker, demand side', () => {
  it('counts and logs an assignment by ids only', async () => {
    const { worker, logger, metrics, assigned } = setup();

    await expect(
      worker(batch(sqsRecord(onTopic(OUTBOX, 'OfferAccepted', { client_name: 'PATIENT-PHI' })))),
    ).resolves.toEqual({ batchItemFailures: [] });

    expect(assigned).toEqual(['match-1']);
    expect(metrics.published).toEqual([{ [WORKER_METRICS.assigned]: 1 }]);
    expect(logger.withMessage('Event processed')).toEqual([
      expect.objectContaining({ offerId: OFFER_ID, matchId: 'match-1', outcome: 'assigned' }),
    ]);
    expect(logger.text()).not.toContain('PATIENT-PHI');
  });

  it.each([
    ['OfferDeclinedByAll', WORKER_METRICS.declinedByAll],
    ['OfferExpired', WORKER_METRICS.expired],
  ])(
    'warns about %s on outbox-offers and counts it once, not again on a duplicate',
    async (eventName, metric) => {
      const { worker, logger, metrics } = setup();
      const queued = onTopic(OUTBOX, eventName);

      await worker(batch(sqsRecord(queued)));
      await worker(batch(sqsRecord(queued)));

      const warnings = logger.lines.filter((line) => line.level === 'WARN');
      expect(warnings).toEqual([expect.objectContaining({ offerId: OFFER_ID, eventName })]);
      expect(metrics.published[0]).toEqual({ [metric]: 1 });
      expect(metrics.published[1]).toEqual({ [WORKER_METRICS.duplicate]: 1 });
    },
  );

  it('does not warn about OfferExpired on the inbox topic (a supply offer)', async () => {
    const { worker, logger, metrics } = setup();
    await worker(batch(sqsRecord(onTopic(INBOX, 'OfferExpired'))));
    expect(logger.lines.filter((line) => line.level === 'WARN')).toEqual([]);
    expect(metrics.published.flatMap((published) => Object.keys(published))).toEqual([]);
  });
});
