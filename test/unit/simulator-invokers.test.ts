/**
 * The sandbox's local invokers, without emulators: the HTTP API's payload 1.0 proxy event built
 * from a request (header names lower-cased, repeats, query, body, request context), the local API
 * server calling a handler and writing its result back (404 off its route, 500 when it throws), and the SQS poller's mapping
 * of messages to Lambda records and of batchItemFailures to deletions. The poller's loop against
 * a real queue runs in test/e2e.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Message } from '@aws-sdk/client-sqs';
import { startLocalApi, toProxyEvent } from '../../sandbox/local-api';
import { succeededRecords, toSqsRecord } from '../../sandbox/sqs-poller';

describe('toProxyEvent', () => {
  const base = { method: 'POST', sourceIp: '127.0.0.1', host: '127.0.0.1:3000' };

  it('lower-cases header names, keeps the last value in headers and every value in multiValueHeaders', () => {
    const event = toProxyEvent(
      {
        ...base,
        url: '/sns',
        rawHeaders: [
          'Content-Type',
          'text/plain; charset=UTF-8',
          'x-amz-sns-message-type',
          'Notification',
          'X-Dup',
          'a',
          'X-Dup',
          'b',
          'User-Agent',
          'Amazon Simple Notification Service Agent',
        ],
        body: '{"Type":"Notification"}',
      },
      { resource: '/sns', stage: '$default', requestId: 'req-1' },
    );
    expect(event.headers).toEqual({
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-dup': 'b',
      'user-agent': 'Amazon Simple Notification Service Agent',
    });
    expect(event.multiValueHeaders['x-dup']).toEqual(['a', 'b']);
    expect(event).toMatchObject({
      httpMethod: 'POST',
      path: '/sns',
      resource: '/sns',
      body: '{"Type":"Notification"}',
      isBase64Encoded: false,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      requestContext: {
        requestId: 'req-1',
        stage: '$default',
        path: '/sns',
        resourcePath: '/sns',
        httpMethod: 'POST',
      },
    });
    expect(event.requestContext.identity).toMatchObject({
      sourceIp: '127.0.0.1',
      userAgent: 'Amazon Simple Notification Service Agent',
    });
  });

  it('passes the query string and gives a null body for an empty one', () => {
    const event = toProxyEvent(
      { ...base, url: '/sns?a=1&a=2&b=x', rawHeaders: [], body: '' },
      { resource: '/sns', stage: 'local' },
    );
    expect(event.queryStringParameters).toEqual({ a: '2', b: 'x' });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'], b: ['x'] });
    expect(event.body).toBeNull();
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('startLocalApi', () => {
  it('invokes the handler for POST on its route and writes the result back', async () => {
    const events: APIGatewayProxyEvent[] = [];
    const api = await startLocalApi({
      handler: async (event) => {
        events.push(event);
        return {
          statusCode: 201,
          headers: { 'x-answer': 'yes' },
          body: JSON.stringify({ got: event.body }),
        };
      },
    });
    try {
      const res = await fetch(api.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
        body: 'hello',
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-answer')).toBe('yes');
      expect(await res.json()).toEqual({ got: 'hello' });
      expect(events).toHaveLength(1);

      const get = await fetch(api.endpoint);
      expect(get.status).toBe(404);
      expect(await get.json()).toEqual({ message: 'Not Found' });
      expect((await fetch(`${api.url}/other`, { method: 'POST', body: 'x' })).status).toBe(404);
      expect(events).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it('answers 500 when the handler throws, as an HTTP API does', async () => {
    const errors: unknown[] = [];
    const api = await startLocalApi({
      handler: async () => {
        throw new Error('boom');
      },
      onHandlerError: (error) => errors.push(error),
    });
    try {
      const res = await fetch(api.endpoint, { method: 'POST', body: 'x' });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ message: 'Internal Server Error' });
      expect(errors).toHaveLength(1);
    } finally {
      await api.close();
    }
  });
});

describe('SQS poller mapping', () => {
  const message = (id: string): Message => ({
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: '{"version":1}',
    MD5OfBody: 'md5',
    Attributes: {
      ApproximateReceiveCount: '2',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: '1700000000100',
    },
    MessageAttributes: { correlationId: { DataType: 'String', StringValue: 'corr-1' } },
  });

  it('builds the record Lambda delivers', () => {
    expect(toSqsRecord(message('m1'), 'arn:aws:sqs:us-east-1:000000000000:q', 'us-east-1')).toEqual(
      {
        messageId: 'm1',
        receiptHandle: 'rh-m1',
        body: '{"version":1}',
        attributes: {
          ApproximateReceiveCount: '2',
          SentTimestamp: '1700000000000',
          SenderId: 'AIDA',
          ApproximateFirstReceiveTimestamp: '1700000000100',
        },
        messageAttributes: {
          correlationId: {
            stringValue: 'corr-1',
            stringListValues: [],
            binaryListValues: [],
            dataType: 'String',
          },
        },
        md5OfBody: 'md5',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
        awsRegion: 'us-east-1',
      },
    );
  });

  const records = ['a', 'b', 'c'].map((id) => toSqsRecord(message(id), 'arn', 'us-east-1'));
  const ids = (list: { messageId: string }[]) => list.map((r) => r.messageId);

  it('deletes every record not reported as failed', () => {
    expect(
      ids(succeededRecords(records, { batchItemFailures: [{ itemIdentifier: 'b' }] })),
    ).toEqual(['a', 'c']);
    expect(ids(succeededRecords(records, { batchItemFailures: [] }))).toEqual(['a', 'b', 'c']);
    expect(ids(succeededRecords(records, undefined))).toEqual(['a', 'b', 'c']);
  });

  it('deletes nothing when the handler threw or named a record not in the batch', () => {
    expect(succeededRecords(records, 'threw')).toEqual([]);
    expect(succeededRecords(records, { batchItemFailures: [{ itemIdentifier: 'zzz' }] })).toEqual(
      [],
    );
    expect(succeededRecords(records, { batchItemFailures: [{ itemIdentifier: '' }] })).toEqual([]);
  });
});
