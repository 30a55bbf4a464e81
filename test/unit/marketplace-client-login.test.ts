/**
 * Covers MarketplaceClient's login (lambdas/adapters/marketplace-client.ts) over real HTTP against
 * an AlayaMarket stand-in on 127.0.0.1: the raw Authorization header, token caching and refresh
 * before ExpiresIn, one login shared by concurrent callers, one re-login on a 401, credentials
 * read again after a refused login and never leaving the adapter. Offers and errors are covered
 * in marketplace-client-offers.test.ts, retries in marketplace-client-retries.test.ts.
 */
import { OFFER_ID } from '../support/offer-fixtures';
import {
  CREDENTIALS,
  failure,
  useMarketplaceStandIn,
} from '../support/marketplace-client-stand-in';

const standIn = useMarketplaceStandIn();
const { api, client } = standIn;

describe('login and authorization', () => {
  it('logs in with the credentials and sends the IdToken as the raw Authorization header', async () => {
    await client().getInboxOffer(OFFER_ID);

    const [login, get] = api.requests;
    expect(login).toMatchObject({ method: 'POST', path: '/auth/v1/login' });
    expect(JSON.parse(login.body)).toEqual(CREDENTIALS);
    expect(login.headers['content-type']).toBe('application/json');
    expect(get.headers.authorization).toBe('id-token-1-xxxxxxxxxxxxxxxxxxxx');
    expect(get.headers.authorization).not.toMatch(/^Bearer/i);
  });

  it('reuses the token across calls', async () => {
    const c = client();
    await c.getInboxOffer(OFFER_ID);
    await c.acceptInboxOffer(OFFER_ID);
    await c.getInboxOffer(OFFER_ID);
    expect(api.logins).toBe(1);
    expect(new Set(api.apiRequests.map((r) => r.headers.authorization)).size).toBe(1);
  });

  it('logs in again 60 s before ExpiresIn runs out', async () => {
    api.expiresIn = 600;
    const c = client();
    await c.getInboxOffer(OFFER_ID);
    standIn.clock += 539_000;
    await c.getInboxOffer(OFFER_ID);
    expect(api.logins).toBe(1);
    standIn.clock += 2_000; // now 541 s after login: inside the last minute
    await c.getInboxOffer(OFFER_ID);
    expect(api.logins).toBe(2);
    expect(api.apiRequests.at(-1)?.headers.authorization).toMatch(/^id-token-2-/);
  });

  it('assumes an hour when login gives no ExpiresIn', async () => {
    api.expiresIn = undefined;
    const c = client();
    await c.getInboxOffer(OFFER_ID);
    standIn.clock += 3_539_000;
    await c.getInboxOffer(OFFER_ID);
    expect(api.logins).toBe(1);
    standIn.clock += 2_000;
    await c.getInboxOffer(OFFER_ID);
    expect(api.logins).toBe(2);
  });

  it('shares one login between concurrent callers', async () => {
    let credentialReads = 0;
    const c = client({
      credentials: async () => {
        credentialReads += 1;
        return CREDENTIALS;
      },
    });
    await Promise.all(Array.from({ length: 5 }, () => c.getInboxOffer(OFFER_ID)));
    expect(api.logins).toBe(1);
    expect(credentialReads).toBe(1);
    expect(api.apiRequests).toHaveLength(5);
  });

  it('logs in again once and retries when the API answers 401', async () => {
    const c = client();
    await c.getInboxOffer(OFFER_ID);
    api.validTokens.clear(); // the marketplace revoked the token early

    await expect(c.getInboxOffer(OFFER_ID)).resolves.toMatchObject({ id: OFFER_ID });
    expect(api.logins).toBe(2);
    expect(api.apiRequests.map((r) => r.headers.authorization)).toEqual([
      'id-token-1-xxxxxxxxxxxxxxxxxxxx',
      'id-token-1-xxxxxxxxxxxxxxxxxxxx',
      'id-token-2-xxxxxxxxxxxxxxxxxxxx',
    ]);
  });

  it('gives up after one re-login when the API keeps answering 401', async () => {
    api.route = (seen) =>
      seen.path.startsWith('/offers/')
        ? { status: 401, json: { message: 'Unauthorized' } }
        : undefined;

    const error = await failure(client().getInboxOffer(OFFER_ID));

    expect(error).toMatchObject({ status: 401, operation: 'getInboxOffer' });
    expect(api.logins).toBe(2);
    expect(api.apiRequests).toHaveLength(2);
  });

  it('reports a failed login as a login error, without retrying it or quoting the credentials', async () => {
    // A gateway that echoes what it was sent.
    api.route = (seen) =>
      seen.path === '/auth/v1/login'
        ? { status: 401, json: { message: `bad login ${seen.body}` } }
        : undefined;

    const error = await failure(client().getInboxOffer(OFFER_ID));

    expect(error).toMatchObject({ status: 401, operation: 'login' });
    expect(error.message).toContain('bad login');
    expect(error.message).not.toContain(CREDENTIALS.password);
    expect(api.requests).toHaveLength(1);
  });

  it('reads the credentials again after a refused login and logs in with the fixed password at once', async () => {
    // The provider's cache still holds the old password; the source (Secrets Manager) has the fixed one.
    const asked: Array<{ refresh?: boolean } | undefined> = [];
    const credentials = async (options?: { refresh?: boolean }) => {
      asked.push(options);
      return options?.refresh === true
        ? CREDENTIALS
        : { ...CREDENTIALS, password: 'the-old-password' };
    };

    await expect(client({ credentials }).getInboxOffer(OFFER_ID)).resolves.toMatchObject({
      id: OFFER_ID,
    });

    expect(asked).toEqual([undefined, { refresh: true }]);
    expect(api.requests.filter((r) => r.path === '/auth/v1/login')).toHaveLength(2);
    expect(api.logins).toBe(1);
  });

  it('reads the credentials again once and does not try the same refused login twice', async () => {
    const asked: Array<{ refresh?: boolean } | undefined> = [];
    const wrong = { ...CREDENTIALS, password: 'still-wrong' };
    const credentials = async (options?: { refresh?: boolean }) => {
      asked.push(options);
      return wrong;
    };

    const error = await failure(client({ credentials }).getInboxOffer(OFFER_ID));

    expect(error).toMatchObject({ status: 401, operation: 'login' });
    expect(error.message).not.toContain('still-wrong');
    expect(asked).toEqual([undefined, { refresh: true }]);
    expect(api.requests).toHaveLength(1);
  });

  it('does not read the credentials again when a login fails for another reason', async () => {
    const asked: Array<{ refresh?: boolean } | undefined> = [];
    api.route = (seen) =>
      seen.path === '/auth/v1/login'
        ? { status: 400, json: { message: 'Invalid request body' } }
        : undefined;
    const credentials = async (options?: { refresh?: boolean }) => {
      asked.push(options);
      return CREDENTIALS;
    };
    await failure(client({ credentials }).getInboxOffer(OFFER_ID));
    expect(asked).toEqual([undefined]);
  });

  it('reports a login response without IdToken', async () => {
    api.route = (seen) =>
      seen.path === '/auth/v1/login' ? { status: 200, json: { AccessToken: 'a' } } : undefined;
    const error = await failure(client().getInboxOffer(OFFER_ID));
    expect(error).toMatchObject({ operation: 'login', status: 200 });
    expect(error.message).toContain('IdToken');
  });
});
