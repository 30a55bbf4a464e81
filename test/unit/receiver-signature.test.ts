/**
 * The receiver refuses what a genuine SNS signature does not cover: a field changed after signing,
 * a signature by another certificate than the one served, a SigningCertURL off the SNS hosts
 * (never fetched), an expired certificate, a certificate that cannot be fetched or parsed; and it
 * fetches a certificate once for every message signed with it. Each refusal leaves the queue
 * untouched and echoes no input (receiver-expect.ts).
 */
import { X509Certificate } from 'node:crypto';
import { createSnsSigningIdentity, type SnsSigningIdentity } from '../../sandbox/sns-signing';
import { receiverHarness, type ReceiverSetup as Setup } from '../support/receiver-harness';
import { deliver, expectRefused } from '../support/receiver-expect';
import {
  CERT_URL,
  EVENT_MESSAGE,
  OTHER_ALLOWED_TOPIC_ARN,
  TOPIC_ARN,
  notificationFields,
  sign,
  type Served,
} from '../support/sns-fixtures';

const NOW = new Date();
const harness = receiverHarness({ now: NOW });
const { identity, otherIdentity, certServed } = harness;

let shortLived: SnsSigningIdentity;
beforeAll(async () => {
  shortLived = await createSnsSigningIdentity({ validDays: 1 });
});

const setup = (
  options: {
    now?: () => Date;
    routes?: Record<string, Served>;
    fallback?: (url: string) => Served;
  } = {},
): Setup => harness.setup({ ...options, allowedTopicArns: [TOPIC_ARN, OTHER_ALLOWED_TOPIC_ARN] });

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
