/**
 * The simulator's stand-in for AWS SNS delivering the marketplace's topics to an HTTPS endpoint:
 * signed messages, the subscribe-then-confirm handshake, the documented headers, and retries of
 * failed deliveries (scaled down from SNS's 3 more tries 20 s apart; the delivery loop is in
 * sns-delivery.ts). It also answers the two things SNS serves on
 * `https://sns.<region>.amazonaws.com`: the signing certificate and the `ConfirmSubscription` /
 * `Unsubscribe` links, through a local HTTP server that the sandbox's routing HttpGet points
 * those URLs at.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type SignedSnsMessage,
  type SnsMessageFields,
  type SnsSigningIdentity,
  signSnsMessage,
} from '../sns-signing';
import type { FaultInjector } from './faults';
import { type DeliveryAttempt, type DeliveryTarget, SnsDeliveryLoop } from './sns-delivery';

export type { DeliveryAttempt } from './sns-delivery';

export type SignatureVersion = '1' | '2';

export interface SnsServiceOptions {
  region: string;
  accountId: string;
  identity: SnsSigningIdentity;
  signatureVersion: SignatureVersion;
  /** Attempts after the first failed one (SNS: 3). */
  retries: number;
  retryDelayMs: number;
  /** SNS gives an endpoint 15 s to answer. */
  deliveryTimeoutMs: number;
  /** Messages in flight at once per endpoint (default 1: one after another, in publish order). */
  maxConcurrentDeliveries?: number;
  now?: () => Date;
  /** Dropped, duplicated and reordered deliveries, as the run's fault plan says. */
  faults?: FaultInjector;
  /** How long a reordered message waits for a later one to overtake it (default 100 ms). */
  reorderHoldMs?: number;
}

export type SubscriptionStatus = 'pending' | 'confirmed' | 'deleted';

export interface SubscriptionInfo {
  subscriptionArn: string;
  topicArn: string;
  endpoint: string;
  status: SubscriptionStatus;
}

export class SnsSimulatorError extends Error {
  override readonly name = 'SnsSimulatorError';
}

interface Subscription extends SubscriptionInfo, DeliveryTarget {
  token: string;
  onConfirmed: Array<() => void>;
  /** Reordered messages waiting for a later message to go first. */
  held: SignedSnsMessage[];
  heldTimer?: NodeJS.Timeout;
}

const CERT_PATH = /^\/SimpleNotificationService-[0-9a-f]{32}\.pem$/;

export class SnsService {
  private readonly topics = new Set<string>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly certPath = `/SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`;
  private readonly now: () => Date;
  private readonly delivery: SnsDeliveryLoop;

  constructor(private readonly options: SnsServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.delivery = new SnsDeliveryLoop(options, this.now);
  }

  /** `https://sns.<region>.amazonaws.com`: the public origin this service stands in for. */
  get origin(): string {
    return `https://sns.${this.options.region}.amazonaws.com`;
  }

  get signingCertUrl(): string {
    return `${this.origin}${this.certPath}`;
  }

  createTopic(name: string): string {
    const arn = `arn:aws:sns:${this.options.region}:${this.options.accountId}:${name}`;
    this.topics.add(arn);
    return arn;
  }

