/**
 * The marketplace API's query strings: pages, filters and enums read and checked as API Gateway's
 * request validator would (400 `Invalid request parameters` naming the parameter).
 */
import { SimulatorApiError } from './api-error';
import {
  CARE_TYPES,
  isOneOf,
  MATCH_RESPONSES,
  MATCH_STATUSES,
  OFFER_STATUSES,
  OFFER_TYPES,
  REFERRAL_STATUSES,
} from './model';
import type {
  ListQuery,
  MatchListQuery,
  OutboxListQuery,
  PageQuery,
  ReferralListQuery,
} from './book-types';

const invalidParams = (detail: string) =>
  new SimulatorApiError(400, 'Invalid request parameters', detail);

function positiveInt(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw invalidParams(`[${name} must be an integer >= 1]`);
  return Number(raw);
}

export function pageQuery(url: URL): PageQuery {
  const sortBy = url.searchParams.get('sort_by');
  if (sortBy !== null && sortBy !== 'last_modified')
    throw invalidParams('[sort_by must be last_modified]');
  const sortOrder = url.searchParams.get('sort_order') ?? 'desc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc')
    throw invalidParams('[sort_order must be asc or desc]');
  return {
    page: positiveInt(url, 'page', 1),
    itemsPerPage: positiveInt(url, 'items_per_page', 100),
    sortOrder,
  };
}

/** `GET .../outbox/offers/{id}/matches`: a page, narrowed by responses and sequence ids (repeatable). */
export function matchListQuery(url: URL): MatchListQuery {
  const responses = url.searchParams.getAll('response');
  const known = responses.filter((r) => isOneOf(r, MATCH_RESPONSES));
  if (known.length < responses.length)
    throw invalidParams(`[response must be one of ${MATCH_RESPONSES.join(', ')}]`);
  const sequenceIds = url.searchParams.getAll('sequence_id');
  return {
    ...pageQuery(url),
    ...(known.length > 0 ? { responses: known } : {}),
    ...(sequenceIds.length > 0 ? { sequenceIds } : {}),
  };
}

function enumParam<T extends string>(url: URL, name: string, allowed: readonly T[]): T | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  if (!isOneOf(value, allowed))
    throw invalidParams(`[${name} must be one of ${allowed.join(', ')}]`);
  return value;
}

function stringParam(url: URL, name: string): string | undefined {
  return url.searchParams.get(name) ?? undefined;
}

export function inboxListQuery(url: URL): ListQuery {
  const status = enumParam(url, 'status', MATCH_STATUSES);
  const shiftId = stringParam(url, 'shift_id');
  return { ...pageQuery(url), ...(status ? { status } : {}), ...(shiftId ? { shiftId } : {}) };
}

export function outboxListQuery(url: URL): OutboxListQuery {
  const isAccepted = url.searchParams.get('is_accepted');
  if (isAccepted !== null && isAccepted !== 'true' && isAccepted !== 'false')
    throw invalidParams('[is_accepted must be true or false]');
  const q = {
    careType: enumParam(url, 'care_type', CARE_TYPES),
    offerType: enumParam(url, 'offer_type', OFFER_TYPES),
    status: enumParam(url, 'status', OFFER_STATUSES),
    clientOutboxId: stringParam(url, 'client_outbox_id'),
    visitOutboxId: stringParam(url, 'visit_outbox_id'),
    isAccepted: isAccepted === null ? undefined : isAccepted === 'true',
    expiresAfter: stringParam(url, 'expires_after'),
    expiresBefore: stringParam(url, 'expires_before'),
    shiftId: stringParam(url, 'shift_id'),
    demandLabel: stringParam(url, 'demand_label'),
  };
  return { ...pageQuery(url), ...dropUndefined(q) };
}

export function referralQuery(
  url: URL,
  statusParam: 'status' | 'referral_status',
): ReferralListQuery {
  const q = {
    status: enumParam(url, statusParam, REFERRAL_STATUSES),
    offerId: stringParam(url, 'offer_id'),
    shiftId: stringParam(url, 'shift_id'),
    sequenceId: stringParam(url, 'sequence_id'),
    supplyOrganizationId: stringParam(url, 'supply_persona_id'),
    careType: enumParam(url, 'care_type', CARE_TYPES),
    referralType: enumParam(url, 'referral_type', OFFER_TYPES),
    clientOutboxId: stringParam(url, 'client_outbox_id'),
  };
  return { ...pageQuery(url), ...dropUndefined(q) };
}

function dropUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
