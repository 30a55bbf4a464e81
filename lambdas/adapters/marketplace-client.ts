import type { z } from 'zod';
import type {
  AcceptedMatch,
  CredentialsProvider,
  InboxOffer,
  MarketplaceCredentials,
  MarketplaceApi,
  MarketplaceDemandApi,
  MarketplaceReferralApi,
  MatchResponse,
  MatchStatus,
  OfferStatus as CoreOfferStatus,
  ReferralStatus as CoreReferralStatus,
  ReferralSummary,
} from '../core/ports';
import { inboxOfferForWorkerSchema, toInboxOffer } from './marketplace/inbox-offer';
import { referralSummarySchema, toReferralSummary } from './marketplace/referral-summary';
import {
  backoffDelayMs,
  CallBudget,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  type RetryPolicy,
  retryAfterMs,
} from './marketplace/retry';
import {
  type AssignmentSetting,
  assignmentSettingSchema,
  type BundleCreateResponse,
  bundleCreateResponseSchema,
  type CurrentIdentity,
  currentIdentitySchema,
  type InboxOfferDetail,
  inboxOfferDetailSchema,
  inboxOfferIdPageSchema,
  type InboxOfferListItem,
  inboxOfferPageSchema,
  inboxOfferSummaryItemSchema,
  type InboxOfferSummaryItem,
  type InboxReferralDetail,
  inboxReferralDetailSchema,
  type InboxReferralListItem,
  inboxReferralPageSchema,
  loginResponseSchema,
  type OfferAssignment,
  type OfferStatus,
  type OutboxMatchItem,
  outboxMatchPageSchema,
  type OutboxOfferDetail,
  outboxOfferDetailSchema,
  type OutboxOfferListItem,
  outboxOfferPageSchema,
  type OutboxReferralDetail,
  outboxReferralDetailSchema,
  type OutboxReferralListItem,
  outboxReferralPageSchema,
  type Page,
  type PageEntry,
  rawItemPageSchema,
  readEntry,
  type ReasonCode,
  type ReferralStatus,
  type ShiftCreateResponse,
  shiftCreateResponseSchema,
  type SubscribeResponse,
  subscribeResponseSchema,
  type Topic,
} from './marketplace/schemas';
import type {
  OutboxBundleOfferCreateRequest,
  OutboxOfferCreateRequest,
  OutboxShiftOfferCreateRequest,
} from './marketplace/requests';

export type * from './marketplace/schemas';
export type * from './marketplace/requests';
export type { RetryPolicy } from './marketplace/retry';

/**
 * The AlayaMarket HTTP API client: login and identity, supply inbox (offers, referrals), demand
 * outbox (offers, shifts, bundles, matches, assign, close, referrals), the assignment setting and
 * organisation subscriptions.
 *
 * Resilience: a per-request timeout; retries with exponential backoff and full jitter on 429, 5xx
 * and network errors, honouring `Retry-After`, within a bounded number of attempts and total
 * time. Reads are retried freely. An action (accept, decline, assign, close, cancel,
 * mark_processed, create) whose outcome is unknown (timeout, network error, 5xx) is never sent
 * again blindly: the client first reads the resource and retries only if the action clearly did
 * not take effect. A 401 forces one re-login; the login is cached until shortly before ExpiresIn.
 *
 * Privacy: the inbox offer detail carries health data; `getInboxOffer` (the worker's path) keeps
 * only the fields of `InboxOffer`. Referral details and outbox offers carry full client PHI and
 * are returned as parsed but never logged. Errors and log entries carry the operation, status,
 * attempt and the API's own `message`/`description`, never credentials, tokens or bodies.
 */

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Log in again this long before the token runs out, so no request carries an expiring token. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;
/** The token lifetime assumed when login does not say (Cognito's default). */
const DEFAULT_TOKEN_LIFETIME_S = 3600;
/** Longest API-provided detail kept in an error message. */
const MAX_DETAIL_LENGTH = 200;
/** Clock skew allowed when looking for an offer a create with an unknown outcome may have made. */
const CREATE_LOOKBACK_MS = 60_000;
/** The API's default page size, asked for explicitly: a shift fits on one page, so it is read at once. */
const SHIFT_PAGE_SIZE = 100;

export class MarketplaceError extends Error {
  override readonly name = 'MarketplaceError';
  /** The HTTP status, or undefined when no response came (timeout, network). */
  readonly status: number | undefined;
  /** The client method (or `login`) that failed, e.g. `acceptInboxOffer`. */
  readonly operation: string;
  /** The API's `message` and `description`, shortened and with any secret masked. */
  readonly apiMessage: string | undefined;
  readonly apiDescription: string | undefined;
  /**
   * True when an action may or may not have taken effect and the client could not find out
   * (the state read failed too): the caller must check before acting again.
   */
  readonly outcomeUnknown: boolean;

