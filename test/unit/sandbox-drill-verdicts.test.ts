/**
 * How the outage and bad-password drills judge a run (sandbox/outage-drill.ts,
 * sandbox/bad-password-drill.ts), from made-up boundary counts: each drill's own condition (at
 * least a third of the deliveries given up; at least one dead letter redriven), the offers the
 * reconciler must find, and the seam for the worker's login-failure metric. Also the recording
 * queue the outage drill puts under the reconciler, and the worker's metric sums.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { QueuedEvent } from '../../lambdas/core/events';
import type { EventQueue } from '../../lambdas/core/ports';
import { WORKER_METRICS } from '../../lambdas/worker/worker';
import { type BadPasswordInput, badPasswordVerdict } from '../../sandbox/bad-password-drill';
import { CountingMetrics } from '../../sandbox/counting-metrics';
import { type OutageInput, outageVerdict, recordingQueue } from '../../sandbox/outage-drill';
import type { WireInboxOfferDetail } from '../../sandbox/simulator/model';
import type { DeliveryAttempt, PublishedEvent } from '../../sandbox/simulator/simulator';

const TOPIC = 'arn:aws:sns:ca-central-1:111122223333:inbox-offers';

/** Six offers; the last two are one shift. */
const offers = ['o1', 'o2', 'o3', 'o4', 's1', 's2'].map(
  (id) =>
    ({
      offer: { id, ...(id.startsWith('s') ? { shift_id: 'shift-1' } : {}) },
    }) as unknown as WireInboxOfferDetail,
);
const events = offers.map(
  (d) =>
    ({
      channel: 'inbox-offers',
      topicArn: TOPIC,
      messageId: `m-${d.offer.id}`,
      payload: { event_name: 'OfferMatched', offer_id: d.offer.id },
    }) as unknown as PublishedEvent,
);
const attempt = (offerId: string, status: number | undefined): DeliveryAttempt => ({
  messageId: `m-${offerId}`,
  type: 'Notification',
  topicArn: TOPIC,
  subscriptionArn: `${TOPIC}:sub`,
  attempt: 1,
  ...(status !== undefined ? { status } : {}),
  at: '2026-05-01T08:00:00Z',
});

/** SNS gave up on `dropped` (four 503s each) and delivered the rest. */
function outage(dropped: string[], overrides: Partial<OutageInput> = {}): OutageInput {
  const deliveries = offers.flatMap((d) =>
    dropped.includes(d.offer.id)
      ? [503, 503, 503, 503].map((s) => attempt(d.offer.id, s))
      : [attempt(d.offer.id, 200)],
  );
  return {
    published: offers,
    events,
    deliveries,
    inboxTopicArn: TOPIC,
    refused503: dropped.length * 4,
    downForMs: 3000,
    reconcilerEnqueued: dropped,
    reconcilerRuns: 4,
    decided: new Set(offers.map((d) => d.offer.id)),
    ...overrides,
  };
}

describe('the outage verdict', () => {
  it('passes when SNS gave up on a third and the reconciler found each of those offers, a shift by one event', () => {
    const verdict = outageVerdict(outage(['o1', 's1', 's2'], { reconcilerEnqueued: ['o1', 's1'] }));
    expect(verdict.problems).toEqual([]);
    expect(verdict.notes[0]).toBe(
      'outage: SNS gave up on 3 of 6 deliveries (50%); the reconciler enqueued 2',
    );
    expect(verdict.notes[2]).toBe(
      'outage: of the 3 offers SNS gave up on, the reconciler found 3 (a shift is one event) and the worker decided 3',
    );
  });

  it('fails when SNS gave up on less than a third: the outage did not happen', () => {
    const verdict = outageVerdict(outage(['o1']));
    expect(verdict.problems).toEqual([
      'outage: SNS gave up on 1 of 6 deliveries, under a third: the outage did not last long enough',
    ]);
  });

  it('counts a delivery that succeeded on a retry as delivered', () => {
    const input = outage(['o1', 'o2']);
    const verdict = outageVerdict({
      ...input,
      deliveries: [...input.deliveries, attempt('o2', 200)],
    });
    expect(verdict.notes[0]).toMatch(/^outage: SNS gave up on 1 of 6/);
  });

  it('fails when the reconciler missed an offer SNS gave up on, or the worker never decided it', () => {
    const missed = outageVerdict(outage(['o1', 'o2'], { reconcilerEnqueued: ['o1'] }));
    expect(missed.problems).toEqual([
      'outage: the reconciler never enqueued 1 offer(s) SNS gave up on: o2',
    ]);
    const undecided = outageVerdict(
      outage(['o1', 'o2'], { decided: new Set(['o1', 'o3', 'o4', 's1', 's2']) }),
    );
    expect(undecided.problems).toEqual([
      'outage: 1 offer(s) SNS gave up on were never decided: o2',
    ]);
  });
});

