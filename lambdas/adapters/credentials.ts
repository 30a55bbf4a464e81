import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as v from 'valibot';
import { issuePath } from '../core/parse-json';
import type { CredentialsProvider } from '../core/ports';

/**
 * The marketplace login, read from a Secrets Manager secret holding `{"username","password"}`.
 * Powertools caches the value for `maxAgeSeconds`, so a rotated password is picked up within
 * that time without a cold start. When the marketplace refuses a login, the client asks for the
 * secret again (`refresh: true`): that read bypasses the cache (Powertools `forceFetch`), so a
 * password fixed or rotated in Secrets Manager is used by the next login, not up to 5 minutes
 * later. Forced reads are spaced at least `minRefreshIntervalSeconds` apart (a refused read in
 * between gets the cached value), so a password that stays wrong costs a few Secrets Manager
 * calls a minute per execution environment, not one per record. Errors name the secret, never
 * what it holds.
 */

export const DEFAULT_CREDENTIALS_MAX_AGE_S = 300;
/** Forced re-reads after a refused login, at most one per this many seconds. */
export const DEFAULT_CREDENTIALS_REFRESH_INTERVAL_S = 5;

export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

const credentialsSchema = v.object({
  username: v.pipe(v.string(), v.trim(), v.minLength(1)),
  password: v.pipe(v.string(), v.minLength(1)),
});

/** The part of Powertools' `getSecret` used here, so tests can pass a plain function. */
export type SecretReader = (
  name: string,
  options: { transform: 'json'; maxAge: number; forceFetch?: boolean },
) => Promise<unknown>;

const powertoolsSecretReader: SecretReader = (name, options) => getSecret(name, options);

/** Returns a function that resolves the marketplace credentials from the secret at `secretArn`. */
export function secretCredentials(
  secretArn: string,
  options: {
    maxAgeSeconds?: number;
    minRefreshIntervalSeconds?: number;
    readSecret?: SecretReader;
    now?: () => number;
  } = {},
): CredentialsProvider {
  const readSecret = options.readSecret ?? powertoolsSecretReader;
  const maxAge = options.maxAgeSeconds ?? DEFAULT_CREDENTIALS_MAX_AGE_S;
  const refreshIntervalMs =
    (options.minRefreshIntervalSeconds ?? DEFAULT_CREDENTIALS_REFRESH_INTERVAL_S) * 1000;
  const now = options.now ?? Date.now;
  let lastForcedAt: number | undefined;
  return async (request = {}) => {
    const force =
      request.refresh === true &&
      (lastForcedAt === undefined || now() - lastForcedAt >= refreshIntervalMs);
    if (force) lastForcedAt = now();
    let value: unknown;
    try {
      value = await readSecret(secretArn, {
        transform: 'json',
        maxAge,
        ...(force ? { forceFetch: true } : {}),
      });
    } catch (error: unknown) {
      // A JSON transform failure quotes the text it could not parse, i.e. the secret: keep only
      // its name. Retrieval errors (access denied, not found) come from AWS and hold no value.
      const message = `Could not read marketplace credentials from secret ${secretArn}`;
      if (error instanceof Error && error.name === 'GetParameterError') {
        throw new CredentialsError(`${message} (${error.name}: ${error.message})`, {
          cause: error,
        });
      }
      throw new CredentialsError(
        `${message} (${error instanceof Error ? error.name : 'unknown error'})`,
      );
    }
    const parsed = v.safeParse(credentialsSchema, value);
    if (!parsed.success) {
      // Field paths only: Valibot's messages quote the input, here the secret.
      const fields = parsed.issues.map(issuePath);
      throw new CredentialsError(
        `Secret ${secretArn} must be JSON {"username","password"} with both non-empty; bad field(s): ${[...new Set(fields)].join(', ')}`,
      );
    }
    return { username: parsed.output.username, password: parsed.output.password };
  };
}
