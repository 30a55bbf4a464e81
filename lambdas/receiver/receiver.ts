/**
 * The SNS HTTPS endpoint behind API Gateway (HTTP API, Lambda payload format 1.0) or its own
 * function URL (payload format 2.0; config `ingress`, `ReceiverEvent`). It accepts
 * only genuine SNS messages from allowed topics (a method other than POST is refused (405) before
 * anything else, then a request without the SNS message type header; then, when a shared secret
 * is configured, only with its HTTP Basic credentials), confirms subscriptions, and puts each
 * notification on the events queue. It answers 2xx only once the work is done, 4xx for messages
 * that will never be acceptable (SNS does not retry them) and 5xx for failures worth a retry (SNS
 * retries those).
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsSink } from '../adapters/observability';
import type { QueuedEvent } from '../core/events';
import { RECEIVER_METRICS } from '../core/metric-names';
import type { EventQueue, HttpGet } from '../core/ports';
import {
  SnsRejectedError,
  SnsUpstreamError,
  assertFreshTimestamp,
  createSnsVerifier,
  parseSnsEnvelope,
  type SnsNotification,
  type SnsSubscriptionConfirmation,
} from '../adapters/sns-verifier';
import { assertAuthorized } from './authorize';
import { MethodNotAllowedError, errorName, respond, toFailure } from './failures';
import { type RequestLog, requestLog } from './request-log';
import {
  LOGGABLE_ID,
  SNS_HEADERS,
  SNS_METHOD,
  assertConfirmableSubscribeUrl,
  assertHeadersAgree,
  assertSnsDelivery,
  bodyText,
  lowerCaseHeaders,
  parseJson,
  requestMethod,
  type ArrivingEvent,
  type ReceiverEvent,
} from './sns-request';

export interface ReceiverDeps {
  allowedTopicArns: readonly string[];
  queue: EventQueue;
  /** Used for the signing certificate download and the SubscribeURL GET. */
  httpGet: HttpGet;
  logger: Logger;
  /**
   * Built on the first metric (adapters/observability.ts onFirstMetric). A normal delivery writes
   * none (the no-delivery alarm counts the events queue's NumberOfMessagesSent), so an execution
   * environment that only delivers never builds them. Absent, nothing is counted.
   */
  metrics?: MetricsSink;
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

/** The body size cap (sns-request.ts), for the tests that size bodies against it. */
export { MAX_BODY_BYTES } from './sns-request';

/** Leaves time for the certificate fetch (3 s) inside SNS's 15 s delivery timeout. */
const SUBSCRIBE_TIMEOUT_MS = 5000;

/**
 * Creates the receiver Lambda handler. Its certificate cache lives as long as the returned
 * function, i.e. one Lambda execution environment.
 */
export function createReceiver(
  deps: ReceiverDeps,
): (event: ReceiverEvent) => Promise<APIGatewayProxyResult> {
  const now = deps.now ?? (() => new Date());
  const allowedTopics = new Set(deps.allowedTopicArns);
  const verifier = createSnsVerifier({ httpGet: deps.httpGet, now });

  const { metrics } = deps;
  function count(metric: string): void {
    metrics?.addMetric(metric, MetricUnit.Count, 1);
  }

  async function enqueue(
    message: SnsNotification,
    correlationId: string,
    log: RequestLog,
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
    // DEBUG: a normal delivery writes no log line and no metric (each logged byte is billed). The
    // worker's line carries the same snsMessageId and correlationId, and the events queue's own
    // NumberOfMessagesSent (AWS/SQS, free) counts deliveries for the NoDeliveries alarm.
    log.debug('Notification enqueued', { sqsMessageId });
    return 'enqueued';
  }

  async function confirmSubscription(
    message: SnsSubscriptionConfirmation,
    log: RequestLog,
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
    event: ReceiverEvent,
    correlationId: string,
    log: RequestLog,
  ): Promise<string> {
    // A function URL passes any method: only POST can be a delivery (the HTTP API routes only it).
    const method = requestMethod(event);
    if (method !== SNS_METHOD) throw new MethodNotAllowedError(method);
    const headers = lowerCaseHeaders(event.headers);
    // Until the body is parsed, the id SNS puts in the header ties the lines to the message.
    const headerMessageId = headers.get(SNS_HEADERS.messageId);
    if (headerMessageId !== undefined && LOGGABLE_ID.test(headerMessageId))
      log.appendKeys({ snsMessageId: headerMessageId });
    assertSnsDelivery(headers);
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

  return async (event: ReceiverEvent): Promise<APIGatewayProxyResult> => {
    const arriving: ArrivingEvent = event;
    const requestId: unknown = arriving.requestContext?.requestId;
    const correlationId =
      typeof requestId === 'string' && requestId.length > 0 ? requestId : randomUUID();
    // Keys of this request only: they cannot leak into another request's lines (request-log.ts).
    const log = requestLog(deps.logger, { correlationId });
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
        // Nothing stored (a detail metric left out): no empty EMF document, no Powertools warning.
        if (metrics?.hasStoredMetrics() === true) metrics.publishStoredMetrics();
      } catch (error: unknown) {
        log.warn('Could not publish metrics', { error: errorName(error) });
      }
    }
  };
}