  constructor(
    operation: string,
    message: string,
    status?: number,
    options?: {
      cause?: unknown;
      apiMessage?: string;
      apiDescription?: string;
      outcomeUnknown?: boolean;
    },
  ) {
    super(
      `${operation}: ${message}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.operation = operation;
    this.status = status;
    this.apiMessage = options?.apiMessage;
    this.apiDescription = options?.apiDescription;
    this.outcomeUnknown = options?.outcomeUnknown ?? false;
  }
}

/** One line the client reports (retries, state checks). No bodies, tokens or credentials. */
export interface MarketplaceLogEntry {
  level: 'info' | 'warn';
  message: string;
  operation: string;
  attempt: number;
  status?: number;
  delayMs?: number;
}

export interface MarketplaceClientOptions {
  /** e.g. `https://api.sandbox.alayamarket.ca` (no trailing path). */
  baseUrl: string;
  /** Read at each login; asked for a fresh value (`refresh: true`) once after a login is refused 401. */
  credentials: CredentialsProvider;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Clock in epoch milliseconds, for token expiry, Retry-After dates and the retry budget. */
  now?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Waits between attempts (tests pass one that does not really wait). */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), for the backoff jitter. */
  random?: () => number;
  log?: (entry: MarketplaceLogEntry) => void;
  /** Told how each login ended (once per login, however many callers waited on it); see LoginOutcome. */
  onLogin?: (outcome: LoginOutcome) => void;
}

/**
 * How a login ended, for the login metrics (adapters/login-report.ts). `rejected`: the marketplace
 * refused it with a 4xx other than 429 (401/403: wrong or locked credentials), final until someone
 * fixes the secret. `credentials`: the credentials could not be read (secret missing, denied,
 * malformed). `unavailable`: no answer, 429 or 5xx after the client's retries, which may pass.
 * Carries the status only, never the credentials or the API's text.
 */
export type LoginOutcome =
  | { ok: true }
  | { ok: false; reason: 'rejected' | 'unavailable'; status?: number }
  | { ok: false; reason: 'credentials' };

type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface PageQuery {
  page?: number;
  items_per_page?: number;
  /** `SortByCore`: the lists sort by last modification only (outbox referrals also by revision). */
  sort_by?: 'last_modified';
  /** The API's default is `desc`. */
  sort_order?: 'asc' | 'desc';
}

/** A page whose items were checked one by one (see `listInboxOfferEntries`). */
export interface EntryPage<T> extends Omit<Page<T>, 'items'> {
  entries: PageEntry<T>[];
}

/** `RevisionsQueryParam`: every revision of a referral, only the latest (the API's default), or only archived ones. */
export type RevisionsFilter = 'all' | 'latest' | 'archived';

export interface InboxOfferQuery extends PageQuery {
  status?: MatchStatus;
  shift_id?: string;
}

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

export interface MatchQuery extends PageQuery {
  /** One response or several (OR). */
  response?: MatchResponse | readonly MatchResponse[];
  sequence_id?: string | readonly string[];
}

export interface InboxReferralQuery extends PageQuery {
  referral_status?: ReferralStatus;
  sequence_id?: string;
  offer_id?: string;
  shift_id?: string;
  revisions?: RevisionsFilter;
}

export interface OutboxReferralQuery extends Omit<PageQuery, 'sort_by'> {
  supply_persona_id?: string;
  status?: ReferralStatus;
  shift_id?: string;
  offer_id?: string;
  care_type?: 'psw' | 'nursing';
  referral_type?: 'visit' | 'service';
  client_outbox_id?: string;
  /** Referrals carrying this label set by the demand organisation. */
  demand_label?: string;
  has_alayacare_authorization?: boolean;
  revisions?: RevisionsFilter;
  revision_group_id?: string;
  sequence_id?: string;
  sort_by?: 'last_modified' | 'revision_number';
}

export interface SubscriptionRequest {
  topic: Topic;
  protocol: 'https' | 'email';
  endpoint: string;
}

/** What a login tells the caller: never the tokens themselves. */
export interface LoginResult {
  expiresInSeconds: number;
}

/** What reading the resource after an action with an unknown outcome showed. */
type Verdict<T> =
  { kind: 'done'; value: T } | { kind: 'not-done' } | { kind: 'impossible'; state: string };

interface Request<T> {
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  query?: Query;
  body?: object;
  /** Present for actions: how to tell, after an unknown outcome, whether the action took effect. */
  verify?: (startedAt: number) => Promise<Verdict<T>>;
}

type Outcome<T> = { response: Response } | { verified: T };

interface TokenState {
  token: string;
  refreshAt: number;
}

export class MarketplaceClient
  implements MarketplaceApi, MarketplaceReferralApi, MarketplaceDemandApi
{
  private readonly baseUrl: string;
  private readonly credentials: CredentialsProvider;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly log: (entry: MarketplaceLogEntry) => void;
  private readonly onLogin: (outcome: LoginOutcome) => void;
  private token: TokenState | undefined;
  /** ExpiresIn of the last login, in seconds. */
  private lastLifetimeS: number | undefined;
  /** Tokens issued to this client and the password, masked in any error text that echoes one. */
  private readonly knownSecrets: string[] = [];
  /** Shared by concurrent callers so a cold or expired cache costs one login, not one each. */
  private loginInFlight: Promise<string> | undefined;

  constructor(options: MarketplaceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => undefined);
    this.onLogin = options.onLogin ?? (() => undefined);
  }

  // --- auth ------------------------------------------------------------------------------------

  /** `POST /auth/v1/login`: logs in now (replacing any cached token). */
  async login(): Promise<LoginResult> {
    this.token = undefined;
    await this.getToken();
    const lifetime = this.lastLifetimeS ?? DEFAULT_TOKEN_LIFETIME_S;
    return { expiresInSeconds: lifetime };
  }

  /** `GET /auth/v1/current_identity`. */
  async currentIdentity(): Promise<CurrentIdentity> {
    return this.getJson('currentIdentity', '/auth/v1/current_identity', currentIdentitySchema);
  }

  // --- inbox offers (supply) -------------------------------------------------------------------

  /** `GET /offers/v1/inbox/offers`: one page. */
  async listInboxOffers(query: InboxOfferQuery = {}): Promise<Page<InboxOfferListItem>> {
    return this.getJson('listInboxOffers', '/offers/v1/inbox/offers', inboxOfferPageSchema, {
      ...query,
    });
  }

