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
 * for an organisation with both personas), as SNS messages signed with SignatureVersion 1 unless
 * told 2 (SNS's own default), in the order they happen. The seeded organisations' topics carry the bare channel
 * name (`arn:aws:sns:<region>:<account>:inbox-offers`); organisations added later get
 * `<channel>-<first 8 characters of their id>`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createSnsSigningIdentity } from '../sns-signing';
import { listenLocal, type LocalServer } from '../http-util';
import type { AssignCall } from './assign-calls';
import { AuthService } from './auth';
import { FaultInjector } from './faults';
import { createMarketplaceApi } from './marketplace-api';
import type { WireOutboxOfferDetail } from './model';
import { ClientCanaries } from './client-canaries';
import { newOfferSpec } from './new-offer';
import { type NewOffer, OfferBook } from './offer-book';
import type { OrganizationKind } from './personas';
import {
  DEFAULT_SIGNATURE_VERSION,
  type MarketplaceSimulator,
  type PublishedEvent,
  type PublishOptions,
  type SimulatorOptions,
  type SimulatorOrganization,
} from './simulator-types';
import { SnsService } from './sns-service';

export {
  DEFAULT_SIGNATURE_VERSION,
  type MarketplaceSimulator,
  type PublishedEvent,
  type PublishOptions,
  type SimulatorOptions,
  type SimulatorOrganization,
} from './simulator-types';
export type { NewOffer, SimulatorCall } from './offer-book';
export type { AnswerTally, UnitAnswers } from './answer-tally';
export type { AcceptedOpenMatch, AssignCall } from './assign-calls';
export type { OrganizationKind } from './personas';
export type { LoginCounts } from './auth';
export type { DeliveryAttempt, SignatureVersion, SubscriptionInfo } from './sns-service';
export type { ApiFaults, DeliveryFaults, FaultPlan, ScriptedFault } from './faults';

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
    identity: await createSnsSigningIdentity({
      commonName: `sns.${region}.amazonaws.com`,
      ...(options.signingKeyBits !== undefined ? { keyBits: options.signingKeyBits } : {}),
    }),
    signatureVersion: options.signatureVersion ?? DEFAULT_SIGNATURE_VERSION,
    retries: options.deliveryRetries ?? 3,
    retryDelayMs: options.retryDelayMs ?? 200,
    deliveryTimeoutMs: 15000,
    ...(options.maxConcurrentDeliveries !== undefined
      ? { maxConcurrentDeliveries: options.maxConcurrentDeliveries }
      : {}),
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
    snsServer = await listenLocal((req, res) => {
      sns.handle(req, res);
    }, options.snsPort ?? 0);
  } catch (error: unknown) {
    await api?.close();
    throw error;
  }
  const apiServer = api;
  const snsLocal = snsServer;
  const sweeper = setInterval(() => {
    book.sweep();
  }, options.sweepIntervalMs ?? 200);
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
    setAssignment: (demandOrganizationId, assignment) => {
      book.setAssignment(demandOrganizationId, assignment);
    },
    setTrustedNetwork: (demandOrganizationId, supplyOrganizationIds) => {
      book.setTrustedNetwork(demandOrganizationId, supplyOrganizationIds);
    },
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
    closeOffer: (offerId) => {
      book.close(offerId);
    },
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
    expireTokens: () => {
      auth.expireAllTokens();
    },
    setTokenTtl: (seconds) => {
      auth.setTokenTtl(seconds);
    },
    faults,
    setDeliveryRetries: (retries, retryDelayMs) => {
      sns.setRetryPolicy(retries, retryDelayMs);
    },
    sweep: () => {
      book.sweep();
    },
    idle: () => sns.idle(),
    async stop() {
      clearInterval(sweeper);
      sns.stop();
      await sns.idle();
      await Promise.all([apiServer.close(), snsLocal.close()]);
    },
  };
}
