/**
 * What every receiver suite checks of an answer, in one place: a delivery as API Gateway passes
 * it; a notification taken in (200, its queued envelope and attributes, the certificate fetched);
 * and a refusal's shape (its status, nothing enqueued, a short JSON reason that echoes no input:
 * never the message's content marker, the subscription token, or any other secret given).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { SignedSnsMessage } from '../../sandbox/sns-signing';
import {
  CERT_URL,
  CONTENT_MARKER,
  EVENT_MESSAGE,
  TOKEN,
  TOPIC_ARN,
  apiEvent,
} from './sns-fixtures';
import type { ReceiverSetup } from './receiver-harness';

/** Posts `message` as JSON, as API Gateway passes a request, with `requestId` as its id. */
export function deliver<T>(
  receive: (event: ReturnType<typeof apiEvent>) => Promise<T>,
  message: SignedSnsMessage | Record<string, unknown>,
  requestId = 'req-0001',
): Promise<T> {
  return receive(apiEvent(JSON.stringify(message), { requestId }));
}

/** The response's one public field, `message`, a string. */
export function publicMessage(result: APIGatewayProxyResult): string {
  const body = JSON.parse(result.body) as { message: unknown };
  expect(Object.keys(body)).toEqual(['message']);
  expect(typeof body.message).toBe('string');
  return body.message as string;
}

/** A refusal: `status`, nothing sent to the queue, a short reason that quotes none of `secrets`. */
export function expectRefused(
  result: APIGatewayProxyResult,
  status: number,
  { queue }: { queue: { sends: readonly unknown[] } },
  secrets: readonly string[] = [],
): void {
  expect(result.statusCode).toBe(status);
  expect(queue.sends).toHaveLength(0);
  expect(publicMessage(result).length).toBeLessThan(80);
  for (const secret of [CONTENT_MARKER, TOKEN, ...secrets])
    expect(result.body).not.toContain(secret);
}

/**
 * A notification taken in: 200 with a JSON body, the one send its queued envelope (the fixture
 * event on TOPIC_ARN) with the message and request ids as attributes, the certificate fetched once.
 */
export function expectEnqueued(
  result: APIGatewayProxyResult,
  { queue, http }: Pick<ReceiverSetup, 'queue' | 'http'>,
  message: SignedSnsMessage,
  correlationId: string,
): void {
  expect(result.statusCode).toBe(200);
  expect(result.headers).toMatchObject({ 'content-type': 'application/json' });
  expect(queue.sends).toEqual([
    {
      event: {
        version: 1,
        origin: 'sns',
        topicArn: TOPIC_ARN,
        snsMessageId: message.MessageId,
        publishedAt: message.Timestamp,
        message: EVENT_MESSAGE,
      },
      attributes: { snsMessageId: message.MessageId, correlationId },
    },
  ]);
  expect(http.urls()).toEqual([CERT_URL]);
}
