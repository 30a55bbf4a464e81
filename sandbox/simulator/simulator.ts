/**
 * The marketplace simulator: the AlayaCare Marketplace API (auth + supply inbox) on one loopback
 * HTTP server and its SNS topics on another, driven in process by the sandbox and the tests
 * (`addOffer`, `getOffer`, `calls`, ...). Each new offer is published as `OfferMatched` on the
 * `inbox-offers` topic, in the order the offers are created.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createSnsSigningIdentity } from '../sns-signing';
import { listenLocal, type LocalServer } from '../http-util';
import { AuthService } from './auth';
import { createMarketplaceApi } from './marketplace-api';
import type { WireInboxOfferDetail, WireInboxOfferEvent } from './model';
import { type NewOffer, OfferBook, type SimulatorCall } from './offer-book';
import { type DeliveryAttempt, type SignatureVersion, SnsService, type SubscriptionInfo } from './sns-service';

export type { NewOffer, SimulatorCall } from './offer-book';
export type { DeliveryAttempt, SignatureVersion, SubscriptionInfo } from './sns-service';

export interface SimulatorOptions {
  /** Marketplace API port on 127.0.0.1 (0: any free port). */
  port?: number;
  /** Local port of the SNS stand-in (certificate and confirmation links). */
  snsPort?: number;
  /** The seeded supply organisation; username and password are generated when not given. */
  supply?: { username?: string; password?: string; organizationName?: string };
  signatureVersion?: SignatureVersion;
  region?: string;
  accountId?: string;
  tokenTtlSeconds?: number;
  /** SNS retries after a failed delivery (default 3) and the pause between them (default 200 ms). */
  deliveryRetries?: number;
  retryDelayMs?: number;
  now?: () => Date;
  /** Told about every accept/decline request the API answers. */
  onCall?: (call: SimulatorCall) => void;
}

export interface PublishOptions {
  /** Deliver the same SNS message this many times (2: a duplicated delivery). */
  copies?: number;
}

export interface MarketplaceSimulator {
  /** Marketplace API base URL, e.g. `http://127.0.0.1:40123` (paths `/auth/v1/...`, `/offers/v1/...`). */
  readonly url: string;
  /** Where `https://sns.<region>.amazonaws.com/...` is served locally. */
  readonly snsLocalUrl: string;
  readonly region: string;
  readonly credentials: { username: string; password: string };
  readonly supplyOrganizationId: string;
  readonly inboxOffersTopicArn: string;
  /** Subscribes an endpoint to a topic and resolves once the endpoint has confirmed it. */
  subscribe(topicArn: string, endpointUrl: string, timeoutMs?: number): Promise<string>;
  /** Creates an offer matched to the supply organisation and publishes `OfferMatched`. */
  addOffer(offer?: NewOffer, options?: PublishOptions): WireInboxOfferDetail;
  /** Creates offers that share one `shift_id` (answered together) and publishes one event each. */
  addShift(offers: NewOffer[], options?: PublishOptions): WireInboxOfferDetail[];
  /** The demand side closes an offer; publishes `OfferClosed`. */
  closeOffer(offerId: string): void;
  getOffer(offerId: string): WireInboxOfferDetail | undefined;
  offers(): WireInboxOfferDetail[];
  /** Every accept/decline request received, in order, with the status it was answered. */
  calls(): SimulatorCall[];
  deliveries(): DeliveryAttempt[];
  subscriptions(): SubscriptionInfo[];
  /** Makes every issued token expire, so the next API call answers 401. */
  expireTokens(): void;
  /** Resolves once every SNS delivery queued so far has finished. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the simulator's two loopback servers with a seeded supply organisation. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<MarketplaceSimulator> {
  const now = options.now ?? (() => new Date());
  const region = options.region ?? 'ca-central-1';
  const auth = new AuthService(options.tokenTtlSeconds ?? 3600, now);
  const account = auth.addAccount({
    username: options.supply?.username ?? `supply-${randomBytes(4).toString('hex')}`,
    password: options.supply?.password ?? randomBytes(18).toString('base64url'),
    organizationName: options.supply?.organizationName ?? 'Sandbox Home Care',
  });
  const book = new OfferBook(account.organizationId, now);
  const sns = new SnsService({
    region,
    accountId: options.accountId ?? '111122223333',
    identity: await createSnsSigningIdentity({ commonName: `sns.${region}.amazonaws.com` }),
    signatureVersion: options.signatureVersion ?? '2',
    retries: options.deliveryRetries ?? 3,
    retryDelayMs: options.retryDelayMs ?? 200,
    deliveryTimeoutMs: 15000,
    now,
  });
  const inboxOffersTopicArn = sns.createTopic('inbox-offers');
  sns.createTopic('inbox-referrals');

  let api: LocalServer | undefined;
  let snsServer: LocalServer | undefined;
  try {
    api = await listenLocal(createMarketplaceApi({ book, auth, now, ...(options.onCall ? { onCall: options.onCall } : {}) }), options.port ?? 0);
    snsServer = await listenLocal((req, res) => sns.handle(req, res), options.snsPort ?? 0);
  } catch (error: unknown) {
    await api?.close();
    throw error;
  }
  const apiServer = api;
  const snsLocal = snsServer;

  function publishOfferEvent(offerId: string, eventName: WireInboxOfferEvent['event_name'], publish: PublishOptions = {}): void {
    const event: WireInboxOfferEvent = {
      event_source: 'alayamarket.offers',
      event_name: eventName,
      id: offerId,
      event_id: randomUUID(),
      timestamp: now().toISOString(),
      offer_id: offerId,
    };
    sns.publish(inboxOffersTopicArn, JSON.stringify(event), publish.copies !== undefined ? { copies: publish.copies } : {});
  }

  return {
    url: apiServer.url,
    snsLocalUrl: snsLocal.url,
    region,
    credentials: { username: account.username, password: account.password },
    supplyOrganizationId: account.organizationId,
    inboxOffersTopicArn,
    subscribe: (topicArn, endpointUrl, timeoutMs) => sns.subscribe(topicArn, endpointUrl, timeoutMs),
    addOffer(offer = {}, publish = {}) {
      const created = book.add(offer);
      publishOfferEvent(created.offer.id, 'OfferMatched', publish);
      return created;
    },
    addShift(offers, publish = {}) {
      const shiftId = randomUUID();
      const created = offers.map((offer) => book.add({ ...offer, shiftId }));
      for (const detail of created) publishOfferEvent(detail.offer.id, 'OfferMatched', publish);
      return created;
    },
    closeOffer(offerId) {
      book.close(offerId);
      publishOfferEvent(offerId, 'OfferClosed');
    },
    getOffer: (offerId) => book.get(offerId),
    offers: () => book.all(),
    calls: () => book.calls(),
    deliveries: () => sns.deliveries(),
    subscriptions: () => sns.subscriptionList(),
    expireTokens: () => auth.expireAllTokens(),
    idle: () => sns.idle(),
    async stop() {
      sns.stop();
      await sns.idle();
      await Promise.all([apiServer.close(), snsLocal.close()]);
    },
  };
}
