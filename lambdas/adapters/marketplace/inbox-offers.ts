/**
 * The supply inbox offers the worker reads and answers: one offer (only the fields of
 * `InboxOffer`, built field by field so nothing else from the detail, health data, can ride
 * along: inbox-offer.ts), the offers of a shift or bundle, accept and decline.
 */
import type { InboxOffer, MarketplaceApi, MatchStatus } from '../../core/ports';
import { inboxOfferForWorkerSchema, toInboxOffer } from './inbox-offer';
import { inboxOfferPath, paginate, type PageQuery, pick } from './resources';
import { inboxOfferIdPageSchema } from './schemas/inbox-offers';
import type { MarketplaceTransport, Verdict } from './transport';

/** The API's default page size, asked for explicitly: a shift fits on one page, so it is read at once. */
const SHIFT_PAGE_SIZE = 100;

export interface InboxOfferQuery extends PageQuery {
  status?: MatchStatus;
  shift_id?: string;
}

/** `GET /offers/v1/inbox/offers/{id}` as the worker reads it. */
export async function getInboxOffer(t: MarketplaceTransport, offerId: string): Promise<InboxOffer> {
  return toInboxOffer(
    await t.getJson('getInboxOffer', inboxOfferPath(offerId), inboxOfferForWorkerSchema),
  );
}

/**
 * Every offer of a shift or bundle matched to this organisation, as the worker reads them, by
 * offer id. The list is read only for ids (so a list field the worker never uses cannot fail
 * it), and an item without a readable offer id fails the call: a shift decided without one of
 * its offers could be accepted against that offer's rules. Offers that say they belong to
 * another shift (a list that ignored the filter) are left out, and so are details that do.
 */
export async function listShiftOffers(
  t: MarketplaceTransport,
  shiftId: string,
): Promise<InboxOffer[]> {
  const ids = new Set<string>();
  const pages = paginate((page) =>
    t.getJson('listShiftOffers', '/offers/v1/inbox/offers', inboxOfferIdPageSchema, {
      shift_id: shiftId,
      items_per_page: SHIFT_PAGE_SIZE,
      page,
    }),
  );
  for await (const { offer } of pages) {
    if (offer.shift_id === undefined || offer.shift_id === null || offer.shift_id === shiftId)
      ids.add(offer.id);
  }
  const offers: InboxOffer[] = [];
  for (const id of [...ids].sort()) {
    const offer = await getInboxOffer(t, id);
    if (offer.shiftId === shiftId) offers.push(offer);
  }
  return offers;
}

/** `POST .../inbox/offers/{id}/accept`. Acts on every offer of the same shift. */
export async function acceptInboxOffer(
  t: MarketplaceTransport,
  offerId: string,
  body?: { comment?: string },
): Promise<void> {
  await t.action({
    operation: 'acceptInboxOffer',
    method: 'POST',
    path: `${inboxOfferPath(offerId)}/accept`,
    body: pick(body, ['comment']),
    verify: () => verifyMatch(t, offerId, 'accepted'),
  });
}

/** `POST .../inbox/offers/{id}/decline` (the API requires a body, even `{}`). */
export async function declineInboxOffer(
  t: MarketplaceTransport,
  offerId: string,
  body?: { reason_code?: string; comment?: string },
): Promise<void> {
  await t.action({
    operation: 'declineInboxOffer',
    method: 'POST',
    path: `${inboxOfferPath(offerId)}/decline`,
    body: pick(body, ['reason_code', 'comment']),
    verify: () => verifyMatch(t, offerId, 'declined'),
  });
}

async function verifyMatch(
  t: MarketplaceTransport,
  offerId: string,
  wanted: 'accepted' | 'declined',
): Promise<Verdict<undefined>> {
  const { match } = await getInboxOffer(t, offerId);
  if (match.response === wanted) return { kind: 'done', value: undefined };
  if (match.response === 'pending' && match.status === 'open') return { kind: 'not-done' };
  return { kind: 'impossible', state: `match ${match.response}/${match.status ?? 'null'}` };
}

/** The worker's supply port on `t`. */
export function inboxOfferApi(t: MarketplaceTransport): MarketplaceApi {
  return {
    getInboxOffer: (offerId) => getInboxOffer(t, offerId),
    listShiftOffers: (shiftId) => listShiftOffers(t, shiftId),
    acceptInboxOffer: (offerId, body) => acceptInboxOffer(t, offerId, body),
    declineInboxOffer: (offerId, body) => declineInboxOffer(t, offerId, body),
  };
}
