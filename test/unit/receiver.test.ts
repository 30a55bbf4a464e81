/**
 * Covers lambdas/receiver/receiver.ts end to end with genuinely signed SNS messages: notifications
 * (what is enqueued, envelope and attributes; when the answer is given), subscription
 * confirmations (when the network is and is not touched), and envelope refusals (topic, fields,
 * headers, size). The other suites: receiver-signature (signatures and certificates),
 * receiver-logs (logs and metrics), receiver-handler (the Lambda handler's environment wiring);
 * sns-verifier-policy.test.ts for the URL policy and string to sign, the real SQS adapter in
 * test/integration/sqs-event-queue.test.ts, real HTTP in the sandbox e2e test.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MAX_BODY_BYTES, createReceiver } from '../../lambdas/receiver/receiver';
import { receiverHarness, type ReceiverSetup as Setup } from '../support/receiver-harness';
import { deliver, expectEnqueued, expectRefused } from '../support/receiver-expect';
import {
  CERT_URL,
  EVENT_MESSAGE,
  FOREIGN_TOPIC_ARN,
  OTHER_ALLOWED_TOPIC_ARN,
  SUBSCRIBE_URL,
  TOPIC_ARN,
  apiEvent,
  confirmationFields,
  notificationFields,
  sign,
  snsHeaders,
  type Served,
} from '../support/sns-fixtures';

const NOW = new Date();
const harness = receiverHarness({ now: NOW });
const { identity, output, certServed } = harness;

function setup(
  options: {
    now?: () => Date;
    routes?: Record<string, Served>;
    fallback?: (url: string) => Served;
    queueError?: Error;
    metrics?: Metrics;
  } = {},
): Setup {
  return harness.setup({ ...options, allowedTopicArns: [TOPIC_ARN, OTHER_ALLOWED_TOPIC_ARN] });
}

describe('notifications', () => {
  it.each(['1', '2'] as const)(
    'enqueues a SignatureVersion %s notification with the queued envelope and attributes',
    async (version) => {
      const s = setup();
      const message = sign(notificationFields(NOW), identity, version);
      const result = await s.receive(
        apiEvent(JSON.stringify(message), { headers: snsHeaders(message), requestId: 'req-42' }),
      );

      expectEnqueued(result, s, message, 'req-42');
    },
  );

  it('accepts a notification with a signed Subject', async () => {
    const s = setup();
    const result = await deliver(
      s.receive,
      sign(notificationFields(NOW, { Subject: 'Offer matched' }), identity),
    );
    expect(result.statusCode).toBe(200);
    expect(s.queue.sends).toHaveLength(1);
  });

  it('decodes a base64 body', async () => {
    const s = setup();
    const body = Buffer.from(
      JSON.stringify(sign(notificationFields(NOW), identity)),
      'utf8',
    ).toString('base64');
    const result = await s.receive(apiEvent(body, { isBase64Encoded: true }));
    expect(result.statusCode).toBe(200);
    expect(s.queue.sends[0].event.message).toBe(EVENT_MESSAGE);
  });

  it('uses a fresh UUID as correlation id when API Gateway gives no request id', async () => {
    const s = setup();
    const event = apiEvent(JSON.stringify(sign(notificationFields(NOW), identity)));
    event.requestContext.requestId = '';
    expect((await s.receive(event)).statusCode).toBe(200);
    expect(s.queue.sends[0].attributes.correlationId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('enqueues a duplicate delivery again and answers 200 (the worker de-duplicates)', async () => {
    const s = setup();
    const message = sign(notificationFields(NOW), identity);
    expect((await deliver(s.receive, message, 'req-1')).statusCode).toBe(200);
    expect((await deliver(s.receive, message, 'req-2')).statusCode).toBe(200);
    expect(
      s.queue.sends.map((send) => [send.event.snsMessageId, send.attributes.correlationId]),
    ).toEqual([
      [message.MessageId, 'req-1'],
      [message.MessageId, 'req-2'],
    ]);
  });

  it('answers 503 when the queue fails, so SNS retries', async () => {
    const s = setup({ queueError: new Error('SQS unavailable') });
    const result = await deliver(s.receive, sign(notificationFields(NOW), identity));
    expectRefused(result, 503, s);
  });

  it('answers 200 only after the send resolves', async () => {
    let release: (id: string) => void = () => undefined;
    const s = setup();
    const receive = createReceiver({
      allowedTopicArns: [TOPIC_ARN],
      queue: { send: () => new Promise<string>((resolve) => (release = resolve)) },
      httpGet: s.http.httpGet,
      logger: new Logger({ serviceName: 'receiver-test' }),
      now: () => NOW,
    });
    let settled = false;
    const pending = deliver(receive, sign(notificationFields(NOW), identity)).then((result) => {
      settled = true;
      return result;
    });
    // Let every already-resolvable step (cert fetch, verification) run.
    for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release('sqs-1');
    expect((await pending).statusCode).toBe(200);
  });
});

describe('subscription confirmations', () => {
  it('GETs the SubscribeURL for an allowed topic and answers 200', async () => {
    const s = setup();
    const result = await deliver(
      s.receive,
      sign(confirmationFields('SubscriptionConfirmation', NOW), identity),
    );
    expect(result.statusCode).toBe(200);
    expect(s.http.urls()).toEqual([CERT_URL, SUBSCRIBE_URL]);
    expect(s.queue.sends).toHaveLength(0);
  });

  it('refuses a confirmation for a topic not allowed (403) without any GET', async () => {
    const s = setup();
    const message = sign(
      confirmationFields('SubscriptionConfirmation', NOW, { TopicArn: FOREIGN_TOPIC_ARN }),
      identity,
    );
    expectRefused(await deliver(s.receive, message), 403, s);
    expect(s.http.calls).toHaveLength(0);
  });

  it('refuses a SubscribeURL off the SNS hosts (400) without any GET', async () => {
    const s = setup({ fallback: () => certServed() });
    const message = sign(
      confirmationFields('SubscriptionConfirmation', NOW, {
        SubscribeURL:
          'https://sns.ca-central-1.amazonaws.com.evil.example/?Action=ConfirmSubscription',
      }),
      identity,
    );
    expectRefused(await deliver(s.receive, message), 400, s);
    expect(s.http.calls).toHaveLength(0);
  });

  it.each([
    ['a network error', new Error('ECONNRESET')],
    ['a 500', { status: 500, body: '' }],
    ['a 403', { status: 403, body: '' }],
  ])('answers 502 when the SubscribeURL GET meets %s, so SNS retries', async (_case, served) => {
    const s = setup({ routes: { [CERT_URL]: certServed(), [SUBSCRIBE_URL]: served } });
    const result = await deliver(
      s.receive,
      sign(confirmationFields('SubscriptionConfirmation', NOW), identity),
    );
    expectRefused(result, 502, s);
  });

  it('acknowledges an unsubscribe confirmation with 200 and never follows its SubscribeURL', async () => {
    const s = setup();
    const result = await deliver(
      s.receive,
      sign(confirmationFields('UnsubscribeConfirmation', NOW), identity),
    );
    expect(result.statusCode).toBe(200);
    expect(s.http.urls()).toEqual([CERT_URL]);
    expect(s.queue.sends).toHaveLength(0);
    expect(output.logs().some((line) => line.level === 'WARN')).toBe(true);
  });
});

describe('envelope refusals', () => {
  it('refuses a notification from a topic not allowed (403) without fetching anything', async () => {
    const s = setup();
    expectRefused(
      await deliver(
        s.receive,
        sign(notificationFields(NOW, { TopicArn: FOREIGN_TOPIC_ARN }), identity),
      ),
      403,
      s,
    );
    expect(s.http.calls).toHaveLength(0);
  });

  it.each([
    ['over an hour old', -61 * 60 * 1000],
    ['over five minutes in the future', 6 * 60 * 1000],
  ])('refuses a genuinely signed message %s (400)', async (_case, offsetMs) => {
    const s = setup();
    const message = sign(notificationFields(new Date(NOW.getTime() + offsetMs)), identity);
    expectRefused(await deliver(s.receive, message), 400, s);
    expect(s.http.calls).toHaveLength(0);
  });

  it.each([
    ['59 minutes old', -59 * 60 * 1000],
    ['4 minutes in the future', 4 * 60 * 1000],
  ])('accepts a message %s', async (_case, offsetMs) => {
    const s = setup();
    expect(
      (
        await deliver(
          s.receive,
          sign(notificationFields(new Date(NOW.getTime() + offsetMs)), identity),
        )
      ).statusCode,
    ).toBe(200);
  });

  it.each(['true', 'TRUE'])(
    'refuses raw message delivery (x-amz-sns-rawdelivery: %s) with 400',
    async (value) => {
      const s = setup();
      const message = sign(notificationFields(NOW), identity);
      const result = await s.receive(
        apiEvent(JSON.stringify(message), {
          headers: { ...snsHeaders(message), 'X-Amz-Sns-Rawdelivery': value },
        }),
      );
      expectRefused(result, 400, s);
    },
  );

  it.each([
    ['x-amz-sns-message-type', 'SubscriptionConfirmation'],
    ['X-Amz-Sns-Message-Id', 'a0000000-0000-4000-8000-00000000ffff'],
    ['X-AMZ-SNS-TOPIC-ARN', OTHER_ALLOWED_TOPIC_ARN],
  ])('refuses a body that disagrees with the %s header (400)', async (header, value) => {
    const s = setup();
    const message = sign(notificationFields(NOW), identity);
    const result = await s.receive(
      apiEvent(JSON.stringify(message), {
        headers: { 'content-type': 'text/plain', [header]: value },
      }),
    );
    expectRefused(result, 400, s);
  });

  it('accepts SNS headers in any letter case when they agree with the body', async () => {
    const s = setup();
    const message = sign(notificationFields(NOW), identity);
    const headers = Object.fromEntries(
      Object.entries(snsHeaders(message)).map(([name, value]) => [name.toUpperCase(), value]),
    );
    expect((await s.receive(apiEvent(JSON.stringify(message), { headers }))).statusCode).toBe(200);
  });

  it('refuses an oversized body (413), plain or base64', async () => {
    const s = setup();
    const message = sign(
      notificationFields(NOW, { Message: 'x'.repeat(MAX_BODY_BYTES) }),
      identity,
    );
    const text = JSON.stringify(message);
    expectRefused(await s.receive(apiEvent(text)), 413, s);
    expectRefused(
      await s.receive(apiEvent(Buffer.from(text).toString('base64'), { isBase64Encoded: true })),
      413,
      s,
    );
    expect(s.http.calls).toHaveLength(0);
  });

  it.each([
    ['malformed JSON', '{"Type": "Notification", '],
    ['a JSON array', '[]'],
    ['a JSON string', '"Notification"'],
    ['an empty body', ''],
    ['invalid base64', null],
  ])('refuses %s (400)', async (_case, body) => {
    const s = setup();
    const event =
      body === null ? apiEvent('%%%not-base64%%%', { isBase64Encoded: true }) : apiEvent(body);
    expectRefused(await s.receive(event), 400, s);
  });

  it('refuses a null body (400)', async () => {
    const s = setup();
    expectRefused(await s.receive(apiEvent(null)), 400, s);
  });

  // Each missing field, notification and confirmation alike: receiver-bad-input.test.ts.
  it.each([
    ['an unknown Type', { Type: 'Surprise' }],
    ['SignatureVersion 3', { SignatureVersion: '3' }],
    ['a numeric Timestamp', { Timestamp: 1767225600 }],
  ])('refuses %s (400)', async (_case, change) => {
    const s = setup();
    expectRefused(
      await deliver(s.receive, { ...sign(notificationFields(NOW), identity), ...change }),
      400,
      s,
    );
  });
});
