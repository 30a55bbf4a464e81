/**
 * Covers secretCredentials (lambdas/adapters/credentials.ts) with a plain-function secret reader:
 * the options it asks Powertools for (JSON transform, cache max age), validation of the secret's
 * shape, and that its errors name the secret ARN but never the values in it.
 * Powertools' own caching and the Secrets Manager call are theirs to test; the deployed wiring
 * (IAM grant, environment) belongs to the infra tests.
 */
import {
  CredentialsError,
  DEFAULT_CREDENTIALS_MAX_AGE_S,
  DEFAULT_CREDENTIALS_REFRESH_INTERVAL_S,
  secretCredentials,
  type SecretReader,
} from '../../lambdas/adapters/credentials';

const ARN = 'arn:aws:secretsmanager:ca-central-1:123456789012:secret:marketplace-login-AbCdEf';
const PASSWORD = 'Sup3r-S3cret-Value';

function reader(value: unknown): SecretReader & { calls: { name: string; options: unknown }[] } {
  const calls: { name: string; options: unknown }[] = [];
  const read = async (
    name: string,
    options: { transform: 'json'; maxAge: number; forceFetch?: boolean },
  ) => {
    calls.push({ name, options });
    return value;
  };
  return Object.assign(read, { calls });
}

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

it('reads the secret as JSON with a cache max age and returns username and password', async () => {
  const read = reader({ username: 'connector@example.org', password: PASSWORD, note: 'ignored' });

  const credentials = await secretCredentials(ARN, { readSecret: read })();

  expect(credentials).toEqual({ username: 'connector@example.org', password: PASSWORD });
  expect(read.calls).toEqual([
    { name: ARN, options: { transform: 'json', maxAge: DEFAULT_CREDENTIALS_MAX_AGE_S } },
  ]);
});

it('passes a custom max age', async () => {
  const read = reader({ username: 'u', password: 'p' });
  await secretCredentials(ARN, { readSecret: read, maxAgeSeconds: 30 })();
  expect(read.calls[0].options).toEqual({ transform: 'json', maxAge: 30 });
});

it.each([
  ['an empty password', { username: 'u', password: '' }, 'password'],
  ['a blank username', { username: '  ', password: PASSWORD }, 'username'],
  ['no username', { password: PASSWORD }, 'username'],
  ['a string', 'just-a-string', '(root)'],
  ['a numeric password', { username: 'u', password: 918273645 }, 'password'],
])('rejects a secret with %s, naming the field and the ARN only', async (_label, value, field) => {
  const error = await failure(secretCredentials(ARN, { readSecret: reader(value) })());
  expect(error.message).toBe(
    `Secret ${ARN} must be JSON {"username","password"} with both non-empty; bad field(s): ${field}`,
  );
  expect(error.message).not.toContain(PASSWORD);
  expect(error.message).not.toContain('just-a-string');
  expect(error.message).not.toContain('918273645');
});

it('does not repeat a JSON transform error, which quotes the secret text', async () => {
  const transformError = Object.assign(
    new Error(`Unable to transform value using 'json' transform: Unexpected token '${PASSWORD}'`),
    {
      name: 'TransformParameterError',
    },
  );
  const error = await failure(
    secretCredentials(ARN, { readSecret: async () => Promise.reject(transformError) })(),
  );
  expect(error.message).toContain(ARN);
  expect(error.message).toContain('TransformParameterError');
  expect(error.message).not.toContain(PASSWORD);
  expect(error.cause).toBeUndefined();
});

it('keeps the AWS reason when the secret cannot be retrieved', async () => {
  const denied = Object.assign(
    new Error('User is not authorized to perform: secretsmanager:GetSecretValue'),
    { name: 'GetParameterError' },
  );
  const error = await failure(
    secretCredentials(ARN, { readSecret: async () => Promise.reject(denied) })(),
  );
  expect(error.message).toContain('not authorized');
  expect(error.cause).toBe(denied);
});

describe('a refused login asks for the secret again', () => {
  it('reads past the cache (forceFetch) when asked to refresh, and from the cache otherwise', async () => {
    const read = reader({ username: 'u', password: 'p' });
    const credentials = secretCredentials(ARN, { readSecret: read, now: () => 0 });

    await credentials();
    await credentials({ refresh: true });

    expect(read.calls.map((c) => c.options)).toEqual([
      { transform: 'json', maxAge: DEFAULT_CREDENTIALS_MAX_AGE_S },
      { transform: 'json', maxAge: DEFAULT_CREDENTIALS_MAX_AGE_S, forceFetch: true },
    ]);
  });

  it('forces at most one read per refresh interval, so a password that stays wrong costs few Secrets Manager calls', async () => {
    const read = reader({ username: 'u', password: 'p' });
    let clock = 1_000_000;
    const credentials = secretCredentials(ARN, { readSecret: read, now: () => clock });
    const forced = () =>
      read.calls.filter((c) => (c.options as { forceFetch?: boolean }).forceFetch === true).length;

    await credentials({ refresh: true });
    clock += DEFAULT_CREDENTIALS_REFRESH_INTERVAL_S * 1000 - 1;
    await credentials({ refresh: true });
    expect(forced()).toBe(1);
    expect(read.calls).toHaveLength(2); // the second one still read, from the cache

    clock += 1;
    await credentials({ refresh: true });
    expect(forced()).toBe(2);
  });

  it('takes a custom refresh interval', async () => {
    const read = reader({ username: 'u', password: 'p' });
    let clock = 0;
    const credentials = secretCredentials(ARN, {
      readSecret: read,
      now: () => clock,
      minRefreshIntervalSeconds: 1,
    });
    await credentials({ refresh: true });
    clock += 1000;
    await credentials({ refresh: true });
    expect(
      read.calls.every((c) => (c.options as { forceFetch?: boolean }).forceFetch === true),
    ).toBe(true);
  });
});
