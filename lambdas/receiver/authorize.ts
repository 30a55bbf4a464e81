/**
 * The shared-secret check in front of everything else the receiver does: the request's Basic
 * credentials against the secret's current password(s) (see shared-secret.ts), before the body is
 * decoded, parsed or verified. No credentials: 401 without a Secrets Manager call; wrong ones: 401;
 * a secret that cannot be read or is malformed: 503, so SNS retries while it is fixed.
 */
import { SnsUpstreamError } from '../adapters/sns-verifier';
import { UnauthorizedRequestError, errorName } from './failures';
import { checkBasicAuth, parseSharedSecret, SharedSecretFormatError } from './shared-secret';

/** The Basic credentials check; runs before the body is decoded, parsed or verified. */
export async function assertAuthorized(
  sharedSecret: () => Promise<string>,
  authorization: string | undefined,
): Promise<void> {
  // No credentials at all: answer the challenge without a Secrets Manager call.
  if (authorization === undefined || authorization.trim() === '')
    throw new UnauthorizedRequestError(false);
  let value: string;
  try {
    value = await sharedSecret();
  } catch (error: unknown) {
    // The reader's own errors name the secret and the AWS error, never the value.
    const cause =
      error instanceof Error && error.name === 'SharedSecretUnavailableError'
        ? error.message
        : errorName(error);
    throw new SnsUpstreamError(
      503,
      'authentication unavailable',
      `shared secret unavailable (${cause})`,
    );
  }
  let passwords: string[];
  try {
    passwords = parseSharedSecret(value);
  } catch (error: unknown) {
    // A misconfigured secret must not let anything through; 503 keeps SNS retrying while it is fixed.
    if (!(error instanceof SharedSecretFormatError)) throw error;
    throw new SnsUpstreamError(
      503,
      'authentication unavailable',
      `shared secret malformed: ${error.message}`,
    );
  }
  const result = checkBasicAuth(authorization, passwords);
  if (result !== 'match') throw new UnauthorizedRequestError(result === 'mismatch');
}
