/**
 * Covers lambdas/receiver/receiver.ts invoked through a Lambda function URL (config `ingress:
 * "function-url"`): the payload format 2.0 event, with genuinely signed SNS messages. The same
 * acceptances and refusals as through the HTTP API (1.0, receiver.test.ts): a notification is
 * enqueued with the 2.0 request id as correlation id, a subscription confirmation is followed, a
 * bad signature, a topic not allowed, a missing SNS header, an empty body and missing shared-secret
 * credentials are refused, and a base64 body (as a function URL sends a non-text content type)
 * is decoded. Also: the same message answers the same through both event shapes.
 */
import { expectEnqueued, expectRefused } from '../support/receiver-expect';
import {
  basicAuth as basic,
  receiverHarness,
  type ReceiverSetup as Setup,
} from '../support/receiver-harness';
import {
  CERT_URL,
  EVENT_MESSAGE,
  FOREIGN_TOPIC_ARN,
  SUBSCRIBE_URL,
  apiEvent,
  confirmationFields,
  functionUrlEvent,
  notificationFields,
  sign,
  snsHeaders,
} from '../support/sns-fixtures';

const NOW = new Date();
const SHARED_PASSWORD = 'furl-shared-password-0123456789abcdef';
const harness = receiverHarness({ now: NOW });
const { identity, otherIdentity } = harness;

function setup(options: { sharedSecret?: boolean } = {}): Setup {
  return harness.setup(options.sharedSecret === true ? { sharedSecret: SHARED_PASSWORD } : {});
}

describe('through a function URL (payload format 2.0)', () => {
  it('enqueues a notification, with the 2.0 request id as correlation id', async () => {
    const s = setup();
    const message = sign(notificationFields(NOW), identity);
    const result = await s.receive(
      functionUrlEvent(JSON.stringify(message), {
        headers: snsHeaders(message),
        requestId: 'furl-42',
      }),
    );
    expectEnqueued(result, s, message, 'furl-42');
  });

  it('confirms a subscription: GETs the SubscribeURL and answers 200', async () => {
    const s = setup();
    const message = sign(confirmationFields('SubscriptionConfirmation', NOW), identity);
    const result = await s.receive(
      functionUrlEvent(JSON.stringify(message), { headers: snsHeaders(message) }),
    );
    expect(result.statusCode).toBe(200);
    expect(s.http.urls()).toEqual([CERT_URL, SUBSCRIBE_URL]);
    expect(s.queue.sends).toHaveLength(0);
  });

  it('decodes a base64 body', async () => {
    const s = setup();
    const body = Buffer.from(JSON.stringify(sign(notificationFields(NOW), identity))).toString(
      'base64',
    );
    const result = await s.receive(functionUrlEvent(body, { isBase64Encoded: true }));
    expect(result.statusCode).toBe(200);
    expect(s.queue.sends[0]?.event.message).toBe(EVENT_MESSAGE);
  });

  it('refuses a base64-marked body that is not base64 (400)', async () => {
    const s = setup();
    const plain = JSON.stringify(sign(notificationFields(NOW), identity));
    expectRefused(
      await s.receive(
        functionUrlEvent(plain, {
          isBase64Encoded: true,
          headers: { 'x-amz-sns-message-type': 'Notification' },
        }),
      ),
      400,
      s,
    );
  });

  it('refuses a message signed by another certificate than the one served (403)', async () => {
    const s = setup();
    const forged = sign(notificationFields(NOW), otherIdentity);
    expectRefused(await s.receive(functionUrlEvent(JSON.stringify(forged))), 403, s);
  });

  it('refuses a message changed after signing (403)', async () => {
    const s = setup();
    const signed = sign(notificationFields(NOW), identity);
    const changed = { ...signed, Message: EVENT_MESSAGE.replace('offer-1', 'offer-666') };
    expectRefused(await s.receive(functionUrlEvent(JSON.stringify(changed))), 403, s);
  });

  it('refuses a topic not allowed (403) without fetching anything', async () => {
    const s = setup();
    const message = sign(notificationFields(NOW, { TopicArn: FOREIGN_TOPIC_ARN }), identity);
    expectRefused(await s.receive(functionUrlEvent(JSON.stringify(message))), 403, s);
    expect(s.http.calls).toHaveLength(0);
  });

  it('refuses a request without the SNS message type header (400) before reading anything', async () => {
    const s = setup({ sharedSecret: true });
    const message = sign(notificationFields(NOW), identity);
    const result = await s.receive(
      functionUrlEvent(JSON.stringify(message), {
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
      }),
    );
    expectRefused(result, 400, s);
    expect(s.http.calls).toHaveLength(0);
  });

  it('refuses an event without a body (400)', async () => {
    const s = setup();
    expectRefused(
      await s.receive(
        functionUrlEvent(undefined, { headers: { 'x-amz-sns-message-type': 'Notification' } }),
      ),
      400,
      s,
    );
  });

  it('with the shared secret: answers the Basic challenge (401) without credentials, accepts them', async () => {
    const s = setup({ sharedSecret: true });
    const message = sign(notificationFields(NOW), identity);
    const challenged = await s.receive(
      functionUrlEvent(JSON.stringify(message), { headers: snsHeaders(message) }),
    );
    expectRefused(challenged, 401, s);
    expect(challenged.headers?.['www-authenticate']).toMatch(/^Basic /);

    const accepted = await s.receive(
      functionUrlEvent(JSON.stringify(message), {
        headers: { ...snsHeaders(message), authorization: basic('connector', SHARED_PASSWORD) },
      }),
    );
    expect(accepted.statusCode).toBe(200);
    expect(s.queue.sends).toHaveLength(1);
  });

  it('answers a message the same through both event shapes', async () => {
    const message = sign(notificationFields(NOW), identity);
    const cases = [
      JSON.stringify(message),
      JSON.stringify(sign(notificationFields(NOW), otherIdentity)),
      JSON.stringify({ ...message, TopicArn: FOREIGN_TOPIC_ARN }),
      '{not json',
    ];
    for (const body of cases) {
      const viaApi = await setup().receive(apiEvent(body, { requestId: 'same' }));
      const viaUrl = await setup().receive(functionUrlEvent(body, { requestId: 'same' }));
      expect(viaUrl).toEqual(viaApi);
    }
  });
});
