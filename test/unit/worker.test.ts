/**
 * Covers createWorker (lambdas/worker/worker.ts): a batch with failing records reports exactly
 * those messageIds and still processes the rest, malformed bodies and messages fail alone, the
 * per-record log keys (added, then removed), the decision log line, error logs without payloads
 * or client data, and the metrics published once per invocation.
 * It uses the fake marketplace and in-memory store; what the processing decides is covered by
 * process-event.test.ts and its process-event-*.test.ts siblings, and the Lambda wiring (env, SDK
 * clients) by the infra and e2e layers.
 */
import { parseRules } from '../../lambdas/core/config';
import { rulesVersionOf } from '../../lambdas/core/rules-source';
import { WORKER_TIMING } from '../../lambdas/worker/timing';
import {
  createWorker,
  MIN_REMAINING_MS_PER_RECORD,
  WORKER_METRICS,
} from '../../lambdas/worker/worker';
import { inboxOffer, matched, offerEvent, queuedEvent } from '../support/offer-fixtures';
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
  batch,
  sqsRecord,
} from '../support/worker-observability';

const RULES = parseRules(
  JSON.stringify({
    defaultAction: 'review',
    rules: [
      { name: 'psw', match: { care_type: ['psw'] }, action: 'accept' },
      {
        name: 'no nursing',
        match: { care_type: ['nursing'] },
        action: 'decline',
        declineReasonCode: 'no_capacity',
      },
    ],
  }),
);

const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const C = 'cccccccc-0000-4000-8000-00000000000c';

function setup() {
  const marketplace: FakeMarketplace = fakeMarketplace(
    inboxOffer({ id: A }),
    inboxOffer({ id: B, careType: 'nursing' }),
    inboxOffer({ id: C, offerType: 'service', careType: 'nursing' }),
  );
  const store = new MemoryOfferStore();
  const logger = new CapturingLogger();
  const metrics = new RecordingMetrics();
  const worker = createWorker({
    marketplace,
    store,
    units: store,
    rules: RULES,
    role: 'supply',
    logger,
    metrics,
    now: () => new Date('2026-05-01T08:01:00Z'),
  });
  return { marketplace, store, logger, metrics, worker };
}

describe('partial batch failures', () => {
  it('reports exactly the failing record and processes the others', async () => {
    const { marketplace, worker } = setup();
    marketplace.failNext('declineInboxOffer', new Error('HTTP 503 from marketplace'));

    const response = await worker(
      batch(
        sqsRecord(matched(A), { messageId: 'm-a' }),
        sqsRecord(matched(B), { messageId: 'm-b' }),
        sqsRecord(matched(C), { messageId: 'm-c' }),
      ),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-b' }] });
    expect(marketplace.actions().map((call) => [call.method, call.offerId])).toEqual([
      ['acceptInboxOffer', A],
      ['declineInboxOffer', B],
      ['declineInboxOffer', C],
    ]);
  });

  it('returns no failures when every record succeeds', async () => {
    const { worker } = setup();
    await expect(worker(batch(sqsRecord(matched(A)), sqsRecord(matched(C))))).resolves.toEqual({
      batchItemFailures: [],
    });
  });

  it.each([
    ['a body that is not JSON', 'not json at all'],
    ['a body that is not the envelope', JSON.stringify({ hello: 'world' })],
    ['a message that is not a marketplace event', queuedEvent('{"client_name":"PATIENT-PHI"}')],
  ])('fails %s alone, logging the error but not the payload', async (_label, body) => {
    const { logger, worker } = setup();

    const response = await worker(
      batch(sqsRecord(body, { messageId: 'bad' }), sqsRecord(matched(A), { messageId: 'good' })),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    const [errorLine] = logger.lines.filter((line) => line.level === 'ERROR');
    expect(errorLine).toMatchObject({
      messageId: 'bad',
      errorName: expect.stringMatching(/^Malformed(Record|Event)Error$/),
    });
    expect(logger.text()).not.toContain('PATIENT-PHI');
    expect(logger.text()).not.toContain('hello');
    expect(logger.text()).not.toContain('not json at all');
  });

  it('fails a record whose event another invocation is processing', async () => {
    const { store, worker } = setup();
    const event = offerEvent({ offer_id: A, id: A, event_name: 'OfferClosed' });
    await store.claimEvent(String(event.event_id), new Date('2026-05-01T08:00:59Z'), 60_000);

    const response = await worker(batch(sqsRecord(queuedEvent(event), { messageId: 'busy' })));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'busy' }]);
  });

  it.each([
    ['before its last receive: nothing on record (a busy unit is no failure)', 1, undefined],
    [
      'on its last receive: the cause on record for the DLQ',
      WORKER_TIMING.maxReceiveCount,
      'UnitBusyError',
    ],
  ])(
    'fails a record whose offer another attempt at the same event is deciding; %s',
    async (_name, receiveCount, recorded) => {
      const { store, worker } = setup();
      const event = offerEvent({ offer_id: A, id: A });
      const other = `${String(event.event_id)}#another-attempt`;
      await store.acquireUnitLease(`offer#${A}`, other, new Date('2026-05-01T08:00:59Z'), 60_000);

      const response = await worker(
        batch(sqsRecord(queuedEvent(event), { messageId: 'busy', receiveCount })),
      );

      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'busy' }]);
      expect(store.events.get(String(event.event_id))?.lastError?.errorName).toBe(recorded);
    },
  );
});

