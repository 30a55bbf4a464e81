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
 * (5xx) and duplicate deliveries.
 * Leaves log and metric content, the 401 challenge's headers, secret rotation and config wiring to
 * test/unit/receiver.test.ts and test/unit/receiver-policy.test.ts, the URL policy in isolation to
 * test/unit/sns-verifier.test.ts, random mutations to test/unit/receiver-property.test.ts.
 */
import 'reflect-metadata';
import { X509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { MAX_CERT_BYTES } from '../../lambdas/adapters/sns-verifier';
import { MAX_BODY_BYTES, createReceiver, type ReceiverDeps } from '../../lambdas/receiver/receiver';
import {
  createSnsSigningIdentity,
  type SignedSnsMessage,
  type SnsSigningIdentity,
} from '../../sandbox/sns-signing';
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
  fakeHttpGet,
  fakeQueue,
  notificationFields,
  sign,
  snsHeaders,
  type FakeHttpGet,
  type FakeQueue,
  type Served,
  deliveryHeaders,
} from '../support/sns-fixtures';
import type { SnsMessageFields } from '../../sandbox/sns-signing';
import { without } from '../support/without';
import { expectRefused as expectRefusedBy } from '../support/receiver-expect';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const NOW = new Date();
const MINUTE = 60 * 1000;

interface Keys {
  /** Stands for SNS: its certificate is what the fake serves. */
  identity: SnsSigningIdentity;
  /** Anyone else: a self-signed certificate SNS did not issue. */
  other: SnsSigningIdentity;
  /** Valid for one day, to be used after it expires. */
  shortLived: SnsSigningIdentity;
  /** A certificate with an EC key, which SNS never uses. */
  ecCertPem: string;
}

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

