/**
 * Response schemas of the AlayaMarket API, written from AlayaCare's published OpenAPI
 * specifications (auth, offers, organizations). Every object accepts fields it does not know
 * (the API grows), and every field the specification marks required must be present, so a
 * changed or broken answer fails with an error that names the missing field.
 *
 * Referral details and outbox offers carry client PHI (names, addresses, allergies, risks):
 * their parsed values are handed to the caller and never logged or quoted in errors.
 */
import * as z from 'zod';

const text = z.string();
const id = z.string().min(1);
const dateTime = z.string().min(1);

export const CARE_TYPES = ['psw', 'nursing'] as const;
export const OFFER_TYPES = ['visit', 'service'] as const;
export const OFFER_STATUSES = ['open', 'assigned', 'closed', 'declined_by_all', 'expired'] as const;
export const MATCH_RESPONSES = ['pending', 'accepted', 'declined'] as const;
export const MATCH_STATUSES = ['open', 'expired', 'closed', 'assigned', 'fulfilled'] as const;
export const REFERRAL_STATUSES = ['assigned', 'processed', 'cancelled'] as const;
export const PRICE_UNITS = ['per_visit', 'per_hour', 'amount'] as const;
export const OFFER_ASSIGNMENTS = ['auto', 'manual'] as const;
/** `ReasonCodeCore`: why the demand side closed an offer or cancelled a referral. */
export const REASON_CODES = [
  'datetime_change',
  'client_request',
  'client_hospitalization',
  'client_passed_away',
  'client_refused_service',
  'processing_error',
  'other',
] as const;
export const TOPICS = [
  'demand-organizations',
  'inbox-form-templates',
  'inbox-messages',
  'inbox-offers',
  'inbox-referrals',
  'outbox-form-submissions',
  'outbox-messages',
  'outbox-offers',
  'outbox-referrals',
  'outbox-visits',
  'outbox-visit-tasks',
  'outbox-work-sessions',
] as const;

export type OfferStatus = (typeof OFFER_STATUSES)[number];
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
export type OfferAssignment = (typeof OFFER_ASSIGNMENTS)[number];
export type ReasonCode = (typeof REASON_CODES)[number];
export type Topic = (typeof TOPICS)[number];

const careType = z.enum(CARE_TYPES);
const offerType = z.enum(OFFER_TYPES);

/**
 * A required string read as one of `values`, or as `unknown` when the API sends a value this
 * connector does not know yet (the API grows): the caller decides what an unknown value means.
 */
export function knownOr<const T extends string>(values: readonly T[]) {
  return z
    .string()
    .transform((value): T | 'unknown' =>
      values.some((known) => known === value) ? (value as T) : 'unknown',
    );
}

/** `{page, items_per_page, total_items, total_pages, items}`; some pages publish `items` as optional. */
function pageOf<T extends z.ZodType>(item: T, itemsRequired: boolean) {
  return z.looseObject({
    page: z.number().int(),
    items_per_page: z.number().int(),
    total_items: z.number().int(),
    total_pages: z.number().int(),
    items: itemsRequired
      ? z.array(item)
      : z
          .array(item)
          .optional()
          .transform((items) => items ?? []),
  });
}

export interface Page<T> {
  page: number;
  items_per_page: number;
  total_items: number;
  total_pages: number;
  items: T[];
}

// --- auth --------------------------------------------------------------------------------------

/** `LoginResponse`: all optional in the spec; the client cannot work without an IdToken. */
export const loginResponseSchema = z.looseObject({
  IdToken: z.string().min(1),
  ExpiresIn: z.number().positive().optional(),
});

/** `CurrentIdentityDetailResponse`. */
export const currentIdentitySchema = z.looseObject({
  email: text,
  name: text.optional(),
  groups: z.array(text),
  organization_id: id.optional(),
});
export type CurrentIdentity = z.infer<typeof currentIdentitySchema>;

// --- shared parts ------------------------------------------------------------------------------