function badPassword(overrides: Partial<BadPasswordInput> = {}): BadPasswordInput {
  return {
    logins: { accepted: 1, refused: 30 },
    refusedBeforeFix: 25,
    workerMetrics: { [WORKER_METRICS.failed]: 29, [WORKER_METRICS.accepted]: 3 },
    deadLettered: 5,
    redriven: 5,
    pickupMs: 900,
    secretReads: 4,
    offers: 24,
    decided: 24,
    ...overrides,
  };
}

describe('the bad-password verdict', () => {
  it('passes when logins were refused, records failed, dead letters were redriven and every offer was decided', () => {
    const verdict = badPasswordVerdict(badPassword());
    expect(verdict.problems).toEqual([]);
    expect(verdict.notes).toContain(
      'bad-password: dead letters redriven: 5; offers decided: 24 of 24 (100%)',
    );
    expect(verdict.notes).toContain(
      'bad-password: worker metrics: OffersAccepted 3, RecordsFailed 29',
    );
  });

  it.each([
    ['no refused login', { refusedBeforeFix: 0 }, 'the marketplace refused no login'],
    ['no failed record', { workerMetrics: {} }, 'the worker failed no record'],
    ['no dead letter', { redriven: 0 }, 'no dead letter was redriven'],
    ['no login after the fix', { pickupMs: undefined }, 'never logged in with the fixed password'],
    ['an undecided offer', { decided: 23 }, '1 offer(s) never decided'],
  ])('fails with %s', (_label, overrides, problem) => {
    const verdict = badPasswordVerdict(badPassword(overrides));
    expect(verdict.problems).toHaveLength(1);
    expect(verdict.problems[0]).toContain(problem);
  });

  it("checks the worker's login-failure metric once named: risen, and by no more than the refusals the marketplace counted", () => {
    const name = 'SomeLoginFailureMetric';
    expect(badPasswordVerdict(badPassword({ loginFailureMetric: name })).problems).toEqual([
      `bad-password: the worker's ${name} is 0, against 30 logins the marketplace refused`,
    ]);
    const risen = badPassword({
      loginFailureMetric: name,
      workerMetrics: { [WORKER_METRICS.failed]: 29, [name]: 30 },
    });
    expect(badPasswordVerdict(risen).problems).toEqual([]);
    const tooMany = badPassword({
      loginFailureMetric: name,
      workerMetrics: { [WORKER_METRICS.failed]: 29, [name]: 31 },
    });
    expect(badPasswordVerdict(tooMany).problems).toHaveLength(1);
  });
});

describe('the recording queue', () => {
  it('passes each event on and reports its offer, once SQS took it', async () => {
    const sent: QueuedEvent[] = [];
    const inner: EventQueue = { send: async (event) => (sent.push(event), 'sqs-1') };
    const seen: string[] = [];
    const queue = recordingQueue(inner, (offerId) => seen.push(offerId));
    const event: QueuedEvent = {
      version: 1,
      origin: 'reconciler',
      topicArn: TOPIC,
      snsMessageId: 'r-1',
      publishedAt: '2026-05-01T08:00:00Z',
      message: JSON.stringify({
        event_id: 'e',
        event_name: 'OfferMatched',
        event_source: 'reconciler',
        timestamp: '2026-05-01T08:00:00Z',
        offer_id: 'o1',
      }),
    };

    await expect(queue.send(event, { snsMessageId: 'r-1', correlationId: 'run' })).resolves.toBe(
      'sqs-1',
    );
    expect(sent).toEqual([event]);
    expect(seen).toEqual(['o1']);

    const failing = recordingQueue(
      { send: async () => Promise.reject(new Error('SQS down')) },
      (offerId) => seen.push(offerId),
    );
    await expect(
      failing.send(event, { snsMessageId: 'r-1', correlationId: 'run' }),
    ).rejects.toThrow('SQS down');
    expect(seen).toEqual(['o1']);
  });
});

describe('counting metrics', () => {
  it('sums each metric by name and publishes nothing', () => {
    const metrics = new CountingMetrics();
    metrics.addMetric('RecordsFailed', MetricUnit.Count, 1);
    metrics.addMetric('RecordsFailed', MetricUnit.Count, 2);
    metrics.addMetric('OffersAccepted', MetricUnit.Count, 1);
    expect(metrics.sum('RecordsFailed')).toBe(3);
    expect(metrics.sum('Never')).toBe(0);
    expect(metrics.all()).toEqual({ OffersAccepted: 1, RecordsFailed: 3 });
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});
