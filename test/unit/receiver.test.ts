/**
 * Covers lambdas/receiver/receiver.ts end to end with genuinely signed SNS messages: statuses for
 * every acceptance and refusal path, what is enqueued (envelope and attributes), when the network
 * is and is not touched (certificate fetch, SubscribeURL), certificate caching across requests,
 * what reaches logs and EMF metrics (ids yes; Message, Token, Signature never), and the Lambda
 * handler's environment wiring (allow list, REQUIRE_SIGNATURE_VERSION_2, SHARED_SECRET_ARN).
 * Leaves the URL-policy and string-to-sign details to test/unit/sns-verifier.test.ts, the real
 * SQS adapter to test/integration/sqs-event-queue.test.ts, and real HTTP to the sandbox e2e test.
 */
import { X509Certificate } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { MAX_BODY_BYTES, createReceiver } from '../../lambdas/receiver/receiver';
import {
  createSnsSigningIdentity,
  type SignedSnsMessage,
  type SnsSigningIdentity,
} from '../../sandbox/sns-signing';
import { receiverHarness, type ReceiverSetup as Setup } from '../support/receiver-harness';
import {
  CERT_URL,
  EVENT_MESSAGE,
  FOREIGN_TOPIC_ARN,
  OTHER_ALLOWED_TOPIC_ARN,
  SUBSCRIBE_URL,
  TOKEN,
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

let shortLived: SnsSigningIdentity;
beforeAll(async () => {
  shortLived = await createSnsSigningIdentity({ validDays: 1 });
});

const certServed = (): Served => ({ status: 200, body: identity.certPem });

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

function deliver(
  receive: Setup['receive'],
  message: SignedSnsMessage | Record<string, unknown>,
  requestId = 'req-0001',
) {
  return receive(apiEvent(JSON.stringify(message), { requestId }));
}

function publicMessage(result: APIGatewayProxyResult): string {
  const body = JSON.parse(result.body) as { message: unknown };
  expect(Object.keys(body)).toEqual(['message']);
  expect(typeof body.message).toBe('string');
  return body.message as string;
}

/** Every refusal: the status, nothing enqueued, a short JSON reason that echoes no input. */
function expectRefused(result: APIGatewayProxyResult, status: number, { queue }: Setup): void {
  expect(result.statusCode).toBe(status);
  expect(queue.sends).toHaveLength(0);
  const message = publicMessage(result);
  expect(message.length).toBeLessThan(80);
  expect(result.body).not.toContain('MESSAGE-CONTENT-MARKER');
  expect(result.body).not.toContain(TOKEN);
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

      expect(result.statusCode).toBe(200);
      expect(result.headers).toMatchObject({ 'content-type': 'application/json' });
      expect(s.queue.sends).toEqual([
        {
          event: {
            version: 1,
            origin: 'sns',
            topicArn: TOPIC_ARN,
            snsMessageId: message.MessageId,
            publishedAt: message.Timestamp,
            message: EVENT_MESSAGE,
          },
          attributes: { snsMessageId: message.MessageId, correlationId: 'req-42' },
        },
      ]);
      expect(s.http.urls()).toEqual([CERT_URL]);
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

describe('signature and certificate refusals', () => {
  it.each([
    ['Message', { Message: EVENT_MESSAGE.replace('offer-1', 'offer-666') }],
    ['Subject', { Subject: 'changed' }],
    ['Timestamp', { Timestamp: new Date(NOW.getTime() - 1000).toISOString() }],
    ['MessageId', { MessageId: 'b1a2c3d4-0000-4000-8000-000000000000' }],
    ['TopicArn (to another allowed topic)', { TopicArn: OTHER_ALLOWED_TOPIC_ARN }],
  ])('refuses a notification whose %s changed after signing (403)', async (_field, change) => {
    const s = setup();
    const signed = sign(notificationFields(NOW, { Subject: 'Offer matched' }), identity);
    expectRefused(await deliver(s.receive, { ...signed, ...change }), 403, s);
  });

  it('refuses a valid signature by a certificate other than the one served (403)', async () => {
    const s = setup();
    expectRefused(await deliver(s.receive, sign(notificationFields(NOW), otherIdentity)), 403, s);
  });

  it.each([
    ['look-alike suffix', 'https://sns.us-east-1.amazonaws.com.evil.example/x.pem'],
    ['other domain', 'https://sns.evil.com/x.pem'],
    ['userinfo trick', 'https://amazonaws.com@evil.example/x.pem'],
    ['userinfo', 'https://user@sns.us-east-1.amazonaws.com/x.pem'],
    ['http', 'http://sns.us-east-1.amazonaws.com/x.pem'],
    ['port', 'https://sns.us-east-1.amazonaws.com:443/x.pem'],
    ['query', 'https://sns.us-east-1.amazonaws.com/x.pem?x=1'],
    ['fragment', 'https://sns.us-east-1.amazonaws.com/x.pem#x'],
    ['not .pem', 'https://sns.us-east-1.amazonaws.com/x.cer'],
    ['trailing dot', 'https://sns.us-east-1.amazonaws.com./x.pem'],
    ['percent-encoded host', 'https://sns%2Eus-east-1.amazonaws.com/x.pem'],
    ['percent-encoded path', 'https://sns.us-east-1.amazonaws.com/x%2Epem'],
  ])('refuses a SigningCertURL with %s (4xx) without fetching it', async (_case, url) => {
    // The fake would serve the genuine certificate at any URL: only the policy stands in the way.
    const s = setup({ fallback: () => certServed() });
    const result = await deliver(s.receive, sign(notificationFields(NOW), identity, '2', url));
    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.statusCode).toBeLessThan(500);
    expectRefused(result, result.statusCode, s);
    expect(s.http.calls).toHaveLength(0);
  });

  it('refuses a message signed by a certificate that has expired (403)', async () => {
    const later = new Date(Date.parse(new X509Certificate(shortLived.certPem).validTo) + 60_000);
    const s = setup({
      now: () => later,
      routes: { [CERT_URL]: { status: 200, body: shortLived.certPem } },
    });
    expectRefused(await deliver(s.receive, sign(notificationFields(later), shortLived)), 403, s);
  });

  it.each([
    { case: 'a network error', served: new Error('timeout'), status: 502 },
    { case: 'a 404', served: { status: 404, body: '' }, status: 502 },
    {
      case: 'an unparseable certificate',
      served: { status: 200, body: '-----BEGIN CERTIFICATE-----\nnope\n' },
      status: 400,
    },
  ])('maps $case on the certificate fetch to $status', async ({ served, status }) => {
    const s = setup({ routes: { [CERT_URL]: served } });
    expectRefused(await deliver(s.receive, sign(notificationFields(NOW), identity)), status, s);
  });

  it('fetches a certificate once for several messages signed with it', async () => {
    const s = setup();
    for (const id of [
      'a0000000-0000-4000-8000-000000000001',
      'a0000000-0000-4000-8000-000000000002',
      'a0000000-0000-4000-8000-000000000003',
    ]) {
      expect(
        (await deliver(s.receive, sign(notificationFields(NOW, { MessageId: id }), identity)))
          .statusCode,
      ).toBe(200);
    }
    expect(s.http.urls()).toEqual([CERT_URL]);
    expect(s.queue.sends).toHaveLength(3);
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

describe('logs and metrics', () => {
  it('tags every line with correlationId and snsMessageId and never writes Message, Token or Signature', async () => {
    const s = setup();
    const notification = sign(notificationFields(NOW), identity);
    const confirmation = sign(confirmationFields('SubscriptionConfirmation', NOW), identity);
    const tampered = {
      ...sign(notificationFields(NOW), identity),
      Message: 'MESSAGE-CONTENT-MARKER tampered',
    };
    await deliver(s.receive, notification, 'req-a');
    await deliver(s.receive, confirmation, 'req-b');
    await deliver(s.receive, tampered, 'req-c');
    await s.receive(apiEvent('{"Message": "MESSAGE-CONTENT-MARKER", oops', { requestId: 'req-d' }));

    const logs = output.logs();
    expect(logs.length).toBeGreaterThanOrEqual(4);
    for (const line of logs) expect(line.correlationId).toMatch(/^req-[a-d]$/);
    for (const line of logs.filter((entry) => entry.correlationId !== 'req-d')) {
      expect(line.snsMessageId).toEqual(expect.any(String));
    }
    const text = output.text();
    expect(text).not.toContain('MESSAGE-CONTENT-MARKER');
    expect(text).not.toContain(TOKEN);
    for (const message of [notification, confirmation])
      expect(text).not.toContain(message.Signature.slice(0, 40));
  });

  it('does not carry one request’s keys into the next request’s lines', async () => {
    const s = setup();
    await deliver(s.receive, sign(notificationFields(NOW), identity), 'req-a');
    await s.receive(apiEvent('not json', { requestId: 'req-b' }));
    const line = output.logs().find((entry) => entry.correlationId === 'req-b');
    expect(line).toBeDefined();
    expect(line).not.toHaveProperty('snsMessageId');
  });

  it('publishes a metric per request but a normal delivery: confirmed, unsubscribed, rejected, failed', async () => {
    const s = setup({
      routes: { [CERT_URL]: certServed(), [SUBSCRIBE_URL]: { status: 200, body: '' } },
    });
    await deliver(s.receive, sign(notificationFields(NOW), identity));
    await deliver(s.receive, sign(confirmationFields('SubscriptionConfirmation', NOW), identity));
    await deliver(s.receive, sign(confirmationFields('UnsubscribeConfirmation', NOW), identity));
    await deliver(
      s.receive,
      sign(notificationFields(NOW, { TopicArn: FOREIGN_TOPIC_ARN }), identity),
    );
    const failing = setup({ queueError: new Error('down') });
    await deliver(failing.receive, sign(notificationFields(NOW), identity));

    const published = output.metrics().map((blob) => {
      const aws = blob._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> };
      return aws.CloudWatchMetrics[0].Metrics.map((metric) => metric.Name);
    });
    // The enqueued notification publishes nothing: the events queue's NumberOfMessagesSent counts it.
    expect(published).toEqual([
      ['SubscriptionsConfirmed'],
      ['UnsubscribeConfirmations'],
      ['MessagesRejected'],
      ['DeliveriesFailed'],
    ]);
  });
});

describe('Lambda handler (composition root)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  type HandlerModule = typeof import('../../lambdas/receiver/handler');

  function loadHandler(): HandlerModule {
    let loaded: HandlerModule | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.isolateModules gives a fresh module only to a synchronous require
      loaded = require('../../lambdas/receiver/handler') as HandlerModule;
    });
    if (!loaded) throw new Error('handler module did not load');
    return loaded;
  }

  it('fails at load time naming the missing variables', () => {
    delete process.env.QUEUE_URL;
    delete process.env.ALLOWED_TOPIC_ARNS;
    expect(loadHandler).toThrow(/QUEUE_URL, ALLOWED_TOPIC_ARNS/);
  });

  it('refuses an empty topic list', () => {
    process.env.QUEUE_URL = 'https://sqs.ca-central-1.amazonaws.com/111122223333/events';
    process.env.ALLOWED_TOPIC_ARNS = ' , ';
    expect(loadHandler).toThrow(/ALLOWED_TOPIC_ARNS/);
  });

  it('wires the comma-separated allow list: an allowed topic gets past it, another does not', async () => {
    process.env.QUEUE_URL = 'https://sqs.ca-central-1.amazonaws.com/111122223333/events';
    process.env.ALLOWED_TOPIC_ARNS = ` ${OTHER_ALLOWED_TOPIC_ARN} ,${TOPIC_ARN}`;
    const { handler } = loadHandler();
    // Stale timestamp: refused after the allow list and before any network call.
    const stale = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const allowed = await handler(
      apiEvent(JSON.stringify(sign(notificationFields(stale), identity))),
    );
    expect(allowed.statusCode).toBe(400);
    const foreign = await handler(
      apiEvent(
        JSON.stringify(sign(notificationFields(stale, { TopicArn: FOREIGN_TOPIC_ARN }), identity)),
      ),
    );
    expect(foreign.statusCode).toBe(403);
  });

  function setBaseEnv(): void {
    process.env.QUEUE_URL = 'https://sqs.ca-central-1.amazonaws.com/111122223333/events';
    process.env.ALLOWED_TOPIC_ARNS = TOPIC_ARN;
    delete process.env.REQUIRE_SIGNATURE_VERSION_2;
    delete process.env.SHARED_SECRET_ARN;
  }
  // Stale: refused (400) after the allow list, the signature-version and credentials checks,
  // before any network call, so the status shows which check stopped it.
  const staleV1 = () =>
    apiEvent(
      JSON.stringify(
        sign(notificationFields(new Date(Date.now() - 2 * 60 * 60 * 1000)), identity, '1'),
      ),
    );

  it('wires REQUIRE_SIGNATURE_VERSION_2=true: SignatureVersion 1 is refused with 403 before the timestamp check', async () => {
    setBaseEnv();
    expect((await loadHandler().handler(staleV1())).statusCode).toBe(400);
    process.env.REQUIRE_SIGNATURE_VERSION_2 = 'false';
    expect((await loadHandler().handler(staleV1())).statusCode).toBe(400);
    process.env.REQUIRE_SIGNATURE_VERSION_2 = 'true';
    expect((await loadHandler().handler(staleV1())).statusCode).toBe(403);
  });

  it.each(['TRUE', 'yes', '1', ''])(
    'refuses REQUIRE_SIGNATURE_VERSION_2=%p at load time',
    (value) => {
      setBaseEnv();
      process.env.REQUIRE_SIGNATURE_VERSION_2 = value;
      expect(loadHandler).toThrow(/REQUIRE_SIGNATURE_VERSION_2/);
    },
  );

  it('wires SHARED_SECRET_ARN: a request without credentials gets the 401 Basic challenge; without the variable none is needed', async () => {
    setBaseEnv();
    expect((await loadHandler().handler(staleV1())).statusCode).toBe(400);
    process.env.SHARED_SECRET_ARN =
      'arn:aws:secretsmanager:ca-central-1:111122223333:secret:SharedSecret-AbC123';
    const challenged = await loadHandler().handler(staleV1());
    expect(challenged.statusCode).toBe(401);
    expect(challenged.headers?.['www-authenticate']).toMatch(/^Basic /);
  });

  it('refuses a SHARED_SECRET_ARN that is set but blank instead of running without the check', () => {
    setBaseEnv();
    process.env.SHARED_SECRET_ARN = ' ';
    expect(loadHandler).toThrow(/SHARED_SECRET_ARN/);
  });
});