/** `OfferMatchCore`. */
const offerMatch = z.looseObject({
  id,
  response: z.enum(MATCH_RESPONSES),
  status: z.enum(MATCH_STATUSES).nullable(),
  sequence_id: id,
  created_at: dateTime,
  updated_at: dateTime.optional(),
  reason_code: text.optional(),
  comment: text.optional(),
});
export type OfferMatch = z.infer<typeof offerMatch>;

const party = z.looseObject({ id, name: text });
const price = z.looseObject({ rate: z.number(), unit: z.enum(PRICE_UNITS) });
const namedValue = z.looseObject({ name: text, value: text });
const fullAddress = z.looseObject({
  address: text,
  city: text,
  state: text,
  zip: text,
  country: text,
});
const anonAddress = z.looseObject({ city: text, state: text, zip: text, country: text });
const demographics = z.looseObject({ first_name: text, last_name: text });
const responseCounts = z.looseObject({
  modified_at: dateTime.optional(),
  sent: z.number().int().optional(),
  accepted: z.number().int().optional(),
  declined: z.number().int().optional(),
});
/**
 * `ReferralRevisionResponse` (inbox and outbox referral details) and
 * `OutboxReferralCollectionRevisionResponse` (outbox referral list): the same required fields.
 */
const revision = z.looseObject({
  revision_group_id: id,
  revision_number: z.number().int(),
  is_latest_revision: z.boolean(),
  revision_reasons: z.array(text).optional(),
  revision_comment: text.optional(),
});

/**
 * `InboxReferralCollectionRevisionResponse` (inbox referral list): the spec publishes no
 * `is_latest_revision` here, so it is read when present and never required.
 */
const inboxListRevision = z.looseObject({
  revision_group_id: id,
  revision_number: z.number().int(),
  is_latest_revision: z.boolean().optional(),
});

// --- inbox offers (supply) ---------------------------------------------------------------------

/** `InboxOfferCore`. */
const inboxOfferCore = z.looseObject({
  id,
  shift_id: id.optional(),
  care_type: careType,
  offer_type: offerType,
  expires_at: dateTime,
  start_at: dateTime,
  end_at: dateTime.optional(),
  created_at: dateTime,
  updated_at: dateTime.optional(),
});

export const inboxOfferListItemSchema = z.looseObject({
  offer: inboxOfferCore.optional(),
  match: offerMatch.optional(),
});
export const inboxOfferPageSchema = pageOf(inboxOfferListItemSchema, true);
export type InboxOfferListItem = z.infer<typeof inboxOfferListItemSchema>;

/** `InboxOfferDetailResponse`: anonymised, but with allergies, risks and custom fields. */
export const inboxOfferDetailSchema = z.looseObject({
  offer: inboxOfferCore,
  match: offerMatch,
  demand: party,
  client: z.looseObject({ address: anonAddress, custom_fields: z.array(namedValue).optional() }),
  service: z.looseObject({ id, name: text }),
  price: price.optional(),
  visits: z.array(z.looseObject({ id, start_at: dateTime, end_at: dateTime })).optional(),
});
export type InboxOfferDetail = z.infer<typeof inboxOfferDetailSchema>;

// The worker's read of the offer detail (`inboxOfferForWorkerSchema`) is in inbox-offer.ts.

/**
 * What the reconciler reads of one inbox list item. Checked item by item (see
 * `MarketplaceClient.listInboxOfferEntries`), and narrow on purpose: a care or offer type this
 * connector does not know must not hide an offer from the reconciler (the worker reviews it).
 * `offer` and `match` are optional, as in the spec's list item.
 */
export const inboxOfferSummaryItemSchema = z.looseObject({
  offer: z.looseObject({ id, shift_id: id.nullish(), expires_at: dateTime }).optional(),
  match: z
    .looseObject({
      response: z.enum(MATCH_RESPONSES),
      status: z.enum(MATCH_STATUSES).nullable(),
      created_at: dateTime,
    })
    .optional(),
});
export type InboxOfferSummaryItem = z.infer<typeof inboxOfferSummaryItemSchema>;

