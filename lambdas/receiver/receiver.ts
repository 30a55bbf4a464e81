/**
 * The SNS HTTPS endpoint behind API Gateway. It accepts only genuine SNS messages from allowed
 * topics (and, when a shared secret is configured, only with its HTTP Basic credentials, checked
 * first), confirms subscriptions, and puts each notification on the events queue. It answers
 * 2xx only once the work is done, 4xx for messages that will never be acceptable (SNS does not
 * retry them) and 5xx for failures worth a retry (SNS retries those).
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { QueuedEvent } from '../core/events';
import { RECEIVER_METRICS } from '../core/metric-names';
import type { EventQueue, HttpGet } from '../core/ports';
import {
  SnsRejectedError,
  SnsUpstreamError,
  assertFreshTimestamp,
  createSnsVerifier,
  isTrustedSubscribeUrl,
  parseSnsEnvelope,
  type SnsEnvelope,
  type SnsNotification,
  type SnsSubscriptionConfirmation,
} from '../adapters/sns-verifier';
import { checkBasicAuth, parseSharedSecret, SharedSecretFormatError } from './shared-secret';

export interface ReceiverDeps {
  allowedTopicArns: readonly string[];
  queue: EventQueue;
  /** Used for the signing certificate download and the SubscribeURL GET. */
  httpGet: HttpGet;
  logger: Logger;
  metrics?: Metrics;
  now?: () => Date;
  /** Refuse SignatureVersion 1 (SHA1withRSA) with 403 before any network call. */
  requireSignatureVersion2?: boolean;
  /**
   * The shared secret's current value (one password, or two during a rotation; see
   * `parseSharedSecret`). When given, every request must carry `Authorization: Basic` for
   * `connector:<password>`, checked before the body is read; absent, no header is checked.
   */
  sharedSecret?: () => Promise<string>;
}

/** Custom metric names (EMF, namespace set by the handler): defined in core/metric-names.ts. */
export { RECEIVER_METRICS };

/**
 * SNS caps a message at 256 KiB; inside the envelope it is a JSON string whose escaping can grow
 * it, plus a few KiB of envelope fields. Anything larger is not an SNS delivery.
 */
export const MAX_BODY_BYTES = 512 * 1024;

/** Leaves time for the certificate fetch (3 s) inside SNS's 15 s delivery timeout. */
const SUBSCRIBE_TIMEOUT_MS = 5000;

const SNS_HEADERS = {
  rawDelivery: 'x-amz-sns-rawdelivery',
  messageType: 'x-amz-sns-message-type',
  messageId: 'x-amz-sns-message-id',
  topicArn: 'x-amz-sns-topic-arn',
  subscriptionArn: 'x-amz-sns-subscription-arn',
} as const;

/** Tells SNS (and any HTTP client) to send Basic credentials; without it SNS would not retry with them. */
const BASIC_CHALLENGE = 'Basic realm="sns", charset="UTF-8"';

/**
 * The request has no valid shared-secret credentials (401). `presented` is false for a request
 * without any, which is how SNS starts when its endpoint URL holds credentials.
 */
export class UnauthorizedRequestError extends Error {
  override readonly name = 'UnauthorizedRequestError';
  constructor(readonly presented: boolean) {
    super(presented ? 'wrong or malformed Basic credentials' : 'no Basic credentials');
  }
}

/** An SNS message id or subscription ARN as SNS writes them; anything else is not logged. */
const LOGGABLE_ID = /^[A-Za-z0-9._:-]{1,256}$/;

function respond(
  statusCode: number,
  message: string,
  extraHeaders: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...extraHeaders },
    body: JSON.stringify({ message }),
  };
}

/** Header names are case-insensitive; API Gateway passes them as the client sent them. */
function lowerCaseHeaders(
  headers: APIGatewayProxyEvent['headers'] | null | undefined,
): Map<string, string> {
  const result = new Map<string, string>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') result.set(name.toLowerCase(), value);
  }
  return result;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** An event as it may arrive: a hand-made or test event can lack the request context. */
interface ArrivingEvent {
  requestContext?: { requestId?: unknown };
}

/** Returns the body text, decoding base64 when API Gateway marked it so; enforces the size cap. */
function bodyText(event: APIGatewayProxyEvent): string {
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the input, so it is never passed on.
    throw new SnsRejectedError(400, 'invalid SNS message', 'body is not JSON');
  }
}

