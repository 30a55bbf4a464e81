/**
 * Covers what the worker (lambdas/worker/worker.ts) does when DynamoDB throttles a call and the
 * SDK's own retries give up: the error the client then throws (ProvisionedThroughputExceeded-
 * Exception, or ThrottlingException) reaches the worker unchanged, as the DynamoDB stores rethrow
 * every error but a refused condition. With a provisioned table (config `table.billing`) a burst
 * beyond the capacity is throttled until auto scaling catches up, so this is the trade-off's path:
 * the record is reported failed (SQS keeps it: nothing is lost), comes back after the first retry
 * delay (5 s, not the 30-minute visibility timeout), is not taken for malformed (which heads for
 * the DLQ), and once the table answers again it is finished with one answer to the marketplace,
 * whichever call was throttled (before the claim, mid-decision, or after the answer was sent).
 * Last, the same through the real DynamoDB stores and AWS SDK client, DynamoDB answering every
 * request with the throttling error: the SDK retries, then the worker gets its error unchanged.
 */
import { Readable } from 'node:stream';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { cachedDynamoClient, Documents } from '../../lambdas/adapters/dynamo-documents';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { parseRules } from '../../lambdas/core/config';
import type { RecordRetry } from '../../lambdas/adapters/record-retry';
import { WORKER_TIMING } from '../../lambdas/worker/timing';
import { createWorker } from '../../lambdas/worker/worker';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore, type StoreMethod } from '../support/offer-memory-store';
import { CapturingLogger, lambdaContext, sqsRecord } from '../support/worker-observability';

const RULES = parseRules(JSON.stringify({ defaultAction: 'accept' }));
const OFFER = 'aaaaaaaa-0000-4000-8000-00000000000a';
const START = new Date('2026-05-01T08:01:00Z').getTime();

/** What the DynamoDB client throws once its retries are spent on a throttled request. */
const THROTTLES: Array<[string, () => Error]> = [
  [
    'ProvisionedThroughputExceededException',
    () =>
      new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded.',
        $metadata: { httpStatusCode: 400, attempts: 3 },
      }),
  ],
  [
    'ThrottlingException',
    () =>
      Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
        name: 'ThrottlingException',
        $fault: 'client',
        $retryable: { throttling: true },
        $metadata: { httpStatusCode: 400, attempts: 3 },
      }),
  ],
];

/**
 * Every store call the worker makes for a lone supply offer it accepts, in the order it makes
 * them (its decision and facts go on its own offer item, in recordUnitDecision); each is a
 * DynamoDB request a provisioned table can throttle.
 */
// An OfferMatched takes no event claim: the unit's lease and the offer's record stand for it (its
// intent written with the lease).
const PATH_CALLS: readonly StoreMethod[] = ['getOffer', 'acquireWithIntent', 'recordUnitDecision'];

function setup() {
  const marketplace = fakeMarketplace(inboxOffer({ id: OFFER }));
  const store = new MemoryOfferStore();
  const logger = new CapturingLogger();
  let clockS = 0;
  const visibility: number[] = [];
  const retry: RecordRetry = {
    changeVisibility: async (_receiptHandle, seconds) => {
      visibility.push(seconds);
    },
    resend: async () => {
      throw new Error('no record is handed back in these tests');
    },
  };
  const worker = createWorker({
    marketplace,
    store,
    units: store,
    rules: RULES,
    role: 'supply',
    logger,
    now: () => new Date(START + clockS * 1000),
    retry,
  });
  const context: Context = lambdaContext(() => 10 * WORKER_TIMING.recordMs);
  // One message, delivered again and again: the same body (and event id) every time.
  const body = queuedEvent(offerEvent({ offer_id: OFFER, id: OFFER }));
  const record = (receiveCount: number): SQSRecord =>
    sqsRecord(body, { messageId: 'm-1', receiveCount });
  const deliver = async (receiveCount: number, atS: number) => {
    clockS = atS;
    visibility.length = 0;
    const event: SQSEvent = { Records: [record(receiveCount)] };
    const { batchItemFailures } = await worker(event, context);
    return { failed: batchItemFailures.length > 0, retryInS: visibility.at(0) };
  };
  return { marketplace, store, logger, deliver };
}

const distinct = <T>(items: readonly T[]) => [...new Set(items)];

it('the throttled calls below are every store call of an accepted lone offer', async () => {
  const { store, deliver, marketplace } = setup();
  expect(await deliver(1, 0)).toEqual({ failed: false, retryInS: undefined });
  expect(marketplace.actions()).toHaveLength(1);
  expect(distinct(store.calls.map((call) => call.method))).toEqual(PATH_CALLS);
});