describe('running out of time', () => {
  it('without a retry port, reports the records it has no time left for as failed, unprocessed', async () => {
    const { marketplace, logger, worker } = setup();
    // Time as the Lambda runtime would report it: enough for one record until it is processed.
    let remaining = MIN_REMAINING_MS_PER_RECORD;
    marketplace.acceptInboxOffer = (
      (accept) =>
      async (...args: Parameters<typeof accept>) => {
        remaining -= 1;
        return accept(...args);
      }
    )(marketplace.acceptInboxOffer.bind(marketplace));
    const context = lambdaContext(() => remaining);

    const response = await worker(
      batch(
        sqsRecord(matched(A), { messageId: 'm-a' }),
        sqsRecord(matched(B), { messageId: 'm-b' }),
        sqsRecord(matched(C), { messageId: 'm-c' }),
      ),
      context,
    );

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm-b' },
      { itemIdentifier: 'm-c' },
    ]);
    // Offer A only: read (a lone offer undecided is not read again under its unit's lease), answered.
    expect(marketplace.calls.map((call) => call.offerId)).toEqual([A, A]);
    expect(logger.lines.find((line) => line.level === 'WARN')).toMatchObject({
      deferred: 2,
      function_request_id: 'request-1',
    });
  });
});

describe('logging', () => {
  it('logs each event in one INFO line: the decision with offerId, action, rule and the record keys, and no client data', async () => {
    const { logger, worker } = setup();
    const queued = matched(A);
    const event = JSON.parse(queued.message) as { event_id: string };

    await worker(batch(sqsRecord(queued, { correlationId: 'corr-xyz' })));

    expect(logger.lines.filter((line) => line.level === 'INFO')).toHaveLength(1);
    const [decision] = logger.withMessage('Event processed');
    expect(decision).toMatchObject({
      level: 'INFO',
      eventName: 'OfferMatched',
      outcome: 'decided',
      offerId: A,
      action: 'accept',
      rule: 'psw',
      reason: 'rule "psw": care_type matched',
      eventId: event.event_id,
      snsMessageId: queued.snsMessageId,
      correlationId: 'corr-xyz',
      rulesVersion: rulesVersionOf(RULES),
      unitKey: `offer#${A}`,
      dryRun: false,
    });
    for (const value of ['Montréal', 'H2X', 'Demo Health Authority'])
      expect(logger.text()).not.toContain(value);
  });

  it('logs the decision’s reason, not the whole explanation (that is stored), still free of client values', async () => {
    const { marketplace, logger } = setup();
    marketplace.offers.set(A, inboxOffer({ id: A, requiredSkills: ['Ostomy care'] }));
    const rules = parseRules(
      JSON.stringify({
        defaultAction: 'review',
        rules: [
          {
            name: 'near',
            match: { service_area: [{ lat: 43.65, lon: -79.38, km: 5 }] },
            action: 'accept',
          },
          { name: 'skilled', match: { skills: ['lifts'] }, action: 'accept' },
          { name: 'montreal', match: { city: ['Montreal'] }, action: 'ignore' },
        ],
      }),
    );
    const explaining = createWorker({
      marketplace,
      ...bothStores(),
      rules,
      role: 'supply',
      logger,
      now: () => new Date('2026-05-01T08:01:00Z'),
    });

    await explaining(batch(sqsRecord(matched(A))));

    const [line] = logger.withMessage('Event processed');
    expect(line).toMatchObject({ action: 'ignore', reason: 'rule "montreal": city matched' });
    expect(line).not.toHaveProperty('explanation');
    for (const value of ['Montréal', 'H2X', '45.51', '73.57', 'Ostomy', 'Demo Health Authority'])
      expect(logger.text()).not.toContain(value);
  });

  it('removes one record’s keys before the next', async () => {
    const { logger, worker } = setup();

    await worker(
      batch(
        sqsRecord(matched(A), { correlationId: 'first' }),
        sqsRecord('garbage', { correlationId: 'second' }),
      ),
    );

    const errorLine = logger.lines.find((line) => line.level === 'ERROR');
    expect(errorLine).toMatchObject({ correlationId: 'second' });
    expect(errorLine?.offerId).toBeUndefined();
    expect(errorLine?.eventId).toBeUndefined();
    // And nothing lingers after the batch.
    logger.info('after');
    const after = logger.withMessage('after')[0];
    expect(after.correlationId).toBeUndefined();
    expect(after.offerId).toBeUndefined();
  });

  it('logs a failure with the error name, message and API status, tagged with the record', async () => {
    const { marketplace, logger, worker } = setup();
    marketplace.failNext(
      'getInboxOffer',
      Object.assign(new Error('getInboxOffer: HTTP 500'), {
        name: 'MarketplaceError',
        status: 500,
        operation: 'getInboxOffer',
      }),
    );

    await worker(batch(sqsRecord(matched(A), { messageId: 'm-1' })));

    const [errorLine] = logger.lines.filter((line) => line.level === 'ERROR');
    expect(errorLine).toMatchObject({
      messageId: 'm-1',
      offerId: A,
      errorName: 'MarketplaceError',
      errorMessage: 'getInboxOffer: HTTP 500',
      status: 500,
      operation: 'getInboxOffer',
    });
  });
});

