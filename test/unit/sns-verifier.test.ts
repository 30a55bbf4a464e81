/**
 * Covers lambdas/adapters/sns-verifier.ts on its own: the canonical string to sign (pinned to
 * hand-written vectors, so the shared signer in sandbox/sns-signing.ts cannot agree with the
 * verifier on a wrong format), the SigningCertURL / SubscribeURL policy, the timestamp window, the
 * envelope schema, and signature verification with the certificate cache.
 * Leaves HTTP status mapping, headers, bodies, the queue and logging to test/unit/receiver.test.ts,
 * and real fetch to the sandbox e2e test.
 */
import { X509Certificate } from 'node:crypto';
import {
  SnsRejectedError,
  SnsStringToSignError,
  SnsUpstreamError,
  assertFreshTimestamp,
  createSnsVerifier,
  isTrustedSigningCertUrl,
  isTrustedSubscribeUrl,
  parseSnsEnvelope,
  snsStringToSign,
} from '../../lambdas/adapters/sns-verifier';
import { createSnsSigningIdentity, type SnsSigningIdentity } from '../../sandbox/sns-signing';
import {
  CERT_URL,
  EVENT_MESSAGE,
  TOKEN,
  confirmationFields,
  fakeHttpGet,
  notificationFields,
  sign,
} from '../support/sns-fixtures';

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

