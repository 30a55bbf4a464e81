/**
 * Demand outbox calls the Lambdas never make (the sandbox, the CLI and tests): create an offer, a
 * shift or a bundle, list offers and close one. Creates with an unknown outcome are checked by
 * looking for the offer they may have made before any retry. Full client PHI: never log results.
 */
import { getOutboxOffer } from './demand-offers';
import { outboxOfferPath, paginate, type PageQuery, pick, statusVerdict } from './resources';
import type {
  OutboxBundleOfferCreateRequest,
  OutboxOfferCreateRequest,
  OutboxShiftOfferCreateRequest,
} from './requests';
import type { OfferStatus, Page, ReasonCode } from './schemas/common';
import {
  type BundleCreateResponse,
  bundleCreateResponseSchema,
  type OutboxOfferDetail,
  outboxOfferDetailSchema,
  type OutboxOfferListItem,
  outboxOfferPageSchema,
  type ShiftCreateResponse,
  shiftCreateResponseSchema,
} from './schemas/outbox-offers';
import type { MarketplaceTransport } from './transport';

/** Clock skew allowed when looking for an offer a create with an unknown outcome may have made. */
const CREATE_LOOKBACK_MS = 60_000;

export interface OutboxOfferQuery extends PageQuery {
  care_type?: 'psw' | 'nursing';
  offer_type?: 'visit' | 'service';
  status?: OfferStatus;
  client_outbox_id?: string;
  visit_outbox_id?: string;
  is_accepted?: boolean;
  expires_after?: string;
  expires_before?: string;
  shift_id?: string;
  demand_label?: string;
}

/** `POST /offers/v1/outbox/offers` (201 with the offer detail). */
export async function createOutboxOffer(
  t: MarketplaceTransport,
  request: OutboxOfferCreateRequest,
): Promise<OutboxOfferDetail> {
  const operation = 'createOutboxOffer';
  const outcome = await t.send<OutboxOfferDetail>({
    operation,
    method: 'POST',
    path: '/offers/v1/outbox/offers',
    body: request,
    verify: async (startedAt) => {
      const found = await findCreated(
        t,
        request.client.outbox_id,
        request.service.outbox_id,
        startedAt,
        false,
      );
      return found === undefined
        ? { kind: 'not-done' }
        : { kind: 'done', value: await getOutboxOffer(t, found.offer.id) };
    },
  });
  return 'verified' in outcome
    ? outcome.verified
    : t.parse(operation, { response: outcome.response }, outboxOfferDetailSchema);
}

/** `POST /offers/v1/outbox/shift/offers`: visit offers sharing one `shift_id`. */
export async function createShiftOffers(
  t: MarketplaceTransport,
  request: OutboxShiftOfferCreateRequest,
): Promise<ShiftCreateResponse> {
  const operation = 'createShiftOffers';
  const outcome = await t.send<ShiftCreateResponse>({
    operation,
    method: 'POST',
    path: '/offers/v1/outbox/shift/offers',
    body: request,
    verify: async (startedAt) => {
      const shiftId = await findCreatedGroup(t, request.items, startedAt);
      if (shiftId === undefined) return { kind: 'not-done' };
      const details = await groupDetails(t, shiftId);
      return {
        kind: 'done',
        value: {
          shift: { id: shiftId },
          items: details.map((d) => ({
            offer: {
              id: d.offer.id,
              care_type: d.offer.care_type,
              start_at: d.offer.start_at,
              end_at: d.offer.end_at ?? d.offer.start_at,
              expires_at: d.offer.expires_at,
            },
            client: { outbox_id: d.client.outbox_id, demographics: d.client.demographics },
            service: { outbox_id: d.service.outbox_id, name: d.service.name },
            visits: (d.visits ?? []).map((v) => ({ id: v.id, outbox_id: v.outbox_id })),
            response_counts: d.response_counts,
          })),
        },
      };
    },
  });
  return 'verified' in outcome
    ? outcome.verified
    : t.parse(operation, { response: outcome.response }, shiftCreateResponseSchema);
}

