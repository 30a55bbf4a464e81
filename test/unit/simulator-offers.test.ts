/**
 * The marketplace simulator's state rules, in memory with a controlled clock: a match is answered
 * once while pending and open, a shift is answered together, unanswered offers expire, listing
 * pages and filters, the login tokens (raw IdToken only, expiry), and the demand side: matching
 * on care type, manual and auto assignment, declined_by_all, close, expiry, the shift rule,
 * referrals (processed, cancelled) and the events each change emits. The HTTP layer is covered
 * by simulator-api.test.ts, SNS delivery by simulator-sns.test.ts, the whole flow by test/e2e.
 */
import { AuthService } from '../../sandbox/simulator/auth';
import type { SimulatorEvent } from '../../sandbox/simulator/model';
import { OfferBook, type OfferSpec, SimulatorApiError } from '../../sandbox/simulator/offer-book';

const ORG = 'org-supply';

function clock(start = Date.parse('2026-03-01T12:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

function statusOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof SimulatorApiError) return error.status;
    throw error;
  }
  return undefined;
}

describe('OfferBook', () => {
  it('creates an offer with a pending, open match and the published detail fields', () => {
    const book = new OfferBook(ORG, clock().now);
    const detail = book.add({
      careType: 'nursing',
      offerType: 'service',
      city: 'Ottawa',
      zip: 'K1P 1J1',
    });
    expect(detail.offer).toMatchObject({ care_type: 'nursing', offer_type: 'service' });
    expect(detail.match).toMatchObject({ response: 'pending', status: 'open' });
    expect(detail.client.address).toMatchObject({ city: 'Ottawa', zip: 'K1P 1J1', country: 'CA' });
    expect(Date.parse(detail.offer.expires_at)).toBeGreaterThan(
      Date.parse(detail.offer.created_at),
    );
    expect(book.get(detail.offer.id)).toEqual(detail);
  });

  it('accepts a pending offer once and refuses a second answer with 409', () => {
    const book = new OfferBook(ORG, clock().now);
    const { offer } = book.add();
    expect(book.respond(ORG, offer.id, 'accept', { comment: 'ok' })).toEqual([offer.id]);
    expect(book.get(offer.id)?.match).toMatchObject({ response: 'accepted', comment: 'ok' });
    expect(statusOf(() => book.respond(ORG, offer.id, 'accept', {}))).toBe(409);
    expect(statusOf(() => book.respond(ORG, offer.id, 'decline', {}))).toBe(409);
    expect(book.get(offer.id)?.match.response).toBe('accepted');
  });

  it('records the decline reason code and comment', () => {
    const book = new OfferBook(ORG, clock().now);
    const { offer } = book.add();
    book.respond(ORG, offer.id, 'decline', {
      reason_code: 'no_employee_in_region',
      comment: 'too far',
    });
    expect(book.get(offer.id)?.match).toMatchObject({
      response: 'declined',
      reason_code: 'no_employee_in_region',
      comment: 'too far',
    });
  });

  it('answers every offer of a shift with one call, and the partner can no longer be answered', () => {
    const book = new OfferBook(ORG, clock().now);
    const a = book.add({ shiftId: 'shift-1' });
    const b = book.add({ shiftId: 'shift-1' });
    const other = book.add({ shiftId: 'shift-2' });
    expect(book.respond(ORG, b.offer.id, 'decline', {}).sort()).toEqual(
      [a.offer.id, b.offer.id].sort(),
    );
    expect(book.get(a.offer.id)?.match.response).toBe('declined');
    expect(book.get(other.offer.id)?.match.response).toBe('pending');
    expect(statusOf(() => book.respond(ORG, a.offer.id, 'accept', {}))).toBe(409);
  });

  it('expires an unanswered offer at expires_at and refuses to answer it', () => {
    const time = clock();
    const book = new OfferBook(ORG, time.now);
    const { offer } = book.add({ expiresInMs: 60_000 });
    time.advance(59_999);
    expect(book.get(offer.id)?.match.status).toBe('open');
    time.advance(1);
    expect(book.get(offer.id)?.match).toMatchObject({ response: 'pending', status: 'expired' });
    expect(statusOf(() => book.respond(ORG, offer.id, 'accept', {}))).toBe(409);
  });

  it('sweeps each offer at its own expiry, whatever order they were made and swept in', () => {
    const time = clock();
    const book = new OfferBook(ORG, time.now);
    const expired: string[] = [];
    book.onEvent((event) => {
      if (event.channel === 'inbox-offers' && event.payload.event_name === 'OfferExpired')
        expired.push(event.payload.offer_id);
    });
    const late = book.add({ expiresInMs: 60_000 }).offer;
    book.sweep(); // nothing due: the sweep remembers the earliest expiry (60 s)
    const early = book.add({ expiresInMs: 10_000 }).offer; // made after that sweep, due first
    time.advance(9_999);
    book.sweep();
    expect(expired).toEqual([]);
    time.advance(1);
    book.sweep();
    expect(expired).toEqual([early.id]);
    time.advance(49_999);
    book.sweep();
    expect(expired).toEqual([early.id]);
    time.advance(1);
    book.sweep();
    expect(expired).toEqual([early.id, late.id]);
    // Nothing open is left: later sweeps expire nothing more, and a new offer still expires on time.
    const next = book.add({ expiresInMs: 1_000 }).offer;
    time.advance(1_000);
    book.sweep();
    expect(expired).toEqual([early.id, late.id, next.id]);
  });

  it('keeps an accepted answer when the offer expires unassigned, and does not expire an assigned offer', () => {
    const time = clock();
    const book = new OfferBook(ORG, time.now);
    const unassigned = book.add({ expiresInMs: 1000 }).offer;
    const assigned = book.add({ expiresInMs: 1000 }).offer;
    book.respond(ORG, unassigned.id, 'accept', {});
    book.respond(ORG, assigned.id, 'accept', {});
    const match = book.get(assigned.id)?.match.id ?? '';
    book.assign(book.defaultDemandOrganizationId, assigned.id, match);
    time.advance(5000);
    expect(book.get(unassigned.id)?.match).toMatchObject({
      response: 'accepted',
      status: 'expired',
    });
    expect(book.getOutbox(unassigned.id)?.offer.status).toBe('expired');
    expect(book.get(assigned.id)?.match).toMatchObject({
      response: 'accepted',
      status: 'assigned',
    });
    expect(book.getOutbox(assigned.id)?.offer.status).toBe('assigned');
  });

  it('hides offers matched to another organisation (404) and answers unknown ids with 404', () => {
    const book = new OfferBook(ORG, clock().now);
    const theirs = book.add({ supplyOrganizationId: 'org-other' });
    expect(book.get(theirs.offer.id, ORG)).toBeUndefined();
    expect(statusOf(() => book.respond(ORG, theirs.offer.id, 'accept', {}))).toBe(404);
    expect(statusOf(() => book.respond(ORG, 'no-such-offer', 'accept', {}))).toBe(404);
    expect(book.get(theirs.offer.id)?.match.response).toBe('pending');
  });

  it('pages the organisation inbox newest first and filters by match status and shift', () => {
    const time = clock();
    const book = new OfferBook(ORG, time.now);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(book.add({ shiftId: i < 2 ? 'shift-a' : undefined }).offer.id);
      time.advance(1000);
    }
    book.add({ supplyOrganizationId: 'org-other' });

    const first = book.list(ORG, { page: 1, itemsPerPage: 2, sortOrder: 'desc' });
    expect(first).toMatchObject({ page: 1, items_per_page: 2, total_items: 5, total_pages: 3 });
    expect(first.items.map((i) => i.offer.id)).toEqual([ids[4], ids[3]]);
    expect(
      book.list(ORG, { page: 3, itemsPerPage: 2, sortOrder: 'desc' }).items.map((i) => i.offer.id),
    ).toEqual([ids[0]]);
    expect(book.list(ORG, { page: 1, itemsPerPage: 10, sortOrder: 'asc' }).items[0].offer.id).toBe(
      ids[0],
    );

    book.respond(ORG, ids[4], 'accept', {});
    book.assign(book.defaultDemandOrganizationId, ids[4], book.get(ids[4])?.match.id ?? '');
    expect(
      book.list(ORG, { page: 1, itemsPerPage: 10, sortOrder: 'desc', status: 'open' }).total_items,
    ).toBe(4);
    time.advance(2 * 60 * 60 * 1000);
    expect(
      book.list(ORG, { page: 1, itemsPerPage: 10, sortOrder: 'desc', status: 'open' }).total_items,
    ).toBe(0);
    const assigned = book.list(ORG, {
      page: 1,
      itemsPerPage: 10,
      sortOrder: 'desc',
      status: 'assigned',
    });
    expect(assigned.items.map((i) => i.offer.id)).toEqual([ids[4]]);
    expect(
      book.list(ORG, { page: 1, itemsPerPage: 10, sortOrder: 'desc', status: 'expired' })
        .total_items,
    ).toBe(4);
    expect(
      book
        .list(ORG, { page: 1, itemsPerPage: 10, sortOrder: 'desc', shiftId: 'shift-a' })
        .items.map((i) => i.offer.id)
        .sort(),
    ).toEqual([ids[0], ids[1]].sort());
  });

  it('returns copies: changing a returned offer does not change the book', () => {
    const book = new OfferBook(ORG, clock().now);
    const detail = book.add();
    detail.match.response = 'accepted';
    expect(book.get(detail.offer.id)?.match.response).toBe('pending');
  });
});

