/**
 * Reading the HTTP request SNS sends, before anything costs a network call: the headers (case
 * insensitive), the body (base64 decoded when marked so, size capped, UTF-8, JSON),
 * the SNS headers' agreement with the body, and whether a SubscribeURL is one the receiver may GET.
 * Each refusal is an `SnsRejectedError` (4xx: SNS does not retry it).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  SnsRejectedError,
  isTrustedSubscribeUrl,
  type SnsEnvelope,
  type SnsSubscriptionConfirmation,
} from '../adapters/sns-verifier';

/**
 * SNS caps a message at 256 KiB; inside the envelope it is a JSON string whose escaping can grow
 * it, plus a few KiB of envelope fields. Anything larger is not an SNS delivery.
 */
export const MAX_BODY_BYTES = 512 * 1024;

/**
 * The events that reach the receiver (config `ingress`): API Gateway's payload format 1.0 from the
 * HTTP API, or payload format 2.0 from the receiver's function URL. It reads only what the two
 * share, under the same names: `headers`, `body`, `isBase64Encoded` and `requestContext.requestId`,
 * and the method where each keeps it (`requestMethod`; no path or source IP), and answers both with
 * the same `{ statusCode, headers, body }`.
 */
export type ReceiverEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

/** The headers SNS sets on an HTTP(S) delivery (lower case, as `lowerCaseHeaders` keys them). */
export const SNS_HEADERS = {
  rawDelivery: 'x-amz-sns-rawdelivery',
  messageType: 'x-amz-sns-message-type',
  messageId: 'x-amz-sns-message-id',
  topicArn: 'x-amz-sns-topic-arn',
  subscriptionArn: 'x-amz-sns-subscription-arn',
} as const;

/**
 * Every SNS HTTP(S) delivery carries the message type header; a request without it is not SNS.
 * Checked first of all (the HTTP API in front cannot check headers): no secret read, no parsing.
 */
export function assertSnsDelivery(headers: Map<string, string>): void {
  if (!headers.has(SNS_HEADERS.messageType)) {
    throw new SnsRejectedError(400, 'not an SNS delivery', `no ${SNS_HEADERS.messageType} header`);
  }
}

/** An SNS message id or subscription ARN as SNS writes them; anything else is not logged. */
export const LOGGABLE_ID = /^[A-Za-z0-9._:-]{1,256}$/;

/**
 * Header names are case-insensitive: an HTTP API and a function URL lower-case them, a REST API
 * (and some hand-made events) keeps the client's case.
 */
export function lowerCaseHeaders(
  headers: ReceiverEvent['headers'] | null | undefined,
): Map<string, string> {
  const result = new Map<string, string>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') result.set(name.toLowerCase(), value);
  }
  return result;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** An event as it may arrive: a hand-made or test event can lack the request context. */
export interface ArrivingEvent {
  /** Payload format 1.0 (the HTTP API). */
  httpMethod?: unknown;
  requestContext?: { requestId?: unknown; http?: { method?: unknown } };
}

/** SNS delivers every HTTP(S) message by POST. */
export const SNS_METHOD = 'POST';

/**
 * The request's method, from either event shape (2.0 `requestContext.http.method`, 1.0
 * `httpMethod`); undefined when the event has none.
 */
export function requestMethod(event: ArrivingEvent): string | undefined {
  const method = event.requestContext?.http?.method ?? event.httpMethod;
  return typeof method === 'string' ? method : undefined;
}

/**
 * Returns the body text, decoding base64 when API Gateway or the function URL marked it so (a
 * function URL encodes a body whose content type is not text); enforces the size cap.
 */
export function bodyText(event: Pick<ReceiverEvent, 'body' | 'isBase64Encoded'>): string {
  const body = event.body;
  // Also undefined: a hand-made event may have no body at all.
  if (!body) {
    throw new SnsRejectedError(400, 'invalid SNS message', 'empty body');
  }
  if (!event.isBase64Encoded) {
    if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES)
      throw new SnsRejectedError(413, 'message too large');
    return body;
  }
  // Check the encoded size first so an oversized body is never decoded.
  if (body.length > Math.ceil(MAX_BODY_BYTES / 3) * 4)
    throw new SnsRejectedError(413, 'message too large');
  if (body.length % 4 !== 0 || !BASE64.test(body)) {
    throw new SnsRejectedError(400, 'invalid SNS message', 'body is not valid base64');
  }
  const bytes = Buffer.from(body, 'base64');
  if (bytes.byteLength > MAX_BODY_BYTES) throw new SnsRejectedError(413, 'message too large');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SnsRejectedError(400, 'invalid SNS message', 'body is not UTF-8');
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the input, so it is never passed on.
    throw new SnsRejectedError(400, 'invalid SNS message', 'body is not JSON');
  }
}

/** The SNS headers are optional, but when present they must describe the same message. */
export function assertHeadersAgree(headers: Map<string, string>, message: SnsEnvelope): void {
  const expected: Array<[string, string]> = [
    [SNS_HEADERS.messageType, message.Type],
    [SNS_HEADERS.messageId, message.MessageId],
    [SNS_HEADERS.topicArn, message.TopicArn],
  ];
  for (const [name, value] of expected) {
    const actual = headers.get(name);
    if (actual !== undefined && actual !== value) {
      throw new SnsRejectedError(
        400,
        'SNS headers do not match the message',
        `${name} does not match the body`,
      );
    }
  }
}

/**
 * Beyond the SNS host policy: a genuine SubscribeURL is a `ConfirmSubscription` call on the SNS
 * host of the topic's own region. Checked before the signature, so a forged message cannot make
 * the receiver GET anything else, even on an SNS host.
 */
export function assertConfirmableSubscribeUrl(message: SnsSubscriptionConfirmation): void {
  if (!isTrustedSubscribeUrl(message.SubscribeURL))
    throw new SnsRejectedError(400, 'untrusted SubscribeURL');
  const url = new URL(message.SubscribeURL);
  const hostRegion = url.hostname.split('.')[1];
  const topicRegion = message.TopicArn.split(':')[3];
  if (hostRegion !== topicRegion) {
    throw new SnsRejectedError(
      400,
      'untrusted SubscribeURL',
      "SubscribeURL host is not the topic's region",
    );
  }
  if (url.searchParams.get('Action') !== 'ConfirmSubscription') {
    throw new SnsRejectedError(
      400,
      'untrusted SubscribeURL',
      'SubscribeURL is not a ConfirmSubscription call',
    );
  }
}
