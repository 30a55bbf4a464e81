/**
 * The optional second factor in front of the SNS signature check: HTTP Basic credentials that
 * only AlayaCare's subscription URL (`https://connector:<secret>@host/sns`) carries. SNS
 * sends them after a `401` with `WWW-Authenticate: Basic`, as any HTTP client does.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The user name in the subscription URL; the secret is the password. */
export const SHARED_SECRET_USER = 'connector';

/**
 * A password must be long and made of URL-safe characters only, so it goes into the
 * subscription URL as is, with no percent-encoding for SNS or a person to get wrong.
 */
const PASSWORD = /^[A-Za-z0-9._~-]{32,256}$/;

/** Two passwords at most: the current one and, during a rotation, the one being retired. */
const MAX_PASSWORDS = 2;

/** The secret's value is not one or two acceptable passwords. The message never quotes it. */
export class SharedSecretFormatError extends Error {
  override readonly name = 'SharedSecretFormatError';
}

/**
 * Splits a shared-secret value into its passwords: one, or during a rotation two separated by
 * whitespace (the new one and the old one, in any order).
 *
 * @throws SharedSecretFormatError when the value holds no password, more than two, or one that
 *   is shorter than 32 characters or not URL-safe.
 */
export function parseSharedSecret(value: string): string[] {
  const passwords = value.split(/\s+/).filter((part) => part.length > 0);
  if (passwords.length === 0 || passwords.length > MAX_PASSWORDS) {
    throw new SharedSecretFormatError(
      `the shared secret must hold 1 or ${MAX_PASSWORDS} passwords, found ${passwords.length}`,
    );
  }
  if (!passwords.every((password) => PASSWORD.test(password))) {
    throw new SharedSecretFormatError(
      'each shared-secret password must be 32-256 characters of A-Z a-z 0-9 . _ ~ -',
    );
  }
  return passwords;
}

/** `missing`: no Basic credentials at all (SNS's first try); `mismatch`: wrong or malformed. */
export type BasicAuthResult = 'match' | 'missing' | 'mismatch';

const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

const sha256 = (data: Buffer | string): Buffer => createHash('sha256').update(data).digest();

/**
 * Checks an `Authorization` header against `connector:<password>` for each password in constant
 * time: both sides are hashed to equal-length SHA-256 digests before `timingSafeEqual`, and every
 * password is compared, so neither the length nor the position of a difference shows in timing.
 */
export function checkBasicAuth(
  authorization: string | undefined,
  passwords: readonly string[],
): BasicAuthResult {
  if (authorization === undefined || authorization.trim() === '') return 'missing';
  const match = BASIC.exec(authorization);
  // Not Basic at all (Digest, Bearer, garbage): wrong credentials, same answer.
  if (!match) return 'mismatch';
  const presented = sha256(Buffer.from(match[1], 'base64'));
  let matched = false;
  for (const password of passwords) {
    // The comparison comes first, so `||` never skips it once a password has matched.
    matched = timingSafeEqual(presented, sha256(`${SHARED_SECRET_USER}:${password}`)) || matched;
  }
  return matched ? 'match' : 'mismatch';
}
