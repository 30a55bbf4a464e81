/**
 * Covers how MarketplaceClient (lambdas/adapters/marketplace-client.ts) reads offers, with a
 * scripted fetch (no HTTP): the worker's tolerant read of an offer detail (unknown care/offer type,
 * null match status, unknown price unit, unused fields; required fields still named when missing),
 * `listShiftOffers` (every page of `?shift_id=`, deduplicated, each detail, by id) and
 * `listInboxOfferEntries` (each item checked on its own, a bad one reported by id and field paths
 * only). Referral lists are marketplace-client-lists-referrals.test.ts.
 */
import { OFFER_ID, offerDetailJson, PHI } from '../support/offer-fixtures';
import { page, scripted } from '../support/marketplace-client-lists-scripted';
import { failure } from '../support/marketplace-client-stand-in';
import { without } from '../support/without';

// --- the worker's read of an offer -------------------------------------------------------------

type Detail = Record<string, Record<string, unknown>>;

function detailWith(change: (detail: Detail) => void): Detail {
  const detail = offerDetailJson() as Detail;
  change(detail);
  return detail;
}

const readOffer = (detail: unknown) =>
  scripted(() => ({ status: 200, json: detail })).client.getInboxOffer(OFFER_ID);

describe('getInboxOffer: tolerant of what the worker does not rely on', () => {
  it.each([
    ['care_type', 'careType', 'companionship'],
    ['offer_type', 'offerType', 'recurrence'],
  ] as const)('reads an unknown %s as unknown', async (field, mapped, value) => {
    const offer = await readOffer(detailWith((d) => (d.offer[field] = value)));
    expect(offer[mapped]).toBe('unknown');
    expect(offer.id).toBe(OFFER_ID);
  });

  it('keeps the known care and offer types', async () => {
    const offer = await readOffer(
      detailWith((d) => Object.assign(d.offer, { care_type: 'nursing', offer_type: 'service' })),
    );
    expect(offer).toMatchObject({ careType: 'nursing', offerType: 'service' });
  });

  it('reads a null match status as null', async () => {
    const offer = await readOffer(detailWith((d) => (d.match.status = null)));
    expect(offer.match).toEqual({
      id: 'c0ffee00-1111-4222-8333-444455556666',
      response: 'pending',
      status: null,
    });
  });

  it('reads broken optional fields as unreadable, and ignores broken fields it never uses (match extras)', async () => {
    const offer = await readOffer(
      detailWith((d) => {
        d.price = { rate: 'thirty', unit: 'per_km' };
        d.visits = { not: 'an array' };
        d.service = {};
        d.match.sequence_id = 42;
        d.match.created_at = null;
        d.offer.created_at = undefined;
        d.offer.end_at = 'not a date';
      }),
    );
    expect(offer).toMatchObject({ id: OFFER_ID, careType: 'psw', offerType: 'visit' });
    expect(JSON.stringify(offer)).not.toContain('per_km');
    // Rules reading these fields do not hold; the paths say which (the mapping: inbox-offer-read.test.ts).
    expect(offer.unreadable).toEqual(['offer.end_at', 'price.rate', 'visits']);
    expect(offer).not.toHaveProperty('price');
    expect(offer).not.toHaveProperty('visits');
  });

  it.each([
    ['offer', 'care_type'],
    ['offer', 'offer_type'],
    ['offer', 'expires_at'],
    ['match', 'status'],
  ])('still fails naming a required field that is missing (%s.%s)', async (parent, field) => {
    const error = await failure(
      readOffer(
        detailWith((d) => {
          d[parent] = without(d[parent], field);
        }),
      ),
    );
    expect(error).toMatchObject({ operation: 'getInboxOffer' });
    expect(error.message).toContain(`${parent}.${field}`);
    for (const value of Object.values(PHI)) expect(error.message).not.toContain(value);
  });

  it('fails on a care_type that is not a string, naming it', async () => {
    const error = await failure(readOffer(detailWith((d) => (d.offer.care_type = 7))));
    expect(error.message).toContain('offer.care_type');
  });
});

// --- shift offers ------------------------------------------------------------------------------

const SHIFT = 'shift-1';
/** A list item of the shift (default), of another shift, or (null) without a shift_id. */
const listed = (id: string, shiftId: string | null = SHIFT) => ({
  // Care type and the rest of the list item are not read: a value unknown to the list schema cannot fail this.
  offer: { id, ...(shiftId === null ? {} : { shift_id: shiftId }), care_type: 'unheard-of' },
  match: { id: `m-${id}` },
});
const detailOf = (id: string, shiftId = SHIFT) =>
  detailWith((d) => Object.assign(d.offer, { id, shift_id: shiftId }));

