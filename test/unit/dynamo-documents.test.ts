/**
 * Covers the stores' documents on the low-level DynamoDB client (lambdas/adapters/dynamo-documents.ts),
 * at the SDK boundary: a request handler of our own stands for DynamoDB, keeps each request's
 * target and body, and answers with a canned body. Through one client with cached middleware,
 * successive calls each send their own input (lib-dynamodb's document client refuses such a
 * client: why the functions no longer use it). The bodies are the
 * ones lib-dynamodb's document client sends for the same input, byte for byte, for every kind of
 * value the stores write; items come back as it gives them; errors come through as the SDK throws
 * them.
 */
import { Readable } from 'node:stream';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { cachedDynamoClient, Documents } from '../../lambdas/adapters/dynamo-documents';
import { isConditionFailure } from '../../lambdas/adapters/dynamo-writes';

interface Sent {
  target: string;
  body: string;
}

interface Answer {
  status?: number;
  body: unknown;
}

/** A client configuration whose requests go to `answer`, each kept in `sent`. */
function stubDynamo(answer: (sent: Sent) => Answer = () => ({ body: {} })): {
  config: DynamoDBClientConfig;
  sent: Sent[];
} {
  const sent: Sent[] = [];
  const config: DynamoDBClientConfig = {
    region: 'ca-central-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
        const text =
          request.body instanceof Uint8Array
            ? new TextDecoder().decode(request.body)
            : String(request.body);
        const one = { target: request.headers['x-amz-target'] ?? '', body: text };
        sent.push(one);
        const { status = 200, body } = answer(one);
        return Promise.resolve({
          response: {
            statusCode: status,
            headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r-1' },
            body: Readable.from([Buffer.from(JSON.stringify(body))]),
          },
        });
      },
    },
  };
  return { config, sent };
}

const TABLE = 'OfferTable';
const key = (id: string) => ({ pk: `OFFER#${id}`, sk: 'OFFER' });

/** Every kind of value the stores write: the facts, a decision, seen events, a counter's set. */
const VALUES = {
  ':text': 'in_progress',
  ':empty': '',
  ':int': 1_777_777_777_000,
  ':negative': -1,
  ':fraction': 0.5,
  ':true': true,
  ':false': false,
  ':null': null,
  ':noEvents': [],
  ':seenEvent': [{ name: 'OfferMatched', at: '2026-05-01T08:00:00.000Z', eventId: 'e-1' }],
  ':decision': {
    state: 'applied',
    action: 'decline',
    ownOffer: true,
    dryRun: false,
    offers: [{ offerId: 'o-1', result: 'declined', reasonCode: null }],
    nested: { deeper: { list: [1, 'two', [3]], flag: true } },
    missing: undefined,
  },
  ':unit': new Set(['offer#o-1']),
  ':skipped': undefined,
};

/** The same item in DynamoDB's form, as an answer carries it, and in JavaScript values. */
const STORED = {
  pk: { S: 'COUNTER#2026-05' },
  accepts: { N: '3' },
  big: { N: '12345678901234567890' },
  units: { SS: ['offer#o-1', 'shift#s-1'] },
  counts: { NS: ['1', '2.5'] },
  decision: {
    M: {
      state: { S: 'applied' },
      dryRun: { BOOL: false },
      reasonCode: { NULL: true },
      offers: { L: [{ M: { offerId: { S: 'o-1' } } }, { S: '' }] },
    },
  },
};