describe.each(THROTTLES)('DynamoDB throttling (%s)', (errorName, throttle) => {
  it.each(PATH_CALLS.map((method) => [method]))(
    'on %s: the record fails, comes back in 5 s, and is then finished with one answer',
    async (method) => {
      const { store, logger, deliver, marketplace } = setup();
      store.failNext(method, throttle());

      const first = await deliver(1, 0);

      // Reported failed, so SQS keeps it; back after the first retry delay, not the visibility timeout.
      expect(first).toEqual({ failed: true, retryInS: WORKER_TIMING.retryDelaysS[0] });
      expect(WORKER_TIMING.retryDelaysS[0]).toBe(5);
      expect(WORKER_TIMING.maxReceiveCount).toBeGreaterThan(1);
      expect(logger.withMessage('Record is malformed; it will reach the DLQ')).toEqual([]);
      expect(logger.withMessage('Record failed; it will be retried')[0]).toMatchObject({
        errorName,
        retryInSeconds: 5,
      });
      // The failed attempt is on record for an operator (connector dlq list).
      expect(store.callsTo('releaseEvent')).toHaveLength(1);
      expect([...store.events.values()]).toEqual([
        expect.objectContaining({
          status: 'failed',
          failedAttempts: 1,
          lastError: expect.objectContaining({ errorName }),
        }),
      ]);

      const second = await deliver(2, 5);

      expect(second).toEqual({ failed: false, retryInS: undefined });
      expect(store.offers.get(OFFER)?.decision).toMatchObject({
        action: 'accept',
        state: 'applied',
      });
      // One answer in all: a throttle after the accept does not send a second one.
      expect(marketplace.actions().map((call) => [call.method, call.offerId])).toEqual([
        ['acceptInboxOffer', OFFER],
      ]);
    },
  );
});

it('a throttled write whose lease release is throttled too waits out the lease, and is finished before the DLQ', async () => {
  const { store, deliver, marketplace } = setup();
  store.failNext('recordUnitDecision', THROTTLES[0][1]());
  store.failNext('releaseUnitLease', THROTTLES[0][1]());

  let at = 0;
  let outcome = await deliver(1, at);
  let receives = 1;
  while (outcome.failed && receives < WORKER_TIMING.maxReceiveCount) {
    at += outcome.retryInS ?? WORKER_TIMING.visibilityTimeoutS;
    receives += 1;
    outcome = await deliver(receives, at);
  }

  // The unit's lease stays held until it runs out; the retry delays outlast it before the last
  // receive.
  expect(outcome.failed).toBe(false);
  expect(at * 1000).toBeGreaterThan(WORKER_TIMING.decisionLeaseMs);
  expect(receives).toBeLessThanOrEqual(WORKER_TIMING.maxReceiveCount);
  expect(marketplace.actions()).toHaveLength(1);
});

it('a throttle on the write that records the accept as applied (the answer already sent) sends no second answer', async () => {
  const { store, deliver, marketplace } = setup();
  const accept = marketplace.acceptInboxOffer.bind(marketplace);
  let throttled = 0;
  marketplace.acceptInboxOffer = async (id, body) => {
    await accept(id, body);
    // The next write is the decision's `applied` record: throttle it, as DynamoDB would in a burst.
    store.failNext('recordUnitDecision', THROTTLES[0][1]());
    throttled += 1;
  };

  expect(await deliver(1, 0)).toEqual({ failed: true, retryInS: 5 });
  expect(throttled).toBe(1);
  expect(await deliver(2, 5)).toEqual({ failed: false, retryInS: undefined });

  expect(marketplace.actions().map((call) => call.method)).toEqual(['acceptInboxOffer']);
  expect(store.offers.get(OFFER)?.decision).toMatchObject({ action: 'accept', state: 'applied' });
});

describe('through the real DynamoDB stores and SDK client', () => {
  /** A DynamoDB endpoint that throttles every request, as a table far over its capacity does. */
  function throttlingDynamo() {
    let requests = 0;
    const client = cachedDynamoClient({
      region: 'ca-central-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
      // The handler's client keeps the SDK's default (4 attempts, about 4 s of backoff); 2 here.
      maxAttempts: 2,
      requestHandler: {
        handle: async () => {
          requests += 1;
          const body = JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            message: 'The level of configured provisioned throughput for the table was exceeded.',
          });
          return Promise.resolve({
            response: {
              statusCode: 400,
              headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r-1' },
              body: Readable.from([Buffer.from(body)]),
            },
          });
        },
      },
    });
    const documents = new Documents(client);
    return {
      store: new DynamoOfferStore(documents, 'OfferTable'),
      units: new DynamoUnitStore(documents, 'OfferTable'),
      requests: () => requests,
      destroy: () => {
        client.destroy();
      },
    };
  }

  it('fails the record for a retry in 5 s once the SDK has retried, with nothing sent to the marketplace', async () => {
    const dynamo = throttlingDynamo();
    try {
      const marketplace = fakeMarketplace(inboxOffer({ id: OFFER }));
      const logger = new CapturingLogger();
      const visibility: number[] = [];
      const worker = createWorker({
        marketplace,
        store: dynamo.store,
        units: dynamo.units,
        rules: RULES,
        role: 'supply',
        logger,
        now: () => new Date(START),
        retry: {
          changeVisibility: async (_receiptHandle, seconds) => {
            visibility.push(seconds);
            return Promise.resolve();
          },
          resend: async () => Promise.reject(new Error('not expected')),
        },
      });
      const record = sqsRecord(queuedEvent(offerEvent({ offer_id: OFFER, id: OFFER })), {
        messageId: 'm-1',
        receiveCount: 1,
      });

      const response = await worker(
        { Records: [record] },
        lambdaContext(() => 10 * WORKER_TIMING.recordMs),
      );

      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
      expect(visibility).toEqual([5]);
      // The offer's read, tried twice by the SDK, then the failed attempt's record (throttled
      // too), twice; nothing after them.
      expect(dynamo.requests()).toBe(4);
      expect(marketplace.calls).toEqual([]);
      expect(logger.withMessage('Record failed; it will be retried')[0]).toMatchObject({
        errorName: 'ProvisionedThroughputExceededException',
      });
    } finally {
      dynamo.destroy();
    }
  });
});