describe('listShiftOffers', () => {
  it('lists ?shift_id= over every page, dedupes ids, fetches each detail once, and returns them by id', async () => {
    const pages = [
      page([listed('o-3'), listed('o-1')], 1, 2),
      // The second page repeats o-3 (the list moved between the reads) and adds o-2.
      page([listed('o-3'), listed('o-2', null)], 2, 2),
    ];
    const { client, calls } = scripted((call) =>
      call.path === '/offers/v1/inbox/offers'
        ? { status: 200, json: pages[Number(call.query.get('page')) - 1] }
        : { status: 200, json: detailOf(call.path.split('/').at(-1) ?? '') },
    );

    const offers = await client.listShiftOffers(SHIFT);

    expect(offers.map((o) => o.id)).toEqual(['o-1', 'o-2', 'o-3']);
    expect(offers.every((o) => o.shiftId === SHIFT)).toBe(true);
    const lists = calls.filter((c) => c.path === '/offers/v1/inbox/offers');
    expect(lists.map((c) => [c.query.get('shift_id'), c.query.get('page')])).toEqual([
      [SHIFT, '1'],
      [SHIFT, '2'],
    ]);
    expect(calls.filter((c) => c.path !== '/offers/v1/inbox/offers').map((c) => c.path)).toEqual(
      ['o-1', 'o-2', 'o-3'].map((id) => `/offers/v1/inbox/offers/${id}`),
    );
  });

  it('leaves out offers of another shift, whether the list or the detail says so', async () => {
    const { client, calls } = scripted((call) => {
      if (call.path === '/offers/v1/inbox/offers')
        return { status: 200, json: page([listed('o-1'), listed('o-9', 'other'), listed('o-2')]) };
      const id = call.path.split('/').at(-1) ?? '';
      return { status: 200, json: detailOf(id, id === 'o-2' ? 'other' : SHIFT) };
    });
    expect((await client.listShiftOffers(SHIFT)).map((o) => o.id)).toEqual(['o-1']);
    expect(calls.some((c) => c.path.endsWith('/o-9'))).toBe(false);
  });

  it('returns nothing for an empty shift', async () => {
    const { client, calls } = scripted(() => ({ status: 200, json: page([], 1, 0) }));
    expect(await client.listShiftOffers(SHIFT)).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('fails, naming the field, when a listed item has no offer id (the shift cannot be decided without it)', async () => {
    const { client } = scripted(() => ({
      status: 200,
      json: page([listed('o-1'), { match: { id: 'm-x' } }]),
    }));
    const error = await failure(client.listShiftOffers(SHIFT));
    expect(error).toMatchObject({ operation: 'listShiftOffers' });
    expect(error.message).toContain('items.1.offer');
  });

  it('fails when one detail cannot be read', async () => {
    const { client } = scripted((call) =>
      call.path === '/offers/v1/inbox/offers'
        ? { status: 200, json: page([listed('o-1'), listed('o-2')]) }
        : call.path.endsWith('/o-2')
          ? { status: 404 }
          : { status: 200, json: detailOf('o-1') },
    );
    expect(await failure(client.listShiftOffers(SHIFT))).toMatchObject({
      operation: 'getInboxOffer',
      status: 404,
    });
  });
});

// --- the reconciler's page reader --------------------------------------------------------------

describe('listInboxOfferEntries', () => {
  const good = (id: string) => ({
    offer: {
      id,
      shift_id: null,
      care_type: 'brand-new-care',
      offer_type: 'visit',
      expires_at: '2026-05-02T12:00:00Z',
      created_at: 'x',
      allergies: PHI.allergy,
    },
    match: {
      id: `m-${id}`,
      response: 'pending',
      status: 'open',
      sequence_id: 's',
      created_at: '2026-05-01T08:00:00Z',
    },
  });

  it('checks each item on its own: good items parse (unknown care type included), a bad one is reported by id and field paths only', async () => {
    const bad = good('o-2') as { offer: Record<string, unknown>; match: Record<string, unknown> };
    bad.match.response = 'maybe';
    delete bad.offer.expires_at;
    const notAnId = { offer: { id: `${PHI.caseManager} lives here` }, match: 'garbled' };
    const { client, calls } = scripted(() => ({
      status: 200,
      json: page([good('o-1'), bad, notAnId, 'not an object', { match: good('o-4').match }]),
    }));

    const result = await client.listInboxOfferEntries({
      status: 'open',
      sort_by: 'last_modified',
      sort_order: 'asc',
      page: 3,
    });

    expect(calls[0]?.query.toString()).toBe(
      'status=open&sort_by=last_modified&sort_order=asc&page=3',
    );
    expect(result).toMatchObject({ page: 1, total_pages: 1, total_items: 5 });
    expect(result.entries).toEqual([
      {
        ok: true,
        item: expect.objectContaining({ offer: expect.objectContaining({ id: 'o-1' }) }),
      },
      { ok: false, offerId: 'o-2', fields: ['offer.expires_at', 'match.response'] },
      { ok: false, fields: ['offer.expires_at', 'match'] },
      { ok: false, fields: ['(root)'] },
      // Spec-valid: offer and match are optional in a list item; the caller decides.
      { ok: true, item: { match: expect.objectContaining({ response: 'pending' }) } },
    ]);
    const failed = JSON.stringify(result.entries.filter((e) => !e.ok));
    for (const value of [PHI.caseManager, PHI.allergy, 'maybe', 'garbled'])
      expect(failed).not.toContain(value);
  });

  it('fails the whole page only when the page frame itself is broken', async () => {
    const { client } = scripted(() => ({ status: 200, json: { page: 1, items: 'nope' } }));
    const error = await failure(client.listInboxOfferEntries());
    expect(error).toMatchObject({ operation: 'listInboxOfferEntries' });
    expect(error.message).toContain('total_pages');
  });
});
