/**
 * Covers the worker's signed GetObject (lambdas/adapters/s3-object-reader.ts). Its signature is
 * checked against the AWS SDK's S3 client: the client's own request for the same object, caught
 * before it leaves, has the same URL and payload hash, and its Authorization is reproduced exactly
 * by the reader's signer. Then the exchange with a scripted HTTP layer: what a 200 and a 304 give,
 * one retry for a network error, a timeout, 429 or a 5xx and none for a 4xx, and errors named by
 * S3's code. The wire protocol against an S3 emulator is test/integration/s3-rules-store.test.ts.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { HttpRequestInit, HttpResponse } from '../../lambdas/adapters/http-request';
import { ConfigError } from '../../lambdas/core/errors';
import { listenLocal, type LocalServer } from '../../sandbox/http-util';
import {
  configuredEndpoint,
  keyPath,
  objectUrl,
  refuseEndpointVariants,
  S3ReadError,
  s3Signer,
  signedObjectReader,
} from '../../lambdas/adapters/s3-object-reader';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};
const IDENTITY = {
  region: () => Promise.resolve('eu-west-2'),
  credentials: () => Promise.resolve(CREDENTIALS),
};

interface CaughtRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

/** The request the S3 client would send for GetObject, caught at its HTTP handler. */
async function sdkRequest(bucket: string, key: string, ifNoneMatch?: string) {
  let caught: CaughtRequest | undefined;
  const client = new S3Client({
    region: 'eu-west-2',
    credentials: CREDENTIALS,
    maxAttempts: 1,
    requestHandler: {
      handle: (request: CaughtRequest) => {
        caught = request;
        return Promise.reject(new Error('caught'));
      },
    },
  });
  await client
    .send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(ifNoneMatch !== undefined ? { IfNoneMatch: ifNoneMatch } : {}),
      }),
    )
    .catch(() => undefined);
  client.destroy();
  if (caught === undefined) throw new Error('the S3 client sent nothing');
  return caught;
}

/** The reader's requests, answered by a script of statuses or errors. */
function scripted(
  ...answers: ({ status: number; headers?: Record<string, string>; body?: string } | Error)[]
) {
  const sent: { url: string; init: HttpRequestInit }[] = [];
  const send = (url: string, init: HttpRequestInit): Promise<HttpResponse> => {
    sent.push({ url, init });
    const answer = answers.shift();
    if (answer === undefined) return Promise.reject(new Error('no more answers'));
    if (answer instanceof Error) return Promise.reject(answer);
    const headers = answer.headers ?? {};
    return Promise.resolve({
      status: answer.status,
      ok: answer.status >= 200 && answer.status < 300,
      headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
      text: () => Promise.resolve(answer.body ?? ''),
    });
  };
  const reader = signedObjectReader({
    ...IDENTITY,
    timeoutMs: 2_000,
    maxBodyBytes: 1024,
    endpoint: '',
    send,
    retryDelayMs: () => 0,
  });
  return { reader, sent };
}

const LOCATION = { bucket: 'rules-bucket', key: 'rules.json' };

