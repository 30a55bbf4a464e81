/**
 * The marketplace simulator: the AlayaCare Marketplace API (auth, supply inbox, demand outbox,
 * referrals, settings, subscribe) on one loopback HTTP server and its SNS topics on another,
 * with a seeded supply organisation and a seeded demand organisation; more can be added, among
 * them organisations holding both personas (one login, an inbox and an outbox; never matched to
 * their own offers). It is driven over HTTP by any client and in process by the sandbox and the
 * tests (`addOffer`, `postOffer`, `respondAs`, `getOffer`, `calls`, `assignCalls`, ...).
 *
 * Every state change publishes its AsyncAPI event on the organisation's topic: `inbox-offers`
 * and `inbox-referrals` for supply, `outbox-offers` and `outbox-referrals` for demand (all four
 * for an organisation with both personas), as signed
 * SNS messages in the order they happen. The seeded organisations' topics carry the bare channel
 * name (`arn:aws:sns:<region>:<account>:inbox-offers`); organisations added later get
 * `<channel>-<first 8 characters of their id>`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createSnsSigningIdentity } from '../sns-signing';
import { listenLocal, type LocalServer } from '../http-util';
import type { AnswerTally } from './answer-tally';
import type { AssignCall } from './assign-calls';
import { AuthService, type LoginCounts } from './auth';
import { type FaultPlan, FaultInjector } from './faults';
import { createMarketplaceApi } from './marketplace-api';
import type {
  CareType,
  OfferAssignment,
  WireOutboxMatchItem,
  SimulatorChannel,
  SimulatorEvent,
  WireInboxOfferDetail,
  WireOutboxOfferDetail,
  WireClient,
  WireReferral,
} from './model';
import { ClientCanaries } from './client-canaries';
import { newOfferSpec } from './new-offer';
import { type NewOffer, type OfferAction, OfferBook, type SimulatorCall } from './offer-book';
import type { OrganizationKind } from './personas';
import {
  type DeliveryAttempt,
  type SignatureVersion,
  SnsService,
  type SubscriptionInfo,
} from './sns-service';

export type { NewOffer, SimulatorCall } from './offer-book';
export type { AnswerTally, UnitAnswers } from './answer-tally';
export type { AcceptedOpenMatch, AssignCall } from './assign-calls';
export type { OrganizationKind } from './personas';
export type { LoginCounts } from './auth';
export type { DeliveryAttempt, SignatureVersion, SubscriptionInfo } from './sns-service';
export type { ApiFaults, DeliveryFaults, FaultPlan, ScriptedFault } from './faults';

export interface SimulatorOptions {
  /** Marketplace API port on 127.0.0.1 (0: any free port). */
  port?: number;
  /** Local port of the SNS stand-in (certificate and confirmation links). */
  snsPort?: number;
  /** The seeded supply organisation; username and password are generated when not given. */
  supply?: {
    username?: string;
    password?: string;
    organizationName?: string;
    organizationId?: string;
  };
  /** The seeded demand organisation (assignment `manual` unless said otherwise). */
  demand?: {
    username?: string;
    password?: string;
    organizationName?: string;
    organizationId?: string;
    assignment?: OfferAssignment;
  };
  signatureVersion?: SignatureVersion;
  region?: string;
  accountId?: string;
  tokenTtlSeconds?: number;
  /** SNS retries after a failed delivery (default 3) and the pause between them (default 200 ms; SNS: 20 s). */
  deliveryRetries?: number;
  retryDelayMs?: number;
  /** Faults for this run (latency, 5xx, 429, timeouts, dropped/duplicated/reordered deliveries). */
  faults?: FaultPlan;
  /** How often offers past `expires_at` are expired (default 200 ms); each request also checks. */
  sweepIntervalMs?: number;
  now?: () => Date;
  /** Seed of the made-up clients (client-canaries.ts; default: a random one). */
  seed?: number;
  /** Told about every accept/decline request the API answers. */
  onCall?: (call: SimulatorCall) => void;
}

