/**
 * Covers the receiver's method check (lambdas/receiver/receiver.ts, sns-request.ts `requestMethod`):
 * SNS delivers only by POST, and a function URL passes any method and path, so a request of
 * another method is answered 405 (with `Allow: POST`) before anything else: before the SNS header
 * check, before the shared secret is read, nothing fetched, nothing enqueued. Both event shapes:
 * payload format 2.0 (function URL, `requestContext.http.method`) and 1.0 (HTTP API, `httpMethod`).
 * A POST is answered as before.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { RECEIVER_METRICS } from '../../lambdas/core/metric-names';
import { basicAuth, receiverHarness } from '../support/receiver-harness';
import {
  apiEvent,
  functionUrlEvent,
  notificationFields,
  sign,
  snsHeaders,
} from '../support/sns-fixtures';

const NOW = new Date();
const PASSWORD = 'method-test-password-0123456789abcdef';
const basic = basicAuth('connector', PASSWORD);
const harness = receiverHarness({ now: NOW });
const { identity, output } = harness;

function setup() {
  const s = harness.setup({ sharedSecret: PASSWORD });
  return { ...s, secretReads: () => s.secretReads.length };
}

/** A genuine, credentialed delivery's body and headers: only the method can make it fail. */
function delivery(): { body: string; headers: Record<string, string> } {
  const message = sign(notificationFields(NOW), identity);
  return {
    body: JSON.stringify(message),
    headers: { ...snsHeaders(message), authorization: basic },
  };
}

function viaFunctionUrl(method: string): APIGatewayProxyEventV2 {
  const { body, headers } = delivery();
  const event = functionUrlEvent(body, { headers });
  return {
    ...event,
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method } },
  };
}

function viaHttpApi(method: string): APIGatewayProxyEvent {
  const { body, headers } = delivery();
  const event = apiEvent(body, { headers });
  return {
    ...event,
    httpMethod: method,
    requestContext: { ...event.requestContext, httpMethod: method },
  };
}

describe.each([
  ['a function URL (payload format 2.0)', viaFunctionUrl],
  ['the HTTP API (payload format 1.0)', viaHttpApi],
] as const)('through %s', (_name, eventOf) => {
  it.each(['GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'post'])(
    'refuses %s with 405 and Allow: POST, before reading the secret, fetching or enqueuing anything',
    async (method) => {
      const s = setup();
      const result = await s.receive(eventOf(method));
      expect(result.statusCode).toBe(405);
      expect(result.headers).toMatchObject({ allow: 'POST' });
      expect(JSON.parse(result.body)).toEqual({ message: 'method not allowed' });
      expect(s.secretReads()).toBe(0);
      expect(s.http.calls).toHaveLength(0);
      expect(s.queue.sends).toHaveLength(0);
      const rejected = output.logs().find((line) => line['message'] === 'SNS message rejected');
      expect(rejected).toMatchObject({ status: 405, reason: 'method not allowed' });
      expect(output.text()).toContain(RECEIVER_METRICS.messagesRejected);
    },
  );

  it('refuses 405 before the SNS header check: a GET without SNS headers is 405, not 400', async () => {
    const s = setup();
    const event = eventOf('GET');
    const result = await s.receive({ ...event, headers: {} });
    expect(result.statusCode).toBe(405);
    expect(s.secretReads()).toBe(0);
  });

  it('answers a POST as before: the genuine delivery is enqueued', async () => {
    const s = setup();
    const result = await s.receive(eventOf('POST'));
    expect(result.statusCode).toBe(200);
    expect(result.headers).not.toHaveProperty('allow');
    expect(s.secretReads()).toBe(1);
    expect(s.queue.sends).toHaveLength(1);
  });
});

it('does not log a method that is not a plain token', async () => {
  const s = setup();
  const odd = 'GET\n{"injected":true}';
  const result = await s.receive(viaFunctionUrl(odd));
  expect(result.statusCode).toBe(405);
  expect(output.text()).not.toContain('injected');
});

it('refuses an event that carries no method at all (405)', async () => {
  const s = setup();
  const event = viaHttpApi('POST');
  const { httpMethod: _dropped, ...withoutMethod } = event;
  const result = await s.receive(withoutMethod as APIGatewayProxyEvent);
  expect(result.statusCode).toBe(405);
  expect(s.queue.sends).toHaveLength(0);
});