describe('AuthService', () => {
  it('issues opaque tokens for the right password only', () => {
    const auth = new AuthService(3600);
    auth.addAccount({ username: 'alice', password: 's3cret', organizationName: 'Alice Care' });
    expect(auth.login('alice', 'wrong')).toBeUndefined();
    expect(auth.login('bob', 's3cret')).toBeUndefined();
    const tokens = auth.login('alice', 's3cret');
    expect(tokens).toMatchObject({ ExpiresIn: 3600, TokenType: 'Bearer' });
    expect(new Set([tokens?.IdToken, tokens?.AccessToken, tokens?.RefreshToken]).size).toBe(3);
  });

  it('accepts only the raw IdToken, not Bearer or the access token', () => {
    const auth = new AuthService(3600);
    const account = auth.addAccount({
      username: 'alice',
      password: 'pw',
      organizationName: 'Alice Care',
    });
    const tokens = auth.login('alice', 'pw');
    if (!tokens) throw new Error('login failed');
    expect(auth.identify(tokens.IdToken)?.account.organizationId).toBe(account.organizationId);
    expect(auth.identify(`Bearer ${tokens.IdToken}`)).toBeUndefined();
    expect(auth.identify(tokens.AccessToken)).toBeUndefined();
    expect(auth.identify(undefined)).toBeUndefined();
  });

  it('stops accepting a token once ExpiresIn has passed', () => {
    const time = clock();
    const auth = new AuthService(60, time.now);
    auth.addAccount({ username: 'alice', password: 'pw', organizationName: 'Alice Care' });
    const token = auth.login('alice', 'pw')?.IdToken;
    time.advance(59_000);
    expect(auth.identify(token)).toBeDefined();
    time.advance(1000);
    expect(auth.identify(token)).toBeUndefined();
  });
});

