/**
 * The receiver bad-input suite's refusals of what a request says before any signature is checked
 * (run by test/unit/receiver-bad-input.test.ts): body, JSON and base64 decoding, sizes, missing
 * and mistyped fields, odd unicode. Signatures and certificates are in
 * receiver-bad-input-signature-cases.ts, the delivery's rules in
 * receiver-bad-input-delivery-cases.ts.
 */
import { MAX_BODY_BYTES } from '../../lambdas/receiver/receiver';
import {
  CERT_ONLY,
  NONE,
  NOW,
  certUrlCase,
  conf,
  note,
  post,
  postBase64,
  postText,
  subscribeUrlCase,
  type RefusalCase,
} from './receiver-bad-input-requests';
import { CERT_URL, EVENT_MESSAGE, SUBSCRIBE_URL, TOPIC_ARN } from './sns-fixtures';
import { without } from './without';

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

/** The tables above, in order, each with the title its describe block carries. */
export const decodingTables: Array<[string, RefusalCase[]]> = [
  ['body and JSON', bodyCases],
  ['base64 bodies', base64Cases],
  ['sizes', sizeCases],
  ['missing fields', missingFieldCases],
  ['mistyped fields', mistypedFieldCases],
  ['odd unicode', oddUnicodeCases],
];