  /** Every inbox offer matching `query`, page after page (`for await`). */
  inboxOffers(query: Omit<InboxOfferQuery, 'page'> = {}): AsyncGenerator<InboxOfferListItem> {
    return paginate((page) => this.listInboxOffers({ ...query, page }));
  }

  /**
   * `GET /offers/v1/inbox/offers`, one page, for a reader that must get past a bad item (the
   * reconciler): the page itself is checked as usual, then each item on its own against the
   * narrow `inboxOfferSummaryItemSchema`. An item that fails becomes an entry with the failing
   * field paths and its offer id when one is readable, never its content.
   */
  async listInboxOfferEntries(
    query: InboxOfferQuery = {},
  ): Promise<EntryPage<InboxOfferSummaryItem>> {
    const { items, ...frame } = await this.getJson(
      'listInboxOfferEntries',
      '/offers/v1/inbox/offers',
      rawItemPageSchema,
      { ...query },
    );
    return {
      page: frame.page,
      items_per_page: frame.items_per_page,
      total_items: frame.total_items,
      total_pages: frame.total_pages,
      entries: items.map((raw) => readEntry(inboxOfferSummaryItemSchema, raw)),
    };
  }

  /**
   * `GET /offers/v1/inbox/offers/{id}` for the worker: only the fields of `InboxOffer`, built field
   * by field so nothing else from the detail (health data) can ride along (inbox-offer.ts).
   */
  async getInboxOffer(offerId: string): Promise<InboxOffer> {
    return toInboxOffer(
      await this.getJson('getInboxOffer', inboxOfferPath(offerId), inboxOfferForWorkerSchema),
    );
  }

