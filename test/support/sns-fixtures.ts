/**
 * Shared fixtures for the SNS verifier and receiver unit tests: genuinely signed SNS messages
 * (sandbox/sns-signing.ts), API Gateway proxy events (payload format 1.0) and function URL events
 * (2.0), a fake HttpGet that serves certificates and
 * counts calls, a fake queue that records sends, and a capture of what Powertools writes to
 * stdout/stderr (log lines and EMF metrics).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import type { QueuedEvent } from '../../lambdas/core/events';
import type { EventQueue, HttpGet, HttpGetResult } from '../../lambdas/core/ports';
import {
  signSnsMessage,
  type SignedSnsMessage,
  type SnsMessageFields,
  type SnsSigningIdentity,
} from '../../sandbox/sns-signing';

export const TOPIC_ARN = 'arn:aws:sns:ca-central-1:111122223333:inbox-offers';
export const OTHER_ALLOWED_TOPIC_ARN = 'arn:aws:sns:ca-central-1:111122223333:inbox-referrals';
export const FOREIGN_TOPIC_ARN = 'arn:aws:sns:ca-central-1:999999999999:inbox-offers';
export const CERT_URL =
  'https://sns.ca-central-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem';
export const SUBSCRIBE_URL =
  'https://sns.ca-central-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:ca-central-1:111122223333:inbox-offers&Token=SECRET-TOKEN-2336412f37fb687f5d51e6e2425f';
export const UNSUBSCRIBE_URL =
  'https://sns.ca-central-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:ca-central-1:111122223333:inbox-offers:sub-1';
export const TOKEN = 'SECRET-TOKEN-2336412f37fb687f5d51e6e2425f';

/** In every fixture message: it must never reach a response or a log line. */
export const CONTENT_MARKER = 'MESSAGE-CONTENT-MARKER';

/** A marketplace event with a recognisable marker, so tests can prove it never reaches a log. */
export const EVENT_MESSAGE = JSON.stringify({
  event_id: 'evt-1',
  event_name: 'OfferMatched',
  event_source: 'alayamarket.offers',
  timestamp: '2026-01-01T00:00:00Z',
  offer_id: 'offer-1',
  marker: CONTENT_MARKER,
});

export function notificationFields(
  now: Date,
  overrides: Partial<SnsMessageFields> = {},
): SnsMessageFields {
  return {
    Type: 'Notification',
    MessageId: 'da41e39f-ea4d-435a-b922-c6aae3915ebe',
    TopicArn: TOPIC_ARN,
    Message: EVENT_MESSAGE,
    Timestamp: now.toISOString(),
    UnsubscribeURL: UNSUBSCRIBE_URL,
    ...overrides,
  };
}

export function confirmationFields(
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation',
  now: Date,
  overrides: Partial<SnsMessageFields> = {},
): SnsMessageFields {
  return {
    Type: type,
    MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
    TopicArn: TOPIC_ARN,
    Message: `You have chosen to subscribe to the topic ${TOPIC_ARN}. To confirm, visit the SubscribeURL.`,
    Timestamp: now.toISOString(),
    Token: TOKEN,
    SubscribeURL: SUBSCRIBE_URL,
    ...overrides,
  };
}

export function sign(
  fields: SnsMessageFields,
  identity: SnsSigningIdentity,
  version: '1' | '2' = '2',
  certUrl: string = CERT_URL,
): SignedSnsMessage {
  return signSnsMessage(fields, identity, version, certUrl);
}

/**
 * A payload format 1.0 proxy event as the HTTP API builds it for `POST /sns` (header names lower
 * case). Without `headers`: the content type and message type headers SNS always sends, the type
 * taken from the body (`Notification` when the body has none), so a test about the body is not
 * refused for a missing header.
 */
export function apiEvent(
  body: string | null,
  options: { headers?: Record<string, string>; isBase64Encoded?: boolean; requestId?: string } = {},
): APIGatewayProxyEvent {
  const headers = options.headers ?? deliveryHeaders(body, options.isBase64Encoded ?? false);
  return {
    body,
    headers,
    multiValueHeaders: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, [value]]),
    ),
    httpMethod: 'POST',
    isBase64Encoded: options.isBase64Encoded ?? false,
    path: '/sns',
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/sns',
    requestContext: {
      accountId: '123456789012',
      apiId: 'api123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: 'POST',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '54.240.197.1',
        user: null,
        userAgent: 'Amazon Simple Notification Service Agent',
        userArn: null,
      },
      path: '/sns',
      stage: '$default',
      requestId: options.requestId ?? 'req-0001',
      requestTimeEpoch: 0,
      resourceId: 'res123',
      resourcePath: '/sns',
    },
  };
}