describe('metrics', () => {
  it('counts decisions, duplicates and failures, and publishes once per invocation', async () => {
    const { marketplace, metrics, worker } = setup();
    const duplicate = matched(A);
    marketplace.failNext('getInboxOffer'); // fails the first record's fetch

    await worker(
      batch(
        sqsRecord(matched(B), { messageId: 'fails' }),
        sqsRecord(duplicate),
        sqsRecord(duplicate),
        sqsRecord(matched(C)),
      ),
    );

    expect(metrics.published).toEqual([
      {
        [WORKER_METRICS.failed]: 1,
        [WORKER_METRICS.accepted]: 1,
        [WORKER_METRICS.duplicate]: 1,
        [WORKER_METRICS.declined]: 1,
      },
    ]);
  });

  it('counts a review decision', async () => {
    const { marketplace, metrics, worker } = setup();
    marketplace.offers.set(A, inboxOffer({ id: A, careType: 'psw', offerType: 'service' }));
    const reviewRules = parseRules(JSON.stringify({ defaultAction: 'review' }));
    const reviewWorker = createWorker({
      marketplace,
      ...bothStores(),
      rules: reviewRules,
      role: 'supply',
      logger: new CapturingLogger(),
      metrics,
    });

    await reviewWorker(batch(sqsRecord(matched(A))));
    await worker(batch()); // nothing to count: nothing published

    expect(metrics.published).toEqual([{ [WORKER_METRICS.review]: 1 }]);
  });

  it('counts an ignore decision as OffersIgnored, and sends nothing', async () => {
    const { marketplace, metrics } = setup();
    const ignoreRules = parseRules(JSON.stringify({ defaultAction: 'ignore' }));
    const ignoring = createWorker({
      marketplace,
      ...bothStores(),
      rules: ignoreRules,
      role: 'supply',
      logger: new CapturingLogger(),
      metrics,
    });

    await ignoring(batch(sqsRecord(matched(A))));

    expect(metrics.published).toEqual([{ OffersIgnored: 1 }]);
    expect(marketplace.actions()).toEqual([]);
  });

  it('counts and warns when an answer is refused and closed with what the marketplace shows', async () => {
    const { marketplace, logger, metrics, worker } = setup();
    const accept = marketplace.acceptInboxOffer.bind(marketplace);
    marketplace.acceptInboxOffer = async (offerId, body) => {
      // A person declines between our read and our answer: the marketplace refuses ours (409).
      const offer = marketplace.offers.get(offerId);
      if (offer !== undefined) offer.match.response = 'declined';
      return accept(offerId, body);
    };

    const response = await worker(batch(sqsRecord(matched(A))));

    expect(response.batchItemFailures).toEqual([]);
    expect(metrics.published.flatMap((m) => Object.keys(m))).toContain(WORKER_METRICS.resolved);
    expect(metrics.published.flatMap((m) => Object.keys(m))).not.toContain(WORKER_METRICS.accepted);
    expect(logger.lines.find((line) => line.level === 'WARN')).toMatchObject({
      offerId: A,
      unitKey: `offer#${A}`,
      resolution: 'answered',
    });
  });

  it('counts a dry run’s decisions apart from answers, and logs them as a dry run', async () => {
    const { marketplace } = setup();
    const logger = new CapturingLogger();
    const metrics = new RecordingMetrics();
    const worker = createWorker({
      marketplace,
      ...bothStores(),
      rules: RULES,
      role: 'supply',
      logger,
      metrics,
      dryRun: true,
    });
    await worker(batch(sqsRecord(matched(A))));
    expect(marketplace.actions()).toEqual([]);
    expect(metrics.published).toEqual([{ [WORKER_METRICS.dryRun]: 1 }]);
    expect(logger.lines.find((line) => line.message === 'Event processed')).toMatchObject({
      action: 'accept',
      dryRun: true,
    });
  });

  it('works without metrics', async () => {
    const marketplace = fakeMarketplace(inboxOffer({ id: A }));
    const worker = createWorker({
      marketplace,
      ...bothStores(),
      rules: RULES,
      role: 'supply',
      logger: new CapturingLogger(),
    });
    await expect(worker(batch(sqsRecord(matched(A))))).resolves.toEqual({ batchItemFailures: [] });
    expect(marketplace.actions()).toHaveLength(1);
  });
});