  /**
   * Every offer of a shift or bundle matched to this organisation, as the worker reads them, by
   * offer id. The list is read only for ids (so a list field the worker never uses cannot fail
   * it), and an item without a readable offer id fails the call: a shift decided without one of
   * its offers could be accepted against that offer's rules. Offers that say they belong to
   * another shift (a list that ignored the filter) are left out, and so are details that do.
   */
  async listShiftOffers(shiftId: string): Promise<InboxOffer[]> {
    const ids = new Set<string>();
    const pages = paginate((page) =>
      this.getJson('listShiftOffers', '/offers/v1/inbox/offers', inboxOfferIdPageSchema, {
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
      const offer = await this.getInboxOffer(id);
      if (offer.shiftId === shiftId) offers.push(offer);
    }
    return offers;
  }

  /** The whole inbox offer detail, typed. Carries allergies and risks: never log it. */
  async getInboxOfferDetail(offerId: string): Promise<InboxOfferDetail> {
    return this.getJson('getInboxOfferDetail', inboxOfferPath(offerId), inboxOfferDetailSchema);
  }

  /** `POST .../inbox/offers/{id}/accept`. Acts on every offer of the same shift. */
  async acceptInboxOffer(offerId: string, body?: { comment?: string }): Promise<void> {
    await this.action({
      operation: 'acceptInboxOffer',
      method: 'POST',
      path: `${inboxOfferPath(offerId)}/accept`,
      body: pick(body, ['comment']),
      verify: () => this.verifyMatch(offerId, 'accepted'),
    });
  }

  /** `POST .../inbox/offers/{id}/decline` (the API requires a body, even `{}`). */
  async declineInboxOffer(
    offerId: string,
    body?: { reason_code?: string; comment?: string },
  ): Promise<void> {
    await this.action({
      operation: 'declineInboxOffer',
      method: 'POST',
      path: `${inboxOfferPath(offerId)}/decline`,
      body: pick(body, ['reason_code', 'comment']),
      verify: () => this.verifyMatch(offerId, 'declined'),
    });
  }

  // --- outbox offers (demand) ------------------------------------------------------------------

  /** `POST /offers/v1/outbox/offers` (201 with the offer detail). */
  async createOutboxOffer(request: OutboxOfferCreateRequest): Promise<OutboxOfferDetail> {
    const operation = 'createOutboxOffer';
    const outcome = await this.send<OutboxOfferDetail>({
      operation,
      method: 'POST',
      path: '/offers/v1/outbox/offers',
      body: request,
      verify: async (startedAt) => {
        const found = await this.findCreated(
          request.client.outbox_id,
          request.service.outbox_id,
          startedAt,
          false,
        );
        return found === undefined
          ? { kind: 'not-done' }
          : { kind: 'done', value: await this.getOutboxOffer(found.offer.id) };
      },
    });
    return 'verified' in outcome
      ? outcome.verified
      : this.parse(operation, outcome.response, outboxOfferDetailSchema);
  }

  /** `POST /offers/v1/outbox/shift/offers`: visit offers sharing one `shift_id`. */
  async createShiftOffers(request: OutboxShiftOfferCreateRequest): Promise<ShiftCreateResponse> {
    const operation = 'createShiftOffers';
    const outcome = await this.send<ShiftCreateResponse>({
      operation,
      method: 'POST',
      path: '/offers/v1/outbox/shift/offers',
      body: request,
      verify: async (startedAt) => {
        const shiftId = await this.findCreatedGroup(request.items, startedAt);
        if (shiftId === undefined) return { kind: 'not-done' };
        const details = await this.groupDetails(shiftId);
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
      : this.parse(operation, outcome.response, shiftCreateResponseSchema);
  }

  /** `POST /offers/v1/outbox/bundle/offers`: service offers sharing one bundle (`shift_id`). */
  async createBundleOffers(request: OutboxBundleOfferCreateRequest): Promise<BundleCreateResponse> {
    const operation = 'createBundleOffers';
    const outcome = await this.send<BundleCreateResponse>({
      operation,
      method: 'POST',
      path: '/offers/v1/outbox/bundle/offers',
      body: request,
      verify: async (startedAt) => {
        const bundleId = await this.findCreatedGroup(request.items, startedAt);
        if (bundleId === undefined) return { kind: 'not-done' };
        const details = await this.groupDetails(bundleId);
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
      : this.parse(operation, outcome.response, bundleCreateResponseSchema);
  }

  /** `GET /offers/v1/outbox/offers`: one page. */
  async listOutboxOffers(query: OutboxOfferQuery = {}): Promise<Page<OutboxOfferListItem>> {
    return this.getJson('listOutboxOffers', '/offers/v1/outbox/offers', outboxOfferPageSchema, {
      ...query,
    });
  }

  outboxOffers(query: Omit<OutboxOfferQuery, 'page'> = {}): AsyncGenerator<OutboxOfferListItem> {
    return paginate((page) => this.listOutboxOffers({ ...query, page }));
  }

  /** `GET /offers/v1/outbox/offers/{id}`: full client PHI; never log it. */
  async getOutboxOffer(offerId: string): Promise<OutboxOfferDetail> {
    return this.getJson('getOutboxOffer', outboxOfferPath(offerId), outboxOfferDetailSchema);
  }

  /** `GET .../outbox/offers/{id}/matches`, e.g. `{ response: 'accepted' }`: one page. */
  async listOutboxOfferMatches(
    offerId: string,
    query: MatchQuery = {},
  ): Promise<Page<OutboxMatchItem>> {
    return this.getJson(
      'listOutboxOfferMatches',
      `${outboxOfferPath(offerId)}/matches`,
      outboxMatchPageSchema,
      { ...query },
    );
  }

  outboxOfferMatches(
    offerId: string,
    query: Omit<MatchQuery, 'page'> = {},
  ): AsyncGenerator<OutboxMatchItem> {
    return paginate((page) => this.listOutboxOfferMatches(offerId, { ...query, page }));
  }

  /** Only the outbox offer's status: the rest (PHI) is read and dropped here. */
  async getOutboxOfferStatus(offerId: string): Promise<CoreOfferStatus> {
    return (await this.getOutboxOffer(offerId)).offer.status;
  }

  /** The offer's accepted matches, every page: match id, creation time and status only. */
  async listAcceptedMatches(offerId: string): Promise<AcceptedMatch[]> {
    const matches: AcceptedMatch[] = [];
    for await (const item of this.outboxOfferMatches(offerId, { response: 'accepted' })) {
      const match = item.match;
      if (match === undefined || match.response !== 'accepted') continue;
      matches.push({ id: match.id, createdAt: match.created_at, status: match.status });
    }
    return matches;
  }

  /** `POST .../outbox/offers/{id}/assign` (only when the assignment setting is `manual`). */
  async assignOutboxOffer(offerId: string, offerMatchId: string): Promise<void> {
    await this.action({
      operation: 'assignOutboxOffer',
      method: 'POST',
      path: `${outboxOfferPath(offerId)}/assign`,
      body: { offer_match_id: offerMatchId },
      verify: async () => {
        const { offer } = await this.getOutboxOffer(offerId);
        if (offer.status === 'open') return { kind: 'not-done' };
        if (offer.status !== 'assigned')
          return { kind: 'impossible', state: `offer status ${offer.status}` };
        const mine = await this.listOutboxOfferMatches(offerId, { items_per_page: 100 });
        const match = mine.items.find((item) => item.match?.id === offerMatchId)?.match;
        return match?.status === 'assigned'
          ? { kind: 'done', value: undefined }
          : { kind: 'impossible', state: 'offer assigned to another match' };
      },
    });
  }

  /** `POST .../outbox/offers/{id}/close` (only while open). */
  async closeOutboxOffer(
    offerId: string,
    body?: { reason_code?: ReasonCode; reason_comment?: string },
  ): Promise<void> {
    await this.action({
      operation: 'closeOutboxOffer',
      method: 'POST',
      path: `${outboxOfferPath(offerId)}/close`,
      body: pick(body, ['reason_code', 'reason_comment']),
      verify: async () => {
        const { offer } = await this.getOutboxOffer(offerId);
        return statusVerdict(offer.status, 'closed', ['open']);
      },
    });
  }

  /** `GET /offers/v1/demand_personas/settings/assignment`. */
  async getAssignmentSetting(): Promise<OfferAssignment> {
    const setting: AssignmentSetting = await this.getJson(
      'getAssignmentSetting',
      '/offers/v1/demand_personas/settings/assignment',
      assignmentSettingSchema,
    );
    return setting.offer_assignment;
  }

  // --- referrals -------------------------------------------------------------------------------

  async listInboxReferrals(query: InboxReferralQuery = {}): Promise<Page<InboxReferralListItem>> {
    return this.getJson(
      'listInboxReferrals',
      '/offers/v1/inbox/referrals',
      inboxReferralPageSchema,
      { ...query },
    );
  }

  inboxReferrals(
    query: Omit<InboxReferralQuery, 'page'> = {},
  ): AsyncGenerator<InboxReferralListItem> {
    return paginate((page) => this.listInboxReferrals({ ...query, page }));
  }

  /** `GET /offers/v1/inbox/referrals/{id}`: full client PHI. Never log the result. */
  async getInboxReferral(referralId: string): Promise<InboxReferralDetail> {
    return this.getJson(
      'getInboxReferral',
      inboxReferralPath(referralId),
      inboxReferralDetailSchema,
    );
  }

  /** Only the status of an inbox referral: the rest (PHI) is read and dropped here. */
  async getInboxReferralStatus(referralId: string): Promise<CoreReferralStatus> {
    return (await this.getInboxReferral(referralId)).referral.status;
  }

  /** The worker's read of an inbox referral: ids, types, status and start only (referral-summary.ts). */
  async getInboxReferralSummary(referralId: string): Promise<ReferralSummary> {
    return toReferralSummary(
      await this.getJson(
        'getInboxReferralSummary',
        inboxReferralPath(referralId),
        referralSummarySchema,
      ),
    );
  }

  /** The worker's read of an outbox referral: ids, types, status and start only (referral-summary.ts). */
  async getOutboxReferralSummary(referralId: string): Promise<ReferralSummary> {
    return toReferralSummary(
      await this.getJson(
        'getOutboxReferralSummary',
        outboxReferralPath(referralId),
        referralSummarySchema,
      ),
    );
  }

  /** `POST .../inbox/referrals/{id}/mark_processed` (only while `assigned`). */
  async markInboxReferralProcessed(referralId: string): Promise<void> {
    await this.action({
      operation: 'markInboxReferralProcessed',
      method: 'POST',
      path: `${inboxReferralPath(referralId)}/mark_processed`,
      verify: async () =>
        statusVerdict((await this.getInboxReferral(referralId)).referral.status, 'processed', [
          'assigned',
        ]),
    });
  }

  /** `POST .../inbox/referrals/{id}/cancel` (while `assigned` or `processed`). */
  async cancelInboxReferral(
    referralId: string,
    body?: { reason_code?: ReasonCode },
  ): Promise<void> {
    await this.action({
      operation: 'cancelInboxReferral',
      method: 'POST',
      path: `${inboxReferralPath(referralId)}/cancel`,
      body: pick(body, ['reason_code']),
      verify: async () =>
        statusVerdict((await this.getInboxReferral(referralId)).referral.status, 'cancelled', [
          'assigned',
          'processed',
        ]),
    });
  }

  async listOutboxReferrals(
    query: OutboxReferralQuery = {},
  ): Promise<Page<OutboxReferralListItem>> {
    return this.getJson(
      'listOutboxReferrals',
      '/offers/v1/outbox/referrals',
      outboxReferralPageSchema,
      { ...query },
    );
  }

  outboxReferrals(
    query: Omit<OutboxReferralQuery, 'page'> = {},
  ): AsyncGenerator<OutboxReferralListItem> {
    return paginate((page) => this.listOutboxReferrals({ ...query, page }));
  }

  /** `GET /offers/v1/outbox/referrals/{id}`: full client PHI. Never log the result. */
  async getOutboxReferral(referralId: string): Promise<OutboxReferralDetail> {
    return this.getJson(
      'getOutboxReferral',
      outboxReferralPath(referralId),
      outboxReferralDetailSchema,
    );
  }

  /** `POST .../outbox/referrals/{id}/cancel` (while `assigned` or `processed`). */
  async cancelOutboxReferral(
    referralId: string,
    body?: { reason_code?: ReasonCode; comment?: string },
  ): Promise<void> {
    await this.action({
      operation: 'cancelOutboxReferral',
      method: 'POST',
      path: `${outboxReferralPath(referralId)}/cancel`,
      body: pick(body, ['reason_code', 'comment']),
      verify: async () =>
        statusVerdict((await this.getOutboxReferral(referralId)).referral.status, 'cancelled', [
          'assigned',
          'processed',
        ]),
    });
  }

  // --- organizations ---------------------------------------------------------------------------

  /**
   * `POST /organizations/v1/subscribe`. Retried like a read: subscribing the same endpoint to the
   * same topic again is a no-op in SNS (the same subscription comes back).
   */
  async subscribe(subscriptions: readonly SubscriptionRequest[]): Promise<SubscribeResponse> {
    const operation = 'subscribe';
    const outcome = await this.send<never>({
      operation,
      method: 'POST',
      path: '/organizations/v1/subscribe',
      body: { subscriptions },
    });
    if ('verified' in outcome) throw new MarketplaceError(operation, 'unexpected verification');
    return this.parse(operation, outcome.response, subscribeResponseSchema);
  }

  // --- state checks after an unknown outcome ---------------------------------------------------

  private async verifyMatch(
    offerId: string,
    wanted: 'accepted' | 'declined',
  ): Promise<Verdict<undefined>> {
    const { match } = await this.getInboxOffer(offerId);
    if (match.response === wanted) return { kind: 'done', value: undefined };
    if (match.response === 'pending' && match.status === 'open') return { kind: 'not-done' };
    return { kind: 'impossible', state: `match ${match.response}/${match.status ?? 'null'}` };
  }

  /** An offer for this client and service created since the attempt began (minus clock skew). */
  private async findCreated(
    clientOutboxId: string,
    serviceOutboxId: string,
    startedAt: number,
    inGroup: boolean,
  ): Promise<OutboxOfferListItem | undefined> {
    for await (const item of this.outboxOffers({ client_outbox_id: clientOutboxId })) {
      if (item.service.outbox_id !== serviceOutboxId) continue;
      if (inGroup && item.offer.shift_id === undefined) continue;
      if (Date.parse(item.offer.created_at) >= startedAt - CREATE_LOOKBACK_MS) return item;
    }
    return undefined;
  }

  private async findCreatedGroup(
    items: ReadonlyArray<{ client: { outbox_id: string }; service: { outbox_id: string } }>,
    startedAt: number,
  ): Promise<string | undefined> {
    const first = items[0];
    if (first === undefined) return undefined;
    return (
      await this.findCreated(first.client.outbox_id, first.service.outbox_id, startedAt, true)
    )?.offer.shift_id;
  }

  private async groupDetails(shiftId: string): Promise<OutboxOfferDetail[]> {
    const details: OutboxOfferDetail[] = [];
    for await (const item of this.outboxOffers({ shift_id: shiftId, sort_order: 'asc' }))
      details.push(await this.getOutboxOffer(item.offer.id));
    return details;
  }

  // --- transport -------------------------------------------------------------------------------

  private async getJson<S extends z.ZodType>(
    operation: string,
    path: string,
    schema: S,
    query?: Query,
  ): Promise<z.infer<S>> {
    const outcome = await this.send<never>({
      operation,
      method: 'GET',
      path,
      ...(query ? { query } : {}),
    });
    if ('verified' in outcome) throw new MarketplaceError(operation, 'unexpected verification');
    return this.parse(operation, outcome.response, schema);
  }

  private async action(request: Request<undefined>): Promise<void> {
    const outcome = await this.send(request);
    if ('response' in outcome) await discardBody(outcome.response);
  }

  private async parse<S extends z.ZodType>(
    operation: string,
    response: Response,
    schema: S,
  ): Promise<z.infer<S>> {
    const parsed = schema.safeParse(await this.readJson(operation, response));
    if (!parsed.success) {
      throw new MarketplaceError(
        operation,
        `unexpected response: ${describeFields(parsed.error)}`,
        response.status,
      );
    }
    return parsed.data;
  }

  /**
   * Sends a request with retries and returns its 2xx response, or, for an action whose outcome was
   * unknown, what reading the resource showed once it proved the action had taken effect.
   */
  private async send<T>(request: Request<T>): Promise<Outcome<T>> {
    const { operation } = request;
    const startedAt = this.now();
    const budget = this.newBudget();
    /** Set once an attempt of an action ended without telling whether it took effect. */
    let unknown: MarketplaceError | undefined;
    for (let attempt = 1; ; attempt++) {
      let failure: MarketplaceError;
      let waitMs: number | undefined;
      try {
        const response = await this.authorized(request, budget);
        if (response.ok) return { response };
        failure = await this.errorFrom(operation, response, this.knownSecrets);
        if (!isRetryableStatus(response.status)) {
          // A refusal after an unknown outcome may just mean the earlier attempt did it.
          if (request.verify !== undefined && unknown !== undefined) {
            const verdict = await this.verifyQuietly(request, startedAt, attempt, failure);
            if (verdict.kind === 'done') return { verified: verdict.value };
          }
          throw failure;
        }
        waitMs = retryAfterMs(response.headers.get('retry-after'), this.now());
      } catch (error: unknown) {
        if (!isNoResponse(error, operation)) throw error;
        failure = error; // timeout or network error: no response at all
      }

      // 429 means the request was refused unprocessed; a 5xx or no answer leaves an action's outcome open.
      const outcomeOpen = request.verify !== undefined && failure.status !== 429;
      if (outcomeOpen) unknown = failure;
      const delay = waitMs ?? backoffDelayMs(attempt, this.policy, this.random);

      if (outcomeOpen) {
        const verdict = await this.verifyQuietly(request, startedAt, attempt, failure);
        if (verdict.kind === 'done') return { verified: verdict.value };
        if (verdict.kind === 'impossible') {
          throw new MarketplaceError(
            operation,
            `${failure.message.slice(operation.length + 2)}; the resource is now in state ${verdict.state}`,
            failure.status,
            {
              cause: failure,
              ...apiParts(failure),
            },
          );
        }
        if (verdict.kind === 'unreadable') {
          throw new MarketplaceError(
            operation,
            `${failure.message.slice(operation.length + 2)}; outcome unknown (state could not be read)`,
            failure.status,
            {
              cause: failure,
              ...apiParts(failure),
              outcomeUnknown: true,
            },
          );
        }
      }
      // Judged only now: the state read above took time of its own.
      if (attempt >= this.policy.maxAttempts || !budget.allows(delay)) throw failure;
      this.log({
        level: 'warn',
        message: 'marketplace request failed; retrying',
        operation,
        attempt,
        ...(failure.status !== undefined ? { status: failure.status } : {}),
        delayMs: delay,
      });
      await this.sleep(delay);
    }
  }

  /** A call's time bound (see CallBudget): logins and repeats inside the call count against it. */
  private newBudget(): CallBudget {
    return new CallBudget(this.now, this.policy, this.timeoutMs);
  }

  /** Runs the state check; a failure to read is reported as `unreadable`, never thrown. */
  private async verifyQuietly<T>(
    request: Request<T>,
    startedAt: number,
    attempt: number,
    failure: MarketplaceError,
  ): Promise<Verdict<T> | { kind: 'unreadable' }> {
    if (request.verify === undefined) return { kind: 'unreadable' };
    this.log({
      level: 'info',
      message: 'outcome unknown; reading the resource before any retry',
      operation: request.operation,
      attempt,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
    });
    try {
      return await request.verify(startedAt);
    } catch {
      return { kind: 'unreadable' };
    }
  }

  /**
   * One authenticated attempt. A 401 drops the token and repeats once with a fresh login; a second
   * 401 is returned as it is (no loop).
   */
  private async authorized(request: Request<unknown>, budget: CallBudget): Promise<Response> {
    let token = await this.getToken(budget);
    let response = await this.sendOnce(request, token, budget);
    if (response.status === 401) {
      await discardBody(response);
      this.invalidate(token);
      token = await this.getToken(budget);
      response = await this.sendOnce(request, token, budget);
    }
    return response;
  }

  private async sendOnce(
    request: Request<unknown>,
    token: string,
    budget: CallBudget,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: token };
    const init: RequestInit = { method: request.method, headers };
    if (request.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(request.body);
    }
    return this.fetchWithTimeout(
      request.operation,
      `${this.baseUrl}${request.path}${queryString(request.query)}`,
      init,
      budget,
    );
  }

  /** One network attempt, if the call's budget has room for it (else OutOfBudgetError: nothing sent). */
  private async fetchWithTimeout(
    operation: string,
    url: string,
    init: RequestInit,
    budget: CallBudget,
  ): Promise<Response> {
    if (!budget.allows()) {
      throw new OutOfBudgetError(
        operation,
        `not sent: no room left for an attempt within the ${this.policy.maxTotalMs} ms budget`,
      );
    }
    budget.begin();
    try {
      return await this.fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error: unknown) {
      const { name, message } = describeThrown(error);
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new MarketplaceError(
          operation,
          `no response within ${this.timeoutMs} ms`,
          undefined,
          { cause: error },
        );
      }
      // Network errors name what failed (e.g. `fetch failed`); no URL here holds a secret.
      throw new MarketplaceError(operation, `request failed (${name}: ${message})`, undefined, {
        cause: error,
      });
    }
  }

  /**
   * The cached token, or a login within `budget` (the calling request's, so the login counts
   * against it). A caller that joins another's login in flight waits on that caller's budget: the
   * bound holds for a client used by one caller at a time, as the worker does.
   */
  private async getToken(budget: CallBudget = this.newBudget()): Promise<string> {
    if (this.token !== undefined && this.now() < this.token.refreshAt) return this.token.token;
    if (this.loginInFlight === undefined) {
      this.loginInFlight = this.loginWithRetries(budget).finally(() => {
        this.loginInFlight = undefined;
      });
    }
    return this.loginInFlight;
  }

  /** Forgets `token` unless a concurrent caller has already replaced it with a newer one. */
  private invalidate(token: string): void {
    if (this.token?.token === token) this.token = undefined;
  }

  /** One login, reported to `onLogin` once however it ends. */
  private async loginWithRetries(budget: CallBudget): Promise<string> {
    let credentials: MarketplaceCredentials;
    try {
      credentials = await this.credentials();
    } catch (error: unknown) {
      this.report({ ok: false, reason: 'credentials' });
      throw error;
    }
    try {
      const token = await this.loginAttempts(credentials, budget);
      this.report({ ok: true });
      return token;
    } catch (error: unknown) {
      const status = error instanceof MarketplaceError ? error.status : undefined;
      const rejected =
        status !== undefined && status >= 400 && status < 500 && !isRetryableStatus(status);
      this.report({
        ok: false,
        reason: rejected ? 'rejected' : 'unavailable',
        ...(status !== undefined ? { status } : {}),
      });
      throw error;
    }
  }

  /** A reporting callback that throws must not turn a login into a failure, nor hide one. */
  private report(outcome: LoginOutcome): void {
    try {
      this.onLogin(outcome);
    } catch {
      // Metrics are a side channel: the login's own result stands.
    }
  }

  /** Login has no side effect, so it is retried like a read (but a 4xx is final). */
  private async loginAttempts(
    credentials: MarketplaceCredentials,
    budget: CallBudget,
  ): Promise<string> {
    const operation = 'login';
    let { username, password } = credentials;
    this.remember(password);
    let reread = false;
    for (let attempt = 1; ; attempt++) {
      let failure: MarketplaceError;
      let waitMs: number | undefined;
      try {
        const response = await this.fetchWithTimeout(
          operation,
          `${this.baseUrl}/auth/v1/login`,
          {
            method: 'POST',
            headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
            body: JSON.stringify({ username, password }),
          },
          budget,
        );
        if (response.ok) return this.acceptLogin(response);
        failure = await this.errorFrom(operation, response, [password, username]);
        // Refused: the login may have been fixed or rotated at its source since it was cached.
        // Read it again, once; only a different login is worth another attempt.
        if (response.status === 401 && !reread) {
          reread = true;
          const fresh = await this.credentials({ refresh: true });
          if (fresh.username !== username || fresh.password !== password) {
            ({ username, password } = fresh);
            this.remember(password);
            this.log({
              level: 'warn',
              message: 'marketplace login refused; trying the credentials read again',
              operation,
              attempt,
              status: response.status,
            });
            continue;
          }
        }
        if (!isRetryableStatus(response.status)) throw failure;
        waitMs = retryAfterMs(response.headers.get('retry-after'), this.now());
      } catch (error: unknown) {
        if (!isNoResponse(error, operation)) throw error;
        failure = error;
      }
      const delay = waitMs ?? backoffDelayMs(attempt, this.policy, this.random);
      if (attempt >= this.policy.maxAttempts || !budget.allows(delay)) throw failure;
      this.log({
        level: 'warn',
        message: 'marketplace login failed; retrying',
        operation,
        attempt,
        ...(failure.status !== undefined ? { status: failure.status } : {}),
        delayMs: delay,
      });
      await this.sleep(delay);
    }
  }

  private async acceptLogin(response: Response): Promise<string> {
    const parsed = await this.parse('login', response, loginResponseSchema);
    const lifetimeS = parsed.ExpiresIn ?? DEFAULT_TOKEN_LIFETIME_S;
    const lifetimeMs = lifetimeS * 1000;
    // A lifetime shorter than twice the margin would never be reused; keep it for half its life.
    const reuseMs =
      lifetimeMs > 2 * TOKEN_REFRESH_MARGIN_MS
        ? lifetimeMs - TOKEN_REFRESH_MARGIN_MS
        : lifetimeMs / 2;
    this.token = { token: parsed.IdToken, refreshAt: this.now() + reuseMs };
    this.lastLifetimeS = lifetimeS;
    this.remember(parsed.IdToken);
    return parsed.IdToken;
  }

  /** Keeps the last few secrets to mask (a rotated password, recent tokens). */
  private remember(secret: string): void {
    if (secret === '' || this.knownSecrets.includes(secret)) return;
    this.knownSecrets.push(secret);
    if (this.knownSecrets.length > 6) this.knownSecrets.shift();
  }

  private async readJson(operation: string, response: Response): Promise<unknown> {
    let body: string;
    try {
      body = await response.text();
    } catch (error: unknown) {
      const { name } = describeThrown(error);
      throw new MarketplaceError(operation, `could not read response (${name})`, response.status, {
        cause: error,
      });
    }
    try {
      return JSON.parse(body);
    } catch {
      throw new MarketplaceError(operation, 'response is not JSON', response.status);
    }
  }

  /**
   * An error for a non-2xx response. The API's `message`/`description` is kept (shortened) when
   * the body is JSON; other bodies (gateway HTML, proxies) are left out. Any secret the body
   * happens to echo is masked.
   */
  private async errorFrom(
    operation: string,
    response: Response,
    secrets: readonly string[],
  ): Promise<MarketplaceError> {
    let apiMessage: string | undefined;
    let apiDescription: string | undefined;
    try {
      const parsed: unknown = JSON.parse(await response.text());
      if (typeof parsed === 'object' && parsed !== null) {
        const record = parsed as Record<string, unknown>;
        if (typeof record.message === 'string' && record.message !== '')
          apiMessage = clean(record.message, secrets);
        if (typeof record.description === 'string' && record.description !== '')
          apiDescription = clean(record.description, secrets);
      }
    } catch {
      // Not JSON or not readable: the status alone has to do.
    }
    const detail = [apiMessage, apiDescription].filter((part) => part !== undefined).join(': ');
    return new MarketplaceError(
      operation,
      `HTTP ${response.status}${detail ? ` ${detail}` : ''}`,
      response.status,
      {
        ...(apiMessage !== undefined ? { apiMessage } : {}),
        ...(apiDescription !== undefined ? { apiDescription } : {}),
      },
    );
  }
}

// --- helpers -----------------------------------------------------------------------------------

/**
 * An attempt the call's budget had no room for: nothing was sent, so it is not a lost answer
 * (never followed by a state read or a retry). Still a MarketplaceError to callers.
 */
class OutOfBudgetError extends MarketplaceError {}

/** A timeout or network error of `operation` itself: an attempt that got no response at all. */
function isNoResponse(error: unknown, operation: string): error is MarketplaceError {
  return (
    error instanceof MarketplaceError &&
    !(error instanceof OutOfBudgetError) &&
    error.status === undefined &&
    error.operation === operation
  );
}

const inboxOfferPath = (id: string) => `/offers/v1/inbox/offers/${encodeURIComponent(id)}`;
const outboxOfferPath = (id: string) => `/offers/v1/outbox/offers/${encodeURIComponent(id)}`;
const inboxReferralPath = (id: string) => `/offers/v1/inbox/referrals/${encodeURIComponent(id)}`;
const outboxReferralPath = (id: string) => `/offers/v1/outbox/referrals/${encodeURIComponent(id)}`;

/** Every item of every page, fetched one page at a time as the caller iterates. */
async function* paginate<T>(fetchPage: (page: number) => Promise<Page<T>>): AsyncGenerator<T> {
  for (let page = 1; ; page++) {
    const current = await fetchPage(page);
    yield* current.items;
    if (current.items.length === 0 || page >= current.total_pages) return;
  }
}

function statusVerdict(
  status: string,
  done: string,
  pending: readonly string[],
): Verdict<undefined> {
  if (status === done) return { kind: 'done', value: undefined };
  if (pending.includes(status)) return { kind: 'not-done' };
  return { kind: 'impossible', state: `status ${status}` };
}

function apiParts(error: MarketplaceError): { apiMessage?: string; apiDescription?: string } {
  return {
    ...(error.apiMessage !== undefined ? { apiMessage: error.apiMessage } : {}),
    ...(error.apiDescription !== undefined ? { apiDescription: error.apiDescription } : {}),
  };
}

/** The listed fields of an optional body that are set: always an object (`{}` at least). */
function pick<K extends string>(
  body: Partial<Record<K, string>> | undefined,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = body?.[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** `?a=1&b=x&b=y` (arrays repeat the name, undefined is left out). */
function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(name, v);
    else params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function clean(value: string, secrets: readonly string[]): string {
  let out = value;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('[redacted]');
  }
  return out.length > MAX_DETAIL_LENGTH ? `${out.slice(0, MAX_DETAIL_LENGTH)}...` : out;
}

/** Field paths only: zod messages name types, not values, but paths are all a reader needs. */
function describeFields(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Name and message of anything thrown. The timeout's DOMException is not always an `Error`
 * instance (it comes from undici's realm), so this reads the fields instead of using instanceof.
 */
function describeThrown(error: unknown): { name: string; message: string } {
  if (typeof error === 'object' && error !== null) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return {
      name: typeof name === 'string' ? name : 'Error',
      message: typeof message === 'string' ? message : '',
    };
  }
  return { name: 'unknown error', message: '' };
}

/** Reads and drops a body so the connection can be reused; a broken body does not matter here. */
async function discardBody(response: Response): Promise<void> {
  try {
    await response.arrayBuffer();
  } catch {
    // Nothing to do: the status already said what happened.
  }
}
