/**
 * Verification of AWS SNS messages delivered to an HTTPS endpoint: the envelope check
 * (sns-envelope.ts), the canonical string to sign, the URL policy for signing certificates and
 * subscription URLs, the timestamp window, and the signature check against a fetched, cached
 * certificate.
 *
 * There is deliberately no option that skips or widens any check: the only seam is `httpGet`,
 * which decides where a trusted `https://sns.<region>.amazonaws.com/...` URL is fetched from.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { checkSnsEnvelope, type SnsEnvelope } from './sns-envelope';
import { verifyTextSignature } from './signature-scratch';
import type { HttpGet } from '../core/ports';

export type { SnsEnvelope, SnsNotification, SnsSubscriptionConfirmation } from './sns-envelope';

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

/** A field the string to sign needs is missing (a bug in the caller: the envelope check requires it). */
export class SnsStringToSignError extends Error {
  override readonly name = 'SnsStringToSignError';
}

// ---------------------------------------------------------------------------------------------
// Envelope

/**
 * Validates a parsed JSON body as an SNS envelope. Throws `SnsRejectedError` (400) whose detail
 * names only the failing field paths and issue codes, never the values.
 */
export function parseSnsEnvelope(value: unknown): SnsEnvelope {
  const result = checkSnsEnvelope(value);
  if (!result.ok)
    throw new SnsRejectedError(
      400,
      'invalid SNS message',
      `envelope invalid: ${result.issues.join('; ')}`,
    );
  return result.envelope;
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

/**
 * Builds the canonical string SNS signs: `Name\nvalue\n` for each field, in a fixed order per
 * type. Notifications: Message, MessageId, Subject (only when present), Timestamp, TopicArn, Type.
 * Both confirmation types: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type (the
 * npm `sns-validator` gets this wrong for unsubscribes). One template per type rather than a loop
 * over field names: this runs for every message, and the fixed-vector tests pin the output.
 *
 * @throws SnsStringToSignError when a confirmation lacks `Token` or `SubscribeURL`.
 */
export function snsStringToSign(message: SnsSignableFields): string {
  if (message.Type === 'Notification') {
    const subject = message.Subject === undefined ? '' : `Subject\n${message.Subject}\n`;
    return (
      `Message\n${message.Message}\nMessageId\n${message.MessageId}\n${subject}` +
      `Timestamp\n${message.Timestamp}\nTopicArn\n${message.TopicArn}\nType\n${message.Type}\n`
    );
  }
  if (message.SubscribeURL === undefined)
    throw new SnsStringToSignError(`${message.Type} lacks SubscribeURL`);
  if (message.Token === undefined) throw new SnsStringToSignError(`${message.Type} lacks Token`);
  return (
    `Message\n${message.Message}\nMessageId\n${message.MessageId}\nSubscribeURL\n${message.SubscribeURL}\n` +
    `Timestamp\n${message.Timestamp}\nToken\n${message.Token}\nTopicArn\n${message.TopicArn}\nType\n${message.Type}\n`
  );
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
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u0020\u007f\\]/.test(raw)) return undefined;

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '' || url.port !== '') return undefined;
  if (!SNS_HOST_PATTERN.test(url.hostname) || url.hostname !== authority.toLowerCase())
    return undefined;
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
  if (age > MAX_AGE_MS)
    throw new SnsRejectedError(
      400,
      'stale message',
      `Timestamp is ${Math.round(age / 1000)} s old`,
    );
  if (-age > MAX_CLOCK_SKEW_MS) {
    throw new SnsRejectedError(
      400,
      'timestamp in the future',
      `Timestamp is ${Math.round(-age / 1000)} s ahead`,
    );
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

/**
 * What is kept per certificate URL. An entry exists only for a URL that passed
 * `isTrustedSigningCertUrl` (a pure function of the exact URL text), so a cache hit stands for that
 * verdict too. The public key is parsed once: `X509Certificate.publicKey` builds a new KeyObject on
 * every access, and the validity dates are parsed once from their text.
 */
interface CachedCert {
  key: KeyObject;
  validFrom: number;
  validTo: number;
  expiresAt: number;
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
      throw new SnsUpstreamError(
        502,
        'signing certificate unavailable',
        `certificate fetch failed (${cause})`,
      );
    }
    if (response.status !== 200) {
      throw new SnsUpstreamError(
        502,
        'signing certificate unavailable',
        `certificate fetch returned ${response.status}`,
      );
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

  /** Checks the URL policy, fetches and parses the certificate, and caches it if valid now. */
  async function loadCertificate(url: string, at: number): Promise<CachedCert> {
    if (!isTrustedSigningCertUrl(url)) {
      throw new SnsRejectedError(403, 'untrusted signing certificate URL');
    }
    const cert = await fetchCertificate(url);
    const validFrom = Date.parse(cert.validFrom);
    const validTo = Date.parse(cert.validTo);
    if (Number.isNaN(validFrom) || Number.isNaN(validTo) || at < validFrom || at > validTo) {
      throw new SnsRejectedError(403, 'signing certificate not valid now');
    }
    const key = cert.publicKey;
    if (key.asymmetricKeyType !== 'rsa') {
      throw new SnsRejectedError(
        403,
        'signature verification failed',
        'certificate key is not RSA',
      );
    }
    // Only a currently valid RSA certificate is kept; anything else was refused above.
    const entry: CachedCert = {
      key,
      validFrom,
      validTo,
      expiresAt: Math.min(at + cacheTtlMs, validTo),
    };
    while (cache.size >= cacheSize) {
      const oldest = cache.keys().next();
      if (oldest.done) break;
      cache.delete(oldest.value);
    }
    cache.set(url, entry);
    return entry;
  }

  return {
    async verifySignature(message: SnsEnvelope): Promise<void> {
      const at = now().getTime();
      const url = message.SigningCertURL;
      let entry = cache.get(url);
      if (entry === undefined || entry.expiresAt <= at) {
        cache.delete(url);
        entry = await loadCertificate(url, at);
      }
      // Checked on every message as well: `now` may run behind the time the entry was cached.
      if (at < entry.validFrom || at > entry.validTo) {
        throw new SnsRejectedError(403, 'signing certificate not valid now');
      }

      const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
      const text = snsStringToSign(message);
      if (!verifyTextSignature(algorithm, text, message.Signature, entry.key))
        throw new SnsRejectedError(403, 'signature verification failed');
    },
  };
}
