/**
 * The marketplace simulator's face: its options and what a started simulator offers its callers
 * (simulator.ts starts one).
 */
import type { AnswerTally } from './answer-tally';
import type { AssignCall } from './assign-calls';
import type { LoginCounts } from './auth';
import type { FaultInjector, FaultPlan } from './faults';
import type {
  CareType,
  OfferAssignment,
  SimulatorEvent,
  WireClient,
  WireInboxOfferDetail,
  WireOutboxMatchItem,
  WireOutboxOfferDetail,
  WireReferral,
} from './model';
import type { NewOffer, OfferAction, SimulatorCall } from './offer-book';
import type { OrganizationKind } from './personas';
import type { DeliveryAttempt, SignatureVersion, SubscriptionInfo } from './sns-service';
import type { SigningKeyBits } from '../sns-signing';

/**
 * SNS signs with SignatureVersion 1 (SHA1withRSA) unless the topic's owner sets 2, and AlayaCare
 * does not say which its topics use: the simulator signs with 1 unless told otherwise, so the
 * default run meets what a topic left alone sends.
 */
export const DEFAULT_SIGNATURE_VERSION: SignatureVersion = '1';

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
  /** RSA size of the SNS signing key (default 2048, as SNS's; see SigningKeyBits). */
  signingKeyBits?: SigningKeyBits;
  region?: string;
  accountId?: string;
  tokenTtlSeconds?: number;
  /** SNS retries after a failed delivery (default 3) and the pause between them (default 200 ms; SNS: 20 s). */
  deliveryRetries?: number;
  retryDelayMs?: number;
  /**
   * SNS deliveries in flight at once per subscribed endpoint (default 1: one after another, in
   * publish order). Real SNS delivers concurrently and promises no order; the load benchmarks
   * raise it.
   */
  maxConcurrentDeliveries?: number;
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
  /** The topic of one organisation's channel (`SimulatorChannel` or another published topic; created on first use). */
  topicArn(channel: string, organizationId: string): string;
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
  /**
   * Sets a demand organisation's trusted network (as `POST /organizations/v1/demand_persona/
   * trusted_network` does): its later offers are matched to these supply organisations only.
   */
  setTrustedNetwork(demandOrganizationId: string, supplyOrganizationIds: readonly string[]): void;
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
  /** The demand side closes an offer and the rest of its shift; publishes `OfferClosed`. */
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
