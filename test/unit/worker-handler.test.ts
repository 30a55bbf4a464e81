/**
 * Covers the worker's Lambda entry (lambdas/worker/handler.ts) as deployed wiring, with the SDK
 * clients it builds on first use replaced by recording fakes (jest.doMock, so the test sees when
 * each client is built): loading the handler builds none of SQS, SNS or EventBridge; a failed
 * record's retry delay goes out through SQS ChangeMessageVisibility, building the SQS client then
 * and only once; a record left for lack of time is re-sent as a copy; a build that fails costs that
 * hand-back and the later ones (logged, the records still reported failed), without building again.
 * Bad configuration of the deferred clients (bus ARN, link templates) is still refused at load. The
 * publishers' own first use is deferred-clients.test.ts; the records' retry schedule
 * worker-retry-handback.test.ts.
 */
import type { SQSEvent } from 'aws-lambda';
import {
  fakeDeferredSdkPackages,
  type FakePackages,
  restoreDeferredSdkPackages,
} from '../support/deferred-sdk-fakes';
import { captureOutput, type CapturedOutput } from '../support/sns-fixtures';
import { lambdaContext, sqsRecord } from '../support/worker-observability';

const QUEUE_URL = 'https://sqs.ca-central-1.amazonaws.com/111122223333/events';

let fakes: FakePackages;
const saved = { ...process.env };
let output: CapturedOutput;

beforeEach(() => {
  jest.resetModules();
  fakes = fakeDeferredSdkPackages();
  process.env = {
    ...saved,
    AWS_REGION: 'ca-central-1',
    TABLE_NAME: 'offers',
    QUEUE_URL,
    MARKETPLACE_BASE_URL: 'https://marketplace.example.org',
    CREDENTIALS_SECRET_ARN:
      'arn:aws:secretsmanager:ca-central-1:111122223333:secret:marketplace-AbCdEf',
    RULES_BUCKET: 'rules-bucket',
    RULES_OBJECT_KEY: 'rules.json',
    CONNECTOR_ROLE: 'both',
    NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:ca-central-1:111122223333:review',
    OFFER_URL_TEMPLATE: 'https://acme.example.org/marketplace/offers/{offerId}',
    REFERRAL_EVENT_BUS_ARN: 'arn:aws:events:ca-central-1:111122223333:event-bus/referrals',
  };
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  process.env = { ...saved };
  restoreDeferredSdkPackages();
});

type HandlerModule = typeof import('../../lambdas/worker/handler');

function loadHandler(): HandlerModule['handler'] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the handler reads its environment when its module loads
  return (require('../../lambdas/worker/handler') as HandlerModule).handler;
}

const malformed = (): SQSEvent => ({ Records: [sqsRecord('not json', { receiveCount: 1 })] });

describe('worker handler: the clients it builds on first use', () => {
  it('builds none of the SQS, SNS or EventBridge clients at start', () => {
    loadHandler();
    expect([fakes.sqs.built, fakes.sns.built, fakes.eventbridge.built]).toEqual([0, 0, 0]);
  });

  it('sets a failed record’s retry delay through SQS, building its client on that first hand-back and only then', async () => {
    const handler = loadHandler();
    const first = malformed();
    const response = await handler(first);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: first.Records[0].messageId }]);
    expect(fakes.sqs.built).toBe(1);
    expect(fakes.sqs.sent).toEqual([
      {
        command: 'ChangeMessageVisibilityCommand',
        input: {
          QueueUrl: QUEUE_URL,
          ReceiptHandle: first.Records[0].receiptHandle,
          VisibilityTimeout: expect.any(Number),
        },
      },
    ]);

    await handler(malformed());
    expect(fakes.sqs.built).toBe(1);
    expect(fakes.sqs.sent).toHaveLength(2);
    // Neither publisher had anything to publish, so neither client was built.
    expect([fakes.sns.built, fakes.eventbridge.built]).toEqual([0, 0]);
  });

  it('re-sends a record it has no time for as a copy, through the same lazily built queue', async () => {
    const handler = loadHandler();
    const event = malformed();
    const response = await handler(
      event,
      lambdaContext(() => 1_000),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(fakes.sqs.sent).toEqual([
      {
        command: 'SendMessageCommand',
        input: expect.objectContaining({
          QueueUrl: QUEUE_URL,
          MessageBody: 'not json',
          DelaySeconds: expect.any(Number),
        }),
      },
    ]);
  });

  it('a build that fails fails that hand-back and the later ones, logged, the records still reported failed', async () => {
    fakes.sqs.failingBuilds = 1;
    const handler = loadHandler();
    const first = malformed();
    const response = await handler(first);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: first.Records[0].messageId }]);
    expect(fakes.sqs.sent).toEqual([]);
    const warning = output
      .logs()
      .find((line) => String(line.message).startsWith('Could not set the record’s retry delay'));
    expect(warning).toMatchObject({ level: 'WARN', messageId: first.Records[0].messageId });
    expect(JSON.stringify(warning)).toContain('SQSClient: Region is missing');

    // Not built again: the same configuration would fail the same way (first-use.ts).
    const second = malformed();
    expect((await handler(second)).batchItemFailures).toEqual([
      { itemIdentifier: second.Records[0].messageId },
    ]);
    expect(fakes.sqs.built).toBe(1);
    expect(fakes.sqs.sent).toEqual([]);
  });
});

describe('worker handler: configuration of the deferred clients, refused at load', () => {
  it('refuses a malformed referral bus ARN', () => {
    process.env.REFERRAL_EVENT_BUS_ARN = 'referrals';
    expect(loadHandler).toThrow(/REFERRAL_EVENT_BUS_ARN/);
  });

  it('refuses a link template that is not https with {offerId}', () => {
    process.env.OFFER_URL_TEMPLATE = 'http://acme.example.org/offers';
    expect(loadHandler).toThrow(/offerUrl/);
  });

  it('refuses them without building any of the deferred clients', () => {
    process.env.OUTBOX_OFFER_URL_TEMPLATE = 'https://acme.example.org/no-placeholder';
    expect(loadHandler).toThrow(/outboxOfferUrl/);
    expect([fakes.sqs.built, fakes.sns.built, fakes.eventbridge.built]).toEqual([0, 0, 0]);
  });
});
