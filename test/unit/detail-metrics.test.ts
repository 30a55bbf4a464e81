/**
 * Covers the detail-metrics switch (config monitoring.detailMetrics, DETAIL_METRICS, adapters/
 * observability.ts ConnectorMetrics): off, the handlers publish only the metrics an alarm watches
 * and the fault counts, and still log every outcome; on, they publish the flow's counts too. And
 * the receiver as its handler builds it writes nothing at all for a normal delivery.
 */
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import * as v from 'valibot';
import {
  ConnectorMetrics,
  connectorMetrics,
  observability,
} from '../../lambdas/adapters/observability';
import { parseRules } from '../../lambdas/core/config';
import { detailMetricsEnabled, monitoringSchema } from '../../lambdas/core/monitoring-config';
import {
  DETAIL_METRICS,
  LOGIN_METRICS,
  RECEIVER_METRICS,
  RECONCILER_METRICS,
  WORKER_METRICS,
} from '../../lambdas/core/metric-names';
import { createReceiver } from '../../lambdas/receiver/receiver';
import { createWorker } from '../../lambdas/worker/worker';
import { createSnsSigningIdentity } from '../../sandbox/sns-signing';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';
import {
  CERT_URL,
  type CapturedOutput,
  FOREIGN_TOPIC_ARN,
  TOPIC_ARN,
  apiEvent,
  captureOutput,
  fakeHttpGet,
  fakeQueue,
  notificationFields,
  sign,
  snsHeaders,
} from '../support/sns-fixtures';
import { CapturingLogger, sqsRecord } from '../support/worker-observability';

/** ConnectorMetrics that keep the names of each EMF document they would print. */
class PublishedMetrics extends ConnectorMetrics {
  readonly documents: string[][] = [];

  constructor(detail: boolean, serviceName = 'worker') {
    super({ namespace: 'DetailTest', serviceName }, detail);
  }

  override publishStoredMetrics(): this {
    if (this.hasStoredMetrics()) {
      const emf = this.serializeMetrics();
      this.documents.push(emf._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((d) => d.Name)));
    }
    this.clearMetrics();
    return this;
  }

  names(): string[] {
    return this.documents.flat();
  }
}

const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const RULES = parseRules(
  JSON.stringify({
    defaultAction: 'review',
    rules: [{ name: 'psw', match: { care_type: ['psw'] }, action: 'accept' }],
  }),
);

async function runWorker(detail: boolean) {
  const store = new MemoryOfferStore();
  const logger = new CapturingLogger();
  const metrics = new PublishedMetrics(detail);
  const worker = createWorker({
    marketplace: fakeMarketplace(inboxOffer({ id: A })),
    store,
    units: store,
    rules: RULES,
    role: 'supply',
    logger,
    metrics,
    now: () => new Date('2026-05-01T08:01:00Z'),
  });
  const record = sqsRecord(queuedEvent(offerEvent({ offer_id: A, id: A })));
  const batch: SQSEvent = { Records: [record] };
  await expect(worker(batch)).resolves.toEqual({ batchItemFailures: [] });
  await worker(batch); // redelivered: a duplicate
  return { logger, metrics };
}

describe('monitoring.detailMetrics', () => {
  it('is off by default, and a boolean only', () => {
    expect(v.parse(monitoringSchema, {}).detailMetrics).toBe(false);
    expect(v.safeParse(monitoringSchema, { detailMetrics: 'yes' }).success).toBe(false);
  });

  it.each([
    [{ detailMetrics: false, dashboard: false }, false],
    [{ detailMetrics: true, dashboard: false }, true],
    // The dashboard draws the detail metrics: it turns them on.
    [{ detailMetrics: false, dashboard: true }, true],
  ])('%j publishes the detail metrics: %s', (monitoring, on) => {
    expect(detailMetricsEnabled(monitoring)).toBe(on);
  });
});