  /**
   * Subscribes an HTTP(S) endpoint: sends it a signed SubscriptionConfirmation and resolves with
   * the subscription ARN once the endpoint has visited the SubscribeURL. Rejects if the
   * confirmation could not be delivered or was not confirmed within `timeoutMs`.
   */
  async subscribe(topicArn: string, endpoint: string, timeoutMs = 10000): Promise<string> {
    const { subscriptionArn, confirmed, delivered } = this.startSubscription(topicArn, endpoint);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      confirmed.then(() => 'confirmed' as const),
      delivered.then((ok) => (ok ? new Promise<never>(() => undefined) : ('undelivered' as const))),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => {
          resolve('timeout');
        }, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'confirmed') return subscriptionArn;
    throw new SnsSimulatorError(
      outcome === 'undelivered'
        ? `the SubscriptionConfirmation for ${topicArn} could not be delivered to ${endpoint}`
        : `the subscription to ${topicArn} was not confirmed within ${timeoutMs} ms`,
    );
  }

  /**
   * Creates a pending subscription and sends its SubscriptionConfirmation, without waiting (as
   * SNS's Subscribe API does): `confirmed` resolves when the endpoint visits the SubscribeURL.
   */
  startSubscription(
    topicArn: string,
    endpoint: string,
  ): { subscriptionArn: string; confirmed: Promise<void>; delivered: Promise<boolean> } {
    if (!this.topics.has(topicArn)) throw new SnsSimulatorError(`no such topic: ${topicArn}`);
    const subscription: Subscription = {
      subscriptionArn: `${topicArn}:${randomUUID()}`,
      topicArn,
      endpoint,
      status: 'pending',
      token: randomBytes(64).toString('hex'),
      chain: Promise.resolve(),
      onConfirmed: [],
      held: [],
    };
    this.subscriptions.set(subscription.subscriptionArn, subscription);
    const confirmed = new Promise<void>((resolve) => subscription.onConfirmed.push(resolve));
    const fields: SnsMessageFields = {
      Type: 'SubscriptionConfirmation',
      MessageId: randomUUID(),
      TopicArn: topicArn,
      Token: subscription.token,
      Message: `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: `${this.origin}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${subscription.token}`,
      Timestamp: this.now().toISOString(),
    };
    const delivered = this.delivery.enqueue(subscription, this.sign(fields), 1);
    return { subscriptionArn: subscription.subscriptionArn, confirmed, delivered };
  }

  /**
   * Publishes a message to every confirmed subscription of the topic and returns its MessageId.
   * `copies: 2` delivers the very same signed message twice, as SNS sometimes does (at-least-once).
   */
  publish(
    topicArn: string,
    message: string,
    options: { subject?: string; copies?: number } = {},
  ): string {
    if (!this.topics.has(topicArn)) throw new SnsSimulatorError(`no such topic: ${topicArn}`);
    const messageId = randomUUID();
    const timestamp = this.now().toISOString();
    for (const subscription of this.subscriptions.values()) {
      if (subscription.topicArn !== topicArn || subscription.status !== 'confirmed') continue;
      const signed = this.sign({
        Type: 'Notification',
        MessageId: messageId,
        TopicArn: topicArn,
        ...(options.subject !== undefined ? { Subject: options.subject } : {}),
        Message: message,
        Timestamp: timestamp,
        UnsubscribeURL: `${this.origin}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscription.subscriptionArn)}`,
      });
      const fault = this.options.faults?.forDelivery() ?? 'deliver';
      if (fault === 'drop') {
        this.delivery.record({
          messageId,
          type: 'Notification',
          topicArn,
          subscriptionArn: subscription.subscriptionArn,
          attempt: 0,
          dropped: true,
          error: 'dropped',
          at: timestamp,
        });
        continue;
      }
      if (fault === 'reorder') {
        this.hold(subscription, signed);
        continue;
      }
      void this.delivery.enqueue(
        subscription,
        signed,
        (options.copies ?? 1) + (fault === 'duplicate' ? 1 : 0),
      );
      // A held (reordered) message goes out after this later one.
      this.release(subscription);
    }
    return messageId;
  }

  private hold(subscription: Subscription, message: SignedSnsMessage): void {
    subscription.held.push(message);
    clearTimeout(subscription.heldTimer);
    // Released by the next message, or after a short wait when none comes.
    subscription.heldTimer = setTimeout(() => {
      this.release(subscription);
    }, this.options.reorderHoldMs ?? 100);
    subscription.heldTimer.unref();
  }

  private release(subscription: Subscription): void {
    clearTimeout(subscription.heldTimer);
    subscription.heldTimer = undefined;
    for (const message of subscription.held.splice(0))
      void this.delivery.enqueue(subscription, message, 1);
  }

  /** Changes SNS's retry policy for deliveries from now on. */
  setRetryPolicy(retries: number, retryDelayMs: number): void {
    this.options.retries = retries;
    this.options.retryDelayMs = retryDelayMs;
  }

  /** Resolves once every delivery queued so far has finished (delivered, refused or given up). */
  async idle(): Promise<void> {
    for (const subscription of this.subscriptions.values()) this.release(subscription);
    for (;;) {
      const chains = [...this.subscriptions.values()].map((s) => s.chain);
      await Promise.all(chains);
      const after = [...this.subscriptions.values()].map((s) => s.chain);
      if (after.length === chains.length && after.every((c, i) => c === chains[i])) return;
    }
  }

  subscriptionList(): SubscriptionInfo[] {
    return [...this.subscriptions.values()].map(
      ({ subscriptionArn, topicArn, endpoint, status }) => ({
        subscriptionArn,
        topicArn,
        endpoint,
        status,
      }),
    );
  }

  deliveries(): DeliveryAttempt[] {
    return this.delivery.list();
  }

  /** Stops retrying and aborts deliveries in flight. */
  stop(): void {
    for (const subscription of this.subscriptions.values()) clearTimeout(subscription.heldTimer);
    this.delivery.stop();
  }

  /** Serves the certificate and the ConfirmSubscription / Unsubscribe links (GET only). */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin);
    if (req.method !== 'GET') {
      sendXmlError(res, 405, 'InvalidAction', 'Only GET is served here');
      return;
    }
    if (url.pathname === this.certPath) {
      res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' });
      res.end(this.options.identity.certPem);
      return;
    }
    if (CERT_PATH.test(url.pathname)) {
      sendXmlError(res, 404, 'NotFound', 'No such certificate');
      return;
    }
    if (url.pathname !== '/') {
      sendXmlError(res, 404, 'NotFound', 'Not found');
      return;
    }
    const action = url.searchParams.get('Action');
    if (action === 'ConfirmSubscription') {
      this.confirm(url, res);
      return;
    }
    if (action === 'Unsubscribe') {
      this.unsubscribe(url, res);
      return;
    }
    sendXmlError(res, 400, 'InvalidAction', 'Unknown Action');
  }

  private confirm(url: URL, res: ServerResponse): void {
    const topicArn = url.searchParams.get('TopicArn');
    const token = url.searchParams.get('Token');
    const subscription = [...this.subscriptions.values()].find(
      (s) => s.topicArn === topicArn && s.token === token && s.status !== 'deleted',
    );
    if (!topicArn || !this.topics.has(topicArn)) {
      sendXmlError(res, 404, 'NotFound', 'Topic does not exist');
      return;
    }
    if (!subscription) {
      sendXmlError(res, 400, 'InvalidParameter', 'Invalid token');
      return;
    }
    // Confirming twice is harmless in SNS: the same ARN comes back.
    subscription.status = 'confirmed';
    for (const resolve of subscription.onConfirmed.splice(0)) resolve();
    sendXml(
      res,
      `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>${subscription.subscriptionArn}</SubscriptionArn></ConfirmSubscriptionResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`,
    );
  }

  private unsubscribe(url: URL, res: ServerResponse): void {
    const subscription = this.subscriptions.get(url.searchParams.get('SubscriptionArn') ?? '');
    if (!subscription) {
      sendXmlError(res, 404, 'NotFound', 'Subscription does not exist');
      return;
    }
    if (subscription.status !== 'deleted') {
      subscription.status = 'deleted';
      // SNS tells the endpoint, with a token that would let it subscribe again.
      subscription.token = randomBytes(64).toString('hex');
      const signed = this.sign({
        Type: 'UnsubscribeConfirmation',
        MessageId: randomUUID(),
        TopicArn: subscription.topicArn,
        Token: subscription.token,
        Message: `You have chosen to deactivate subscription ${subscription.subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL: `${this.origin}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(subscription.topicArn)}&Token=${subscription.token}`,
        Timestamp: this.now().toISOString(),
      });
      void this.delivery.enqueue(subscription, signed, 1);
    }
    sendXml(
      res,
      `<UnsubscribeResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></UnsubscribeResponse>`,
    );
  }

  private sign(fields: SnsMessageFields): SignedSnsMessage {
    return signSnsMessage(
      fields,
      this.options.identity,
      this.options.signatureVersion,
      this.signingCertUrl,
    );
  }
}

function sendXml(res: ServerResponse, xml: string, status = 200): void {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(xml);
}

function sendXmlError(res: ServerResponse, status: number, code: string, message: string): void {
  sendXml(
    res,
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    status,
  );
}