/** `POST /offers/v1/outbox/bundle/offers`: service offers sharing one bundle (`shift_id`). */
export async function createBundleOffers(
  t: MarketplaceTransport,
  request: OutboxBundleOfferCreateRequest,
): Promise<BundleCreateResponse> {
  const operation = 'createBundleOffers';
  const outcome = await t.send<BundleCreateResponse>({
    operation,
    method: 'POST',
    path: '/offers/v1/outbox/bundle/offers',
    body: request,
    verify: async (startedAt) => {
      const bundleId = await findCreatedGroup(t, request.items, startedAt);
      if (bundleId === undefined) return { kind: 'not-done' };
      const details = await groupDetails(t, bundleId);
      return {
        kind: 'done',
        value: {
          bundle: { id: bundleId },
          items: details.map((d) => ({
            offer: {
              id: d.offer.id,
              care_type: d.offer.care_type,
              status: d.offer.status,
              start_at: d.offer.start_at,
              expires_at: d.offer.expires_at,
            },
            client: { outbox_id: d.client.outbox_id, demographics: d.client.demographics },
            service: { outbox_id: d.service.outbox_id, name: d.service.name },
            response_counts: d.response_counts,
          })),
        },
      };
    },
  });
  return 'verified' in outcome
    ? outcome.verified
    : t.parse(operation, { response: outcome.response }, bundleCreateResponseSchema);
}

/** `GET /offers/v1/outbox/offers`: one page. */
export async function listOutboxOffers(
  t: MarketplaceTransport,
  query: OutboxOfferQuery = {},
): Promise<Page<OutboxOfferListItem>> {
  return t.getJson('listOutboxOffers', '/offers/v1/outbox/offers', outboxOfferPageSchema, {
    ...query,
  });
}

export function outboxOffers(
  t: MarketplaceTransport,
  query: Omit<OutboxOfferQuery, 'page'> = {},
): AsyncGenerator<OutboxOfferListItem> {
  return paginate((page) => listOutboxOffers(t, { ...query, page }));
}

/** `POST .../outbox/offers/{id}/close` (only while open). */
export async function closeOutboxOffer(
  t: MarketplaceTransport,
  offerId: string,
  body?: { reason_code?: ReasonCode; reason_comment?: string },
): Promise<void> {
  await t.action({
    operation: 'closeOutboxOffer',
    method: 'POST',
    path: `${outboxOfferPath(offerId)}/close`,
    body: pick(body, ['reason_code', 'reason_comment']),
    verify: async () => {
      const { offer } = await getOutboxOffer(t, offerId);
      return statusVerdict(offer.status, 'closed', ['open']);
    },
  });
}

/** An offer for this client and service created since the attempt began (minus clock skew). */
async function findCreated(
  t: MarketplaceTransport,
  clientOutboxId: string,
  serviceOutboxId: string,
  startedAt: number,
  inGroup: boolean,
): Promise<OutboxOfferListItem | undefined> {
  for await (const item of outboxOffers(t, { client_outbox_id: clientOutboxId })) {
    if (item.service.outbox_id !== serviceOutboxId) continue;
    if (inGroup && item.offer.shift_id === undefined) continue;
    if (Date.parse(item.offer.created_at) >= startedAt - CREATE_LOOKBACK_MS) return item;
  }
  return undefined;
}

async function findCreatedGroup(
  t: MarketplaceTransport,
  items: ReadonlyArray<{ client: { outbox_id: string }; service: { outbox_id: string } }>,
  startedAt: number,
): Promise<string | undefined> {
  if (items.length === 0) return undefined;
  const first = items[0];
  return (await findCreated(t, first.client.outbox_id, first.service.outbox_id, startedAt, true))
    ?.offer.shift_id;
}

async function groupDetails(
  t: MarketplaceTransport,
  shiftId: string,
): Promise<OutboxOfferDetail[]> {
  const details: OutboxOfferDetail[] = [];
  for await (const item of outboxOffers(t, { shift_id: shiftId, sort_order: 'asc' }))
    details.push(await getOutboxOffer(t, item.offer.id));
  return details;
}
