/**
 * Covers signature verification in lambdas/adapters/sns-verifier.ts (createSnsVerifier): signed
 * notifications and confirmations of both SignatureVersions, changed fields and foreign keys,
 * the URL policy before any fetch, certificate fetch failures and validity, and the certificate
 * cache. The string to sign, URL policy, timestamp window and envelope schema on their own are in
 * sns-verifier-policy.test.ts. Leaves HTTP status mapping, headers, bodies, the queue and logging
 * to test/unit/receiver.test.ts, and real fetch to the sandbox e2e test.
 */
import { X509Certificate } from 'node:crypto';
import {
  SnsRejectedError,
  SnsUpstreamError,
  createSnsVerifier,
  parseSnsEnvelope,
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
