/**
 * Verification of AWS SNS messages delivered to an HTTPS endpoint: the envelope schema, the
 * canonical string to sign, the URL policy for signing certificates and subscription URLs, the
 * timestamp window, and the signature check against a fetched, cached certificate.
 *
 * There is deliberately no option that skips or widens any check: the only seam is `httpGet`,
 * which decides where a trusted `https://sns.<region>.amazonaws.com/...` URL is fetched from.
 */
import { X509Certificate, verify as cryptoVerify } from 'node:crypto';
import { z } from 'zod';
import type { HttpGet } from '../core/ports';

// ---------------------------------------------------------------------------------------------
// Errors

/** Statuses the receiver answers for a message it refuses; SNS treats every 4xx as final. */
export type SnsRejectionStatus = 400 | 403 | 413;

/**
 * The message is refused for good. `publicReason` is short, fixed text safe to return to the
 * caller; `message` may carry more detail for logs but never message content, tokens or
 * signatures.
 */
export class SnsRejectedError extends Error {
  override readonly name = 'SnsRejectedError';
  constructor(
    readonly status: SnsRejectionStatus,
    readonly publicReason: string,
    detail?: string,
  ) {
    super(detail ?? publicReason);
  }
}

/** Statuses for failures worth a retry: SNS retries anything outside 200-499. */
export type SnsRetryStatus = 502 | 503;

/** Something we depend on (certificate host, SubscribeURL, queue) failed; SNS should retry. */
export class SnsUpstreamError extends Error {
  override readonly name = 'SnsUpstreamError';
  constructor(
    readonly status: SnsRetryStatus,
    readonly publicReason: string,
    detail?: string,
  ) {
    super(detail ?? publicReason);
  }
}

/** A field the string to sign needs is missing (a bug in the caller: the schema requires it). */
export class SnsStringToSignError extends Error {
  override readonly name = 'SnsStringToSignError';
}

// ---------------------------------------------------------------------------------------------
// Envelope schema

/**
 * SNS message ids are UUIDs. The pattern is a little wider but keeps the value printable and
 * short, because it is logged before the signature is checked.
 */
const messageIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/);
const base64Schema = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/);
const urlSchema = z.string().min(1).max(4096);

/** Fields every SNS message carries. Unknown extra fields are tolerated and never signed. */
const commonFields = {
  MessageId: messageIdSchema,
  TopicArn: z.string().min(1).max(1024),
  Message: z.string(),
  Timestamp: z.string().min(1).max(64),
  SignatureVersion: z.enum(['1', '2']),
  Signature: base64Schema,
  SigningCertURL: urlSchema,
};

const notificationSchema = z.looseObject({
  ...commonFields,
  Type: z.literal('Notification'),
  Subject: z.string().max(1024).optional(),
  UnsubscribeURL: urlSchema,
});

const confirmationFields = {
  ...commonFields,
  Token: z.string().min(1).max(4096),
  SubscribeURL: urlSchema,
};

const subscriptionConfirmationSchema = z.looseObject({
  ...confirmationFields,
  Type: z.literal('SubscriptionConfirmation'),
});

const unsubscribeConfirmationSchema = z.looseObject({
  ...confirmationFields,
  Type: z.literal('UnsubscribeConfirmation'),
});

/** The SNS HTTP(S) delivery envelope, one shape per `Type` (AWS SNS developer guide). */
export const snsEnvelopeSchema = z.discriminatedUnion('Type', [
  notificationSchema,
  subscriptionConfirmationSchema,
  unsubscribeConfirmationSchema,
]);

export type SnsEnvelope = z.infer<typeof snsEnvelopeSchema>;
export type SnsNotification = z.infer<typeof notificationSchema>;
export type SnsSubscriptionConfirmation = z.infer<typeof subscriptionConfirmationSchema>;

/**
 * Validates a parsed JSON body as an SNS envelope. Throws `SnsRejectedError` (400) whose detail
 * names only the failing field paths and issue codes, never the values.
 */