describe('OfferBook, demand side and referrals', () => {
  const spec = (overrides: Partial<OfferSpec> = {}): OfferSpec => ({
    care_type: 'psw',
    offer_type: 'visit',
    expires_at: '2026-03-01T13:00:00.000Z',
    client: {
      outbox_id: 'c-1',
      address: { address: '1 Main St', city: 'Ottawa', state: 'ON', zip: 'K1P', country: 'CA' },
      demographics: { first_name: 'Ann', last_name: 'Example' },
    },
    service: { outbox_id: 's-1', name: 'Personal support' },
    visits: [
      {
        outbox_id: 'v-1',
        start_at: '2026-03-02T09:00:00.000Z',
        end_at: '2026-03-02T10:00:00.000Z',
      },
    ],
    ...overrides,
  });

  function market(assignment: 'auto' | 'manual' = 'manual') {
    const time = clock();
    const book = new OfferBook(ORG, time.now, {
      demand: { id: 'org-demand', name: 'Demand', assignment },
    });
    book.addOrganization({
      id: 'org-nurses',
      kind: 'supply',
      name: 'Nurses Inc',
      careTypes: ['nursing'],
    });
    book.addOrganization({
      id: 'org-second',
      kind: 'supply',
      name: 'Second Care',
      careTypes: ['psw', 'nursing'],
    });
    const events: SimulatorEvent[] = [];
    book.onEvent((e) => events.push(e));
    const names = (channel: string, org?: string) =>
      events
        .filter((e) => e.channel === channel && (org === undefined || e.organizationId === org))
        .map((e) => e.payload.event_name);
    return { book, time, events, names };
  }

  it('matches a new offer to every supply organisation with its care type and tells each (OfferMatched)', () => {
    const { book, names } = market();
    const stored = book.createOffer('org-demand', spec());
    expect(stored.matches.map((m) => m.supplyOrganizationId).sort()).toEqual(
      [ORG, 'org-second'].sort(),
    );
    expect(names('inbox-offers', ORG)).toEqual(['OfferMatched']);
    expect(names('inbox-offers', 'org-nurses')).toEqual([]);
    expect(book.getOutbox(stored.detail.offer.id, 'org-demand')).toMatchObject({
      offer: { status: 'open' },
      response_counts: { sent: 2, accepted: 0 },
    });
    expect(book.getOutbox(stored.detail.offer.id, 'someone-else')).toBeUndefined();
  });

  it('refuses a second open offer for the same visit (409)', () => {
    const { book } = market();
    book.createOffer('org-demand', spec());
    expect(statusOf(() => book.createOffer('org-demand', spec()))).toBe(409);
  });

  it('manual: assigns an accepted match only through assign, fulfils the others and creates a referral', () => {
    const { book, names } = market('manual');
    const id = book.createOffer('org-demand', spec()).detail.offer.id;
    const mine = book.get(id, ORG)?.match.id ?? '';
    expect(statusOf(() => book.assign('org-demand', id, mine))).toBe(409); // still pending
    book.respond(ORG, id, 'accept', {});
    expect(names('outbox-offers')).toEqual(['OfferAccepted']);
    expect(book.getOutbox(id)?.offer.status).toBe('open');
    expect(statusOf(() => book.assign('org-demand', id, 'no-such-match'))).toBe(404);
    book.assign('org-demand', id, mine);
    expect(book.getOutbox(id)).toMatchObject({
      offer: { status: 'assigned' },
      supply: { id: ORG },
    });
    expect(book.get(id, ORG)?.match.status).toBe('assigned');
    expect(book.get(id, 'org-second')?.match.status).toBe('fulfilled');
    expect(names('inbox-offers', 'org-second')).toEqual(['OfferMatched', 'OfferFulfilled']);
    expect(names('inbox-referrals', ORG)).toEqual(['ReferralCreated']);
    expect(names('outbox-referrals', 'org-demand')).toEqual(['ReferralCreated']);
    expect(book.referrals()).toEqual([
      expect.objectContaining({
        offer_id: id,
        status: 'assigned',
        sequence_id: book.get(id, ORG)?.match.sequence_id,
      }),
    ]);
    expect(statusOf(() => book.assign('org-demand', id, mine))).toBe(409);
    expect(statusOf(() => book.closeByDemand('org-demand', id, {}))).toBe(409);
  });

  it('auto: the first accept assigns at once, and manual assign is forbidden (403)', () => {
    const { book, names } = market('auto');
    const id = book.createOffer('org-demand', spec()).detail.offer.id;
    expect(statusOf(() => book.assign('org-demand', id, book.get(id, ORG)?.match.id ?? ''))).toBe(
      403,
    );
    book.respond('org-second', id, 'accept', {});
    expect(book.getOutbox(id)?.offer.status).toBe('assigned');
    expect(book.get(id, 'org-second')?.match.status).toBe('assigned');
    expect(statusOf(() => book.respond(ORG, id, 'accept', {}))).toBe(409); // its match was fulfilled
    expect(names('inbox-referrals', 'org-second')).toEqual(['ReferralCreated']);
  });

  it('marks an offer declined_by_all when every matched organisation declines', () => {
    const { book, names } = market();
    const id = book.createOffer('org-demand', spec()).detail.offer.id;
    book.respond(ORG, id, 'decline', {});
    expect(book.getOutbox(id)?.offer.status).toBe('open');
    book.respond('org-second', id, 'decline', { reason_code: 'no_capacity' });
    expect(book.getOutbox(id)?.offer.status).toBe('declined_by_all');
    expect(names('outbox-offers')).toEqual([
      'OfferDeclined',
      'OfferDeclined',
      'OfferDeclinedByAll',
    ]);
  });

  it('closes only an open offer, closing its open matches and telling their organisations', () => {
    const { book, names } = market();
    const id = book.createOffer('org-demand', spec()).detail.offer.id;
    book.respond(ORG, id, 'decline', {});
    book.closeByDemand('org-demand', id, { reason_code: 'client_request' });
    expect(book.getOutbox(id)?.offer).toMatchObject({
      status: 'closed',
      reason_code: 'client_request',
    });
    expect(names('inbox-offers', 'org-second')).toEqual(['OfferMatched', 'OfferClosed']);
    // A declined match is still open (only its response changed): it closes and is told too.
    expect(names('inbox-offers', ORG)).toEqual(['OfferMatched', 'OfferClosed']);
    expect(book.get(id, ORG)?.match).toMatchObject({ response: 'declined', status: 'closed' });
    expect(statusOf(() => book.closeByDemand('org-demand', id, {}))).toBe(409);
    expect(statusOf(() => book.respond('org-second', id, 'accept', {}))).toBe(409);
  });

  it('expires an open offer at expires_at with OfferExpired to supply and demand', () => {
    const { book, time, names } = market();
    const id = book.createOffer('org-demand', spec()).detail.offer.id;
    time.advance(60 * 60 * 1000 - 1);
    book.sweep();
    expect(names('outbox-offers')).toEqual([]);
    time.advance(1);
    book.sweep();
    expect(book.getOutbox(id)?.offer.status).toBe('expired');
    expect(names('inbox-offers', ORG)).toEqual(['OfferMatched', 'OfferExpired']);
    expect(names('outbox-offers')).toEqual(['OfferExpired']);
  });

  it('runs a referral through processed and cancelled, refusing actions in the wrong state', () => {
    const { book, names } = market('auto');
    const id = book.createOffer('org-demand', spec()).detail.offer.id;
    book.respond(ORG, id, 'accept', {});
    const referralId = book.referrals()[0].id;
    expect(book.getInboxReferral(ORG, referralId)?.client.demographics.first_name).toBe('Ann');
    expect(book.getInboxReferral('org-second', referralId)).toBeUndefined();
    book.markProcessed(ORG, referralId);
    expect(
      statusOf(() => {
        book.markProcessed(ORG, referralId);
      }),
    ).toBe(409);
    expect(names('outbox-referrals')).toEqual(['ReferralCreated', 'ReferralProcessed']);
    book.cancelReferral('demand', 'org-demand', referralId, {
      reason_code: 'client_hospitalization',
      comment: 'in hospital',
    });
    expect(book.getOutboxReferral('org-demand', referralId)?.referral).toMatchObject({
      status: 'cancelled',
      reason_code: 'client_hospitalization',
      cancellation_comment: 'in hospital',
    });
    expect(names('inbox-referrals', ORG)).toEqual(['ReferralCreated', 'ReferralDemandCancelled']);
    expect(
      statusOf(() => {
        book.cancelReferral('supply', ORG, referralId, {});
      }),
    ).toBe(409);
    expect(
      statusOf(() => {
        book.cancelReferral('supply', 'org-second', referralId, {});
      }),
    ).toBe(404);
  });

  it('accepting one offer of a shift accepts the others, each with its own OfferAccepted', () => {
    const { book, names } = market();
    const a = book.createOffer('org-demand', spec(), { shiftId: 'shift-1' }).detail.offer.id;
    const b = book.createOffer(
      'org-demand',
      spec({
        visits: [
          {
            outbox_id: 'v-2',
            start_at: '2026-03-03T09:00:00.000Z',
            end_at: '2026-03-03T10:00:00.000Z',
          },
        ],
      }),
      { shiftId: 'shift-1' },
    ).detail.offer.id;
    expect(book.respond(ORG, b, 'accept', {}).sort()).toEqual([a, b].sort());
    expect(book.get(a, 'org-second')?.match.response).toBe('pending');
    expect(names('outbox-offers')).toEqual(['OfferAccepted', 'OfferAccepted']);
  });
});
