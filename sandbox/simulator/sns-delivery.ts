/**
 * The SNS stand-in's delivery loop (sns-service.ts): each signed message POSTed to its
 * subscription's endpoint with SNS's headers, one after another per endpoint in publish order,
 * retried as the retry policy says (2xx delivered, 4xx final, anything else retried), every
 * attempt recorded.
 */
import type { SignedSnsMessage, SnsMessageFields } from '../sns-signing';

/** One HTTP attempt to deliver one message. */
export interface DeliveryAttempt {
  messageId: string;
  type: SnsMessageFields['Type'];
  topicArn: string;
  subscriptionArn: string;
  attempt: number;
  /** The endpoint's HTTP status, absent on a network error or timeout (or a dropped message). */
  status?: number;
  /** Set (with attempt 0) when fault injection dropped the message: it was never sent. */
  dropped?: boolean;
  error?: string;
  at: string;
}

/** A subscription as the loop sees it: where to deliver, and the chain its deliveries queue on. */
export interface DeliveryTarget {
  subscriptionArn: string;
  endpoint: string;
  /** Deliveries to one endpoint go out one after another, in publish order. */
  chain: Promise<void>;
}

/** SNS's retry policy and timeout; read at each attempt, so a change applies from then on. */
export interface DeliveryPolicy {
  /** Attempts after the first failed one (SNS: 3). */
  retries: number;
  retryDelayMs: number;
  /** SNS gives an endpoint 15 s to answer. */
  deliveryTimeoutMs: number;
}

export class SnsDeliveryLoop {
  private readonly attempts: DeliveryAttempt[] = [];
  private readonly inFlight = new AbortController();
  private stopped = false;

  constructor(
    private readonly policy: DeliveryPolicy,
    private readonly now: () => Date,
  ) {}

  /** Records an attempt made elsewhere (a message fault injection dropped). */
  record(attempt: DeliveryAttempt): void {
    this.attempts.push(attempt);
  }

  /** Every attempt so far, copied. */
  list(): DeliveryAttempt[] {
    return this.attempts.map((a) => ({ ...a }));
  }

  /** Stops retrying and aborts deliveries in flight. */
  stop(): void {
    this.stopped = true;
    this.inFlight.abort();
  }

  /** Queues `copies` deliveries of one signed message; resolves true if the last one got a 2xx. */
  enqueue(
    subscription: DeliveryTarget,
    message: SignedSnsMessage,
    copies: number,
  ): Promise<boolean> {
    let ok = false;
    const run = async () => {
      for (let copy = 0; copy < copies; copy++) ok = await this.deliver(subscription, message);
    };
    const done = subscription.chain.then(run);
    subscription.chain = done;
    return done.then(() => ok);
  }

  private async deliver(subscription: DeliveryTarget, message: SignedSnsMessage): Promise<boolean> {
    const body = JSON.stringify(message);
    for (let attempt = 1; attempt <= 1 + this.policy.retries && !this.stopped; attempt++) {
      const record: DeliveryAttempt = {
        messageId: message.MessageId,
        type: message.Type,
        topicArn: message.TopicArn,
        subscriptionArn: subscription.subscriptionArn,
        attempt,
        at: this.now().toISOString(),
      };
      try {
        const response = await fetch(subscription.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'text/plain; charset=UTF-8',
            'user-agent': 'Amazon Simple Notification Service Agent',
            'x-amz-sns-message-type': message.Type,
            'x-amz-sns-message-id': message.MessageId,
            'x-amz-sns-topic-arn': message.TopicArn,
            ...(message.Type === 'SubscriptionConfirmation'
              ? {}
              : { 'x-amz-sns-subscription-arn': subscription.subscriptionArn }),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([
            AbortSignal.timeout(this.policy.deliveryTimeoutMs),
            this.inFlight.signal,
          ]),
        });
        await response.arrayBuffer();
        record.status = response.status;
      } catch (error: unknown) {
        record.error = error instanceof Error ? error.name : 'Error';
      }
      this.attempts.push(record);
      // SNS: 2xx is delivered, 4xx is final (the endpoint refused it), anything else is retried.
      if (record.status !== undefined && record.status >= 200 && record.status < 500)
        return record.status < 300;
      // stop() may have run during the awaits above; TypeScript keeps the loop's narrowing of it.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
      if (attempt <= this.policy.retries && !this.stopped)
        await this.pause(this.policy.retryDelayMs);
    }
    return false;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.inFlight.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}