export interface PublishOptions {
  /** Deliver the same SNS message this many times (2: a duplicated delivery). */
  copies?: number;
}

export interface SimulatorOrganization {
  kind: OrganizationKind;
  organizationId: string;
  name: string;
  username: string;
  password: string;
}

/** One event as published: its topic, SNS MessageId and AsyncAPI payload. */
export type PublishedEvent = SimulatorEvent & { topicArn: string; messageId: string };

export interface MarketplaceSimulator {
  /** Marketplace API base URL, e.g. `http://127.0.0.1:40123` (paths `/auth/v1/...`, `/offers/v1/...`). */
  readonly url: string;
  /** Where `https://sns.<region>.amazonaws.com/...` is served locally. */
  readonly snsLocalUrl: string;
  readonly region: string;
  /** The seeded supply organisation's login. */
  readonly credentials: { username: string; password: string };
  readonly supplyOrganizationId: string;
  readonly demandCredentials: { username: string; password: string };
  readonly demandOrganizationId: string;
  /** The seeded organisations first, then any added. */
  organizations(): SimulatorOrganization[];
  readonly inboxOffersTopicArn: string;
  readonly inboxReferralsTopicArn: string;
  readonly outboxOffersTopicArn: string;
  readonly outboxReferralsTopicArn: string;
  /** The topic of one organisation's channel (created on first use). */
  topicArn(channel: SimulatorChannel | string, organizationId: string): string;
  /**
   * Adds an organisation with its own login: supply (matched on its care types), demand (assignment
   * `manual` unless said otherwise) or both personas at once.
   */
  addOrganization(input: {
    kind: OrganizationKind;
    name?: string;
    careTypes?: CareType[];
    assignment?: OfferAssignment;
  }): SimulatorOrganization;
  setAssignment(demandOrganizationId: string, assignment: OfferAssignment): void;
  /** Subscribes an endpoint to a topic and resolves once the endpoint has confirmed it. */
  subscribe(topicArn: string, endpointUrl: string, timeoutMs?: number): Promise<string>;
  /** Creates an offer matched to the supply organisation and publishes `OfferMatched`. */
  addOffer(offer?: NewOffer, options?: PublishOptions): WireInboxOfferDetail;
  /** Creates offers that share one `shift_id` (answered together) and publishes one event each. */
  addShift(offers: NewOffer[], options?: PublishOptions): WireInboxOfferDetail[];
  /**
   * A demand organisation posts an offer (as `POST .../outbox/offers` would), matched to every
   * other supply organisation with its care type; publishes `OfferMatched` to each. Returns the
   * poster's outbox view.
   */
  postOffer(
    demandOrganizationId: string,
    offer?: NewOffer,
    options?: PublishOptions,
  ): WireOutboxOfferDetail;
  /** Posts offers that share one `shift_id` (a shift), each matched as `postOffer` does. */
  postShift(
    demandOrganizationId: string,
    offers: NewOffer[],
    options?: PublishOptions,
  ): WireOutboxOfferDetail[];
  /**
   * A supply organisation of the simulator answers its match in process (and the rest of its
   * shift); publishes `OfferAccepted`/`OfferDeclined` (and what follows) to the poster. Not an
   * API request: it is not in `calls()`. Returns the ids of the offers answered.
   */
  respondAs(
    supplyOrganizationId: string,
    offerId: string,
    action: OfferAction,
    options?: PublishOptions,
  ): string[];
  /** The demand side closes an offer; publishes `OfferClosed`. */
  closeOffer(offerId: string): void;
  /** A supply organisation's view of an offer (default: its first matched organisation's). */
  getOffer(offerId: string, supplyOrganizationId?: string): WireInboxOfferDetail | undefined;
  /** The demand organisation's view of an offer (PHI included). */
  getOutboxOffer(offerId: string): WireOutboxOfferDetail | undefined;
  /** Every match of an offer, with its supply organisation (the poster's view). */
  outboxMatches(offerId: string): WireOutboxMatchItem[];
  offers(): WireInboxOfferDetail[];
  referrals(): WireReferral[];
  /** Every client of an offer, as the demand side holds it (the canaries: client-canaries.ts). */
  clientRecords(): WireClient[];
  /** Every accept/decline request received, in order, with the status it was answered. */
  calls(): SimulatorCall[];
  /**
   * The answers each decision unit (shift/bundle, or lone offer) received, counted from those
   * calls: units answered more than once, and units that got both an accept and a decline.
   */
  answerTally(): AnswerTally;
  /** Every assign request that reached the marketplace, in order, with the offer's accepted matches then. */
  assignCalls(): AssignCall[];
  /** Every event published, in order. */
  events(): PublishedEvent[];
  deliveries(): DeliveryAttempt[];
  subscriptions(): SubscriptionInfo[];
  /** Logins answered so far: accepted, and refused 401 (a wrong password), counted at the API. */
  logins(): LoginCounts;
  /** Makes every issued token expire, so the next API call answers 401. */
  expireTokens(): void;
  /** Lifetime of tokens issued from now on. */
  setTokenTtl(seconds: number): void;
  /** This run's faults: replace the plan, script exact faults, clear, read the log. */
  readonly faults: FaultInjector;
  /** SNS retry policy from now on (SNS: 3 more tries 20 s apart). */
  setDeliveryRetries(retries: number, retryDelayMs: number): void;
  /** Expires offers past `expires_at` now (and publishes their events). */
  sweep(): void;
  /** Resolves once every SNS delivery queued so far has finished. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const KIND_NAMES: Record<OrganizationKind, string> = {
  supply: 'Supply',
  demand: 'Demand',
  both: 'Supply and Demand',
};

/** Starts the simulator's two loopback servers with a seeded supply and a seeded demand organisation. */
export async function startSimulator(
  options: SimulatorOptions = {},
): Promise<MarketplaceSimulator> {
  const now = options.now ?? (() => new Date());
  const region = options.region ?? 'ca-central-1';
  const accountId = options.accountId ?? '111122223333';
  const auth = new AuthService(options.tokenTtlSeconds ?? 3600, now);
  const faults = new FaultInjector(options.faults ?? {});
  const supplyAccount = auth.addAccount({
    username: options.supply?.username ?? `supply-${randomBytes(4).toString('hex')}`,
    password: options.supply?.password ?? randomBytes(18).toString('base64url'),
    organizationName: options.supply?.organizationName ?? 'Sandbox Home Care',
    ...(options.supply?.organizationId ? { organizationId: options.supply.organizationId } : {}),
  });
  const demandAccount = auth.addAccount({
    username: options.demand?.username ?? `demand-${randomBytes(4).toString('hex')}`,
    password: options.demand?.password ?? randomBytes(18).toString('base64url'),
    organizationName: options.demand?.organizationName ?? 'Simulated Health Region',
    ...(options.demand?.organizationId ? { organizationId: options.demand.organizationId } : {}),
  });
  const book = new OfferBook(supplyAccount.organizationId, now, {
    supplyName: supplyAccount.organizationName,
    demand: {
      id: demandAccount.organizationId,
      name: demandAccount.organizationName,
      assignment: options.demand?.assignment ?? 'manual',
    },
    ...(options.seed !== undefined ? { clients: new ClientCanaries(options.seed) } : {}),
  });
  const organizations: SimulatorOrganization[] = [
    {
      kind: 'supply',
      organizationId: supplyAccount.organizationId,
      name: supplyAccount.organizationName,
      username: supplyAccount.username,
      password: supplyAccount.password,
    },
    {
      kind: 'demand',
      organizationId: demandAccount.organizationId,
      name: demandAccount.organizationName,
      username: demandAccount.username,
      password: demandAccount.password,
    },
  ];

  const sns = new SnsService({
    region,
    accountId,
    identity: await createSnsSigningIdentity({ commonName: `sns.${region}.amazonaws.com` }),
    signatureVersion: options.signatureVersion ?? '2',
    retries: options.deliveryRetries ?? 3,
    retryDelayMs: options.retryDelayMs ?? 200,
    deliveryTimeoutMs: 15000,
    now,
    faults,
  });

  const topics = new Map<string, string>();
  function topicArn(channel: string, organizationId: string): string {
    const key = `${organizationId}|${channel}`;
    const existing = topics.get(key);
    if (existing) return existing;
    const seeded =
      (organizationId === supplyAccount.organizationId && channel.startsWith('inbox-')) ||
      (organizationId === demandAccount.organizationId && !channel.startsWith('inbox-'));
    const arn = sns.createTopic(seeded ? channel : `${channel}-${organizationId.slice(0, 8)}`);
    topics.set(key, arn);
    return arn;
  }
  const inboxOffersTopicArn = topicArn('inbox-offers', supplyAccount.organizationId);
  const inboxReferralsTopicArn = topicArn('inbox-referrals', supplyAccount.organizationId);
  const outboxOffersTopicArn = topicArn('outbox-offers', demandAccount.organizationId);
  const outboxReferralsTopicArn = topicArn('outbox-referrals', demandAccount.organizationId);

  // Events go out as they happen; `copies` applies to the events of one in-process call.
  const published: PublishedEvent[] = [];
  let copies: number | undefined;
  book.onEvent((event) => {
    const arn = topicArn(event.channel, event.organizationId);
    const messageId = sns.publish(
      arn,
      JSON.stringify(event.payload),
      copies !== undefined ? { copies } : {},
    );
    published.push({ ...event, topicArn: arn, messageId });
  });
  const assigns: AssignCall[] = [];
  const withCopies = <T>(publish: PublishOptions, run: () => T): T => {
    copies = publish.copies;
    try {
      return run();
    } finally {
      copies = undefined;
    }
  };

  let api: LocalServer | undefined;
  let snsServer: LocalServer | undefined;
  try {
    api = await listenLocal(
      createMarketplaceApi({
        book,
        auth,
        faults,
        now,
        subscribe: (organizationId, topic, endpoint) => {
          const started = sns.startSubscription(topicArn(topic, organizationId), endpoint);
          // SNS answers Subscribe at once; confirmation (or its failure) comes later.
          started.confirmed.catch(() => undefined);
          return 'pending confirmation';
        },
        ...(options.onCall ? { onCall: options.onCall } : {}),
        onAssign: (call) => assigns.push(call),
      }),
      options.port ?? 0,
    );
    snsServer = await listenLocal((req, res) => sns.handle(req, res), options.snsPort ?? 0);
  } catch (error: unknown) {
    await api?.close();
    throw error;
  }
  const apiServer = api;
  const snsLocal = snsServer;
  const sweeper = setInterval(() => book.sweep(), options.sweepIntervalMs ?? 200);
  sweeper.unref();

  /** In process, as `POST .../outbox/offers` does: matched by care type unless `supplyOrganizationId` names the one. */
  const post = (
    demandOrganizationId: string,
    offer: NewOffer,
    shiftId?: string,
  ): WireOutboxOfferDetail => {
    const stored = book.createOffer(
      demandOrganizationId,
      newOfferSpec(offer, now(), book.clients),
      {
        ...(offer.id !== undefined ? { id: offer.id } : {}),
        ...(shiftId !== undefined ? { shiftId } : {}),
        ...(offer.supplyOrganizationId !== undefined
          ? { supplyOrganizationIds: [offer.supplyOrganizationId] }
          : {}),
        ...(offer.demandName !== undefined ? { demandName: offer.demandName } : {}),
      },
    );
    const view = book.getOutbox(stored.detail.offer.id);
    if (!view) throw new Error('the offer just posted is missing from the book');
    return view;
  };

  return {
    url: apiServer.url,
    snsLocalUrl: snsLocal.url,
    region,
    credentials: { username: supplyAccount.username, password: supplyAccount.password },
    supplyOrganizationId: supplyAccount.organizationId,
    demandCredentials: { username: demandAccount.username, password: demandAccount.password },
    demandOrganizationId: demandAccount.organizationId,
    organizations: () => organizations.map((o) => ({ ...o })),
    inboxOffersTopicArn,
    inboxReferralsTopicArn,
    outboxOffersTopicArn,
    outboxReferralsTopicArn,
    topicArn,
    addOrganization(input) {
      const name = input.name ?? `${KIND_NAMES[input.kind]} ${organizations.length + 1}`;
      const account = auth.addAccount({
        username: `${input.kind}-${randomBytes(4).toString('hex')}`,
        password: randomBytes(18).toString('base64url'),
        organizationName: name,
      });
      book.addOrganization({
        id: account.organizationId,
        kind: input.kind,
        name,
        ...(input.careTypes ? { careTypes: input.careTypes } : {}),
        ...(input.assignment ? { assignment: input.assignment } : {}),
      });
      const org: SimulatorOrganization = {
        kind: input.kind,
        organizationId: account.organizationId,
        name,
        username: account.username,
        password: account.password,
      };
      organizations.push(org);
      return { ...org };
    },
    setAssignment: (demandOrganizationId, assignment) =>
      book.setAssignment(demandOrganizationId, assignment),
    subscribe: (arn, endpointUrl, timeoutMs) => sns.subscribe(arn, endpointUrl, timeoutMs),
    addOffer: (offer = {}, publish = {}) => withCopies(publish, () => book.add(offer)),
    addShift(offers, publish = {}) {
      const shiftId = randomUUID();
      return withCopies(publish, () => offers.map((offer) => book.add({ ...offer, shiftId })));
    },
    postOffer: (demandOrganizationId, offer = {}, publish = {}) =>
      withCopies(publish, () => post(demandOrganizationId, offer)),
    postShift(demandOrganizationId, offers, publish = {}) {
      const shiftId = randomUUID();
      return withCopies(publish, () =>
        offers.map((offer) => post(demandOrganizationId, offer, shiftId)),
      );
    },
    respondAs: (supplyOrganizationId, offerId, action, publish = {}) =>
      withCopies(publish, () => book.respond(supplyOrganizationId, offerId, action, {})),
    closeOffer: (offerId) => book.close(offerId),
    getOffer: (offerId, supplyOrganizationId) => book.get(offerId, supplyOrganizationId),
    getOutboxOffer: (offerId) => book.getOutbox(offerId),
    outboxMatches(offerId) {
      const demandId = book.getOutbox(offerId)?.demand.id;
      if (demandId === undefined) return [];
      return book.listMatches(demandId, offerId, {
        page: 1,
        itemsPerPage: 10_000,
        sortOrder: 'asc',
      }).items;
    },
    offers: () => book.all(),
    referrals: () => book.referrals(),
    clientRecords: () => book.clientRecords(),
    calls: () => book.calls(),
    answerTally: () => book.answerTally(),
    assignCalls: () => assigns.map((call) => structuredClone(call)),
    events: () => published.map((e) => structuredClone(e)),
    deliveries: () => sns.deliveries(),
    subscriptions: () => sns.subscriptionList(),
    logins: () => auth.loginCounts(),
    expireTokens: () => auth.expireAllTokens(),
    setTokenTtl: (seconds) => auth.setTokenTtl(seconds),
    faults,
    setDeliveryRetries: (retries, retryDelayMs) => sns.setRetryPolicy(retries, retryDelayMs),
    sweep: () => book.sweep(),
    idle: () => sns.idle(),
    async stop() {
      clearInterval(sweeper);
      sns.stop();
      await sns.idle();
      await Promise.all([apiServer.close(), snsLocal.close()]);
    },
  };
}