describe('ConnectorMetrics', () => {
  it('drops exactly the detail metrics when off, and keeps them when on', () => {
    const kept = (detail: boolean) => {
      const metrics = new PublishedMetrics(detail);
      for (const name of [...DETAIL_METRICS, 'Other']) metrics.addMetric(name, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      return metrics.names();
    };
    expect(kept(false)).toEqual(['Other']);
    expect(kept(true)).toEqual([...DETAIL_METRICS, 'Other']);
  });

  it.each([
    RECEIVER_METRICS.unsubscribeConfirmations,
    WORKER_METRICS.failed,
    WORKER_METRICS.rulesInvalid,
    WORKER_METRICS.rulesReadFailed,
    LOGIN_METRICS.failures,
    RECONCILER_METRICS.enqueued,
  ])('never drops %s, which an alarm watches', (name) => {
    expect(DETAIL_METRICS).not.toContain(name);
    const metrics = new PublishedMetrics(false);
    metrics.addMetric(name, MetricUnit.Count, 0);
    metrics.publishStoredMetrics();
    expect(metrics.names()).toEqual([name]);
  });

  it('drops the reconciler’s offers-seen count when off', () => {
    const metrics = new PublishedMetrics(false, 'reconciler');
    metrics.addMetric(RECONCILER_METRICS.seen, MetricUnit.Count, 3);
    metrics.addMetric(RECONCILER_METRICS.enqueued, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    expect(metrics.names()).toEqual([RECONCILER_METRICS.enqueued]);
  });
});

describe('worker with detail metrics', () => {
  it('off: publishes no EMF document for a decision or a duplicate, and still logs both outcomes', async () => {
    const { logger, metrics } = await runWorker(false);
    expect(metrics.documents).toEqual([]);
    expect(logger.withMessage('Event processed')).toEqual([
      expect.objectContaining({ offerId: A, outcome: 'decided', action: 'accept', rule: 'psw' }),
      expect.objectContaining({ offerId: A, outcome: 'duplicate' }),
    ]);
  });

  it('on: publishes the decision and the duplicate', async () => {
    const { metrics } = await runWorker(true);
    expect(metrics.documents).toEqual([[WORKER_METRICS.accepted], [WORKER_METRICS.duplicate]]);
  });
});

describe('receiver, built as its handler builds it (observability)', () => {
  /** The receiver with the handler's own Logger and Metrics (INFO, detail metrics off). */
  async function handlerLikeReceiver() {
    const identity = await createSnsSigningIdentity();
    const { logger, metrics } = observability('receiver', {});
    const receive = createReceiver({
      allowedTopicArns: [TOPIC_ARN],
      queue: fakeQueue(),
      httpGet: fakeHttpGet({ [CERT_URL]: { status: 200, body: identity.certPem } }).httpGet,
      logger,
      metrics,
    });
    const deliver = (fields: Record<string, unknown> = {}) => {
      const message = sign(
        notificationFields(new Date(), { MessageId: randomUUID(), ...fields }),
        identity,
      );
      return receive(apiEvent(JSON.stringify(message), { headers: snsHeaders(message) }));
    };
    return { deliver, metrics };
  }

  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  it('writes nothing at all for a normal delivery: no log line, no EMF document, no Powertools warning', async () => {
    const { deliver } = await handlerLikeReceiver();
    expect((await deliver()).statusCode).toBe(200);
    expect((await deliver()).statusCode).toBe(200);
    // stdout and stderr both: Powertools' warnings go to stderr, which Lambda logs too.
    expect(output.text()).toBe('');

    // The capture sees what the receiver does write: a refused message's line and its metric.
    expect((await deliver({ TopicArn: FOREIGN_TOPIC_ARN })).statusCode).toBe(403);
    expect(output.logs().map((line) => line['message'])).toEqual(['SNS message rejected']);
    expect(output.metrics()).toEqual([
      expect.objectContaining({ [RECEIVER_METRICS.messagesRejected]: 1, service: 'receiver' }),
    ]);
  });

  it('needs its hasStoredMetrics check: Powertools flushed with nothing stored writes a warning (and no EMF document)', () => {
    // Built as the receiver's are on its first metric, then flushed with none stored.
    const metrics = connectorMetrics('receiver', {});
    expect(metrics.hasStoredMetrics()).toBe(false);
    metrics.publishStoredMetrics();
    expect(output.metrics()).toEqual([]);
    expect(output.text()).toContain('No application metrics to publish');
  });
});
