/**
 * Covers MarketplaceClient (lambdas/adapters/marketplace-client.ts) over real HTTP against a
 * small AlayaMarket stand-in on 127.0.0.1: offer details mapped without health data, accept and
 * decline bodies, response validation, error typing, the per-request timeout, and that tokens and
 * credentials never reach an error; then that it uses an injected fetch. Login is covered in
 * marketplace-client-login.test.ts, retries and paging in marketplace-client-retries.test.ts.
 */
import { MarketplaceClient } from '../../lambdas/adapters/marketplace-client';
import { inboxOffer, OFFER_ID, offerDetailJson, PHI } from '../support/offer-fixtures';
import {
  CREDENTIALS,
  failure,
  useMarketplaceStandIn,
} from '../support/marketplace-client-stand-in';
import { requestUrl } from '../support/request-url';
import { without } from '../support/without';

const { api, client } = useMarketplaceStandIn();

describe('offers', () => {
  it('maps the offer detail to InboxOffer and drops everything else, health data included', async () => {
    const offer = await client().getInboxOffer(OFFER_ID);

    expect(offer).toEqual(inboxOffer({ shiftId: 'a3d7c0de-5f61-4b7b-8c1e-2f9a0b4c6d02' }));
    const serialized = JSON.stringify(offer);
    // Allergies, risks, custom fields, the case manager, service and visit instructions, tasks.
    for (const value of Object.values(PHI)) expect(serialized).not.toContain(value);
    for (const field of [
      'allergies',
      'risks',
      'custom_fields',
      'instructions',
      'tasks',
      'case_manager',
      'comment',
    ])
      expect(serialized).not.toContain(field);
    // Field by field: exactly what the rules read, nothing else of the detail (no spread of it).
    expect(Object.keys(offer).sort()).toEqual(
      [
        'careType',
        'demand',
        'endAt',
        'expiresAt',
        'id',
        'location',
        'match',
        'offerType',
        'price',
        'requiredSkills',
        'shiftId',
        'startAt',
        'visits',
      ].sort(),
    );
    expect(Object.keys(offer.location).sort()).toEqual([
      'approx',
      'city',
      'country',
      'state',
      'zip',
    ]);
    expect(offer.visits?.map((visit) => Object.keys(visit).sort())).toEqual([['endAt', 'startAt']]);
  });

  it('accepts extra fields and a null match status, and leaves out an absent shift_id', async () => {
    const detail = offerDetailJson() as {
      offer: Record<string, unknown>;
      match: Record<string, unknown>;
    };
    delete detail.offer.shift_id;
    detail.offer.brand_new_field = { nested: true };
    detail.match.status = null;
    api.route = (seen) => (seen.method === 'GET' ? { status: 200, json: detail } : undefined);

    const offer = await client().getInboxOffer(OFFER_ID);

    expect(offer.match.status).toBeNull();
    expect('shiftId' in offer).toBe(false);
  });

  it.each([
    ['offer', 'care_type'],
    ['match', 'response'],
    ['demand', 'id'],
  ])('names a missing required field (%s.%s) in the error', async (parent, field) => {
    const detail = offerDetailJson() as Record<string, Record<string, unknown>>;
    detail[parent] = without(detail[parent], field);
    api.route = (seen) => (seen.method === 'GET' ? { status: 200, json: detail } : undefined);

    const error = await failure(client().getInboxOffer(OFFER_ID));

    expect(error.operation).toBe('getInboxOffer');
    expect(error.message).toContain(`${parent}.${field}`);
  });

  it('names a missing client address field without quoting the address', async () => {
    const detail = offerDetailJson() as { client: { address: Record<string, unknown> } };
    delete detail.client.address.zip;
    api.route = (seen) => (seen.method === 'GET' ? { status: 200, json: detail } : undefined);

    const error = await failure(client().getInboxOffer(OFFER_ID));

    expect(error.message).toContain('client.address.zip');
    expect(error.message).not.toContain('Montréal');
    for (const value of Object.values(PHI)) expect(error.message).not.toContain(value);
  });

  it('names a field holding a value it does not list by path and what it expected, never the value', async () => {
    const detail = offerDetailJson() as Record<string, Record<string, unknown>>;
    detail.match.response = PHI.caseManager;
    detail.match.status = PHI.risk;
    api.route = (seen) => (seen.method === 'GET' ? { status: 200, json: detail } : undefined);

    const error = await failure(client().getInboxOffer(OFFER_ID));

    expect(error.message).toBe(
      'getInboxOffer: unexpected response: ' +
        'match.response: expected ("pending" | "accepted" | "declined"); ' +
        'match.status: expected ("open" | "expired" | "closed" | "assigned" | "fulfilled")',
    );
    for (const value of Object.values(PHI)) expect(error.message).not.toContain(value);
  });

  it('rejects a 200 answer that is not JSON', async () => {
    api.route = (seen) =>
      seen.method === 'GET' ? { status: 200, text: '<html>maintenance</html>' } : undefined;
    const error = await failure(client().getInboxOffer(OFFER_ID));
    expect(error.message).toContain('not JSON');
  });

  it('accepts with a comment', async () => {
    await client().acceptInboxOffer(OFFER_ID, { comment: 'Glad to help' });
    const [accept] = api.apiRequests;
    expect(accept).toMatchObject({
      method: 'POST',
      path: `/offers/v1/inbox/offers/${OFFER_ID}/accept`,
    });
    expect(JSON.parse(accept.body)).toEqual({ comment: 'Glad to help' });
  });

  it('declines with reason_code and comment', async () => {
    await client().declineInboxOffer(OFFER_ID, {
      reason_code: 'no_capacity',
      comment: 'Fully booked',
    });
    const [decline] = api.apiRequests;
    expect(decline).toMatchObject({
      method: 'POST',
      path: `/offers/v1/inbox/offers/${OFFER_ID}/decline`,
    });
    expect(decline.headers['content-type']).toBe('application/json');
    expect(JSON.parse(decline.body)).toEqual({
      reason_code: 'no_capacity',
      comment: 'Fully booked',
    });
  });

  it('sends {} as the required decline body when there is nothing to say', async () => {
    await client().declineInboxOffer(OFFER_ID);
    expect(api.apiRequests[0].body).toBe('{}');
  });

  it('escapes the offer id in the path', async () => {
    await failure(client().getInboxOffer('../../auth/v1/login'));
    expect(api.apiRequests[0].path).toBe('/offers/v1/inbox/offers/..%2F..%2Fauth%2Fv1%2Flogin');
  });
});