/** What `listShiftOffers` reads of an inbox list item: the offer's id (and shift, when given). */
export const inboxOfferIdPageSchema = pageOf(
  z.looseObject({ offer: z.looseObject({ id, shift_id: id.nullish() }) }),
  true,
);

/** A page whose items are kept as sent, to be checked one by one (`readEntry`). */
export const rawItemPageSchema = pageOf(z.unknown(), true);

/**
 * One list item checked on its own: the parsed item, or the paths of the fields that failed and
 * the item's offer id when one can be read. Never any of the item's content.
 */
export type PageEntry<T> =
  { ok: true; item: T } | { ok: false; offerId?: string; fields: string[] };

/** An offer id safe to log: id-shaped (the API sends UUIDs), so free text never passes for one. */
const LOGGABLE_ID = /^[A-Za-z0-9-]{1,100}$/;

export function readEntry<S extends z.ZodType>(schema: S, raw: unknown): PageEntry<z.infer<S>> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, item: parsed.data };
  const fields = [
    ...new Set(parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)')),
  ];
  const offer =
    typeof raw === 'object' && raw !== null ? (raw as { offer?: unknown }).offer : undefined;
  const offerId =
    typeof offer === 'object' && offer !== null ? (offer as { id?: unknown }).id : undefined;
  return typeof offerId === 'string' && LOGGABLE_ID.test(offerId)
    ? { ok: false, offerId, fields }
    : { ok: false, fields };
}

// --- outbox offers (demand) --------------------------------------------------------------------

/** `OutboxOfferCore` as answered (with id, status and timestamps). */
const outboxOfferCore = z.looseObject({
  id,
  shift_id: id.optional(),
  care_type: careType,
  offer_type: offerType,
  status: z.enum(OFFER_STATUSES),
  expires_at: dateTime,
  start_at: dateTime,
  end_at: dateTime.optional(),
  created_at: dateTime,
  updated_at: dateTime.optional(),
  comment: text.optional(),
  reason_code: z.enum(REASON_CODES).optional(),
  reason_comment: text.optional(),
});

/** `OutboxOfferDetailResponse` (also the 201 body of a create): full client PHI. */
export const outboxOfferDetailSchema = z.looseObject({
  offer: outboxOfferCore,
  demand: party,
  supply: party.optional(),
  client: z.looseObject({ address: fullAddress, demographics, outbox_id: text }),
  service: z.looseObject({ id, outbox_id: text, name: text }),
  visits: z
    .array(z.looseObject({ id, outbox_id: text, start_at: dateTime, end_at: dateTime }))
    .optional(),
  response_counts: responseCounts,
});
export type OutboxOfferDetail = z.infer<typeof outboxOfferDetailSchema>;

export const outboxOfferListItemSchema = z.looseObject({
  offer: outboxOfferCore,
  client: z.looseObject({ outbox_id: text, demographics }),
  service: z.looseObject({ outbox_id: text, name: text }),
  response_counts: responseCounts,
});
export const outboxOfferPageSchema = pageOf(outboxOfferListItemSchema, false);
export type OutboxOfferListItem = z.infer<typeof outboxOfferListItemSchema>;

export const outboxMatchItemSchema = z.looseObject({
  match: offerMatch.optional(),
  supply: party.optional(),
});
export const outboxMatchPageSchema = pageOf(outboxMatchItemSchema, false);
export type OutboxMatchItem = z.infer<typeof outboxMatchItemSchema>;

/** `OutboxShiftOfferCreateResponse`. */
export const shiftCreateResponseSchema = z.looseObject({
  shift: z.looseObject({ id }),
  items: z.array(
    z.looseObject({
      offer: z.looseObject({
        id,
        care_type: careType,
        start_at: dateTime,
        end_at: dateTime,
        expires_at: dateTime,
      }),
      client: z.looseObject({ outbox_id: text, demographics }),
      service: z.looseObject({ outbox_id: text, name: text }),
      visits: z.array(z.looseObject({ id, outbox_id: text })),
      response_counts: responseCounts,
    }),
  ),
});
export type ShiftCreateResponse = z.infer<typeof shiftCreateResponseSchema>;

