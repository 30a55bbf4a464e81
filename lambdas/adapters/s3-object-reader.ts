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
 * - The URL: virtual-hosted (`https://<bucket>.s3.<region>.amazonaws.com/<key>`, each partition's
 *   own DNS suffix), path-style for a bucket name with a dot (TLS) or an endpoint set by
 *   AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, as the SDK honours them (the emulator in tests). A
 *   FIPS or dual-stack endpoint (AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT) is refused at
 *   the cold start rather than silently not used.
 * - As the worker's S3 client was set: two attempts, each within `timeoutMs`, body included; a
 *   network error, a timeout, 429 or a 5xx is tried once more after a short jittered wait,
 *   anything else is not.
 * - A 304 (If-None-Match met) is `not-modified`; another non-2xx throws S3ReadError named by S3's
 *   error code (AccessDenied, NoSuchKey...), with S3's message, the status and the operation.
 * - Not done, unlike the S3 client: the object's stored checksum is not asked for or checked (TLS
 *   guards the transfer; the rules are validated as a document), and no SDK headers (user agent,
 *   invocation id) are sent.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { ConfigError } from '../core/errors';
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

/**
 * The identity an AWS SDK client resolved: in Lambda, its region and role credentials from the
 * environment, refreshed as the client refreshes them.
 */
export function identityOf(client: { readonly config: AwsIdentity }): AwsIdentity {
  return {
    region: () => client.config.region(),
    credentials: () => client.config.credentials(),
  };
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

/** Each AWS partition's regions and DNS suffix (the AWS SDK's partition table). */
const PARTITIONS: readonly (readonly [RegExp, string])[] = [
  [/^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, 'amazonaws.com'],
  [/^us-gov-\w+-\d+$/, 'amazonaws.com'],
  [/^cn-\w+-\d+$/, 'amazonaws.com.cn'],
  [/^eusc-de-\w+-\d+$/, 'amazonaws.eu'],
  [/^us-iso-\w+-\d+$/, 'c2s.ic.gov'],
  [/^us-isob-\w+-\d+$/, 'sc2s.sgov.gov'],
  [/^eu-isoe-\w+-\d+$/, 'cloud.adc-e.uk'],
  [/^us-isof-\w+-\d+$/, 'csp.hci.ic.gov'],
];

/** The endpoint set for S3 in the environment, as the AWS SDK reads it. */
export function configuredEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return endpoint === '' ? undefined : endpoint;
}

/**
 * Refuses, at the cold start, what the SDK would honour and this reader does not: a FIPS or a
 * dual-stack endpoint. The worker would otherwise read its rules off the endpoint asked for.
 */
export function refuseEndpointVariants(env: NodeJS.ProcessEnv): void {
  for (const name of ['AWS_USE_FIPS_ENDPOINT', 'AWS_USE_DUALSTACK_ENDPOINT'])
    if (env[name]?.toLowerCase() === 'true')
      throw new ConfigError(`${name} is set: the worker's rules read has no such S3 endpoint`);
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
  const suffix = PARTITIONS.find(([regions]) => regions.test(region))?.[1];
  if (suffix === undefined) throw new Error(`no S3 endpoint known for region ${region}`);
  const s3Host = `s3.${region}.${suffix}`;
  return bucket.includes('.')
    ? new URL(`https://${s3Host}/${bucket}/${keyPath(key)}`)
    : new URL(`https://${bucket}.${s3Host}/${keyPath(key)}`);
}

/** S3's error code and message from its XML error body (the message cut to 200 characters). */
function errorFields(body: string): { code?: string; message?: string } {
  const code = /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]{1,1000})<\/Message>/.exec(body)?.[1]?.slice(0, 200);
  return { ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message } : {}) };
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
  refuseEndpointVariants(process.env);
  const endpoint = options.endpoint ?? configuredEndpoint(process.env);
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
    let firstError: unknown;
    try {
      const first = await attempt(request);
      if (first.status !== 429 && first.status < 500) return first;
    } catch (error: unknown) {
      // A network error or timeout: tried once more; if that fails too, its error stands.
      firstError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs()));
    try {
      return await attempt(request);
    } catch (error: unknown) {
      // By shape: a timeout's DOMException may come from another realm.
      const failed = error as { cause?: unknown } | null;
      if (
        firstError !== undefined &&
        typeof failed === 'object' &&
        failed !== null &&
        failed.cause === undefined
      )
        failed.cause = firstError;
      throw error;
    }
  }

  return {
    async get(request) {
      const response = await withOneRetry(request);
      if (response.status === 304) return { kind: 'not-modified' };
      if (!response.ok) {
        const body = await response.text().catch(() => '');
        const fields = errorFields(body);
        const code = fields.code ?? `Http${response.status}`;
        throw new S3ReadError(
          response.status,
          code,
          `GetObject s3://${request.bucket}/${request.key} answered ${response.status} ${code}${fields.message !== undefined ? `: ${fields.message}` : ''}`,
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