/** The SNS headers are optional, but when present they must describe the same message. */
function assertHeadersAgree(headers: Map<string, string>, message: SnsEnvelope): void {
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
function assertConfirmableSubscribeUrl(message: SnsSubscriptionConfirmation): void {
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

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

interface Failure {
  status: number;
  publicReason: string;
  detail: string;
  /**
   * Refusals are expected traffic (warn); failures to deliver are errors an operator must see;
   * an authentication challenge is the normal first step of every credentialed delivery (info).
   */
  level: 'info' | 'warn' | 'error';
  metric: string;
  headers?: Record<string, string>;
}

/** The one place where an error becomes a status and a public reason. */
function toFailure(error: unknown): Failure {
  if (error instanceof UnauthorizedRequestError) {
    return {
      status: 401,
      publicReason: 'unauthorized',
      detail: error.message,
      level: error.presented ? 'warn' : 'info',
      metric: error.presented
        ? RECEIVER_METRICS.messagesRejected
        : RECEIVER_METRICS.authenticationChallenges,
      headers: { 'www-authenticate': BASIC_CHALLENGE },
    };
  }
  if (error instanceof SnsRejectedError) {
    return {
      status: error.status,
      publicReason: error.publicReason,
      detail: error.message,
      level: 'warn',
      metric: RECEIVER_METRICS.messagesRejected,
    };
  }
  if (error instanceof SnsUpstreamError) {
    return {
      status: error.status,
      publicReason: error.publicReason,
      detail: error.message,
      level: 'error',
      metric: RECEIVER_METRICS.deliveriesFailed,
    };
  }
  // A bug: a 5xx lets SNS retry once it is fixed. Only the error's name is logged because an
  // unknown error's message may quote input.
  return {
    status: 500,
    publicReason: 'internal error',
    detail: `unexpected ${errorName(error)}`,
    level: 'error',
    metric: RECEIVER_METRICS.deliveriesFailed,
  };
}

/**
 * Creates the receiver Lambda handler. Its certificate cache lives as long as the returned
 * function, i.e. one Lambda execution environment.
 */
export function createReceiver(
  deps: ReceiverDeps,
): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const now = deps.now ?? (() => new Date());
  const allowedTopics = new Set(deps.allowedTopicArns);
  const verifier = createSnsVerifier({ httpGet: deps.httpGet, now });

  function count(metric: string): void {
    deps.metrics?.addMetric(metric, MetricUnit.Count, 1);
  }

  /** The Basic credentials check; runs before the body is decoded, parsed or verified. */
  async function assertAuthorized(
    sharedSecret: () => Promise<string>,
    authorization: string | undefined,
  ): Promise<void> {
    // No credentials at all: answer the challenge without a Secrets Manager call.
    if (authorization === undefined || authorization.trim() === '')
      throw new UnauthorizedRequestError(false);
    let value: string;
    try {
      value = await sharedSecret();
    } catch (error: unknown) {
      // The reader's own errors name the secret and the AWS error, never the value.
      const cause =
        error instanceof Error && error.name === 'SharedSecretUnavailableError'
          ? error.message
          : errorName(error);
      throw new SnsUpstreamError(
        503,
        'authentication unavailable',
        `shared secret unavailable (${cause})`,
      );
    }
    let passwords: string[];
    try {
      passwords = parseSharedSecret(value);
    } catch (error: unknown) {
      // A misconfigured secret must not let anything through; 503 keeps SNS retrying while it is fixed.
      if (!(error instanceof SharedSecretFormatError)) throw error;
      throw new SnsUpstreamError(
        503,
        'authentication unavailable',
        `shared secret malformed: ${error.message}`,
      );
    }
    const result = checkBasicAuth(authorization, passwords);
    if (result !== 'match') throw new UnauthorizedRequestError(result === 'mismatch');
  }

  async function enqueue(
    message: SnsNotification,
    correlationId: string,
    log: Logger,
  ): Promise<string> {
    const event: QueuedEvent = {
      version: 1,
      origin: 'sns',
      topicArn: message.TopicArn,
      snsMessageId: message.MessageId,
      publishedAt: message.Timestamp,
      message: message.Message,
    };
    let sqsMessageId: string;
    try {
      sqsMessageId = await deps.queue.send(event, {
        snsMessageId: message.MessageId,
        correlationId,
      });
    } catch (error: unknown) {
      // Queue errors come from AWS, not from the message, so their text is safe to log.
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
      throw new SnsUpstreamError(
        503,
        'could not enqueue the message',
        `queue send failed (${reason})`,
      );
    }
    log.info('Notification enqueued', { sqsMessageId });
    count(RECEIVER_METRICS.notificationsEnqueued);
    return 'enqueued';
  }

  async function confirmSubscription(
    message: SnsSubscriptionConfirmation,
    log: Logger,
  ): Promise<string> {
    // The SubscribeURL carries the token: it never goes into a log line or an error message.
    let status: number;
    try {
      ({ status } = await deps.httpGet(message.SubscribeURL, { timeoutMs: SUBSCRIBE_TIMEOUT_MS }));
    } catch (error: unknown) {
      throw new SnsUpstreamError(
        502,
        'subscription confirmation failed',
        `SubscribeURL GET failed (${errorName(error)})`,
      );
    }
    if (status < 200 || status > 299) {
      throw new SnsUpstreamError(
        502,
        'subscription confirmation failed',
        `SubscribeURL GET returned ${status}`,
      );
    }
    log.info('Subscription confirmed');
    count(RECEIVER_METRICS.subscriptionsConfirmed);
    return 'subscription confirmed';
  }

  async function handle(
    event: APIGatewayProxyEvent,
    correlationId: string,
    log: Logger,
  ): Promise<string> {
    const headers = lowerCaseHeaders(event.headers);
    // Until the body is parsed, the id SNS puts in the header ties the lines to the message.
    const headerMessageId = headers.get(SNS_HEADERS.messageId);
    if (headerMessageId !== undefined && LOGGABLE_ID.test(headerMessageId))
      log.appendKeys({ snsMessageId: headerMessageId });
    if (deps.sharedSecret) await assertAuthorized(deps.sharedSecret, headers.get('authorization'));
    // Raw delivery strips the envelope and with it the signature: nothing could be verified.
    if (headers.get(SNS_HEADERS.rawDelivery)?.trim().toLowerCase() === 'true') {
      throw new SnsRejectedError(400, 'raw message delivery is not supported');
    }
    const message = parseSnsEnvelope(parseJson(bodyText(event)));
    log.appendKeys({ snsMessageId: message.MessageId, snsMessageType: message.Type });
    assertHeadersAgree(headers, message);

    // Everything below may cost a network call, so unknown topics stop here.
    if (!allowedTopics.has(message.TopicArn)) {
      // The ARN is not secret and names the misconfiguration (the schema bounds its length).
      throw new SnsRejectedError(
        403,
        'topic not allowed',
        `TopicArn ${message.TopicArn} is not in the allow list`,
      );
    }
    log.appendKeys({ topicArn: message.TopicArn });
    if (deps.requireSignatureVersion2 && message.SignatureVersion !== '2') {
      throw new SnsRejectedError(
        403,
        'signature version not accepted',
        `SignatureVersion ${message.SignatureVersion} refused: 2 is required`,
      );
    }
    assertFreshTimestamp(message.Timestamp, now());
    if (message.Type === 'SubscriptionConfirmation') assertConfirmableSubscribeUrl(message);
    await verifier.verifySignature(message);

    switch (message.Type) {
      case 'Notification':
        return enqueue(message, correlationId, log);
      case 'SubscriptionConfirmation':
        return confirmSubscription(message, log);
      case 'UnsubscribeConfirmation': {
        // Only a person should re-subscribe; following its SubscribeURL would undo the unsubscribe.
        // The line (topicArn, subscription) and the metric's alarm are how an operator learns of it.
        const subscriptionArn = headers.get(SNS_HEADERS.subscriptionArn);
        log.warn('Unsubscribe confirmation received: this endpoint no longer receives the topic', {
          ...(subscriptionArn !== undefined && LOGGABLE_ID.test(subscriptionArn)
            ? { subscriptionArn }
            : {}),
        });
        count(RECEIVER_METRICS.unsubscribeConfirmations);
        return 'unsubscribe acknowledged';
      }
    }
  }

  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const arriving: ArrivingEvent = event;
    const requestId: unknown = arriving.requestContext?.requestId;
    const correlationId =
      typeof requestId === 'string' && requestId.length > 0 ? requestId : randomUUID();
    // A child logger per request: its keys cannot leak into another request's lines.
    const log = deps.logger.createChild({ persistentKeys: { correlationId } });
    try {
      return respond(200, await handle(event, correlationId, log));
    } catch (error: unknown) {
      const failure = toFailure(error);
      const fields = {
        status: failure.status,
        reason: failure.publicReason,
        detail: failure.detail,
      };
      if (failure.level === 'info') log.info('Authentication challenge sent', fields);
      else if (failure.level === 'warn') log.warn('SNS message rejected', fields);
      else log.error('SNS message not delivered', fields);
      count(failure.metric);
      return respond(failure.status, failure.publicReason, failure.headers);
    } finally {
      try {
        deps.metrics?.publishStoredMetrics();
      } catch (error: unknown) {
        log.warn('Could not publish metrics', { error: errorName(error) });
      }
    }
  };
}
