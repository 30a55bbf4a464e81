/**
 * The receiver's bad-input suite (issue 3, point 5): named, table-driven requests through
 * `createReceiver` with a real signing identity, a fake HttpGet that serves the genuine
 * certificate at any URL (so only the policy stands between a look-alike URL and a fetch), and a
 * fake queue that records sends. Every refusal asserts its status, that nothing was enqueued,
 * exactly which URLs were fetched (usually none), and a short public reason that echoes no input.
 * Covers: body, JSON and base64 decoding, sizes, missing and mistyped fields, odd unicode,
 * signatures over changed fields, certificates SNS did not issue, look-alike certificate and
 * SubscribeURLs, the timestamp window, raw delivery, SNS headers, SignatureVersion, Type, the topic
 * allow list, the two policy options (SignatureVersion 2 required, shared secret), transient faults
 * (5xx) and duplicate deliveries. The case tables: receiver-bad-input-decoding-cases.ts,
 * receiver-bad-input-signature-cases.ts and receiver-bad-input-delivery-cases.ts (their requests
 * in receiver-bad-input-requests.ts), all in test/support.
 * Leaves log and metric content, the 401 challenge's headers, secret rotation and config wiring to
 * test/unit/receiver.test.ts and test/unit/receiver-policy.test.ts, the URL policy in isolation to
 * test/unit/sns-verifier-policy.test.ts, random mutations to
 * test/unit/receiver-property-mutations.test.ts and receiver-property-own-key.test.ts.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { createReceiver } from '../../lambdas/receiver/receiver';
import { createSnsSigningIdentity } from '../../sandbox/sns-signing';
import {
  CERT_URL,
  EVENT_MESSAGE,
  OTHER_ALLOWED_TOPIC_ARN,
  SUBSCRIBE_URL,
  TOPIC_ARN,
  apiEvent,
  fakeHttpGet,
  fakeQueue,
  snsHeaders,
  type FakeHttpGet,
  type FakeQueue,
  type Served,
} from '../support/sns-fixtures';
import { expectRefused as expectRefusedBy } from '../support/receiver-expect';
import {
  CERT_ONLY,
  MINUTE,
  NOW,
  SHARED_PASSWORD,
  basic,
  conf,
  note,
  post,
  postBase64,
  postText,
  type HarnessOptions,
  type Keys,
  type RefusalCase,
} from '../support/receiver-bad-input-requests';
import { decodingTables } from '../support/receiver-bad-input-decoding-cases';
import { signatureTables } from '../support/receiver-bad-input-signature-cases';
import { deliveryTables } from '../support/receiver-bad-input-delivery-cases';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

async function ecCertificatePem(): Promise<string> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=sns.amazonaws.com',
    notBefore: new Date(Date.now() - 5 * MINUTE),
    notAfter: new Date(Date.now() + 24 * 60 * MINUTE),
    signingAlgorithm: algorithm,
    keys: keys,
  });
  return cert.toString('pem');
}

let keys: Keys;
beforeAll(async () => {
  const [identity, other, shortLived, ecCertPem] = await Promise.all([
    createSnsSigningIdentity(),
    createSnsSigningIdentity(),
    createSnsSigningIdentity({ validDays: 1 }),
    ecCertificatePem(),
  ]);
  keys = { identity, other, shortLived, ecCertPem };
});

// ---------------------------------------------------------------------------------------------
// Harness

interface Harness {
  receive: ReturnType<typeof createReceiver>;
  http: FakeHttpGet;
  queue: FakeQueue;
}

function harness(options: HarnessOptions = {}): Harness {
  const genuine: Served = { status: 200, body: keys.identity.certPem };
  const http = options.served ? fakeHttpGet(options.served) : fakeHttpGet({}, () => genuine);
  const queue = fakeQueue(options.queueError);
  const clock = options.clock ?? NOW;
  const receive = createReceiver({
    allowedTopicArns: [TOPIC_ARN, OTHER_ALLOWED_TOPIC_ARN],
    queue,
    httpGet: http.httpGet,
    logger: new Logger({ serviceName: 'receiver-bad-input', logLevel: 'SILENT' }),
    now: () => clock,
    ...options.policy,
  });
  return { receive, http, queue };
}

/** Every refusal (receiver-expect.ts), and the served certificate never echoed either. */
function expectRefused(result: APIGatewayProxyResult, status: number, h: Harness): void {
  expectRefusedBy(result, status, h, [keys.identity.certPem.slice(30, 60)]);
}

async function runCase(c: RefusalCase): Promise<void> {
  const h = harness(c.options?.(keys));
  const result = await h.receive(c.request(keys));
  expectRefused(result, c.status, h);
  expect(h.http.urls()).toEqual(c.fetched);
}

