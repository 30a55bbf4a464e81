/**
 * Object parts shared by several resources' schemas (matches, parties, addresses, revisions). Each
 * is built on its first parse (`z.lazy`), like the outbox and referral schemas that use them: the
 * worker and the reconciler load this module for schemas they rarely or never parse, and zod builds
 * a schema when its module loads.
 */
import * as z from '../../../core/zod';
import { dateTime, id, MATCH_RESPONSES, MATCH_STATUSES, PRICE_UNITS, text } from './common';

/** `OfferMatchCore`. */
export const offerMatch = z.lazy(() =>
  z.looseObject({
    id,
    response: z.enum(MATCH_RESPONSES),
    status: z.nullable(z.enum(MATCH_STATUSES)),
    sequence_id: id,
    created_at: dateTime,
    updated_at: z.optional(dateTime),
    reason_code: z.optional(text),
    comment: z.optional(text),
  }),
);

export const party = z.lazy(() => z.looseObject({ id, name: text }));
export const price = z.lazy(() => z.looseObject({ rate: z.number(), unit: z.enum(PRICE_UNITS) }));
export const namedValue = z.lazy(() => z.looseObject({ name: text, value: text }));
export const fullAddress = z.lazy(() =>
  z.looseObject({
    address: text,
    city: text,
    state: text,
    zip: text,
    country: text,
  }),
);
export const anonAddress = z.lazy(() =>
  z.looseObject({ city: text, state: text, zip: text, country: text }),
);
export const demographics = z.lazy(() => z.looseObject({ first_name: text, last_name: text }));
export const responseCounts = z.lazy(() =>
  z.looseObject({
    modified_at: z.optional(dateTime),
    sent: z.optional(z.int()),
    accepted: z.optional(z.int()),
    declined: z.optional(z.int()),
  }),
);
/**
 * `ReferralRevisionResponse` (inbox and outbox referral details) and
 * `OutboxReferralCollectionRevisionResponse` (outbox referral list): the same required fields.
 */
export const revision = z.lazy(() =>
  z.looseObject({
    revision_group_id: id,
    revision_number: z.int(),
    is_latest_revision: z.boolean(),
    revision_reasons: z.optional(z.array(text)),
    revision_comment: z.optional(text),
  }),
);

/**
 * `InboxReferralCollectionRevisionResponse` (inbox referral list): the spec publishes no
 * `is_latest_revision` here, so it is read when present and never required.
 */
export const inboxListRevision = z.lazy(() =>
  z.looseObject({
    revision_group_id: id,
    revision_number: z.int(),
    is_latest_revision: z.optional(z.boolean()),
  }),
);
