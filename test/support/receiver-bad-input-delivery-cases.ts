/**
 * The receiver bad-input suite's refusals by the rules of a delivery (run by
 * test/unit/receiver-bad-input.test.ts): the timestamp window, raw delivery and SNS headers,
 * SignatureVersion, Type, the topic allow list, the two policy options (SignatureVersion 2
 * required, shared secret) and transient faults (5xx). Decoding and signatures are in
 * receiver-bad-input-decoding-cases.ts and receiver-bad-input-signature-cases.ts.
 */
import { MAX_BODY_BYTES } from '../../lambdas/receiver/receiver';
import {
  CERT_ONLY,
  MINUTE,
  NONE,
  NOW,
  SHARED_PASSWORD,
  basic,
  conf,
  note,
  post,
  type HarnessOptions,
  type Keys,
  type RefusalCase,
} from './receiver-bad-input-requests';
import {
  CERT_URL,
  EVENT_MESSAGE,
  FOREIGN_TOPIC_ARN,
  OTHER_ALLOWED_TOPIC_ARN,
  SUBSCRIBE_URL,
  TOPIC_ARN,
  apiEvent,
  confirmationFields,
  sign,
  snsHeaders,
} from './sns-fixtures';

/** A genuine notification with this Timestamp: signed with it, so only the window refuses. */
const timestampCase = (timestamp: string) => (k: Keys) => post(note(k, { Timestamp: timestamp }));

/** The shared secret switched on, with SHARED_PASSWORD its one password. */
const withSecret = (): HarnessOptions => ({
  policy: { sharedSecret: async () => SHARED_PASSWORD },
});

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

/** The tables above, in order, each with the title its describe block carries. */
export const deliveryTables: Array<[string, RefusalCase[]]> = [
  ['the timestamp window', timestampCases],
  ['raw delivery and SNS headers', headerCases],
  ['SignatureVersion', signatureVersionCases],
  ['Type', typeCases],
  ['the topic allow list', topicCases],
  ['policy options (SignatureVersion 2 required, shared secret)', policyOptionCases],
  ['transient faults', transientCases],
];
