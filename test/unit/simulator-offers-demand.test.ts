/**
 * The marketplace simulator's demand side, in memory with a controlled clock: matching on care
 * type, manual and auto assignment, declined_by_all, close, expiry, the shift rule, referrals
 * (processed, cancelled) and the events each change emits. The supply side and login tokens are in
 * simulator-offers-supply.test.ts. The HTTP layer is covered by simulator-api.test.ts, SNS
 * delivery by simulator-sns.test.ts, the whole flow by test/e2e.
 */
import type { SimulatorEvent } from '../../sandbox/simulator/model';
import { OfferBook, type OfferSpec } from '../../sandbox/simulator/offer-book';
import { ORG, clock, statusOf } from '../support/simulator-offers-helpers';

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
