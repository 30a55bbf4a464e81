import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

/**
 * Reads the receiver's shared secret (a plain string secret) from Secrets Manager through
 * Powertools Parameters, which caches it for `maxAgeSeconds`: a new value is picked up within
 * that time without a cold start. Errors name the secret, never its value.
 */

export const DEFAULT_SHARED_SECRET_MAX_AGE_S = 300;

export class SharedSecretUnavailableError extends Error {
  override readonly name = 'SharedSecretUnavailableError';
}

/** The part of Powertools' `getSecret` used here, so tests can pass a plain function. */
export type StringSecretReader = (name: string, options: { maxAge: number }) => Promise<unknown>;

const powertoolsReader: StringSecretReader = (name, options) => getSecret(name, options);

/** Returns a function that resolves the secret string at `secretArn`, cached by Powertools. */
export function sharedSecretReader(
  secretArn: string,
  options: { maxAgeSeconds?: number; readSecret?: StringSecretReader } = {},
): () => Promise<string> {
  const readSecret = options.readSecret ?? powertoolsReader;
  const maxAge = options.maxAgeSeconds ?? DEFAULT_SHARED_SECRET_MAX_AGE_S;
  return async () => {
    let value: unknown;
    try {
      value = await readSecret(secretArn, { maxAge });
    } catch (error: unknown) {
      // Retrieval errors (access denied, not found, throttled) come from AWS and hold no value.
      const cause = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
      throw new SharedSecretUnavailableError(
        `Could not read the shared secret ${secretArn} (${cause})`,
      );
    }
    if (typeof value !== 'string' || value.length === 0) {
      throw new SharedSecretUnavailableError(
        `Secret ${secretArn} must hold a non-empty string (SecretString), not binary or nothing`,
      );
    }
    return value;
  };
}
