/**
 * The sandbox's Secrets Manager stand-in (sandbox/secrets-stand-in.ts) under the real adapter:
 * secretCredentials over Powertools' SecretsProvider and the AWS SDK client. It shows what the
 * bad-password drill relies on: a fixed password stays hidden behind the cache for ordinary
 * reads, and the read a refused login asks for (refresh) goes past the cache to the new value.
 */
import { secretCredentials } from '../../lambdas/adapters/credentials';
import { type SecretsStandIn, startSecretsStandIn } from '../../sandbox/secrets-stand-in';

let secrets: SecretsStandIn;

beforeEach(async () => {
  secrets = await startSecretsStandIn();
});

afterEach(async () => {
  await secrets.stop();
});

it('serves the cached value until a refresh is asked for, then the value stored since', async () => {
  const arn = secrets.put(
    'marketplace-login',
    JSON.stringify({ username: 'connector', password: 'wrong-one' }),
  );
  const credentials = secretCredentials(arn, { readSecret: secrets.reader() });

  await expect(credentials()).resolves.toEqual({ username: 'connector', password: 'wrong-one' });
  secrets.put(
    'marketplace-login',
    JSON.stringify({ username: 'connector', password: 'right-one' }),
  );

  await expect(credentials()).resolves.toMatchObject({ password: 'wrong-one' }); // Powertools' cache (5 minutes)
  expect(secrets.reads).toBe(1);
  await expect(credentials({ refresh: true })).resolves.toMatchObject({ password: 'right-one' });
  expect(secrets.reads).toBe(2);
  await expect(credentials()).resolves.toMatchObject({ password: 'right-one' }); // the forced read refilled the cache
  expect(secrets.reads).toBe(2);
});

it('answers an unknown secret as Secrets Manager does, and the adapter names the secret only', async () => {
  const credentials = secretCredentials('no-such-secret', { readSecret: secrets.reader() });
  await expect(credentials()).rejects.toThrow(/no-such-secret/);
});
