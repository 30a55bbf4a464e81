/**
 * Covers the receiver's configurable and subscription policy (lambdas/receiver/receiver.ts):
 * `requireSignatureVersion2`, the SubscribeURL rules beyond the SNS host policy (the topic's own
 * region, a ConfirmSubscription call), how an UnsubscribeConfirmation is recorded (warn line with
 * topic and subscription, metric, nothing followed), the answer for each class of outcome with
 * the SQS attributes, and that every log line of a request carries its correlation id and SNS
 * MessageId.
 * Leaves the URL host policy and signature details to sns-verifier-policy.test.ts and
 * sns-verifier-signature.test.ts, the shared secret to shared-secret.test.ts, the table of
 * malformed inputs to the bad-input suite, and the alarm on the unsubscribe metric to
 * test/infra/stacks-alarms-reconciler.test.ts.
 */
import { RECEIVER_METRICS } from '../../lambdas/receiver/receiver';
import type { SignedSnsMessage } from '../../sandbox/sns-signing';
import { receiverHarness } from '../support/receiver-harness';
import {
  CERT_URL,
  FOREIGN_TOPIC_ARN,
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
const { identity, otherIdentity, output } = harness;

function setup(
  options: {
    requireSignatureVersion2?: boolean;
    routes?: Record<string, Served>;
    queueError?: Error;
  } = {},
) {
  return harness.setup({
    ...options,
    // Any other URL would be served too: only the receiver's policy keeps it from being fetched.
    fallback: () => ({ status: 200, body: identity.certPem }),
  });
}

const deliver = (
  receive: ReturnType<typeof setup>['receive'],
  message: SignedSnsMessage | Record<string, unknown>,
  requestId = 'req-1',
) => receive(apiEvent(JSON.stringify(message), { requestId }));

function metricNames(): string[] {
  return output.metrics().flatMap((blob) => {
    const aws = blob._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> };
    return aws.CloudWatchMetrics.flatMap((entry) => entry.Metrics.map((metric) => metric.Name));
  });
}

describe('requireSignatureVersion2', () => {
  it.each([
    ['a notification', () => sign(notificationFields(NOW), identity, '1')],
    [
      'a subscription confirmation',
      () => sign(confirmationFields('SubscriptionConfirmation', NOW), identity, '1'),
    ],
  ])(
    'refuses %s signed with SignatureVersion 1 (403) before any network call',
    async (_case, message) => {
      const s = setup({ requireSignatureVersion2: true });
      const result = await deliver(s.receive, message());
      expect(result.statusCode).toBe(403);
      expect(JSON.parse(result.body)).toEqual({ message: 'signature version not accepted' });
      expect(s.http.calls).toHaveLength(0);
      expect(s.queue.sends).toHaveLength(0);
    },
  );

  it('still accepts SignatureVersion 2', async () => {
    const s = setup({ requireSignatureVersion2: true });
    expect(
      (await deliver(s.receive, sign(notificationFields(NOW), identity, '2'))).statusCode,
    ).toBe(200);
    expect(s.queue.sends).toHaveLength(1);
  });

  it.each([false, undefined])(
    'accepts SignatureVersion 1 when the option is %s (SNS topics sign with 1 by default)',
    async (option) => {
      const s = setup({ requireSignatureVersion2: option });
      expect(
        (await deliver(s.receive, sign(notificationFields(NOW), identity, '1'))).statusCode,
      ).toBe(200);
    },
  );
});

describe('SubscribeURL policy beyond the SNS host pattern', () => {
  it.each([
    [
      'an SNS host in another region than the topic',
      SUBSCRIBE_URL.replace('sns.ca-central-1.', 'sns.us-east-1.'),
    ],
    [
      'an Unsubscribe call instead of ConfirmSubscription',
      SUBSCRIBE_URL.replace('Action=ConfirmSubscription', 'Action=Unsubscribe'),
    ],
    ['no Action at all', SUBSCRIBE_URL.replace('Action=ConfirmSubscription&', '')],
  ])('refuses %s (400) and GETs nothing, not even the certificate', async (_case, url) => {
    const s = setup();
    const message = sign(
      confirmationFields('SubscriptionConfirmation', NOW, { SubscribeURL: url }),
      identity,
    );
    const result = await deliver(s.receive, message);
    expect(result.statusCode).toBe(400);
    expect(s.http.calls).toHaveLength(0);
  });

  it('GETs a ConfirmSubscription URL on the topic region’s SNS host once the signature verifies', async () => {
    const s = setup();
    const result = await deliver(
      s.receive,
      sign(confirmationFields('SubscriptionConfirmation', NOW), identity),
    );
    expect(result.statusCode).toBe(200);
    expect(s.http.urls()).toEqual([CERT_URL, SUBSCRIBE_URL]);
    expect(metricNames()).toEqual([RECEIVER_METRICS.subscriptionsConfirmed]);
  });

  it('does not GET the SubscribeURL of a confirmation whose signature fails (403)', async () => {
    const s = setup();
    const result = await deliver(
      s.receive,
      sign(confirmationFields('SubscriptionConfirmation', NOW), otherIdentity),
    );
    expect(result.statusCode).toBe(403);
    expect(s.http.urls()).toEqual([CERT_URL]);
  });
});