describe('signed GetObject: the S3 client as reference', () => {
  it.each([
    ['a plain bucket', 'rules-bucket', 'rules.json', undefined],
    ['a conditional read', 'rules-bucket', 'rules.json', '"0123abcd"'],
    [
      'a key with a folder and characters to escape',
      'rules-bucket',
      "team rules/v1 (draft)'s*.json",
      undefined,
    ],
    ['a bucket name with a dot (path-style)', 'rules.example', 'rules.json', undefined],
  ])('%s: the same URL and payload hash as the S3 client', async (_, bucket, key, ifNoneMatch) => {
    const sdk = await sdkRequest(bucket, key, ifNoneMatch);
    const { reader, sent } = scripted({ status: 304 });
    await reader.get({ bucket, key, ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}) });

    const url = new URL(sent[0].url);
    expect(url.hostname).toBe(sdk.hostname);
    expect(url.pathname).toBe(sdk.path);
    expect(sent[0].init.headers?.host).toBe(sdk.hostname);
    const headers = sent[0].init.headers ?? {};
    expect(headers['x-amz-content-sha256']).toBe(sdk.headers['x-amz-content-sha256']);
    expect(headers['if-none-match']).toBe(sdk.headers['if-none-match']);
    expect(headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-2\/s3\/aws4_request, SignedHeaders=host;(if-none-match;)?x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });

  it("reproduces the S3 client's own signature of its request exactly", async () => {
    const sdk = await sdkRequest('rules-bucket', 'team rules/v1 (draft).json', '"0123abcd"');
    const { authorization, ...unsigned } = sdk.headers;
    const amzDate = sdk.headers['x-amz-date'];
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const signed = await s3Signer(IDENTITY).sign({ ...sdk, headers: unsigned }, { signingDate });

    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(signed.headers.authorization).toBe(authorization);
  });
});

