import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { z } from 'zod';
import type { MarketplaceCredentials } from '../core/ports';

/**
 * The marketplace login, read from a Secrets Manager secret holding `{"username","password"}`.
 * Powertools caches the value for `maxAgeSeconds`, so a rotated password is picked up within
 * that time without a cold start. Errors name the secret, never what it holds.
 */

export const DEFAULT_CREDENTIALS_MAX_AGE_S = 300;

export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

const credentialsSchema = z.object({
  username: z.string().trim().min(1),
  password: z.string().min(1),
});

/** The part of Powertools' `getSecret` used here, so tests can pass a plain function. */
export type SecretReader = (name: string, options: { transform: 'json'; maxAge: number }) => Promise<unknown>;

const powertoolsSecretReader: SecretReader = (name, options) => getSecret(name, options);

/** Returns a function that resolves the marketplace credentials from the secret at `secretArn`. */
export function secretCredentials(
  secretArn: string,
  options: { maxAgeSeconds?: number; readSecret?: SecretReader } = {},
): () => Promise<MarketplaceCredentials> {
  const readSecret = options.readSecret ?? powertoolsSecretReader;
  const maxAge = options.maxAgeSeconds ?? DEFAULT_CREDENTIALS_MAX_AGE_S;
  return async () => {
    let value: unknown;
    try {
      value = await readSecret(secretArn, { transform: 'json', maxAge });
    } catch (error: unknown) {
      // A JSON transform failure quotes the text it could not parse, i.e. the secret: keep only
      // its name. Retrieval errors (access denied, not found) come from AWS and hold no value.
      const message = `Could not read marketplace credentials from secret ${secretArn}`;
      if (error instanceof Error && error.name === 'GetParameterError') {
        throw new CredentialsError(`${message} (${error.name}: ${error.message})`, { cause: error });
      }
      throw new CredentialsError(`${message} (${error instanceof Error ? error.name : 'unknown error'})`);
    }
    const parsed = credentialsSchema.safeParse(value);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)');
      throw new CredentialsError(
        `Secret ${secretArn} must be JSON {"username","password"} with both non-empty; bad field(s): ${[...new Set(fields)].join(', ')}`,
      );
    }
    return { username: parsed.data.username, password: parsed.data.password };
  };
}