describe('UnsubscribeConfirmation', () => {
  it('answers 200, follows nothing, and records a warn line with topic and subscription plus a metric', async () => {
    const s = setup();
    const message = sign(confirmationFields('UnsubscribeConfirmation', NOW), identity);
    const subscriptionArn = `${TOPIC_ARN}:0b5a2c1e-0000-4000-8000-000000000001`;
    const headers = { ...snsHeaders(message), 'x-amz-sns-subscription-arn': subscriptionArn };
    const result = await s.receive(
      apiEvent(JSON.stringify(message), { headers, requestId: 'req-unsub' }),
    );

    expect(result.statusCode).toBe(200);
    expect(s.http.urls()).toEqual([CERT_URL]);
    expect(s.queue.sends).toHaveLength(0);
    const warnings = output.logs().filter((line) => line.level === 'WARN');
    expect(warnings).toEqual([
      expect.objectContaining({
        topicArn: TOPIC_ARN,
        subscriptionArn,
        snsMessageId: message.MessageId,
        correlationId: 'req-unsub',
      }),
    ]);
    expect(metricNames()).toEqual([RECEIVER_METRICS.unsubscribeConfirmations]);
  });

  it('does not log a subscription header that is not an ARN-like value', async () => {
    const s = setup();
    const message = sign(confirmationFields('UnsubscribeConfirmation', NOW), identity);
    const headers = {
      ...snsHeaders(message),
      'x-amz-sns-subscription-arn': 'arn\n{"level":"ERROR","forged":true}',
    };
    expect((await s.receive(apiEvent(JSON.stringify(message), { headers }))).statusCode).toBe(200);
    const warning = output.logs().find((line) => line.level === 'WARN');
    expect(warning).toBeDefined();
    expect(warning).not.toHaveProperty('subscriptionArn');
    expect(output.logs().some((line) => 'forged' in line)).toBe(false);
  });

  it('is refused like any message when its signature fails, and nothing is recorded as an unsubscribe', async () => {
    const s = setup();
    const forged = sign(confirmationFields('UnsubscribeConfirmation', NOW), otherIdentity);
    expect((await deliver(s.receive, forged)).statusCode).toBe(403);
    expect(metricNames()).toEqual([RECEIVER_METRICS.messagesRejected]);
  });
});

describe('answers', () => {
  const genuine = () => sign(notificationFields(NOW), identity);
  it.each([
    { case: 'a genuine notification', message: genuine, setupOptions: {}, status: 200, sends: 1 },
    {
      case: 'a forged signature',
      message: () => sign(notificationFields(NOW), otherIdentity),
      setupOptions: {},
      status: 403,
      sends: 0,
    },
    {
      case: 'a topic not allowed',
      message: () => sign(notificationFields(NOW, { TopicArn: FOREIGN_TOPIC_ARN }), identity),
      setupOptions: {},
      status: 403,
      sends: 0,
    },
    {
      case: 'a malformed envelope',
      message: () => ({ ...genuine(), SignatureVersion: 7 }),
      setupOptions: {},
      status: 400,
      sends: 0,
    },
    {
      case: 'a certificate fetch that fails (transient)',
      message: genuine,
      setupOptions: { routes: { [CERT_URL]: new Error('ETIMEDOUT') } },
      status: 502,
      sends: 0,
    },
    {
      case: 'an SQS error (transient)',
      message: genuine,
      setupOptions: { queueError: new Error('ServiceUnavailable') },
      status: 503,
      sends: 0,
    },
  ])('$case -> $status', async ({ message, setupOptions, status, sends }) => {
    const s = setup(setupOptions);
    const result = await deliver(s.receive, message());
    expect(result.statusCode).toBe(status);
    expect(s.queue.sends).toHaveLength(sends);
  });

  it('puts the SNS MessageId and the correlation id on the SQS message as attributes', async () => {
    const s = setup();
    const message = genuine();
    await deliver(s.receive, message, 'req-attrs');
    expect(s.queue.sends.map((send) => send.attributes)).toEqual([
      { snsMessageId: message.MessageId, correlationId: 'req-attrs' },
    ]);
  });
});

describe('log lines of one request', () => {
  it.each([
    {
      case: 'an enqueued notification',
      message: () => sign(notificationFields(NOW), identity),
      options: {},
    },
    {
      case: 'a confirmed subscription',
      message: () => sign(confirmationFields('SubscriptionConfirmation', NOW), identity),
      options: {},
    },
    {
      case: 'an unsubscribe confirmation',
      message: () => sign(confirmationFields('UnsubscribeConfirmation', NOW), identity),
      options: {},
    },
    {
      case: 'a refused signature',
      message: () => sign(notificationFields(NOW), otherIdentity),
      options: {},
    },
    {
      case: 'a queue failure',
      message: () => sign(notificationFields(NOW), identity),
      options: { queueError: new Error('down') },
    },
  ])(
    '$case: every line has the correlation id and the SNS MessageId',
    async ({ message, options }) => {
      const s = setup(options);
      const signed = message();
      await s.receive(
        apiEvent(JSON.stringify(signed), { headers: snsHeaders(signed), requestId: 'req-one' }),
      );
      const lines = output.logs();
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect({ correlationId: line.correlationId, snsMessageId: line.snsMessageId }).toEqual({
          correlationId: 'req-one',
          snsMessageId: signed.MessageId,
        });
      }
    },
  );

  it('takes the MessageId from the SNS header when the body cannot be parsed', async () => {
    const s = setup();
    const signed = sign(notificationFields(NOW), identity);
    await s.receive(
      apiEvent('{"truncated":', { headers: snsHeaders(signed), requestId: 'req-bad' }),
    );
    const lines = output.logs();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line).toEqual(
        expect.objectContaining({ correlationId: 'req-bad', snsMessageId: signed.MessageId }),
      );
  });

  it('does not log a message-id header that is not id-like', async () => {
    const s = setup();
    await s.receive(
      apiEvent('{"truncated":', {
        headers: { 'x-amz-sns-message-id': 'id with spaces and "quotes"' },
      }),
    );
    for (const line of output.logs()) expect(line).not.toHaveProperty('snsMessageId');
  });
});
