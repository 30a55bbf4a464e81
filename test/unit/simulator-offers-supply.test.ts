/**
 * The marketplace simulator's supply-side state rules, in memory with a controlled clock: a match
 * is answered once while pending and open, a shift is answered together, unanswered offers expire,
 * listing pages and filters, and the login tokens (raw IdToken only, expiry). The demand side and
 * referrals are in simulator-offers-demand.test.ts. The HTTP layer is covered by
 * simulator-api.test.ts, SNS delivery by simulator-sns.test.ts, the whole flow by test/e2e.
 */
import { AuthService } from '../../sandbox/simulator/auth';
import { OfferBook } from '../../sandbox/simulator/offer-book';
import { ORG, clock, statusOf } from '../support/simulator-offers-helpers';

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
