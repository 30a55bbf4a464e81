/**
 * The demand outbox calls the worker makes to assign an offer: the assignment setting, one offer
 * (full client PHI: read for its status, never logged), its matches, and assign.
 */
import type {
  AcceptedMatch,
  MarketplaceDemandApi,
  MatchResponse,
  OfferAssignmentSetting,
  OfferStatus,
} from '../../core/ports';
import { outboxOfferPath, paginate, type PageQuery } from './resources';
import type { Page } from './schemas/common';
import {
  type AssignmentSetting,
  assignmentSettingSchema,
  type OutboxMatchItem,
  outboxMatchPageSchema,
  type OutboxOfferDetail,
  outboxOfferDetailSchema,
} from './schemas/outbox-offers';
import type { MarketplaceTransport } from './transport';

export interface MatchQuery extends PageQuery {
  /** One response or several (OR). */
  response?: MatchResponse | readonly MatchResponse[];
  sequence_id?: string | readonly string[];
}

/** `GET /offers/v1/outbox/offers/{id}`: full client PHI; never log it. */
export async function getOutboxOffer(
  t: MarketplaceTransport,
  offerId: string,
): Promise<OutboxOfferDetail> {
  return t.getJson('getOutboxOffer', outboxOfferPath(offerId), outboxOfferDetailSchema);
}

/** Only the outbox offer's status: the rest (PHI) is read and dropped here. */
export async function getOutboxOfferStatus(
  t: MarketplaceTransport,
  offerId: string,
): Promise<OfferStatus> {
  return (await getOutboxOffer(t, offerId)).offer.status;
}

/** `GET .../outbox/offers/{id}/matches`, e.g. `{ response: 'accepted' }`: one page. */
export async function listOutboxOfferMatches(
  t: MarketplaceTransport,
  offerId: string,
  query: MatchQuery = {},
): Promise<Page<OutboxMatchItem>> {
  return t.getJson(
    'listOutboxOfferMatches',
    `${outboxOfferPath(offerId)}/matches`,
    outboxMatchPageSchema,
    { ...query },
  );
}

export function outboxOfferMatches(
  t: MarketplaceTransport,
  offerId: string,
  query: Omit<MatchQuery, 'page'> = {},
): AsyncGenerator<OutboxMatchItem> {
  return paginate((page) => listOutboxOfferMatches(t, offerId, { ...query, page }));
}

/** The offer's accepted matches, every page: match id, creation time and status only. */
export async function listAcceptedMatches(
  t: MarketplaceTransport,
  offerId: string,
): Promise<AcceptedMatch[]> {
  const matches: AcceptedMatch[] = [];
  for await (const item of outboxOfferMatches(t, offerId, { response: 'accepted' })) {
    const match = item.match;
    if (match === undefined || match.response !== 'accepted') continue;
    matches.push({ id: match.id, createdAt: match.created_at, status: match.status });
  }
  return matches;
}

/** `POST .../outbox/offers/{id}/assign` (only when the assignment setting is `manual`). */
export async function assignOutboxOffer(
  t: MarketplaceTransport,
  offerId: string,
  offerMatchId: string,
): Promise<void> {
  await t.action({
    operation: 'assignOutboxOffer',
    method: 'POST',
    path: `${outboxOfferPath(offerId)}/assign`,
    body: { offer_match_id: offerMatchId },
    verify: async () => {
      const { offer } = await getOutboxOffer(t, offerId);
      if (offer.status === 'open') return { kind: 'not-done' };
      if (offer.status !== 'assigned')
        return { kind: 'impossible', state: `offer status ${offer.status}` };
      const mine = await listOutboxOfferMatches(t, offerId, { items_per_page: 100 });
      const match = mine.items.find((item) => item.match?.id === offerMatchId)?.match;
      return match?.status === 'assigned'
        ? { kind: 'done', value: undefined }
        : { kind: 'impossible', state: 'offer assigned to another match' };
    },
  });
}

/** `GET /offers/v1/demand_personas/settings/assignment`. */
export async function getAssignmentSetting(
  t: MarketplaceTransport,
): Promise<OfferAssignmentSetting> {
  const setting: AssignmentSetting = await t.getJson(
    'getAssignmentSetting',
    '/offers/v1/demand_personas/settings/assignment',
    assignmentSettingSchema,
  );
  return setting.offer_assignment;
}

/** The worker's demand port on `t`. */
export function demandOfferApi(t: MarketplaceTransport): MarketplaceDemandApi {
  return {
    getAssignmentSetting: () => getAssignmentSetting(t),
    listAcceptedMatches: (offerId) => listAcceptedMatches(t, offerId),
    assignOutboxOffer: (offerId, offerMatchId) => assignOutboxOffer(t, offerId, offerMatchId),
    getOutboxOfferStatus: (offerId) => getOutboxOfferStatus(t, offerId),
  };
}