export function parseSnsEnvelope(value: unknown): SnsEnvelope {
  const result = snsEnvelopeSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`);
    throw new SnsRejectedError(400, 'invalid SNS message', `envelope invalid: ${issues.join('; ')}`);
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------------
// String to sign

/** The fields that take part in the signature; the signer in the sandbox passes the same shape. */
export interface SnsSignableFields {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  Message: string;
  MessageId: string;
  Timestamp: string;
  TopicArn: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
}

const NOTIFICATION_SIGNED_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_SIGNED_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/**
 * Builds the canonical string SNS signs: `Name\nvalue\n` for each field, in a fixed order per
 * type. Notifications include `Subject` only when present. Both confirmation types include
 * `SubscribeURL` and `Token` (the npm `sns-validator` gets this wrong for unsubscribes).
 *
 * @throws SnsStringToSignError when a confirmation lacks `Token` or `SubscribeURL`.
 */
export function snsStringToSign(message: SnsSignableFields): string {
  const fields = message.Type === 'Notification' ? NOTIFICATION_SIGNED_FIELDS : CONFIRMATION_SIGNED_FIELDS;
  let result = '';
  for (const name of fields) {
    const value = message[name];
    if (value === undefined) {
      if (name === 'Subject') continue;
      throw new SnsStringToSignError(`${message.Type} lacks ${name}`);
    }
    result += `${name}\n${value}\n`;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// URL policy

/** The only hosts SNS signs from and confirms subscriptions on (AWS SNS developer guide). */
export const SNS_HOST_PATTERN = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;

/** Path characters a real SNS certificate or confirmation URL uses; anything else is refused. */
const SAFE_PATH = /^\/[A-Za-z0-9._\-/]*$/;

/**
 * Checks a URL against the SNS host policy on the raw text as well as on the parsed URL: a
 * parser normalises percent-escapes, default ports, backslashes and case, and each of those has
 * been used to smuggle a look-alike host past a check done on the parsed form alone.
 */
function checkSnsUrl(raw: string, allowQuery: boolean): URL | undefined {
  // Authority = everything between `https://` and the first `/`, `?` or `#`.
  const authorityMatch = /^https:\/\/([^/?#]*)/.exec(raw);
  if (!authorityMatch) return undefined;
  const authority = authorityMatch[1];
  // The raw authority must be the bare host: no userinfo, no port, no escapes, no trailing dot.
  if (!SNS_HOST_PATTERN.test(authority)) return undefined;
  if (raw.includes('#')) return undefined;
  const queryStart = raw.indexOf('?');
  if (queryStart !== -1 && !allowQuery) return undefined;
  const rawPath = raw.slice(authorityMatch[0].length, queryStart === -1 ? undefined : queryStart);
  if (!SAFE_PATH.test(rawPath)) return undefined;
  // Control characters or spaces anywhere (the query included) are never in a real SNS URL.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\\]/.test(raw)) return undefined;

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '' || url.port !== '') return undefined;
  if (!SNS_HOST_PATTERN.test(url.hostname) || url.hostname !== authority.toLowerCase()) return undefined;
  if (url.pathname !== rawPath) return undefined;
  return url;
}

/** True when `raw` is an acceptable `SigningCertURL`: https, SNS host, plain path ending `.pem`. */
export function isTrustedSigningCertUrl(raw: string): boolean {
  const url = checkSnsUrl(raw, false);
  return url !== undefined && url.pathname.endsWith('.pem');
}

/** True when `raw` is an acceptable `SubscribeURL`: https on an SNS host; a query is expected. */
export function isTrustedSubscribeUrl(raw: string): boolean {
  return checkSnsUrl(raw, true) !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Timestamp window

const MAX_AGE_MS = 60 * 60 * 1000;
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Refuses a message whose `Timestamp` is unparseable, older than one hour or more than five
 * minutes in the future: a replayed old message fails here even with a valid signature.
 */
export function assertFreshTimestamp(timestamp: string, now: Date): void {
  // SNS sends ISO-8601 UTC (`2024-01-01T00:00:00.000Z`); refuse anything Date would guess at.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(timestamp)) {
    throw new SnsRejectedError(400, 'invalid timestamp', 'Timestamp is not ISO-8601 UTC');
  }
  const published = Date.parse(timestamp);
  if (Number.isNaN(published)) {
    throw new SnsRejectedError(400, 'invalid timestamp', 'Timestamp does not parse');
  }
  const age = now.getTime() - published;
  if (age > MAX_AGE_MS) throw new SnsRejectedError(400, 'stale message', `Timestamp is ${Math.round(age / 1000)} s old`);
  if (-age > MAX_CLOCK_SKEW_MS) {
    throw new SnsRejectedError(400, 'timestamp in the future', `Timestamp is ${Math.round(-age / 1000)} s ahead`);
  }
}

// ---------------------------------------------------------------------------------------------
// Signature verification with a certificate cache

export interface SnsVerifierOptions {
  httpGet: HttpGet;
  now: () => Date;
  /** Timeout for one certificate download; SNS gives the endpoint 15 s in all. */
  certTimeoutMs?: number;
  /** How long a fetched certificate is reused; never past the certificate's own expiry. */
  certCacheTtlMs?: number;
  /** How many certificate URLs are remembered; the oldest entry makes room for a new one. */
  certCacheSize?: number;
}

export interface SnsVerifier {
  /**
   * Verifies the message signature with the certificate at its `SigningCertURL`. Checks the URL
   * policy before any network call. Throws `SnsRejectedError` (400/403) or `SnsUpstreamError`
   * (502) when the certificate cannot be fetched.
   */
  verifySignature(message: SnsEnvelope): Promise<void>;
}

/** Certificates are small; a body larger than this is not a certificate. */
export const MAX_CERT_BYTES = 16 * 1024;

interface CachedCert {
  cert: X509Certificate;
  expiresAt: number;
}

function certValidity(cert: X509Certificate): { from: number; to: number } {
  return { from: Date.parse(cert.validFrom), to: Date.parse(cert.validTo) };
}

/** Creates a verifier whose certificate cache lives as long as the verifier (one per cold start). */
export function createSnsVerifier(options: SnsVerifierOptions): SnsVerifier {
  const { httpGet, now } = options;
  const certTimeoutMs = options.certTimeoutMs ?? 3000;
  const cacheTtlMs = options.certCacheTtlMs ?? 60 * 60 * 1000;
  const cacheSize = options.certCacheSize ?? 20;
  const cache = new Map<string, CachedCert>();

  async function fetchCertificate(url: string): Promise<X509Certificate> {
    let response;
    try {
      response = await httpGet(url, { timeoutMs: certTimeoutMs });
    } catch (error: unknown) {
      // The cause (network error, timeout) is not content from the message; name it only.
      const cause = error instanceof Error ? error.name : 'unknown error';
      throw new SnsUpstreamError(502, 'signing certificate unavailable', `certificate fetch failed (${cause})`);
    }
    if (response.status !== 200) {
      throw new SnsUpstreamError(502, 'signing certificate unavailable', `certificate fetch returned ${response.status}`);
    }
    if (Buffer.byteLength(response.body, 'utf8') > MAX_CERT_BYTES) {
      throw new SnsRejectedError(400, 'invalid signing certificate', 'certificate body too large');
    }
    try {
      return new X509Certificate(response.body);
    } catch {
      throw new SnsRejectedError(400, 'invalid signing certificate', 'certificate does not parse');
    }
  }

  async function certificateFor(url: string, at: number): Promise<X509Certificate> {
    const cached = cache.get(url);
    if (cached && cached.expiresAt > at) return cached.cert;
    cache.delete(url);

    const cert = await fetchCertificate(url);
    const { from, to } = certValidity(cert);
    // Only a currently valid certificate is worth keeping; an invalid one is refused below.
    if (!Number.isNaN(from) && !Number.isNaN(to) && from <= at && at <= to) {
      while (cache.size >= cacheSize) {
        const oldest = cache.keys().next();
        if (oldest.done) break;
        cache.delete(oldest.value);
      }
      cache.set(url, { cert, expiresAt: Math.min(at + cacheTtlMs, to) });
    }
    return cert;
  }

  return {
    async verifySignature(message: SnsEnvelope): Promise<void> {
      if (!isTrustedSigningCertUrl(message.SigningCertURL)) {
        throw new SnsRejectedError(403, 'untrusted signing certificate URL');
      }
      const at = now().getTime();
      const cert = await certificateFor(message.SigningCertURL, at);

      const { from, to } = certValidity(cert);
      if (Number.isNaN(from) || Number.isNaN(to) || at < from || at > to) {
        throw new SnsRejectedError(403, 'signing certificate not valid now');
      }
      if (cert.publicKey.asymmetricKeyType !== 'rsa') {
        throw new SnsRejectedError(403, 'signature verification failed', 'certificate key is not RSA');
      }

      const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
      const data = Buffer.from(snsStringToSign(message), 'utf8');
      const signature = Buffer.from(message.Signature, 'base64');
      let valid: boolean;
      try {
        valid = cryptoVerify(algorithm, data, cert.publicKey, signature);
      } catch {
        valid = false;
      }
      if (!valid) throw new SnsRejectedError(403, 'signature verification failed');
    },
  };
}
