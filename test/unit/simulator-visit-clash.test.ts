/**
 * The simulator refuses (409) a visit offer for a visit that another open or assigned visit offer
 * of the same demand organisation covers, found through its index of visit offers rather than a
 * walk over every offer: the index must see offers of earlier requests and earlier items of the
 * same request, follow their status as it changes, and keep organisations apart.
 */
import { OfferBook, type OfferSpec } from '../../sandbox/simulator/offer-book';
import { statusOf } from '../support/simulator-offers-helpers';

const SUPPLY = 'org-supply';

const visit = (outboxId: string) => ({
  outbox_id: outboxId,
  start_at: '2026-03-02T09:00:00.000Z',
  end_at: '2026-03-02T10:00:00.000Z',
});

const spec = (visitIds: string[], overrides: Partial<OfferSpec> = {}): OfferSpec => ({
  care_type: 'psw',
  offer_type: 'visit',
  expires_at: '2026-03-01T13:00:00.000Z',
  client: {
    outbox_id: 'c-1',
    address: { address: '1 Main St', city: 'Ottawa', state: 'ON', zip: 'K1P', country: 'CA' },
    demographics: { first_name: 'Ann', last_name: 'Example' },
  },
  service: { outbox_id: 's-1', name: 'Personal support', start_at: '2026-03-02T09:00:00.000Z' },
  visits: visitIds.map(visit),
  ...overrides,
});

function market() {
  const book = new OfferBook(SUPPLY, () => new Date('2026-03-01T12:00:00Z'), {
    demand: { id: 'org-demand', name: 'Demand' },
  });
  book.addOrganization({ id: 'org-other-demand', kind: 'demand', name: 'Other Demand' });
  return book;
}

it('refuses an offer sharing any visit with an open offer of the same organisation', () => {
  const book = market();
  book.createOffer('org-demand', spec(['v-1', 'v-2']));
  expect(statusOf(() => book.createOffer('org-demand', spec(['v-3', 'v-2'])))).toBe(409);
  expect(statusOf(() => book.createOffer('org-demand', spec(['v-3'])))).toBeUndefined();
  // Many offers later, the first one still counts.
  for (let i = 0; i < 50; i++) book.createOffer('org-demand', spec([`v-more-${i}`]));
  expect(statusOf(() => book.createOffer('org-demand', spec(['v-1'])))).toBe(409);
});

it('keeps demand organisations apart: the same visit id of another organisation is no clash', () => {
  const book = market();
  book.createOffer('org-demand', spec(['v-1']));
  expect(statusOf(() => book.createOffer('org-other-demand', spec(['v-1'])))).toBeUndefined();
});

it('allows the visit again once the offer covering it is closed, and refuses it while the new one is open', () => {
  const book = market();
  const first = book.createOffer('org-demand', spec(['v-1'])).detail.offer.id;
  book.closeByDemand('org-demand', first, {});
  const second = book.createOffer('org-demand', spec(['v-1'])).detail.offer.id;
  expect(second).not.toBe(first);
  expect(statusOf(() => book.createOffer('org-demand', spec(['v-1'])))).toBe(409);
});

it('refuses a shift whose items share a visit, and creates none of it', () => {
  const book = market();
  const before = book.all().length;
  expect(
    statusOf(() =>
      book.createShift('org-demand', [spec(['v-1']), spec(['v-2']), spec(['v-1'])], 'shift-1'),
    ),
  ).toBe(409);
  expect(book.all()).toHaveLength(before);
  // Nothing of the refused shift was indexed: its visits are free.
  expect(statusOf(() => book.createOffer('org-demand', spec(['v-1'])))).toBeUndefined();
});

it('does not index service offers: only visit offers clash', () => {
  const book = market();
  book.createOffer('org-demand', spec(['v-1'], { offer_type: 'service' }));
  expect(statusOf(() => book.createOffer('org-demand', spec(['v-1'])))).toBeUndefined();
});