/**
 * A payload format 2.0 event as a Lambda function URL builds it for SNS's `POST /` (header names
 * lower case; no route key of a path, a `$default` stage, the caller in `requestContext.http`).
 * Headers default as for `apiEvent`.
 */
export function functionUrlEvent(
  body: string | undefined,
  options: { headers?: Record<string, string>; isBase64Encoded?: boolean; requestId?: string } = {},
): APIGatewayProxyEventV2 {
  const isBase64Encoded = options.isBase64Encoded ?? false;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: options.headers ?? deliveryHeaders(body ?? null, isBase64Encoded),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghijklmnopqrstuvwxyz0123',
      domainName: 'abcdefghijklmnopqrstuvwxyz0123.lambda-url.ca-central-1.on.aws',
      domainPrefix: 'abcdefghijklmnopqrstuvwxyz0123',
      http: {
        method: 'POST',
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '54.240.197.1',
        userAgent: 'Amazon Simple Notification Service Agent',
      },
      requestId: options.requestId ?? 'furl-req-0001',
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:03:40:00 +0000',
      timeEpoch: 0,
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded,
  };
}

/** The headers every SNS delivery of this body carries: content type and message type. */
export function deliveryHeaders(
  body: string | null,
  isBase64Encoded = false,
): Record<string, string> {
  return {
    'content-type': 'text/plain; charset=UTF-8',
    'x-amz-sns-message-type': messageTypeOf(body, isBase64Encoded),
  };
}

/** The `Type` of a JSON body, as SNS would put it in the message type header. */
function messageTypeOf(body: string | null, isBase64Encoded: boolean): string {
  if (body === null) return 'Notification';
  try {
    const parsed: unknown = JSON.parse(
      isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body,
    );
    const type: unknown =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as { Type?: unknown }).Type
        : undefined;
    return typeof type === 'string' ? type : 'Notification';
  } catch {
    return 'Notification';
  }
}

/** The headers SNS sends with a delivery (lower case, as the HTTP API passes them). */
export function snsHeaders(message: SignedSnsMessage): Record<string, string> {
  return {
    'content-type': 'text/plain; charset=UTF-8',
    'x-amz-sns-message-type': message.Type,
    'x-amz-sns-message-id': message.MessageId,
    'x-amz-sns-topic-arn': message.TopicArn,
    'x-amz-sns-subscription-arn': `${message.TopicArn}:sub-1`,
  };
}

export type Served = HttpGetResult | Error;

export interface FakeHttpGet {
  httpGet: HttpGet;
  calls: Array<{ url: string; timeoutMs: number }>;
  urls(): string[];
}

/** Serves `routes[url]`, else `fallback(url)`, else rejects; records every call. */
export function fakeHttpGet(
  routes: Partial<Record<string, Served>>,
  fallback?: (url: string) => Served,
): FakeHttpGet {
  const calls: Array<{ url: string; timeoutMs: number }> = [];
  return {
    calls,
    urls: () => calls.map((call) => call.url),
    httpGet: async (url, options) => {
      calls.push({ url, timeoutMs: options.timeoutMs });
      const served = routes[url] ?? fallback?.(url) ?? new Error('no route');
      if (served instanceof Error) throw served;
      return served;
    },
  };
}

export interface FakeQueue extends EventQueue {
  sends: Array<{ event: QueuedEvent; attributes: { snsMessageId: string; correlationId: string } }>;
}

export function fakeQueue(failWith?: Error): FakeQueue {
  const sends: FakeQueue['sends'] = [];
  return {
    sends,
    send: async (event, attributes) => {
      if (failWith) throw failWith;
      sends.push({ event, attributes });
      return `sqs-${sends.length}`;
    },
  };
}

export interface CapturedOutput {
  /** Everything written, for "never contains" checks. */
  text(): string;
  /** Parsed JSON log lines (Powertools Logger), excluding EMF metric blobs. */
  logs(): Array<Record<string, unknown>>;
  /** Metric names and values from EMF blobs (Powertools Metrics). */
  metrics(): Array<Record<string, unknown>>;
  restore(): void;
}

/** Captures stdout and stderr, where Powertools writes logs and EMF metrics. */
export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const record = (chunk: unknown): boolean => {
    chunks.push(
      typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
    );
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(record);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(record);
  const parsed = (): Array<Record<string, unknown>> =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    text: () => chunks.join(''),
    logs: () => parsed().filter((line) => !('_aws' in line)),
    metrics: () => parsed().filter((line) => '_aws' in line),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}