describe('createSnsVerifier', () => {
  let identity: SnsSigningIdentity;
  let otherIdentity: SnsSigningIdentity;
  let shortLived: SnsSigningIdentity;

  beforeAll(async () => {
    [identity, otherIdentity, shortLived] = await Promise.all([
      createSnsSigningIdentity(),
      createSnsSigningIdentity(),
      createSnsSigningIdentity({ validDays: 1 }),
    ]);
  });

  const start = new Date();
  const served = (pem: string) => ({ status: 200, body: pem });

  it.each(['1', '2'] as const)(
    'verifies a SignatureVersion %s notification and fetches the certificate with a timeout',
    async (version) => {
      const http = fakeHttpGet({ [CERT_URL]: served(identity.certPem) });
      const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => start });
      const message = parseSnsEnvelope(sign(notificationFields(start), identity, version));
      await expect(verifier.verifySignature(message)).resolves.toBeUndefined();
      expect(http.calls).toEqual([{ url: CERT_URL, timeoutMs: expect.any(Number) }]);
      expect(http.calls[0].timeoutMs).toBeLessThanOrEqual(5000);
    },
  );

  it.each(['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const)(
    'verifies a signed %s',
    async (type) => {
      const http = fakeHttpGet({ [CERT_URL]: served(identity.certPem) });
      const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => start });
      await expect(
        verifier.verifySignature(
          parseSnsEnvelope(sign(confirmationFields(type, start), identity, '1')),
        ),
      ).resolves.toBeUndefined();
    },
  );

  it.each([
    ['Message', { Message: EVENT_MESSAGE.replace('offer-1', 'offer-2') }],
    ['Token', { Token: `${TOKEN}x` }],
    [
      'SubscribeURL',
      {
        SubscribeURL:
          'https://sns.ca-central-1.amazonaws.com/?Action=ConfirmSubscription&Token=other',
      },
    ],
    ['Type', { Type: 'UnsubscribeConfirmation' }],
  ])('refuses a confirmation whose %s changed after signing (403)', async (_field, change) => {
    const http = fakeHttpGet({ [CERT_URL]: served(identity.certPem) });
    const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => start });
    const signed = sign(confirmationFields('SubscriptionConfirmation', start), identity);
    await expect(
      verifier.verifySignature(parseSnsEnvelope({ ...signed, ...change })),
    ).rejects.toMatchObject({
      name: 'SnsRejectedError',
      status: 403,
    });
  });

  it('refuses a signature made with a key other than the served certificate (403)', async () => {
    const http = fakeHttpGet({ [CERT_URL]: served(identity.certPem) });
    const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => start });
    const message = parseSnsEnvelope(sign(notificationFields(start), otherIdentity));
    await expect(verifier.verifySignature(message)).rejects.toMatchObject({ status: 403 });
  });

  it('refuses a SignatureVersion 1 signature presented as version 2 (403)', async () => {
    const http = fakeHttpGet({ [CERT_URL]: served(identity.certPem) });
    const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => start });
    const signed = sign(notificationFields(start), identity, '1');
    await expect(
      verifier.verifySignature(parseSnsEnvelope({ ...signed, SignatureVersion: '2' })),
    ).rejects.toMatchObject({ status: 403 });
  });

  it('checks the URL policy before any fetch (403, no call)', async () => {
    const http = fakeHttpGet({}, () => served(identity.certPem));
    const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => start });
    const message = parseSnsEnvelope(
      sign(notificationFields(start), identity, '2', 'https://sns.evil.com/x.pem'),
    );
    await expect(verifier.verifySignature(message)).rejects.toMatchObject({ status: 403 });
    expect(http.calls).toHaveLength(0);
  });

  it.each([
    ['a network error', new Error('connect ECONNREFUSED'), SnsUpstreamError, 502],
    ['a 404', { status: 404, body: 'not found' }, SnsUpstreamError, 502],
    ['a 500', { status: 500, body: '' }, SnsUpstreamError, 502],
    [
      'an unparseable certificate',
      { status: 200, body: 'not a certificate' },
      SnsRejectedError,
      400,
    ],
  ])('maps %s on the certificate fetch', async (_case, response, errorClass, status) => {
    const http = fakeHttpGet({ [CERT_URL]: response });
    const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => start });
    const promise = verifier.verifySignature(
      parseSnsEnvelope(sign(notificationFields(start), identity)),
    );
    await expect(promise).rejects.toBeInstanceOf(errorClass);
    await expect(promise).rejects.toMatchObject({ status });
  });

  it('does not cache a failed fetch: the next message fetches again', async () => {
    let fail = true;
    const http = fakeHttpGet({}, () => (fail ? new Error('timeout') : served(identity.certPem)));
    const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => start });
    const message = parseSnsEnvelope(sign(notificationFields(start), identity));
    await expect(verifier.verifySignature(message)).rejects.toMatchObject({ status: 502 });
    fail = false;
    await expect(verifier.verifySignature(message)).resolves.toBeUndefined();
    expect(http.calls).toHaveLength(2);
  });

  it('refuses a certificate that has expired or is not yet valid (403)', async () => {
    const validTo = Date.parse(new X509Certificate(shortLived.certPem).validTo);
    for (const at of [new Date(validTo + 60_000), new Date(Date.now() - 60 * 60 * 1000)]) {
      const http = fakeHttpGet({ [CERT_URL]: served(shortLived.certPem) });
      const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => at });
      const message = parseSnsEnvelope(sign(notificationFields(at), shortLived));
      await expect(verifier.verifySignature(message)).rejects.toMatchObject({ status: 403 });
    }
  });

  describe('certificate cache', () => {
    it('reuses a certificate per URL and fetches a different URL separately', async () => {
      const http = fakeHttpGet({}, () => served(identity.certPem));
      const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => start });
      const otherUrl = CERT_URL.replace('.pem', '-2.pem');
      await verifier.verifySignature(parseSnsEnvelope(sign(notificationFields(start), identity)));
      await verifier.verifySignature(
        parseSnsEnvelope(sign(notificationFields(start, { MessageId: 'm-2' }), identity)),
      );
      await verifier.verifySignature(
        parseSnsEnvelope(sign(notificationFields(start), identity, '2', otherUrl)),
      );
      expect(http.urls()).toEqual([CERT_URL, otherUrl]);
    });

    it('fetches again once the cache entry expires', async () => {
      let now = start;
      const http = fakeHttpGet({}, () => served(identity.certPem));
      const verifier = createSnsVerifier({
        httpGet: http.httpGet,
        now: () => now,
        certCacheTtlMs: 60 * 60 * 1000,
      });
      await verifier.verifySignature(parseSnsEnvelope(sign(notificationFields(now), identity)));
      now = new Date(start.getTime() + 30 * 60 * 1000);
      await verifier.verifySignature(parseSnsEnvelope(sign(notificationFields(now), identity)));
      expect(http.calls).toHaveLength(1);
      now = new Date(start.getTime() + 61 * 60 * 1000);
      await verifier.verifySignature(parseSnsEnvelope(sign(notificationFields(now), identity)));
      expect(http.calls).toHaveLength(2);
    });

    it('never keeps a certificate past its own expiry', async () => {
      const validTo = Date.parse(new X509Certificate(shortLived.certPem).validTo);
      let now = new Date(validTo - 60_000);
      const http = fakeHttpGet({}, () => served(shortLived.certPem));
      const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => now });
      await verifier.verifySignature(parseSnsEnvelope(sign(notificationFields(now), shortLived)));
      now = new Date(validTo + 1000);
      await expect(
        verifier.verifySignature(parseSnsEnvelope(sign(notificationFields(now), shortLived))),
      ).rejects.toMatchObject({
        status: 403,
      });
      // The expired entry was dropped, so the certificate was fetched again rather than reused.
      expect(http.calls).toHaveLength(2);
    });

    it('still refuses a cached certificate when the clock is before its validity (403, no refetch)', async () => {
      let now = start;
      const http = fakeHttpGet({}, () => served(identity.certPem));
      const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => now });
      await verifier.verifySignature(parseSnsEnvelope(sign(notificationFields(now), identity)));
      now = new Date(Date.parse(new X509Certificate(identity.certPem).validFrom) - 60_000);
      await expect(
        verifier.verifySignature(parseSnsEnvelope(sign(notificationFields(now), identity))),
      ).rejects.toMatchObject({
        status: 403,
      });
      expect(http.calls).toHaveLength(1);
    });

    it('refuses an untrusted URL even after a trusted one was cached (403, no fetch)', async () => {
      const http = fakeHttpGet({}, () => served(identity.certPem));
      const verifier = createSnsVerifier({ httpGet: http.httpGet, now: () => start });
      await verifier.verifySignature(parseSnsEnvelope(sign(notificationFields(start), identity)));
      const lookAlike = CERT_URL.replace('amazonaws.com/', 'amazonaws.com:443/');
      await expect(
        verifier.verifySignature(
          parseSnsEnvelope(sign(notificationFields(start), identity, '2', lookAlike)),
        ),
      ).rejects.toMatchObject({
        status: 403,
      });
      expect(http.urls()).toEqual([CERT_URL]);
    });

    it('holds a bounded number of URLs, dropping the oldest', async () => {
      const http = fakeHttpGet({}, () => served(identity.certPem));
      const verifier = createSnsVerifier({
        httpGet: http.httpGet,
        now: () => start,
        certCacheSize: 3,
      });
      const urls = [1, 2, 3, 4].map((n) => CERT_URL.replace('.pem', `-${n}.pem`));
      for (const url of urls)
        await verifier.verifySignature(
          parseSnsEnvelope(sign(notificationFields(start), identity, '2', url)),
        );
      expect(http.calls).toHaveLength(4);
      // 2..4 are still cached; 1 was dropped to make room for 4.
      await verifier.verifySignature(
        parseSnsEnvelope(sign(notificationFields(start), identity, '2', urls[3])),
      );
      expect(http.calls).toHaveLength(4);
      await verifier.verifySignature(
        parseSnsEnvelope(sign(notificationFields(start), identity, '2', urls[0])),
      );
      expect(http.urls()).toEqual([...urls, urls[0]]);
    });
  });
});
