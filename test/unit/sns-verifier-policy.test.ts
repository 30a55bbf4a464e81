/**
 * Covers the pure checks of lambdas/adapters/sns-verifier.ts: the canonical string to sign (pinned
 * to hand-written vectors, so the shared signer in sandbox/sns-signing.ts cannot agree with the
 * verifier on a wrong format), the SigningCertURL / SubscribeURL policy, the timestamp window and
 * the envelope schema. Signature verification and the certificate cache are in
 * sns-verifier-signature.test.ts. Leaves HTTP status mapping, headers, bodies, the queue and
 * logging to test/unit/receiver.test.ts, and real fetch to the sandbox e2e test.
 */
import {
  SnsRejectedError,
  SnsStringToSignError,
  assertFreshTimestamp,
  isTrustedSigningCertUrl,
  isTrustedSubscribeUrl,
  parseSnsEnvelope,
  snsStringToSign,
} from '../../lambdas/adapters/sns-verifier';

describe('snsStringToSign (fixed vectors)', () => {
  const base = {
    Message: 'hello\nworld',
    MessageId: 'm-1',
    Timestamp: '2026-01-01T00:00:00.000Z',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
  };

  it('Notification with Subject: Message, MessageId, Subject, Timestamp, TopicArn, Type', () => {
    expect(
      snsStringToSign({
        ...base,
        Type: 'Notification',
        Subject: 'subj',
        Token: 'not-signed',
        SubscribeURL: 'https://x/not-signed',
      }),
    ).toBe(
      'Message\nhello\nworld\n' +
        'MessageId\nm-1\n' +
        'Subject\nsubj\n' +
        'Timestamp\n2026-01-01T00:00:00.000Z\n' +
        'TopicArn\narn:aws:sns:us-east-1:123456789012:t\n' +
        'Type\nNotification\n',
    );
  });

  it('Notification without Subject leaves the Subject pair out', () => {
    expect(snsStringToSign({ ...base, Type: 'Notification' })).toBe(
      'Message\nhello\nworld\n' +
        'MessageId\nm-1\n' +
        'Timestamp\n2026-01-01T00:00:00.000Z\n' +
        'TopicArn\narn:aws:sns:us-east-1:123456789012:t\n' +
        'Type\nNotification\n',
    );
  });

  it.each(['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const)(
    '%s: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type (Subject never)',
    (type) => {
      expect(
        snsStringToSign({
          ...base,
          Type: type,
          Subject: 'not-signed',
          Token: 'tok',
          SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?a=b',
        }),
      ).toBe(
        'Message\nhello\nworld\n' +
          'MessageId\nm-1\n' +
          'SubscribeURL\nhttps://sns.us-east-1.amazonaws.com/?a=b\n' +
          'Timestamp\n2026-01-01T00:00:00.000Z\n' +
          'Token\ntok\n' +
          'TopicArn\narn:aws:sns:us-east-1:123456789012:t\n' +
          `Type\n${type}\n`,
      );
    },
  );

  it.each([
    ['Token', { SubscribeURL: 'https://sns.us-east-1.amazonaws.com/' }],
    ['SubscribeURL', { Token: 'tok' }],
  ])('refuses a confirmation without %s', (_missing, extra) => {
    expect(() => snsStringToSign({ ...base, Type: 'UnsubscribeConfirmation', ...extra })).toThrow(
      SnsStringToSignError,
    );
  });
});

describe('isTrustedSigningCertUrl', () => {
  it.each([
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem',
    'https://sns.ca-central-1.amazonaws.com/a/b/cert.pem',
    'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem',
    'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem',
  ])('accepts %s', (url) => {
    expect(isTrustedSigningCertUrl(url)).toBe(true);
  });

  it.each([
    ['look-alike suffix', 'https://sns.us-east-1.amazonaws.com.evil.example/x.pem'],
    ['other domain', 'https://sns.evil.com/x.pem'],
    ['userinfo trick', 'https://amazonaws.com@evil.example/x.pem'],
    ['userinfo before a real host', 'https://user:pw@sns.us-east-1.amazonaws.com/x.pem'],
    ['http', 'http://sns.us-east-1.amazonaws.com/x.pem'],
    ['explicit default port', 'https://sns.us-east-1.amazonaws.com:443/x.pem'],
    ['explicit port', 'https://sns.us-east-1.amazonaws.com:8443/x.pem'],
    ['query', 'https://sns.us-east-1.amazonaws.com/x.pem?a=b'],
    ['empty query', 'https://sns.us-east-1.amazonaws.com/x.pem?'],
    ['fragment', 'https://sns.us-east-1.amazonaws.com/x.pem#frag'],
    ['not .pem', 'https://sns.us-east-1.amazonaws.com/x.crt'],
    ['.pem only in the query', 'https://sns.us-east-1.amazonaws.com/x?y.pem'],
    ['trailing dot', 'https://sns.us-east-1.amazonaws.com./x.pem'],
    ['percent-encoded host', 'https://sns%2eus-east-1.amazonaws.com/x.pem'],
    ['percent-encoded path', 'https://sns.us-east-1.amazonaws.com/%2e%2e/x.pem'],
    ['dot segments', 'https://sns.us-east-1.amazonaws.com/a/../x.pem'],
    ['backslash', 'https://evil.example\\@sns.us-east-1.amazonaws.com/x.pem'],
    ['region too short', 'https://sns.us.amazonaws.com/x.pem'],
    ['.cn look-alike', 'https://sns.cn-north-1.amazonaws.com.cn.evil.example/x.pem'],
    ['host in the path', 'https://evil.example/sns.us-east-1.amazonaws.com.pem'],
    ['no scheme', 'sns.us-east-1.amazonaws.com/x.pem'],
    ['protocol-relative', '//sns.us-east-1.amazonaws.com/x.pem'],
    ['whitespace', 'https://sns.us-east-1.amazonaws.com/x .pem'],
    ['empty', ''],
  ])('refuses %s', (_case, url) => {
    expect(isTrustedSigningCertUrl(url)).toBe(false);
  });
});

describe('isTrustedSubscribeUrl', () => {
  it('accepts an SNS ConfirmSubscription URL with its query', () => {
    expect(
      isTrustedSubscribeUrl(
        'https://sns.ca-central-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn%3Aaws%3Asns%3Aca-central-1%3A1%3At&Token=abc',
      ),
    ).toBe(true);
  });

  it.each([
    'https://sns.ca-central-1.amazonaws.com.evil.example/?Action=ConfirmSubscription',
    'https://evil.example/?Action=ConfirmSubscription&host=sns.ca-central-1.amazonaws.com',
    'http://sns.ca-central-1.amazonaws.com/?Action=ConfirmSubscription',
    'https://sns.ca-central-1.amazonaws.com:8443/?Action=ConfirmSubscription',
    'https://x@sns.ca-central-1.amazonaws.com/?Action=ConfirmSubscription',
    'https://sns.ca-central-1.amazonaws.com/?Action=ConfirmSubscription#x',
    'https://sns.ca-central-1.amazonaws.com./?Action=ConfirmSubscription',
  ])('refuses %s', (url) => {
    expect(isTrustedSubscribeUrl(url)).toBe(false);
  });
});

describe('assertFreshTimestamp', () => {
  const now = new Date('2026-06-01T12:00:00.000Z');
  it.each(['2026-06-01T11:00:30.000Z', '2026-06-01T12:00:00.000Z', '2026-06-01T12:04:00Z'])(
    'accepts %s',
    (timestamp) => {
      expect(() => {
        assertFreshTimestamp(timestamp, now);
      }).not.toThrow();
    },
  );
  it.each([
    ['over an hour old', '2026-06-01T10:59:00.000Z'],
    ['over five minutes ahead', '2026-06-01T12:06:00.000Z'],
    ['not ISO-8601 UTC', 'Mon, 01 Jun 2026 12:00:00 GMT'],
    ['with an offset', '2026-06-01T12:00:00+00:00'],
    ['impossible date', '2026-13-45T12:00:00.000Z'],
  ])('refuses %s with a 400', (_case, timestamp) => {
    const thrown = (): unknown => {
      try {
        assertFreshTimestamp(timestamp, now);
      } catch (error: unknown) {
        return error;
      }
      return undefined;
    };
    expect(thrown()).toMatchObject({ name: 'SnsRejectedError', status: 400 });
  });
});

describe('parseSnsEnvelope', () => {
  const valid = {
    Type: 'Notification',
    MessageId: 'm-1',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
    Message: 'SECRET-CONTENT',
    Timestamp: '2026-01-01T00:00:00.000Z',
    SignatureVersion: '1',
    Signature: 'AAAA',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/x.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  };

  it('accepts a notification and keeps its fields', () => {
    expect(parseSnsEnvelope(valid)).toMatchObject(valid);
  });

  it.each([
    ['unknown Type', { ...valid, Type: 'Surprise' }],
    ['SignatureVersion 3', { ...valid, SignatureVersion: '3' }],
    ['numeric SignatureVersion', { ...valid, SignatureVersion: 1 }],
    ['Signature not base64', { ...valid, Signature: 'not base64!' }],
    ['Signature without its padding', { ...valid, Signature: 'AA' }],
    ['Signature with non-zero unused bits', { ...valid, Signature: 'AAB=' }],
    ['Signature with a misplaced padding character', { ...valid, Signature: 'AA=A' }],
    ['MessageId with a newline', { ...valid, MessageId: 'a\nb' }],
    ['Message not a string', { ...valid, Message: { nested: 'SECRET-CONTENT' } }],
    [
      'confirmation without Token',
      {
        ...valid,
        Type: 'SubscriptionConfirmation',
        SubscribeURL: 'https://sns.us-east-1.amazonaws.com/',
      },
    ],
    ['an array', [valid]],
    ['null', null],
  ])('refuses %s with a 400 whose detail does not echo values', (_case, value) => {
    let caught: unknown;
    try {
      parseSnsEnvelope(value);
    } catch (error: unknown) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SnsRejectedError);
    expect(caught).toMatchObject({ status: 400 });
    expect((caught as Error).message).not.toContain('SECRET-CONTENT');
  });
});
