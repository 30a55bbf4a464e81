/**
 * Covers what MarketplaceClient (lambdas/adapters/marketplace-client.ts) asks of and reads from the
 * referral lists, against AlayaCare's OpenAPI spec (openapi.offers.yaml), with a scripted fetch (no
 * HTTP): the query parameters (`revisions`, the outbox filters) and each referral schema's revision
 * parts (no `is_latest_revision` in inbox lists). Offers: marketplace-client-lists-offers.test.ts.
 * Transport, retries, auth: marketplace-client-offers, marketplace-client-retries, -login.test.ts.
 */
import type { MarketplaceClient } from '../../lambdas/adapters/marketplace-client';
import { page, scripted } from '../support/marketplace-client-lists-scripted';
import { failure } from '../support/marketplace-client-stand-in';

const referral = {
  id: 'r-1',
  sequence_id: 's-1',
  offer_id: 'o-1',
  care_type: 'psw',
  referral_type: 'visit',
  status: 'assigned',
  start_at: '2026-05-03T09:00:00Z',
  created_at: '2026-05-01T08:00:00Z',
};
const demographics = { first_name: 'Test', last_name: 'Client' };
const outboxListItem = (revision: Record<string, unknown>) => ({
  referral,
  supply: { id: 'sup-1', name: 'Supplier' },
  client: { id: 'c-1', outbox_id: 'co-1', demographics },
  service: { id: 'sv-1', outbox_id: 'so-1', name: 'Personal support' },
  revision,
});
const address = {
  address: '1 Test St',
  city: 'Ottawa',
  state: 'ON',
  zip: 'K1P 1J1',
  country: 'CA',
};
const inboxDetail = (revision: Record<string, unknown>) => ({
  referral,
  demand: { id: 'dem-1', name: 'Demand' },
  client: { id: 'c-1', address, demographics },
  service: { id: 'sv-1', name: 'Personal support' },
  revision,
});
const outboxDetail = (revision: Record<string, unknown>) => ({
  referral,
  supply: { id: 'sup-1', name: 'Supplier' },
  client: { id: 'c-1', outbox_id: 'co-1', address, demographics },
  service: { id: 'sv-1', outbox_id: 'so-1', name: 'Personal support' },
  revision,
});

describe('referral lists: query parameters', () => {
  it('sends revisions on the inbox list', async () => {
    const { client, calls } = scripted(() => ({ status: 200, json: page([]) }));
    await client.listInboxReferrals({ revisions: 'all', offer_id: 'o-1' });
    expect(calls[0]?.path).toBe('/offers/v1/inbox/referrals');
    expect(Object.fromEntries(calls[0]?.query ?? [])).toEqual({
      revisions: 'all',
      offer_id: 'o-1',
    });
  });

  it('sends revisions, demand_label, has_alayacare_authorization, revision_group_id, sequence_id and sort_by on the outbox list', async () => {
    const { client, calls } = scripted(() => ({ status: 200, json: page([]) }));
    await client.listOutboxReferrals({
      revisions: 'archived',
      demand_label: 'north region',
      has_alayacare_authorization: false,
      revision_group_id: 'g-1',
      sequence_id: 's-1',
      sort_by: 'revision_number',
    });
    expect(calls[0]?.path).toBe('/offers/v1/outbox/referrals');
    expect(Object.fromEntries(calls[0]?.query ?? [])).toEqual({
      revisions: 'archived',
      demand_label: 'north region',
      has_alayacare_authorization: 'false',
      revision_group_id: 'g-1',
      sequence_id: 's-1',
      sort_by: 'revision_number',
    });
  });

  it('keeps the filters on every page of the paging iterator', async () => {
    const item = outboxListItem({
      revision_group_id: 'g-1',
      revision_number: 1,
      is_latest_revision: true,
    });
    const { client, calls } = scripted((call) => ({
      status: 200,
      json: page([item], Number(call.query.get('page')), 2),
    }));
    const seen: string[] = [];
    for await (const listedItem of client.outboxReferrals({
      revisions: 'latest',
      has_alayacare_authorization: true,
    }))
      seen.push(listedItem.referral.id);
    expect(seen).toEqual(['r-1', 'r-1']);
    expect(calls.map((c) => c.query.toString())).toEqual([
      'revisions=latest&has_alayacare_authorization=true&page=1',
      'revisions=latest&has_alayacare_authorization=true&page=2',
    ]);
  });
});

describe('referral schemas: revision parts as the spec publishes them', () => {
  it('parses an inbox referral list whose revisions carry no is_latest_revision (InboxReferralCollectionRevisionResponse)', async () => {
    const { client } = scripted(() => ({
      status: 200,
      json: page([{ referral, revision: { revision_group_id: 'g-1', revision_number: 2 } }]),
    }));
    const listed = await client.listInboxReferrals();
    expect(listed.items[0]?.revision).toEqual({ revision_group_id: 'g-1', revision_number: 2 });
  });

  it('names a field holding a wrong value by path and what it expected, never quoting the value', async () => {
    const name = `${demographics.first_name} ${demographics.last_name}`;
    const body = outboxDetail({
      revision_group_id: 'g-1',
      revision_number: name,
      is_latest_revision: true,
    });
    const { client } = scripted(() => ({
      status: 200,
      json: { ...body, referral: { ...referral, status: name } },
    }));
    const error = await failure(client.getOutboxReferral('r-1'));
    expect(error.message).toBe(
      'getOutboxReferral: unexpected response: ' +
        'referral.status: expected ("assigned" | "processed" | "cancelled"); ' +
        'revision.revision_number: expected number',
    );
    expect(error.message).not.toContain(name);
  });

  it('still names a required revision field missing from the inbox list', async () => {
    const { client } = scripted(() => ({
      status: 200,
      json: page([{ referral, revision: { revision_group_id: 'g-1' } }]),
    }));
    expect((await failure(client.listInboxReferrals())).message).toContain(
      'items.0.revision.revision_number',
    );
  });

  it.each([
    [
      'the outbox list',
      (c: MarketplaceClient) => c.listOutboxReferrals(),
      (r: Record<string, unknown>) => page([outboxListItem(r)]),
    ],
    ['an inbox referral detail', (c: MarketplaceClient) => c.getInboxReferral('r-1'), inboxDetail],
    [
      'an outbox referral detail',
      (c: MarketplaceClient) => c.getOutboxReferral('r-1'),
      outboxDetail,
    ],
  ] as const)(
    'requires is_latest_revision in %s, and reads the optional reasons and comment',
    async (_label, call, body) => {
      const full = {
        revision_group_id: 'g-1',
        revision_number: 1,
        is_latest_revision: true,
        revision_reasons: ['date change'],
        revision_comment: 'moved',
      };
      await expect(
        call(scripted(() => ({ status: 200, json: body(full) })).client),
      ).resolves.toBeDefined();

      const { is_latest_revision: _dropped, ...withoutLatest } = full;
      const error = await failure(
        call(scripted(() => ({ status: 200, json: body(withoutLatest) })).client),
      );
      expect(error.message).toContain('revision.is_latest_revision');
    },
  );
});