describe('Documents on a client with cached middleware', () => {
  it('sends each call its own input, one call after another and side by side', async () => {
    const { config, sent } = stubDynamo();
    const documents = new Documents(cachedDynamoClient(config));
    for (const id of ['a', 'b', 'c']) {
      await documents.update({
        TableName: TABLE,
        Key: key(id),
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': id },
      });
    }
    await Promise.all(['d', 'e'].map((id) => documents.get({ TableName: TABLE, Key: key(id) })));
    await documents.delete({ TableName: TABLE, Key: key('f') });
    await documents.get({ TableName: TABLE, Key: key('g'), ConsistentRead: true });

    expect(sent.map(({ target, body }) => [target, JSON.parse(body) as unknown])).toEqual([
      ...['a', 'b', 'c'].map((id) => [
        'DynamoDB_20120810.UpdateItem',
        {
          TableName: TABLE,
          Key: { pk: { S: `OFFER#${id}` }, sk: { S: 'OFFER' } },
          UpdateExpression: 'SET n = :n',
          ExpressionAttributeValues: { ':n': { S: id } },
        },
      ]),
      ...['d', 'e'].map((id) => [
        'DynamoDB_20120810.GetItem',
        { TableName: TABLE, Key: { pk: { S: `OFFER#${id}` }, sk: { S: 'OFFER' } } },
      ]),
      [
        'DynamoDB_20120810.DeleteItem',
        { TableName: TABLE, Key: { pk: { S: 'OFFER#f' }, sk: { S: 'OFFER' } } },
      ],
      [
        'DynamoDB_20120810.GetItem',
        {
          TableName: TABLE,
          Key: { pk: { S: 'OFFER#g' }, sk: { S: 'OFFER' } },
          ConsistentRead: true,
        },
      ],
    ]);
  });

  it('which lib-dynamodb’s document client refuses', () => {
    // Its commands' resolved handlers send the command they were resolved for: cached, the first
    // call's input would go out on every later call. If this ever stops throwing, see
    // dynamo-documents.ts before using lib-dynamodb again.
    const { config } = stubDynamo();
    expect(() =>
      DynamoDBDocumentClient.from(new DynamoDBClient({ ...config, cacheMiddleware: true })),
    ).toThrow(/cacheMiddleware/);
  });
});