describe('signed GetObject: URL', () => {
  it('escapes each key segment once and keeps the slashes', () => {
    expect(keyPath("a b/c+d/(e)'!*.json")).toBe('a%20b/c%2Bd/%28e%29%27%21%2A.json');
  });

  it.each([
    ['ca-central-1', 'https://b.s3.ca-central-1.amazonaws.com/k'],
    ['us-gov-west-1', 'https://b.s3.us-gov-west-1.amazonaws.com/k'],
    ['cn-north-1', 'https://b.s3.cn-north-1.amazonaws.com.cn/k'],
    ['eusc-de-east-1', 'https://b.s3.eusc-de-east-1.amazonaws.eu/k'],
    ['us-iso-east-1', 'https://b.s3.us-iso-east-1.c2s.ic.gov/k'],
  ])("names %s's S3 host under its partition's DNS suffix", (region, url) => {
    expect(objectUrl('b', 'k', region, undefined).href).toBe(url);
  });

  it('refuses a region of no known partition rather than guess a host', () => {
    expect(() => objectUrl('b', 'k', 'xx-nowhere-1', undefined)).toThrow(
      'no S3 endpoint known for region xx-nowhere-1',
    );
  });

  it('takes the S3 endpoint before the general one, as the SDK does, and none when told to ignore them', () => {
    const both = { AWS_ENDPOINT_URL_S3: 'http://s3.local', AWS_ENDPOINT_URL: 'http://all.local' };
    expect(configuredEndpoint(both)).toBe('http://s3.local');
    expect(configuredEndpoint({ AWS_ENDPOINT_URL: 'http://all.local' })).toBe('http://all.local');
    expect(configuredEndpoint({ ...both, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBe(
      undefined,
    );
    expect(configuredEndpoint({ AWS_ENDPOINT_URL_S3: '' })).toBe(undefined);
  });

  it('refuses at start a FIPS or dual-stack endpoint it cannot honour', () => {
    expect(() => {
      refuseEndpointVariants({ AWS_USE_FIPS_ENDPOINT: 'true' });
    }).toThrow(ConfigError);
    expect(() => {
      refuseEndpointVariants({ AWS_USE_DUALSTACK_ENDPOINT: 'TRUE' });
    }).toThrow('AWS_USE_DUALSTACK_ENDPOINT is set');
    expect(() => {
      refuseEndpointVariants({ AWS_USE_FIPS_ENDPOINT: 'false' });
    }).not.toThrow();
    expect(() => {
      refuseEndpointVariants({});
    }).not.toThrow();
  });

  it('goes path-style to a configured endpoint, keeping its port and path', () => {
    expect(objectUrl('b', 'r/k.json', 'us-east-1', 'http://127.0.0.1:4566/').href).toBe(
      'http://127.0.0.1:4566/b/r/k.json',
    );
    expect(objectUrl('b', 'k', 'us-east-1', 'https://proxy.example/s3').href).toBe(
      'https://proxy.example/s3/b/k',
    );
  });
});

describe('signed GetObject: answers', () => {
  it('gives the object with its ETag, version and declared length, and its body on request', async () => {
    const { reader } = scripted({
      status: 200,
      headers: { etag: '"e1"', 'x-amz-version-id': 'v1', 'content-length': '7' },
      body: '{"a":1}',
    });
    const answer = await reader.get(LOCATION);
    expect(answer).toMatchObject({
      kind: 'object',
      etag: '"e1"',
      versionId: 'v1',
      contentLength: 7,
    });
    if (answer.kind !== 'object') throw new Error('expected an object');
    await expect(answer.text()).resolves.toBe('{"a":1}');
  });

  it('leaves out what S3 did not send', async () => {
    const answer = await scripted({ status: 200, body: '{}' }).reader.get(LOCATION);
    expect(Object.keys(answer).sort()).toEqual(['kind', 'text']);
  });

  it('reads a 304 as not modified', async () => {
    const { reader, sent } = scripted({ status: 304 });
    await expect(reader.get({ ...LOCATION, ifNoneMatch: '"e1"' })).resolves.toEqual({
      kind: 'not-modified',
    });
    expect(sent).toHaveLength(1);
  });

  it.each([
    ['a network error', new Error('socket hang up')],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['503 SlowDown', { status: 503, body: '<Error><Code>SlowDown</Code></Error>' }],
    ['500', { status: 500 }],
    ['429', { status: 429 }],
  ])('tries once more after %s', async (_, first) => {
    const { reader, sent } = scripted(first, { status: 200, body: '{}' });
    await expect(reader.get(LOCATION)).resolves.toMatchObject({ kind: 'object' });
    expect(sent).toHaveLength(2);
    // Each attempt is signed afresh, with its own timeout.
    expect(sent[1].init.headers?.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(sent[1].init.signal).not.toBe(sent[0].init.signal);
  });

  it('gives up after the second attempt, with its error (the first as its cause)', async () => {
    const first = new Error('socket hang up');
    const second = new Error('connect ECONNREFUSED');
    await expect(scripted(first, second).reader.get(LOCATION)).rejects.toBe(second);
    expect(second.cause).toBe(first);
    const error: unknown = await scripted(
      { status: 500 },
      { status: 503, body: '<Error><Code>SlowDown</Code></Error>' },
    )
      .reader.get(LOCATION)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SlowDown', status: 503 });
  });

  it.each([
    [
      403,
      'AccessDenied',
      '<Error><Code>AccessDenied</Code><Message>Denied</Message></Error>',
      ': Denied',
    ],
    [404, 'NoSuchKey', '<Error><Code>NoSuchKey</Code></Error>', ''],
    [301, 'PermanentRedirect', '<Error><Code>PermanentRedirect</Code></Error>', ''],
    [400, 'Http400', '', ''],
  ])('does not retry a %i: an S3ReadError named %s', async (status, name, body, said) => {
    const { reader, sent } = scripted({ status, body });
    const error: unknown = await reader.get(LOCATION).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ReadError);
    expect(error).toMatchObject({ name, status, operation: 'GetObject' });
    expect((error as Error).message).toBe(
      `GetObject s3://rules-bucket/rules.json answered ${status} ${name}${said}`,
    );
    expect(sent).toHaveLength(1);
  });
});

describe('signed GetObject: over HTTP, to a server that checks the signature itself', () => {
  /** SigV4 as AWS specifies it, computed here from what the server received, for S3 (no body). */
  function signatureHolds(method: string, rawPath: string, headers: IncomingHttpHeaders): boolean {
    const auth = String(headers.authorization);
    const parts =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (parts === null) return false;
    const [, accessKeyId, day, region, signedHeaders, signature] = parts;
    if (accessKeyId !== CREDENTIALS.accessKeyId) return false;
    const canonicalHeaders = signedHeaders
      .split(';')
      .map((name) => `${name}:${String(headers[name]).trim()}\n`)
      .join('');
    const [path, query = ''] = rawPath.split('?');
    const canonicalRequest = [
      method,
      path,
      query,
      canonicalHeaders,
      signedHeaders,
      String(headers['x-amz-content-sha256']),
    ].join('\n');
    const stringToSign = [
      'AWS4-HMAC-SHA256',
      String(headers['x-amz-date']),
      `${day}/${region}/s3/aws4_request`,
      createHash('sha256').update(canonicalRequest).digest('hex'),
    ].join('\n');
    const hmac = (key: string | Buffer, data: string) =>
      createHmac('sha256', key).update(data).digest();
    let key = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day);
    for (const part of [region, 's3', 'aws4_request']) key = hmac(key, part);
    return hmac(key, stringToSign).toString('hex') === signature;
  }

  type Reply = (response: ServerResponse) => void;
  const received: { path: string; signed: boolean; headers: IncomingHttpHeaders }[] = [];
  let reply: Reply = (response) => response.writeHead(304).end();
  let server: LocalServer;
  let endpoint: string;

  beforeAll(async () => {
    server = await listenLocal((request, response) => {
      const path = request.url ?? '';
      received.push({
        path,
        signed: signatureHolds(request.method ?? '', path, request.headers),
        headers: request.headers,
      });
      reply(response);
    });
    endpoint = server.url;
  });

  afterAll(() => server.close());

  beforeEach(() => {
    received.length = 0;
  });

  const reader = (timeoutMs = 2_000) =>
    signedObjectReader({
      ...IDENTITY,
      timeoutMs,
      maxBodyBytes: 1024,
      endpoint,
      retryDelayMs: () => 0,
    });

  it.each(['rules.json', "team rules/v1 (draft)'s*~.json", 'ü/ä+=&?#.json'])(
    'the request as sent, key %s, carries a signature of exactly what was sent',
    async (key) => {
      reply = (response) => response.writeHead(304).end();
      await expect(
        reader().get({ bucket: 'rules-bucket', key, ifNoneMatch: '"e1"' }),
      ).resolves.toEqual({
        kind: 'not-modified',
      });
      expect(received).toHaveLength(1);
      expect(received[0].path).toBe(`/rules-bucket/${keyPath(key)}`);
      expect(received[0].headers.host).toBe(new URL(endpoint).host);
      expect(received[0].signed).toBe(true);
      // The check has teeth: the same headers do not hold for another path or host.
      const { path, headers } = received[0];
      expect(signatureHolds('GET', `${path}x`, headers)).toBe(false);
      expect(signatureHolds('GET', path, { ...headers, host: 'elsewhere.example' })).toBe(false);
      expect(String(received[0].headers.authorization)).toContain(
        'SignedHeaders=host;if-none-match;x-amz-content-sha256;x-amz-date;x-amz-security-token,',
      );
    },
  );

  it('an attempt that gets no answer ends at its timeout, and the read fails after two', async () => {
    reply = () => undefined;
    const error: unknown = await reader(100)
      .get(LOCATION)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect((error as Error).cause).toMatchObject({ name: 'TimeoutError' });
    expect(received).toHaveLength(2);
  });

  it('a body declared over the cap is reported by its length and never read', async () => {
    reply = (response) =>
      response.writeHead(200, { 'content-length': '2048', etag: '"big"' }).end('x'.repeat(2048));
    const answer = await reader().get(LOCATION);
    expect(answer).toMatchObject({ kind: 'object', contentLength: 2048, etag: '"big"' });
    if (answer.kind !== 'object') throw new Error('expected an object');
    await expect(answer.text()).rejects.toMatchObject({ name: 'HttpBodyTooLargeError' });
  });

  it("an error answer's message is cut to 200 characters", async () => {
    reply = (response) =>
      response
        .writeHead(403)
        .end(`<Error><Code>AccessDenied</Code><Message>${'m'.repeat(500)}</Message></Error>`);
    const error: unknown = await reader()
      .get(LOCATION)
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `GetObject s3://rules-bucket/rules.json answered 403 AccessDenied: ${'m'.repeat(200)}`,
    );
  });
});