interface HarnessOptions {
  /** The receiver's clock; NOW unless a case moves it. */
  clock?: Date;
  /** What the fake serves; by default the genuine certificate at every URL, and 200 to any GET. */
  served?: Record<string, Served>;
  queueError?: Error;
  /** The receiver's optional policy switches (both off by default). */
  policy?: Pick<ReceiverDeps, 'requireSignatureVersion2' | 'sharedSecret'>;
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

// Request builders. Each case builds its request from the identities once they exist.

/** Extra headers go on top of those every SNS delivery carries (sns-fixtures deliveryHeaders). */
const post = (value: unknown, headers?: Record<string, string>): APIGatewayProxyEvent => {
  const body = JSON.stringify(value);
  return apiEvent(body, headers ? { headers: { ...deliveryHeaders(body), ...headers } } : {});
};
const postText = (body: string | null): APIGatewayProxyEvent => apiEvent(body);
const postBase64 = (body: string): APIGatewayProxyEvent =>
  apiEvent(body, { isBase64Encoded: true });

/** A genuinely signed notification (with a Subject unless told otherwise). */
function note(
  k: Keys,
  overrides: Partial<SnsMessageFields> = {},
  version: '1' | '2' = '2',
  certUrl = CERT_URL,
): SignedSnsMessage {
  return sign(
    notificationFields(NOW, { Subject: 'Offer matched', ...overrides }),
    k.identity,
    version,
    certUrl,
  );
}

/** A genuinely signed SubscriptionConfirmation (or UnsubscribeConfirmation). */
function conf(
  k: Keys,
  overrides: Partial<SnsMessageFields> = {},
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation' = 'SubscriptionConfirmation',
): SignedSnsMessage {
  return sign(confirmationFields(type, NOW, overrides), k.identity);
}

/** A genuine notification whose SigningCertURL is `url`: signed with it, so only the policy refuses. */
const certUrlCase = (url: string) => (k: Keys) => post(note(k, {}, '2', url));
/** A genuine confirmation whose SubscribeURL is `url`: signed with it, so only the policy refuses. */
const subscribeUrlCase = (url: string) => (k: Keys) => post(conf(k, { SubscribeURL: url }));
/** A genuine notification with this Timestamp: signed with it, so only the window refuses. */
const timestampCase = (timestamp: string) => (k: Keys) => post(note(k, { Timestamp: timestamp }));

const NONE: readonly string[] = [];
const CERT_ONLY: readonly string[] = [CERT_URL];

/** The shared secret's one password (32+ URL-safe characters, as the receiver requires). */
const SHARED_PASSWORD = 'pw-0123456789abcdefghijklmnopqrstuvwxyz';
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const withSecret = (): HarnessOptions => ({
  policy: { sharedSecret: async () => SHARED_PASSWORD },
});

interface RefusalCase {
  name: string;
  request: (k: Keys) => APIGatewayProxyEvent;
  status: 400 | 401 | 403 | 413 | 502 | 503;
  /** Exactly the URLs the receiver may GET for this case, in order; usually none. */
  fetched: readonly string[];
  options?: (k: Keys) => HarnessOptions;
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

const bodyCases: RefusalCase[] = [
  { name: 'empty body', request: () => postText(''), status: 400, fetched: NONE },
  { name: 'null body', request: () => postText(null), status: 400, fetched: NONE },
  { name: 'whitespace-only body', request: () => postText('  \n\t '), status: 400, fetched: NONE },
  {
    name: 'malformed JSON (signed message cut short)',
    request: (k) => postText(JSON.stringify(note(k)).slice(0, -1)),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'trailing garbage after the JSON object',
    request: (k) => postText(`${JSON.stringify(note(k))}x`),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'JavaScript object literal, not JSON',
    request: () => postText("{Type: 'Notification'}"),
    status: 400,
    fetched: NONE,
  },
  { name: 'JSON null', request: () => postText('null'), status: 400, fetched: NONE },
  {
    name: 'JSON array holding the signed message',
    request: (k) => post([note(k)]),
    status: 400,
    fetched: NONE,
  },
  { name: 'JSON string', request: () => postText('"Notification"'), status: 400, fetched: NONE },
  { name: 'JSON number', request: () => postText('42'), status: 400, fetched: NONE },
  {
    name: 'UTF-8 BOM before the JSON',
    request: (k) => postText(`\uFEFF${JSON.stringify(note(k))}`),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'NUL between JSON tokens',
    request: (k) => postText(JSON.stringify(note(k)).replace('{', '{\u0000')),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'raw delivery body (the bare event, no envelope)',
    request: () => postText(EVENT_MESSAGE),
    status: 400,
    fetched: NONE,
  },
];

const base64Cases: RefusalCase[] = [
  {
    name: 'base64 flag on a body that is not base64',
    request: () => postBase64('%%%not-base64%%%'),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'base64 flag on plain JSON',
    request: (k) => postBase64(JSON.stringify(note(k))),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'base64 of the signed message with its last character cut',
    request: (k) =>
      postBase64(
        Buffer.from(JSON.stringify(note(k)))
          .toString('base64')
          .slice(0, -1),
      ),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'base64 with a line break inside',
    request: (k) => {
      const encoded = Buffer.from(JSON.stringify(note(k))).toString('base64');
      return postBase64(`${encoded.slice(0, 76)}\n${encoded.slice(76)}`);
    },
    status: 400,
    fetched: NONE,
  },
  {
    name: 'base64url alphabet instead of base64',
    request: (k) => {
      // Runs of `~` and `?` make base64url use its `-` and `_` (checked just below).
      const encoded = Buffer.from(
        JSON.stringify(note(k, { Subject: '~~~???~~~???~~~???' })),
      ).toString('base64url');
      if (!/[-_]/.test(encoded)) throw new Error('fixture: the encoding should use - or _');
      return postBase64(encoded.padEnd(Math.ceil(encoded.length / 4) * 4, '='));
    },
    status: 400,
    fetched: NONE,
  },
  {
    name: 'base64 of bytes that are not UTF-8 (an encoded lone surrogate)',
    request: (k) => {
      const text = JSON.stringify(note(k));
      const at = text.indexOf('MESSAGE-CONTENT-MARKER');
      const bytes = Buffer.concat([
        Buffer.from(text.slice(0, at)),
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from(text.slice(at)),
      ]);
      return postBase64(bytes.toString('base64'));
    },
    status: 400,
    fetched: NONE,
  },
  {
    name: 'base64 of text that is not JSON',
    request: () => postBase64(Buffer.from('hello').toString('base64')),
    status: 400,
    fetched: NONE,
  },
];

const sizeCases: RefusalCase[] = [
  {
    name: 'plain body over the size limit',
    request: (k) => post(note(k, { Message: 'x'.repeat(MAX_BODY_BYTES) })),
    status: 413,
    fetched: NONE,
  },
  {
    name: 'base64 body over the size limit',
    request: (k) =>
      postBase64(
        Buffer.from(JSON.stringify(note(k, { Message: 'x'.repeat(MAX_BODY_BYTES) }))).toString(
          'base64',
        ),
      ),
    status: 413,
    fetched: NONE,
  },
  {
    name: 'small signed message padded with whitespace past the limit',
    request: (k) => postText(`${JSON.stringify(note(k))}${' '.repeat(MAX_BODY_BYTES)}`),
    status: 413,
    fetched: NONE,
  },
  {
    name: 'multi-byte characters past the limit in bytes, not in characters',
    request: (k) => post(note(k, { Message: '\u00e9'.repeat(Math.ceil(MAX_BODY_BYTES / 2) + 1) })),
    status: 413,
    fetched: NONE,
  },
  {
    name: 'MessageId over 128 characters',
    request: (k) => post(note(k, { MessageId: 'a'.repeat(129) })),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'TopicArn over 1024 characters',
    request: (k) => post(note(k, { TopicArn: `${TOPIC_ARN}${'x'.repeat(1024)}` })),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Subject over 1024 characters',
    request: (k) => post(note(k, { Subject: 's'.repeat(1025) })),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Signature over 4096 characters',
    request: (k) => post({ ...note(k), Signature: 'A'.repeat(4100) }),
    status: 400,
    fetched: NONE,
  },
];

const missingFieldCases: RefusalCase[] = [
  ...[
    'Type',
    'MessageId',
    'TopicArn',
    'Message',
    'Timestamp',
    'SignatureVersion',
    'Signature',
    'SigningCertURL',
    'UnsubscribeURL',
  ].map((field): RefusalCase => ({
    name: `notification without ${field}`,
    request: (k) => post(without(note(k), field)),
    status: 400,
    fetched: NONE,
  })),
  ...['Token', 'SubscribeURL', 'Signature'].map((field): RefusalCase => ({
    name: `subscription confirmation without ${field}`,
    request: (k) => post(without(conf(k), field)),
    status: 400,
    fetched: NONE,
  })),
];

const mistypedFieldCases: RefusalCase[] = (
  [
    ['Type as a number', { Type: 1 }],
    ['MessageId as a number', { MessageId: 12345 }],
    ['Message as an object', { Message: { marker: 'MESSAGE-CONTENT-MARKER' } }],
    ['Message as null', { Message: null }],
    ['TopicArn as an array', { TopicArn: [TOPIC_ARN] }],
    ['Timestamp as epoch seconds', { Timestamp: Math.floor(NOW.getTime() / 1000) }],
    ['Subject as a number', { Subject: 7 }],
    ['Signature as a number', { Signature: 1234 }],
    ['SigningCertURL as null', { SigningCertURL: null }],
    ['SigningCertURL as an object', { SigningCertURL: { href: CERT_URL } }],
    ['UnsubscribeURL as a boolean', { UnsubscribeURL: true }],
  ] as const
).map(([name, change]): RefusalCase => ({
  name: `notification with ${name}`,
  request: (k) => post({ ...note(k), ...change }),
  status: 400,
  fetched: NONE,
}));
mistypedFieldCases.push(
  {
    name: 'confirmation with Token as a number',
    request: (k) => post({ ...conf(k), Token: 42 }),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'confirmation with SubscribeURL as an array',
    request: (k) => post({ ...conf(k), SubscribeURL: [SUBSCRIBE_URL] }),
    status: 400,
    fetched: NONE,
  },
);

const CYRILLIC_A = '\u0430';
const oddUnicodeCases: RefusalCase[] = [
  {
    name: 'NUL inside MessageId',
    request: (k) => post(note(k, { MessageId: 'da41e39f\u0000-ea4d' })),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'lone surrogate inside MessageId',
    request: (k) => post(note(k, { MessageId: 'da41e39f\ud800-ea4d' })),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'NUL appended to Message after signing',
    request: (k) => post({ ...note(k), Message: `${EVENT_MESSAGE}\u0000` }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'lone surrogate appended to Message after signing',
    request: (k) => post({ ...note(k), Message: `${EVENT_MESSAGE}\ud800` }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'Message re-normalised (NFC signed, NFD delivered)',
    request: (k) => {
      const signed = note(k, { Message: 'caf\u00e9 MESSAGE-CONTENT-MARKER' });
      return post({ ...signed, Message: signed.Message.normalize('NFD') });
    },
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'RTL override at the end of TopicArn',
    request: (k) => post(note(k, { TopicArn: `${TOPIC_ARN}\u202e` })),
    status: 403,
    fetched: NONE,
  },
  {
    name: 'Cyrillic homoglyph in TopicArn',
    request: (k) => post(note(k, { TopicArn: TOPIC_ARN.replace('offers', '\u043effers') })),
    status: 403,
    fetched: NONE,
  },
  {
    name: 'SigningCertURL host with a Cyrillic a (sns.us-east-1.amazonaws.com homoglyph)',
    request: certUrlCase(`https://sns.us-east-1.${CYRILLIC_A}mazonaws.com/x.pem`),
    status: 403,
    fetched: NONE,
  },
  {
    name: 'SigningCertURL host with a Cyrillic dze for the s of sns',
    request: certUrlCase('https://\u0455ns.us-east-1.amazonaws.com/x.pem'),
    status: 403,
    fetched: NONE,
  },
  {
    name: 'SigningCertURL host with a fullwidth dot',
    request: certUrlCase('https://sns.us-east-1.amazonaws\uff0ecom/x.pem'),
    status: 403,
    fetched: NONE,
  },
  {
    name: 'SigningCertURL host with an ideographic full stop',
    request: certUrlCase('https://sns.us-east-1.amazonaws\u3002com/x.pem'),
    status: 403,
    fetched: NONE,
  },
  {
    name: 'SigningCertURL host with a zero-width space',
    request: certUrlCase('https://sns.us-east-1.amazon\u200baws.com/x.pem'),
    status: 403,
    fetched: NONE,
  },
  {
    name: 'SigningCertURL path with a fullwidth dot before pem',
    request: certUrlCase('https://sns.us-east-1.amazonaws.com/x\uff0epem'),
    status: 403,
    fetched: NONE,
  },
  {
    name: 'SubscribeURL host with a Cyrillic a',
    request: subscribeUrlCase(SUBSCRIBE_URL.replace('amazonaws', `${CYRILLIC_A}mazonaws`)),
    status: 400,
    fetched: NONE,
  },
];

const changedAfterSigningCases: RefusalCase[] = [
  {
    name: 'Message changed after signing',
    request: (k) => post({ ...note(k), Message: EVENT_MESSAGE.replace('offer-1', 'offer-666') }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'MessageId changed after signing',
    request: (k) => post({ ...note(k), MessageId: 'b1a2c3d4-0000-4000-8000-000000000000' }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'Subject changed after signing',
    request: (k) => post({ ...note(k), Subject: 'Offer closed' }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'Subject removed after signing',
    request: (k) => post(without(note(k), 'Subject')),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'Subject added to a notification signed without one',
    request: (k) =>
      post({ ...without(note(k, { Subject: undefined }), 'Subject'), Subject: 'Offer matched' }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'Subject emptied after signing',
    request: (k) => post({ ...note(k), Subject: '' }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'Timestamp changed after signing (still fresh)',
    request: (k) => post({ ...note(k), Timestamp: new Date(NOW.getTime() - 1000).toISOString() }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'TopicArn changed after signing to another allowed topic',
    request: (k) => post({ ...note(k), TopicArn: OTHER_ALLOWED_TOPIC_ARN }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'Type changed after signing (subscription presented as unsubscribe)',
    request: (k) => post({ ...conf(k), Type: 'UnsubscribeConfirmation' }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'Type changed after signing (unsubscribe presented as subscription)',
    request: (k) =>
      post({ ...conf(k, {}, 'UnsubscribeConfirmation'), Type: 'SubscriptionConfirmation' }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'Token changed after signing',
    request: (k) => post({ ...conf(k), Token: `${TOKEN}0` }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'SubscribeURL changed after signing (to another SNS ConfirmSubscription URL)',
    request: (k) => post({ ...conf(k), SubscribeURL: SUBSCRIBE_URL.replace('Token=', 'Token=0') }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'confirmation Message changed after signing',
    request: (k) => post({ ...conf(k), Message: 'Please visit https://evil.example/' }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'duplicate JSON key: a second Message overrides the signed one',
    request: (k) =>
      postText(
        JSON.stringify(note(k)).replace(/}$/, ',"Message":"MESSAGE-CONTENT-MARKER forged"}'),
      ),
    status: 403,
    fetched: CERT_ONLY,
  },
];

/** The same signature spelt differently: first character swapped for another base64 letter. */
function flipFirst(signature: string): string {
  return `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
}

const signatureCases: RefusalCase[] = [
  {
    name: 'signature with one character changed',
    request: (k) => post({ ...note(k), Signature: flipFirst(note(k).Signature) }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'signature cut to 192 bytes',
    request: (k) => post({ ...note(k), Signature: note(k).Signature.slice(0, 256) }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'signature of another genuine message',
    request: (k) =>
      post({
        ...note(k),
        Signature: note(k, { MessageId: 'c0000000-0000-4000-8000-000000000001' }).Signature,
      }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'empty signature',
    request: (k) => post({ ...note(k), Signature: '' }),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'signature that is not base64',
    request: (k) => post({ ...note(k), Signature: 'not base64!' }),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'genuine signature without its base64 padding',
    request: (k) => {
      const signed = note(k);
      if (!signed.Signature.endsWith('='))
        throw new Error('fixture: a 2048-bit signature ends with padding');
      return post({ ...signed, Signature: signed.Signature.replace(/=+$/, '') });
    },
    status: 400,
    fetched: NONE,
  },
  {
    name: 'genuine signature with non-zero unused bits before the padding',
    request: (k) => {
      const signed = note(k);
      // 256 bytes end in one byte spread over two characters: the second keeps 4 unused bits.
      const match = /(.)(==)$/.exec(signed.Signature);
      if (!match) throw new Error('fixture: a 2048-bit signature ends with ==');
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const respelt = alphabet[alphabet.indexOf(match[1]) | 1];
      return post({ ...signed, Signature: `${signed.Signature.slice(0, -3)}${respelt}==` });
    },
    status: 400,
    fetched: NONE,
  },
  {
    name: 'SignatureVersion 1 signature labelled version 2',
    request: (k) => post({ ...note(k, {}, '1'), SignatureVersion: '2' }),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'SignatureVersion 2 signature labelled version 1',
    request: (k) => post({ ...note(k, {}, '2'), SignatureVersion: '1' }),
    status: 403,
    fetched: CERT_ONLY,
  },
];

const certificateCases: RefusalCase[] = [
  {
    name: 'valid signature by a certificate SNS did not issue (the URL serves another)',
    request: (k) => post(sign(notificationFields(NOW), k.other)),
    status: 403,
    fetched: CERT_ONLY,
  },
  {
    name: 'valid signature by a certificate SNS did not issue, served from a look-alike host',
    request: (k) =>
      post(
        sign(
          notificationFields(NOW),
          k.other,
          '2',
          'https://sns.us-east-1.amazonaws.com.evil.example/x.pem',
        ),
      ),
    status: 403,
    fetched: NONE,
    options: (k) => ({
      served: {
        'https://sns.us-east-1.amazonaws.com.evil.example/x.pem': {
          status: 200,
          body: k.other.certPem,
        },
      },
    }),
  },
  {
    name: 'certificate that has expired',
    request: (k) => {
      const later = new Date(
        Date.parse(new X509Certificate(k.shortLived.certPem).validTo) + MINUTE,
      );
      return post(sign(notificationFields(later), k.shortLived));
    },
    status: 403,
    fetched: CERT_ONLY,
    options: (k) => ({
      clock: new Date(Date.parse(new X509Certificate(k.shortLived.certPem).validTo) + MINUTE),
      served: { [CERT_URL]: { status: 200, body: k.shortLived.certPem } },
    }),
  },
  {
    name: 'certificate not yet valid',
    request: (k) => {
      const earlier = new Date(
        Date.parse(new X509Certificate(k.identity.certPem).validFrom) - 60 * MINUTE,
      );
      return post(sign(notificationFields(earlier), k.identity));
    },
    status: 403,
    fetched: CERT_ONLY,
    options: (k) => ({
      clock: new Date(Date.parse(new X509Certificate(k.identity.certPem).validFrom) - 60 * MINUTE),
    }),
  },
  {
    name: 'certificate URL serving something that is not a certificate',
    request: (k) => post(note(k)),
    status: 400,
    fetched: CERT_ONLY,
    options: () => ({
      served: { [CERT_URL]: { status: 200, body: '<html>not a certificate</html>' } },
    }),
  },
  {
    name: 'certificate body over the size limit',
    request: (k) => post(note(k)),
    status: 400,
    fetched: CERT_ONLY,
    options: (k) => ({
      served: {
        [CERT_URL]: { status: 200, body: `${k.identity.certPem}${'\n'.repeat(MAX_CERT_BYTES)}` },
      },
    }),
  },
  {
    name: 'certificate with an EC key (SNS signs with RSA)',
    request: (k) => post(note(k)),
    status: 403,
    fetched: CERT_ONLY,
    options: (k) => ({ served: { [CERT_URL]: { status: 200, body: k.ecCertPem } } }),
  },
];

const lookAlikeCertUrlCases: RefusalCase[] = (
  [
    ['look-alike suffix host', 'https://sns.us-east-1.amazonaws.com.evil.example/x.pem'],
    ['other domain', 'https://sns.evil.com/x.pem'],
    ['userinfo trick', 'https://amazonaws.com@evil.example/x.pem'],
    ['userinfo before the real host', 'https://user:pw@sns.us-east-1.amazonaws.com/x.pem'],
    ['http scheme', 'http://sns.us-east-1.amazonaws.com/x.pem'],
    ['upper-case scheme', 'HTTPS://sns.us-east-1.amazonaws.com/x.pem'],
    ['ftp scheme', 'ftp://sns.us-east-1.amazonaws.com/x.pem'],
    ['explicit default port', 'https://sns.us-east-1.amazonaws.com:443/x.pem'],
    ['explicit other port', 'https://sns.us-east-1.amazonaws.com:8443/x.pem'],
    ['query', 'https://sns.us-east-1.amazonaws.com/x.pem?x=1'],
    ['empty query', 'https://sns.us-east-1.amazonaws.com/x.pem?'],
    ['fragment', 'https://sns.us-east-1.amazonaws.com/x.pem#x'],
    ['backslash before the host', 'https://evil.example\\@sns.us-east-1.amazonaws.com/x.pem'],
    ['backslash as path separator', 'https://sns.us-east-1.amazonaws.com\\x.pem'],
    ['percent-encoded dot in the host', 'https://sns%2Eus-east-1.amazonaws.com/x.pem'],
    ['percent-encoded path', 'https://sns.us-east-1.amazonaws.com/x%2Epem'],
    [
      'percent-encoded NUL before a look-alike',
      'https://sns.us-east-1.amazonaws.com%00.evil.example/x.pem',
    ],
    ['dot segments in the path', 'https://sns.us-east-1.amazonaws.com/a/../x.pem'],
    ['trailing dot on the host', 'https://sns.us-east-1.amazonaws.com./x.pem'],
    ['not .pem', 'https://sns.us-east-1.amazonaws.com/x.crt'],
    ['.pem in upper case', 'https://sns.us-east-1.amazonaws.com/x.PEM'],
    ['.pem followed by more', 'https://sns.us-east-1.amazonaws.com/x.pem.exe'],
    ['.pem only in the query', 'https://sns.us-east-1.amazonaws.com/x?y.pem'],
    ['host name only in the path', 'https://evil.example/sns.us-east-1.amazonaws.com.pem'],
    ['.cn look-alike suffix', 'https://sns.cn-north-1.amazonaws.com.cn.evil.example/x.pem'],
    ['region too short', 'https://sns.us.amazonaws.com/x.pem'],
    ['hyphen for the first dot', 'https://sns-us-east-1.amazonaws.com/x.pem'],
    ['.co instead of .com', 'https://sns.us-east-1.amazonaws.co/x.pem'],
    ['IP address host', 'https://54.239.28.85/x.pem'],
    ['protocol-relative', '//sns.us-east-1.amazonaws.com/x.pem'],
    ['no scheme', 'sns.us-east-1.amazonaws.com/x.pem'],
    ['a space in the path', 'https://sns.us-east-1.amazonaws.com/x .pem'],
    ['a tab before the path', 'https://sns.us-east-1.amazonaws.com\t/x.pem'],
  ] as const
).map(([name, url]): RefusalCase => ({
  name: `SigningCertURL: ${name}`,
  request: certUrlCase(url),
  status: 403,
  fetched: NONE,
}));

const lookAlikeSubscribeUrlCases: RefusalCase[] = (
  [
    [
      'look-alike suffix host',
      SUBSCRIBE_URL.replace('amazonaws.com/', 'amazonaws.com.evil.example/'),
    ],
    ['other domain', 'https://sns.evil.com/?Action=ConfirmSubscription&Token=x'],
    ['userinfo trick', 'https://amazonaws.com@evil.example/?Action=ConfirmSubscription'],
    ['userinfo before the real host', SUBSCRIBE_URL.replace('https://', 'https://user@')],
    ['http scheme', SUBSCRIBE_URL.replace('https://', 'http://')],
    ['port', SUBSCRIBE_URL.replace('amazonaws.com/', 'amazonaws.com:8443/')],
    ['fragment', `${SUBSCRIBE_URL}#x`],
    ['trailing dot on the host', SUBSCRIBE_URL.replace('amazonaws.com/', 'amazonaws.com./')],
    [
      'backslash before the host',
      'https://evil.example\\@sns.ca-central-1.amazonaws.com/?Action=ConfirmSubscription',
    ],
    ['percent-encoded host', SUBSCRIBE_URL.replace('sns.ca-central-1', 'sns%2Eca-central-1')],
    [
      'SNS host only in the query',
      'https://evil.example/?Action=ConfirmSubscription&host=sns.ca-central-1.amazonaws.com',
    ],
    [
      "SNS host of a region other than the topic's",
      SUBSCRIBE_URL.replace('sns.ca-central-1', 'sns.us-east-1'),
    ],
    [
      'SNS host, but an Unsubscribe call',
      SUBSCRIBE_URL.replace('Action=ConfirmSubscription', 'Action=Unsubscribe'),
    ],
    ['SNS host, with no Action at all', 'https://sns.ca-central-1.amazonaws.com/x'],
  ] as const
).map(([name, url]): RefusalCase => ({
  name: `SubscribeURL: ${name}`,
  request: subscribeUrlCase(url),
  status: 400,
  fetched: NONE,
}));

const timestampCases: RefusalCase[] = [
  {
    name: 'Timestamp over an hour old',
    request: timestampCase(new Date(NOW.getTime() - 61 * MINUTE).toISOString()),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Timestamp a day old',
    request: timestampCase(new Date(NOW.getTime() - 24 * 60 * MINUTE).toISOString()),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Timestamp at the Unix epoch',
    request: timestampCase('1970-01-01T00:00:00.000Z'),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Timestamp over five minutes ahead',
    request: timestampCase(new Date(NOW.getTime() + 6 * MINUTE).toISOString()),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Timestamp in year 9999',
    request: timestampCase('9999-12-31T23:59:59.999Z'),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Timestamp with a +00:00 offset',
    request: timestampCase(NOW.toISOString().replace('Z', '+00:00')),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Timestamp without a zone',
    request: timestampCase(NOW.toISOString().replace('Z', '')),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Timestamp in lower case',
    request: timestampCase(NOW.toISOString().replace('T', 't').replace('Z', 'z')),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Timestamp as an HTTP date',
    request: timestampCase(NOW.toUTCString()),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Timestamp as a date only',
    request: timestampCase(NOW.toISOString().slice(0, 10)),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'Timestamp on an impossible date',
    request: timestampCase('2026-13-45T12:00:00.000Z'),
    status: 400,
    fetched: NONE,
  },
  { name: 'empty Timestamp', request: timestampCase(''), status: 400, fetched: NONE },
];

const headerCases: RefusalCase[] = [
  // The HTTP API cannot require the header: the receiver refuses first, before any GET.
  {
    name: 'genuine notification without the x-amz-sns-message-type header',
    request: (k) =>
      apiEvent(JSON.stringify(note(k)), { headers: { 'content-type': 'text/plain' } }),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'no headers at all (a hand-made event)',
    request: (k) => ({ ...apiEvent(JSON.stringify(note(k))), headers: {} }),
    status: 400,
    fetched: NONE,
  },
  {
    name: 'shared secret on: right credentials but no x-amz-sns-message-type header',
    request: (k) =>
      apiEvent(JSON.stringify(note(k)), {
        headers: { authorization: basic('connector', SHARED_PASSWORD) },
      }),
    status: 400,
    fetched: NONE,
    options: withSecret,
  },
  ...['true', 'TRUE', ' True '].map((value): RefusalCase => ({
    name: `raw delivery header x-amz-sns-rawdelivery: "${value}"`,
    request: (k) => post(note(k), { ...snsHeaders(note(k)), 'x-amz-sns-rawdelivery': value }),
    status: 400,
    fetched: NONE,
  })),
  {
    name: 'raw delivery header with the bare event as body',
    request: () =>
      apiEvent(EVENT_MESSAGE, {
        headers: { 'x-amz-sns-rawdelivery': 'true', 'x-amz-sns-message-type': 'Notification' },
      }),
    status: 400,
    fetched: NONE,
  },
  ...(
    [
      ['x-amz-sns-message-type', 'SubscriptionConfirmation'],
      ['X-Amz-Sns-Message-Id', 'a0000000-0000-4000-8000-00000000ffff'],
      ['x-amz-sns-topic-arn', OTHER_ALLOWED_TOPIC_ARN],
      ['X-AMZ-SNS-TOPIC-ARN', FOREIGN_TOPIC_ARN],
    ] as const
  ).map(([header, value]): RefusalCase => ({
    name: `${header} header disagreeing with the body`,
    request: (k) => post(note(k), { 'content-type': 'text/plain', [header]: value }),
    status: 400,
    fetched: NONE,
  })),
];

const signatureVersionCases: RefusalCase[] = (
  [
    ['"3"', '3'],
    ['"0"', '0'],
    ['empty', ''],
    ['the number 1', 1],
    ['the number 2', 2],
    ['"2 " with a space', '2 '],
    ['"v2"', 'v2'],
    ['"02"', '02'],
    ['null', null],
  ] as const
).map(([name, value]): RefusalCase => ({
  name: `SignatureVersion ${name}`,
  request: (k) => post({ ...note(k), SignatureVersion: value }),
  status: 400,
  fetched: NONE,
}));

const typeCases: RefusalCase[] = (
  [
    ['unknown Type "Surprise"', 'Surprise'],
    ['lower-case "notification"', 'notification'],
    ['upper-case "NOTIFICATION"', 'NOTIFICATION'],
    ['Type with a leading space', ' Notification'],
    ['empty Type', ''],
    ['null Type', null],
    [
      'a Notification presented as a SubscriptionConfirmation (no Token)',
      'SubscriptionConfirmation',
    ],
  ] as const
).map(([name, value]): RefusalCase => ({
  name,
  request: (k) => post({ ...note(k), Type: value }),
  status: 400,
  fetched: NONE,
}));

const topicCases: RefusalCase[] = [
  ...(
    [
      ['another account', FOREIGN_TOPIC_ARN],
      ['another region', TOPIC_ARN.replace('ca-central-1', 'us-east-1')],
      ['another partition', TOPIC_ARN.replace('arn:aws:', 'arn:aws-cn:')],
      ['different letter case', TOPIC_ARN.toUpperCase()],
      ['a trailing space', `${TOPIC_ARN} `],
      ['a trailing newline', `${TOPIC_ARN}\n`],
      ['a prefix of an allowed ARN', TOPIC_ARN.slice(0, -1)],
      ['an allowed ARN with a suffix', `${TOPIC_ARN}-evil`],
      ['both allowed ARNs joined by a comma', `${TOPIC_ARN},${OTHER_ALLOWED_TOPIC_ARN}`],
      ['a wildcard', 'arn:aws:sns:*:*:*'],
    ] as const
  ).map(([name, arn]): RefusalCase => ({
    name: `notification from a topic not allowed: ${name}`,
    request: (k) => post(note(k, { TopicArn: arn })),
    status: 403,
    fetched: NONE,
  })),
  {
    name: 'subscription confirmation for a topic not allowed',
    request: (k) => post(conf(k, { TopicArn: FOREIGN_TOPIC_ARN })),
    status: 403,
    fetched: NONE,
  },
  {
    name: 'unsubscribe confirmation for a topic not allowed',
    request: (k) => post(conf(k, { TopicArn: FOREIGN_TOPIC_ARN }, 'UnsubscribeConfirmation')),
    status: 403,
    fetched: NONE,
  },
  {
    name: 'empty TopicArn',
    request: (k) => post(note(k, { TopicArn: '' })),
    status: 400,
    fetched: NONE,
  },
];

const policyOptionCases: RefusalCase[] = [
  {
    name: 'genuine SignatureVersion 1 notification when version 2 is required',
    request: (k) => post(note(k, {}, '1')),
    status: 403,
    fetched: NONE,
    options: () => ({ policy: { requireSignatureVersion2: true } }),
  },
  {
    name: 'genuine SignatureVersion 1 subscription confirmation when version 2 is required',
    request: (k) =>
      post(sign(confirmationFields('SubscriptionConfirmation', NOW), k.identity, '1')),
    status: 403,
    fetched: NONE,
    options: () => ({ policy: { requireSignatureVersion2: true } }),
  },
  {
    name: 'shared secret on: no Authorization header',
    request: (k) => post(note(k)),
    status: 401,
    fetched: NONE,
    options: withSecret,
  },
  {
    name: 'shared secret on: wrong password',
    request: (k) => post(note(k), { authorization: basic('connector', `${SHARED_PASSWORD}x`) }),
    status: 401,
    fetched: NONE,
    options: withSecret,
  },
  {
    name: 'shared secret on: right password, wrong user',
    request: (k) => post(note(k), { authorization: basic('admin', SHARED_PASSWORD) }),
    status: 401,
    fetched: NONE,
    options: withSecret,
  },
  {
    name: 'shared secret on: the password as a Bearer token',
    request: (k) => post(note(k), { authorization: `Bearer ${SHARED_PASSWORD}` }),
    status: 401,
    fetched: NONE,
    options: withSecret,
  },
  {
    name: 'shared secret on: Basic credentials that are not base64',
    request: (k) => post(note(k), { authorization: 'Basic %%%' }),
    status: 401,
    fetched: NONE,
    options: withSecret,
  },
  {
    name: 'shared secret on: oversized body without credentials (checked before the body is read)',
    request: (k) => post(note(k, { Message: 'x'.repeat(MAX_BODY_BYTES) })),
    status: 401,
    fetched: NONE,
    options: withSecret,
  },
  {
    name: 'shared secret on: right credentials do not excuse a forged signature',
    request: (k) =>
      post(
        { ...note(k), Message: 'MESSAGE-CONTENT-MARKER forged' },
        { authorization: basic('connector', SHARED_PASSWORD) },
      ),
    status: 403,
    fetched: CERT_ONLY,
    options: withSecret,
  },
];

/** Faults worth a retry answer 5xx (SNS retries); nothing is enqueued. */
const transientCases: RefusalCase[] = [
  {
    name: 'certificate fetch fails on the network (502)',
    request: (k) => post(note(k)),
    status: 502,
    fetched: CERT_ONLY,
    options: () => ({ served: { [CERT_URL]: new Error('ETIMEDOUT') } }),
  },
  {
    name: 'certificate URL answers 404 (502)',
    request: (k) => post(note(k)),
    status: 502,
    fetched: CERT_ONLY,
    options: () => ({ served: { [CERT_URL]: { status: 404, body: '' } } }),
  },
  {
    name: 'certificate URL answers 500 (502)',
    request: (k) => post(note(k)),
    status: 502,
    fetched: CERT_ONLY,
    options: () => ({ served: { [CERT_URL]: { status: 500, body: '' } } }),
  },
  {
    name: 'SubscribeURL answers 500 (502)',
    request: (k) => post(conf(k)),
    status: 502,
    fetched: [CERT_URL, SUBSCRIBE_URL],
    options: (k) => ({
      served: {
        [CERT_URL]: { status: 200, body: k.identity.certPem },
        [SUBSCRIBE_URL]: { status: 500, body: '' },
      },
    }),
  },
  {
    name: 'queue send fails (503)',
    request: (k) => post(note(k)),
    status: 503,
    fetched: CERT_ONLY,
    options: () => ({ queueError: new Error('SQS unavailable') }),
  },
];

const tables: Array<[string, RefusalCase[]]> = [
  ['body and JSON', bodyCases],
  ['base64 bodies', base64Cases],
  ['sizes', sizeCases],
  ['missing fields', missingFieldCases],
  ['mistyped fields', mistypedFieldCases],
  ['odd unicode', oddUnicodeCases],
  ['a signature over a changed field', changedAfterSigningCases],
  ['the signature itself', signatureCases],
  ['certificates', certificateCases],
  ['look-alike certificate URLs', lookAlikeCertUrlCases],
  ['look-alike SubscribeURLs', lookAlikeSubscribeUrlCases],
  ['the timestamp window', timestampCases],
  ['raw delivery and SNS headers', headerCases],
  ['SignatureVersion', signatureVersionCases],
  ['Type', typeCases],
  ['the topic allow list', topicCases],
  ['policy options (SignatureVersion 2 required, shared secret)', policyOptionCases],
  ['transient faults', transientCases],
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