describe('the same requests and items as lib-dynamodb’s document client', () => {
  /** The bodies each sends for `call`, and what each gives back, DynamoDB answering `answer`. */
  async function both<T>(
    call: (ours: Documents, theirs: DynamoDBDocumentClient) => [Promise<T>, Promise<T>],
    answer: unknown = {},
  ) {
    const ourStub = stubDynamo(() => ({ body: answer }));
    const theirStub = stubDynamo(() => ({ body: answer }));
    const [ours, theirs] = call(
      new Documents(cachedDynamoClient(ourStub.config)),
      DynamoDBDocumentClient.from(new DynamoDBClient(theirStub.config)),
    );
    return {
      results: [await ours, await theirs],
      bodies: [ourStub.sent.map((s) => s.body), theirStub.sent.map((s) => s.body)],
    };
  }

  it('UpdateItem: every kind of value, byte for byte (undefined at the top left out)', async () => {
    const input = {
      TableName: TABLE,
      Key: key('o-1'),
      UpdateExpression: 'SET #d = :decision ADD units :unit',
      ConditionExpression: 'attribute_not_exists(#d) OR #d.#s <> :text',
      ExpressionAttributeNames: { '#d': 'decision', '#s': 'state' },
      ReturnValues: 'UPDATED_NEW' as const,
    };
    // `missing` is nested, where undefined is refused; without it, the rest is sent.
    const { missing: _missing, ...decision } = VALUES[':decision'];
    const values = { ...VALUES, ':decision': decision };
    const { bodies, results } = await both(
      (ours, theirs) => [
        ours.update({ ...input, ExpressionAttributeValues: values }),
        theirs
          .send(new UpdateCommand({ ...input, ExpressionAttributeValues: values }))
          .then(({ Attributes }) => ({ Attributes })),
      ],
      { Attributes: STORED },
    );
    const [ourBodies, theirBodies] = bodies;
    expect(ourBodies).toEqual(theirBodies);
    expect(ourBodies).toHaveLength(1);
    const sent = JSON.parse(ourBodies[0] ?? '') as { ExpressionAttributeValues: object };
    expect(Object.keys(sent.ExpressionAttributeValues)).not.toContain(':skipped');
    expect(sent.ExpressionAttributeValues).toMatchObject({
      ':empty': { S: '' },
      ':null': { NULL: true },
      ':noEvents': { L: [] },
      ':unit': { SS: ['offer#o-1'] },
    });
    const [ourResult, theirResult] = results;
    expect(ourResult).toEqual(theirResult);
    expect(ourResult.Attributes?.units).toEqual(new Set(['offer#o-1', 'shift#s-1']));
    expect(ourResult.Attributes?.big).toBe(12345678901234567890n);
  });

  it('refuses an undefined value inside a map or list, as lib-dynamodb does', async () => {
    const input = {
      TableName: TABLE,
      Key: key('o-1'),
      UpdateExpression: 'SET #d = :decision',
      ExpressionAttributeValues: { ':decision': VALUES[':decision'] },
    };
    const { config, sent } = stubDynamo();
    const theirs = DynamoDBDocumentClient.from(new DynamoDBClient(config));
    const error = await theirs.send(new UpdateCommand(input)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    await expect(new Documents(cachedDynamoClient(config)).update(input)).rejects.toThrow(
      (error as Error).message,
    );
    expect(sent).toEqual([]);
  });

  it('GetItem and DeleteItem: the same bodies, the item given back the same', async () => {
    const get = {
      TableName: TABLE,
      Key: key('o-1'),
      ConsistentRead: true,
      ProjectionExpression: 'pk',
    };
    const got = await both(
      (ours, theirs) => [
        ours.get(get),
        theirs.send(new GetCommand(get)).then(({ Item }) => ({ Item })),
      ],
      { Item: STORED },
    );
    expect(got.bodies[0]).toEqual(got.bodies[1]);
    expect(got.results[0]).toEqual(got.results[1]);
    expect(got.results[0]?.Item?.decision).toEqual({
      state: 'applied',
      dryRun: false,
      reasonCode: null,
      offers: [{ offerId: 'o-1' }, ''],
    });
    expect(got.results[0]?.Item?.counts).toEqual(new Set([1, 2.5]));

    const missing = await both((ours, theirs) => [
      ours.get(get),
      theirs.send(new GetCommand(get)).then(({ Item }) => ({ Item })),
    ]);
    expect(missing.results).toEqual([{ Item: undefined }, { Item: undefined }]);

    const remove = {
      TableName: TABLE,
      Key: key('o-1'),
      ConditionExpression: '#s = :text',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':text': 'in_progress' },
    };
    const deleted = await both((ours, theirs) => [
      ours.delete(remove),
      theirs.send(new DeleteCommand(remove)).then(({ Attributes }) => ({ Attributes })),
    ]);
    expect(deleted.bodies[0]).toEqual(deleted.bodies[1]);
    expect(deleted.results[0]).toEqual(deleted.results[1]);
  });
});

describe('errors', () => {
  it('a refused condition comes through as the SDK’s ConditionalCheckFailedException', async () => {
    const { config } = stubDynamo(() => ({
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
      },
    }));
    const documents = new Documents(cachedDynamoClient(config));
    const update = {
      TableName: TABLE,
      Key: key('o-1'),
      UpdateExpression: 'SET n = :n',
      ConditionExpression: 'attribute_not_exists(pk)',
      ExpressionAttributeValues: { ':n': 1 },
    };
    // Twice: the second through the cached handler.
    for (let i = 0; i < 2; i += 1) {
      const error = await documents.update(update).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConditionalCheckFailedException);
      expect(isConditionFailure(error)).toBe(true);
      expect(error).toMatchObject({
        name: 'ConditionalCheckFailedException',
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
      });
    }
    const theirs = DynamoDBDocumentClient.from(new DynamoDBClient(config));
    const their = await theirs.send(new UpdateCommand(update)).catch((e: unknown) => e);
    expect(their).toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('any other error too, untouched', async () => {
    const { config } = stubDynamo(() => ({
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
        message: 'Requested resource not found',
      },
    }));
    await expect(
      new Documents(cachedDynamoClient(config)).get({ TableName: TABLE, Key: key('o-1') }),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Requested resource not found',
    });
  });
});