/** `OutboxBundleOfferCreateResponse`. */
export const bundleCreateResponseSchema = z.looseObject({
  bundle: z.looseObject({ id }),
  items: z.array(
    z.looseObject({
      offer: z.looseObject({
        id,
        care_type: careType,
        status: z.enum(OFFER_STATUSES).optional(),
        start_at: dateTime,
        expires_at: dateTime,
      }),
      client: z.looseObject({ outbox_id: text, demographics }),
      service: z.looseObject({ outbox_id: text, name: text }),
      response_counts: responseCounts,
    }),
  ),
});
export type BundleCreateResponse = z.infer<typeof bundleCreateResponseSchema>;

/** `OutboxOfferAssignmentSettingUpdateResponse`. */
export const assignmentSettingSchema = z.looseObject({
  offer_assignment: z.enum(OFFER_ASSIGNMENTS),
});
export type AssignmentSetting = z.infer<typeof assignmentSettingSchema>;

// --- referrals ---------------------------------------------------------------------------------

const referralCore = z.looseObject({
  id,
  sequence_id: id.optional(),
  offer_id: id.optional(),
  shift_id: id.optional(),
  care_type: careType,
  referral_type: offerType,
  status: z.enum(REFERRAL_STATUSES),
  start_at: dateTime,
  end_at: dateTime.optional(),
  created_at: dateTime,
  updated_at: dateTime.optional(),
  reason_code: z.enum(REASON_CODES).optional(),
});

export const inboxReferralListItemSchema = z.looseObject({
  referral: referralCore,
  revision: inboxListRevision,
});
export const inboxReferralPageSchema = pageOf(inboxReferralListItemSchema, true);
export type InboxReferralListItem = z.infer<typeof inboxReferralListItemSchema>;

/** `InboxReferralDetailResponse`: full client PHI. Never log it. */
export const inboxReferralDetailSchema = z.looseObject({
  referral: referralCore,
  demand: party,
  client: z.looseObject({ id, address: fullAddress, demographics }),
  service: z.looseObject({ id, name: text }),
  visits: z.array(z.looseObject({ id, start_at: dateTime, end_at: dateTime })).optional(),
  price: price.optional(),
  revision,
});
export type InboxReferralDetail = z.infer<typeof inboxReferralDetailSchema>;

const outboxReferralCore = referralCore.extend({ sequence_id: id });

export const outboxReferralListItemSchema = z.looseObject({
  referral: outboxReferralCore,
  supply: party,
  client: z.looseObject({ id, outbox_id: text, demographics }),
  service: z.looseObject({ id, outbox_id: text, name: text }),
  /** Optional in the list, but when present it says whether AlayaCare authorised the referral. */
  alayacare: z.looseObject({ has_authorization: z.boolean() }).optional(),
  revision,
});
export const outboxReferralPageSchema = pageOf(outboxReferralListItemSchema, false);
export type OutboxReferralListItem = z.infer<typeof outboxReferralListItemSchema>;

/** `OutboxReferralDetailResponse`: full client PHI. Never log it. */
export const outboxReferralDetailSchema = z.looseObject({
  referral: outboxReferralCore,
  supply: party,
  client: z.looseObject({ id, outbox_id: text, address: fullAddress, demographics }),
  service: z.looseObject({ id, outbox_id: text, name: text }),
  visits: z.array(z.looseObject({ id, start_at: dateTime, end_at: dateTime })).optional(),
  revision,
});
export type OutboxReferralDetail = z.infer<typeof outboxReferralDetailSchema>;

// --- organizations -----------------------------------------------------------------------------

export const subscribeResponseSchema = z.looseObject({
  subscriptions: z.array(
    z.looseObject({
      topic: z.enum(TOPICS),
      protocol: z.enum(['https', 'email']),
      endpoint: text,
      subscription_arn: text,
    }),
  ),
});
export type SubscribeResponse = z.infer<typeof subscribeResponseSchema>;
