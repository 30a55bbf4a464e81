/**
 * The worker's one S3 call, GetObject of the rules, as a SigV4-signed GET on node:https
 * (http-request.ts), without the S3 client package. That package ships about a hundred
 * operations and their middleware (checksums, XML, multi-region signing) to a function that calls
 * one: leaving it out makes the worker's cold start about a fifth shorter
 * (`npm run bench -- cold`; README, Performance). The signature is the AWS SDK's own signer
 * (@smithy/signature-v4) with the S3 client's settings (service `s3`, paths not escaped again,
 * `x-amz-content-sha256`); test/unit/s3-object-reader.test.ts checks it against the S3 client's
 * signature of the same request.
 *
 * - The URL: virtual-hosted (`https://<bucket>.s3.<region>.amazonaws.com/<key>`, `.com.cn` in
 *   China), path-style for a bucket name with a dot (TLS) or an endpoint set by
 *   AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, as the SDK honours them (the emulator in tests).
 * - As the worker's S3 client was set: two attempts, each within `timeoutMs`; a network error, a
 *   timeout, 429 or a 5xx is tried once more after a short jittered wait, anything else is not.
 * - A 304 (If-None-Match met) is `not-modified`; another non-2xx throws S3ReadError named by S3's
 *   error code (AccessDenied, NoSuchKey...), with the status and operation for the log.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { httpRequest, type HttpResponse, type HttpSend } from './http-request';

export interface RulesObjectRequest {
  bucket: string;
  key: string;
  /** The ETag last read: S3 answers 304 if the object still has it. */
  ifNoneMatch?: string;
}

export type RulesObjectAnswer =
  | { readonly kind: 'not-modified' }
  | {
      readonly kind: 'object';
      readonly etag?: string;
      readonly versionId?: string;
      /** As declared by S3; a body over the reader's cap is never read (`text()` rejects). */
      readonly contentLength?: number;
      text(): Promise<string>;
    };

/** GetObject as the rules source reads it (tests pass a plain object). */
export interface RulesObjectReader {
  get(request: RulesObjectRequest): Promise<RulesObjectAnswer>;
}

/** The process's AWS identity, as an SDK client resolves it. */
export interface AwsIdentity {
  region: () => Promise<string>;
  credentials: () => Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }>;
}

export interface SignedReaderOptions extends AwsIdentity {
  /** Each attempt's limit, body included. */
  timeoutMs: number;
  /** The largest body read (larger: `text()` rejects, the connection is dropped). */
  maxBodyBytes: number;
  /** An endpoint in place of S3's (path-style); by default AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL. */
  endpoint?: string;
  send?: HttpSend;
  /** The wait before the second attempt (default 50-150 ms). */
  retryDelayMs?: () => number;
}

/** S3 refused the GET: named by S3's error code, with the status (never the object's content). */
export class S3ReadError extends Error {
  readonly operation = 'GetObject';
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** What the signer hashes: text or bytes. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** SHA-256 and HMAC-SHA-256 on node:crypto, in the shape the signer takes. */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('not used by the signer');
  }
}

/** The key as a URL path: each segment escaped as S3 expects (RFC 3986), slashes kept. */
export function keyPath(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

/** Where the GET goes: the host and path (virtual-hosted, or path-style). */
export function objectUrl(
  bucket: string,
  key: string,
  region: string,
  endpoint: string | undefined,
): URL {
  if (endpoint !== undefined && endpoint !== '') {
    const base = new URL(endpoint);
    const prefix = base.pathname.replace(/\/+$/, '');
    return new URL(`${base.protocol}//${base.host}${prefix}/${bucket}/${keyPath(key)}`);
  }
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const s3Host = `s3.${region}.${suffix}`;
  return bucket.includes('.')
    ? new URL(`https://${s3Host}/${bucket}/${keyPath(key)}`)
    : new URL(`https://${bucket}.${s3Host}/${keyPath(key)}`);
}

/** S3's error code from its XML error body, if it has one. */
function errorCode(body: string): string | undefined {
  return /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(body)?.[1];
}

/** The AWS SDK's SigV4 signer as the S3 client sets it up. */
export function s3Signer(identity: AwsIdentity): SignatureV4 {
  return new SignatureV4({
    service: 's3',
    region: identity.region,
    credentials: identity.credentials,
    sha256: Sha256,
    // S3 signs the path as sent: its key segments are escaped once, by keyPath.
    uriEscapePath: false,
  });
}

export function signedObjectReader(options: SignedReaderOptions): RulesObjectReader {
  const send = options.send ?? ((url, init) => httpRequest(url, init, options.maxBodyBytes));
  const endpoint =
    options.endpoint ?? (process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL);
  const signer = s3Signer(options);
  const retryDelayMs = options.retryDelayMs ?? (() => 50 + Math.random() * 100);

  async function attempt(request: RulesObjectRequest): Promise<HttpResponse> {
    const url = objectUrl(request.bucket, request.key, await options.region(), endpoint);
    const signed = await signer.sign({
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port !== '' ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: {
        host: url.host,
        ...(request.ifNoneMatch !== undefined ? { 'if-none-match': request.ifNoneMatch } : {}),
      },
    });
    return send(url.href, {
      method: 'GET',
      headers: signed.headers,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  }

  /** One attempt, then a second after a short wait if the first failed or answered 429 or 5xx. */
  async function withOneRetry(request: RulesObjectRequest): Promise<HttpResponse> {
    try {
      const first = await attempt(request);
      if (first.status !== 429 && first.status < 500) return first;
    } catch {
      // A network error or timeout: tried once more, and its own error stands if it fails too.
    }
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs()));
    return attempt(request);
  }

  return {
    async get(request) {
      const response = await withOneRetry(request);
      if (response.status === 304) return { kind: 'not-modified' };
      if (!response.ok) {
        const body = await response.text().catch(() => '');
        const code = errorCode(body) ?? `Http${response.status}`;
        throw new S3ReadError(
          response.status,
          code,
          `GetObject s3://${request.bucket}/${request.key} answered ${response.status} ${code}`,
        );
      }
      const header = (name: string) => response.headers.get(name) ?? undefined;
      const etag = header('etag');
      const versionId = header('x-amz-version-id');
      const length = Number(header('content-length') ?? Number.NaN);
      return {
        kind: 'object',
        ...(etag !== undefined ? { etag } : {}),
        ...(versionId !== undefined ? { versionId } : {}),
        ...(Number.isFinite(length) ? { contentLength: length } : {}),
        text: () => response.text(),
      };
    },
  };
}