describe('errors', () => {
  it('types an API error with status, operation and the body message', async () => {
    api.route = (seen) =>
      seen.path.endsWith('/accept')
        ? { status: 409, json: { message: 'Offer is not open', description: 'match closed' } }
        : undefined;

    const error = await failure(client().acceptInboxOffer(OFFER_ID));

    expect(error).toMatchObject({
      name: 'MarketplaceError',
      status: 409,
      operation: 'acceptInboxOffer',
    });
    expect(error.message).toContain('Offer is not open');
    expect(error.message).toContain('match closed');
  });

  it('reads a non-JSON error body defensively and leaves it out', async () => {
    api.route = (seen) =>
      seen.method === 'GET'
        ? { status: 502, text: '<html><body>Bad gateway PHI-ECHO</body></html>' }
        : undefined;

    const error = await failure(client().getInboxOffer(OFFER_ID));

    expect(error).toMatchObject({ status: 502, operation: 'getInboxOffer' });
    expect(error.message).not.toContain('PHI-ECHO');
  });

  it('never puts the token in an error message, even when the API echoes it', async () => {
    api.route = (seen) =>
      seen.path.endsWith('/decline')
        ? { status: 403, json: { message: `forbidden for ${String(seen.headers.authorization)}` } }
        : undefined;

    const error = await failure(client().declineInboxOffer(OFFER_ID, {}));

    expect(error.status).toBe(403);
    expect(error.message).toContain('forbidden for');
    expect(error.message).not.toContain('id-token-1');
    expect(error.message).not.toContain(CREDENTIALS.password);
  });

  it('ends a request that gets no answer with a timeout error', async () => {
    api.route = (seen) => (seen.method === 'GET' ? { status: 0, hang: true } : undefined);

    const error = await failure(client({ timeoutMs: 200 }).getInboxOffer(OFFER_ID));

    expect(error.status).toBeUndefined();
    expect(error.operation).toBe('getInboxOffer');
    expect(error.message).toContain('no response within 200 ms');
  });

  it('types a network failure', async () => {
    await api.stop();
    const error = await failure(client().getInboxOffer(OFFER_ID));
    expect(error).toMatchObject({ operation: 'login', status: undefined });
    expect(error.message).not.toContain(CREDENTIALS.password);
  });
});

describe('injected fetch', () => {
  it('uses the fetch it is given', async () => {
    const urls: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      const url = requestUrl(input);
      urls.push(url);
      if (url.endsWith('/auth/v1/login'))
        return new Response(JSON.stringify({ IdToken: 't', ExpiresIn: 3600 }), { status: 200 });
      return new Response(null, { status: 204 });
    };
    const c = new MarketplaceClient({
      baseUrl: 'https://api.sandbox.alayamarket.ca/',
      credentials: async () => CREDENTIALS,
      fetch: fakeFetch,
    });

    await c.acceptInboxOffer('o-1');

    expect(urls).toEqual([
      'https://api.sandbox.alayamarket.ca/auth/v1/login',
      'https://api.sandbox.alayamarket.ca/offers/v1/inbox/offers/o-1/accept',
    ]);
  });
});
