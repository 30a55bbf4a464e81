/**
 * Covers the ports whose SDK client is built on first use (lambdas/adapters/deferred-event-queue.ts,
 * deferred-publishers.ts), as the worker and reconciler handlers build them, with the SDK client
 * classes replaced by recording fakes (jest.doMock, so the test sees when each is built): the
 * first review notification publishes through SNS, the first won referral is put on EventBridge,
 * the reconciler's first send goes through SQS, each building its client then and once; a refused
 * PutEvents still rejects; a build that fails rejects that call and every later one. The
 * worker's hand-backs through its real handler: worker-handler.test.ts.
 */
import type { OfferNotification, ReferralReceivedEvent } from '../../lambdas/core/ports';
import {
  fakeDeferredSdkPackages,
  type FakePackages,
  restoreDeferredSdkPackages,
} from '../support/deferred-sdk-fakes';
import { offerEvent, queuedEvent } from '../support/offer-fixtures';

type Modules = {
  queue: typeof import('../../lambdas/adapters/deferred-event-queue');
  publishers: typeof import('../../lambdas/adapters/deferred-publishers');
};

function load(): Modules {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded after the mocks are in place */
  return {
    queue: require('../../lambdas/adapters/deferred-event-queue') as Modules['queue'],
    publishers: require('../../lambdas/adapters/deferred-publishers') as Modules['publishers'],
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

let fakes: FakePackages;

beforeEach(() => {
  jest.resetModules();
  fakes = fakeDeferredSdkPackages();
});

afterEach(restoreDeferredSdkPackages);

const TOPIC = 'arn:aws:sns:ca-central-1:111122223333:review';
const BUS = 'arn:aws:events:ca-central-1:111122223333:event-bus/referrals';
const QUEUE_URL = 'https://sqs.ca-central-1.amazonaws.com/111122223333/events';
const OFFER_ID = 'aaaaaaaa-0000-4000-8000-00000000000a';

const notification: OfferNotification = {
  kind: 'review',
  offerId: OFFER_ID,
  careType: 'PSW',
  rule: 'default',
  explanation: ['default: review'],
};

const referral: ReferralReceivedEvent = {
  offerId: OFFER_ID,
  referralId: 'bbbbbbbb-0000-4000-8000-00000000000b',
  careType: 'PSW',
  offerType: 'visit',
  startAt: '2026-05-02T09:00:00Z',
};

describe('deferred review notifier', () => {
  it('builds nothing until the first notification, then publishes it to the topic, building SNS once', async () => {
    const { publishers } = load();
    const notifier = publishers.deferredNotifier(TOPIC, {
      offerUrl: 'https://acme.example.org/offers/{offerId}',
    });
    expect(fakes.sns.built).toBe(0);
    await notifier.notify(notification);
    await notifier.notify({ ...notification, kind: 'expired' });
    expect(fakes.sns.built).toBe(1);
    expect(fakes.sns.sent.map(({ command }) => command)).toEqual([
      'PublishCommand',
      'PublishCommand',
    ]);
    expect(fakes.sns.sent[0].input).toMatchObject({
      TopicArn: TOPIC,
      Message: expect.stringContaining(`https://acme.example.org/offers/${OFFER_ID}`),
    });
    // The other clients stay unbuilt.
    expect([fakes.sqs.built, fakes.eventbridge.built]).toEqual([0, 0]);
  });

  it('a build that fails rejects that notification and every later one, without building again', async () => {
    fakes.sns.failingBuilds = 1;
    const notifier = load().publishers.deferredNotifier(TOPIC, {});
    await expect(notifier.notify(notification)).rejects.toThrow(/SNSClient: Region is missing/);
    await expect(notifier.notify(notification)).rejects.toThrow(/SNSClient: Region is missing/);
    expect(fakes.sns.built).toBe(1);
    expect(fakes.sns.sent).toHaveLength(0);
  });
});

describe('deferred referral publisher', () => {
  it('builds nothing until the first won referral, then puts it on the bus, building EventBridge once', async () => {
    const publisher = load().publishers.deferredReferralPublisher(BUS);
    expect(fakes.eventbridge.built).toBe(0);
    await publisher.publishReferralReceived(referral);
    await publisher.publishReferralReceived(referral);
    expect(fakes.eventbridge.built).toBe(1);
    expect(fakes.eventbridge.sent[0]).toEqual({
      command: 'PutEventsCommand',
      input: {
        Entries: [
          expect.objectContaining({
            EventBusName: BUS,
            DetailType: 'ReferralReceived',
            Detail: JSON.stringify(referral),
          }),
        ],
      },
    });
  });

  it('still rejects an entry PutEvents refused', async () => {
    fakes.eventbridge.answer = {
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure' }],
    };
    const publisher = load().publishers.deferredReferralPublisher(BUS);
    await expect(publisher.publishReferralReceived(referral)).rejects.toThrow(/InternalFailure/);
  });
});

describe('deferred events queue (the reconciler’s sends)', () => {
  it('builds nothing until the first send, then sends through SQS, building it once', async () => {
    const queue = load().queue.deferredEventQueue(QUEUE_URL);
    expect(fakes.sqs.built).toBe(0);
    const event = queuedEvent(offerEvent());
    const attributes = { snsMessageId: 'reconciler-1', correlationId: 'corr-1' };
    expect(await queue.send(event, attributes)).toBe('m-1');
    expect(await queue.send(event, attributes)).toBe('m-1');
    expect(fakes.sqs.built).toBe(1);
    expect(fakes.sqs.sent[0]).toMatchObject({
      command: 'SendMessageCommand',
      input: { QueueUrl: QUEUE_URL, MessageBody: JSON.stringify(event) },
    });
    expect([fakes.sns.built, fakes.eventbridge.built]).toEqual([0, 0]);
  });
});