// ---------------------------------------------------------------------------------------------
// Controls: the harness accepts genuine messages, so every refusal below is the input's doing.

describe('controls: genuine messages through the same harness', () => {
  it.each(['1', '2'] as const)(
    'enqueues a genuine SignatureVersion %s notification (200)',
    async (version) => {
      const h = harness();
      const message = note(keys, {}, version);
      const result = await h.receive(post(message, snsHeaders(message)));
      expect(result.statusCode).toBe(200);
      expect(h.queue.sends.map((send) => send.event.message)).toEqual([EVENT_MESSAGE]);
      expect(h.http.urls()).toEqual(CERT_ONLY);
    },
  );

  it('enqueues a genuine SignatureVersion 2 notification when version 2 is required (200)', async () => {
    const h = harness({ policy: { requireSignatureVersion2: true } });
    expect((await h.receive(post(note(keys, {}, '2')))).statusCode).toBe(200);
    expect(h.queue.sends).toHaveLength(1);
  });

  it('enqueues a genuine notification with the right shared-secret credentials (200)', async () => {
    const h = harness({ policy: { sharedSecret: async () => SHARED_PASSWORD } });
    expect(
      (await h.receive(post(note(keys), { authorization: basic('connector', SHARED_PASSWORD) })))
        .statusCode,
    ).toBe(200);
    expect(h.queue.sends).toHaveLength(1);
  });

  it('enqueues a genuine notification sent base64-encoded (200)', async () => {
    const h = harness();
    const result = await h.receive(
      postBase64(Buffer.from(JSON.stringify(note(keys))).toString('base64')),
    );
    expect(result.statusCode).toBe(200);
    expect(h.queue.sends).toHaveLength(1);
  });

  it('confirms a genuine subscription by GETting its SubscribeURL (200, nothing enqueued)', async () => {
    const h = harness();
    expect((await h.receive(post(conf(keys)))).statusCode).toBe(200);
    expect(h.http.urls()).toEqual([CERT_URL, SUBSCRIBE_URL]);
    expect(h.queue.sends).toEqual([]);
  });

  it('acknowledges a genuine unsubscribe confirmation without following its SubscribeURL (200)', async () => {
    const h = harness();
    expect((await h.receive(post(conf(keys, {}, 'UnsubscribeConfirmation')))).statusCode).toBe(200);
    expect(h.http.urls()).toEqual(CERT_ONLY);
    expect(h.queue.sends).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Refusals, by rule

const tables: Array<[string, RefusalCase[]]> = [
  ...decodingTables,
  ...signatureTables,
  ...deliveryTables,
];

describe.each(tables)('refuses bad input: %s', (_title, cases) => {
  it.each(cases)('$name', runCase);
});

it('names every case once, and there are well over 40', () => {
  const names = tables.flatMap(([, cases]) => cases.map((c) => c.name));
  expect(new Set(names).size).toBe(names.length);
  expect(names.length).toBeGreaterThanOrEqual(40);
});

// ---------------------------------------------------------------------------------------------
// Duplicates are not refused: the receiver cannot tell a retry from a replay within the window,
// so both are enqueued and the worker de-duplicates on the SNS MessageId and the event id.

describe('duplicate deliveries', () => {
  it('answers 200 to the same message twice and enqueues it twice with the same MessageId', async () => {
    const h = harness();
    const message = note(keys);
    const first = await h.receive(
      apiEvent(JSON.stringify(message), { headers: snsHeaders(message), requestId: 'req-1' }),
    );
    const second = await h.receive(
      apiEvent(JSON.stringify(message), { headers: snsHeaders(message), requestId: 'req-2' }),
    );
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(h.queue.sends).toHaveLength(2);
    expect(h.queue.sends[1].event).toEqual(h.queue.sends[0].event);
    expect(h.queue.sends.map((send) => send.attributes)).toEqual([
      { snsMessageId: message.MessageId, correlationId: 'req-1' },
      { snsMessageId: message.MessageId, correlationId: 'req-2' },
    ]);
    // The second delivery is verified against the cached certificate, not fetched again.
    expect(h.http.urls()).toEqual(CERT_ONLY);
  });

  it('enqueues a retry sent base64-encoded after a plain one, both with the same MessageId', async () => {
    const h = harness();
    const message = note(keys);
    const text = JSON.stringify(message);
    expect((await h.receive(postText(text))).statusCode).toBe(200);
    expect((await h.receive(postBase64(Buffer.from(text).toString('base64')))).statusCode).toBe(
      200,
    );
    expect(h.queue.sends.map((send) => send.event.snsMessageId)).toEqual([
      message.MessageId,
      message.MessageId,
    ]);
  });
});
