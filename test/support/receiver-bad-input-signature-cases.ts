/**
 * The receiver bad-input suite's refusals of signatures and certificates (run by
 * test/unit/receiver-bad-input.test.ts): a signature over a changed field, the signature itself,
 * certificates SNS did not issue, look-alike certificate URLs and SubscribeURLs. Decoding:
 * receiver-bad-input-decoding-cases.ts; the delivery's rules: receiver-bad-input-delivery-cases.ts.
 */
import { X509Certificate } from 'node:crypto';
import { MAX_CERT_BYTES } from '../../lambdas/adapters/sns-verifier';
import {
  CERT_ONLY,
  MINUTE,
  NONE,
  NOW,
  certUrlCase,
  conf,
  note,
  post,
  postText,
  subscribeUrlCase,
  type RefusalCase,
} from './receiver-bad-input-requests';
import {
  CERT_URL,
  EVENT_MESSAGE,
  OTHER_ALLOWED_TOPIC_ARN,
  SUBSCRIBE_URL,
  TOKEN,
  notificationFields,
  sign,
} from './sns-fixtures';
import { without } from './without';

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

/** The tables above, in order, each with the title its describe block carries. */
export const signatureTables: Array<[string, RefusalCase[]]> = [
  ['a signature over a changed field', changedAfterSigningCases],
  ['the signature itself', signatureCases],
  ['certificates', certificateCases],
  ['look-alike certificate URLs', lookAlikeCertUrlCases],
  ['look-alike SubscribeURLs', lookAlikeSubscribeUrlCases],
];
