/**
 * The SNS stand-in's delivery loop (sns-service.ts): each signed message POSTed to its
 * subscription's endpoint with SNS's headers, retried as the retry policy says (2xx delivered,
 * 4xx final, anything else retried), every attempt recorded. Up to `maxConcurrentDeliveries`
 * messages per endpoint are in flight at once, as real SNS delivers (no order promised); with 1
 * (the default) they go one after another in publish order. Connections to an endpoint are kept
 * alive and reused, as SNS's are.
 */
import http from 'node:http';
import https from 'node:https';
import type { SignedSnsMessage, SnsMessageFields } from '../sns-signing';
import { sleep } from '../timing';

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

/** A subscription as the loop sees it: where to deliver, and what its deliveries wait on. */
export interface DeliveryTarget {
  subscriptionArn: string;
  endpoint: string;
  /** Settles once every delivery queued to this endpoint so far has finished. */
  chain: Promise<void>;
  /** Deliveries to this endpoint in flight now (at most the policy's maxConcurrentDeliveries). */
  active?: number;
  /** Deliveries waiting for a free slot, first come first served. */
  waiting?: Array<() => void>;
}

/** SNS's retry policy and timeout; read at each attempt, so a change applies from then on. */
export interface DeliveryPolicy {
  /** Attempts after the first failed one (SNS: 3). */
  retries: number;
  retryDelayMs: number;
  /** SNS gives an endpoint 15 s to answer. */
  deliveryTimeoutMs: number;
  /** Messages in flight at once per endpoint (default 1: one after another, in publish order). */
  maxConcurrentDeliveries?: number;
}

/** Why an attempt got no status, named as fetch named it before (the attempt log's `error`). */
class DeliveryError extends Error {
  constructor(override readonly name: 'TimeoutError' | 'AbortError' | 'TypeError') {
    super(name);
  }
}

export class SnsDeliveryLoop {
  private readonly attempts: DeliveryAttempt[] = [];
  private readonly inFlight = new AbortController();
  private stopped = false;
  /** Kept-alive connections, one pool per scheme (an agent pools per host and port). */
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };

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

  /** Stops retrying, aborts deliveries in flight and closes the kept-alive connections. */
  stop(): void {
    this.stopped = true;
    this.inFlight.abort();
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }

  /** Queues `copies` deliveries of one signed message; resolves true if the last one got a 2xx. */
  async enqueue(
    subscription: DeliveryTarget,
    message: SignedSnsMessage,
    copies: number,
  ): Promise<boolean> {
    const run = async () => {
      await this.slot(subscription);
      try {
        let ok = false;
        // Copies of one message (a duplicate) go out one after the other, in its slot.
        for (let copy = 0; copy < copies; copy++) ok = await this.deliver(subscription, message);
        return ok;
      } finally {
        this.freeSlot(subscription);
      }
    };
    const done = run();
    subscription.chain = Promise.all([subscription.chain, done]).then(() => undefined);
    return done;
  }

  /** Waits for one of the endpoint's delivery slots (first come first served). */
  private slot(target: DeliveryTarget): Promise<void> {
    const limit = Math.max(1, this.policy.maxConcurrentDeliveries ?? 1);
    const active = target.active ?? 0;
    if (active < limit && (target.waiting?.length ?? 0) === 0) {
      target.active = active + 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => (target.waiting ??= []).push(resolve));
  }

  /** Hands the slot to the next waiting delivery, or frees it. */
  private freeSlot(target: DeliveryTarget): void {
    const next = target.waiting?.shift();
    if (next) next();
    else target.active = (target.active ?? 1) - 1;
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
        record.status = await this.post(subscription, message, body);
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
        await sleep(this.policy.retryDelayMs, this.inFlight.signal);
    }
    return false;
  }

  /**
   * One HTTP POST with SNS's headers on a kept-alive connection; resolves with the status once the
   * answer's body is read (redirects are not followed). Rejects with a TimeoutError after the
   * policy's timeout, an AbortError on stop(), a TypeError on a network error (fetch's names).
   */
  private post(target: DeliveryTarget, message: SignedSnsMessage, body: string): Promise<number> {
    const url = new URL(target.endpoint);
    const client = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.agents['https:'] : this.agents['http:'];
    const payload = Buffer.from(body, 'utf8');
    return new Promise<number>((resolve, reject) => {
      if (this.inFlight.signal.aborted) {
        reject(new DeliveryError('AbortError'));
        return;
      }
      let failure: DeliveryError | undefined;
      const fail = (error: DeliveryError) => {
        failure ??= error;
        request.destroy(failure);
      };
      const onAbort = () => {
        fail(new DeliveryError('AbortError'));
      };
      const timer = setTimeout(() => {
        fail(new DeliveryError('TimeoutError'));
      }, this.policy.deliveryTimeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.inFlight.signal.removeEventListener('abort', onAbort);
      };
      let request: http.ClientRequest;
      try {
        request = client.request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'text/plain; charset=UTF-8',
              'content-length': String(payload.length),
              'user-agent': 'Amazon Simple Notification Service Agent',
              'accept-encoding': 'gzip,deflate',
              'x-amz-sns-message-type': message.Type,
              'x-amz-sns-message-id': message.MessageId,
              'x-amz-sns-topic-arn': message.TopicArn,
              ...(message.Type === 'SubscriptionConfirmation'
                ? {}
                : { 'x-amz-sns-subscription-arn': target.subscriptionArn }),
            },
          },
          (response) => {
            response.resume();
            response.once('end', () => {
              settle();
              resolve(response.statusCode ?? 0);
            });
            // Cut off before its end (a dropped connection, or fail() above): no status.
            const cutOff = () => {
              settle();
              reject(failure ?? new DeliveryError('TypeError'));
            };
            response.once('error', cutOff);
            response.once('close', () => {
              if (!response.complete) cutOff();
            });
          },
        );
      } catch {
        // Refused at once (a scheme other than http or https, a header value Node will not
        // send): fetch's TypeError, and the timer armed above is disarmed.
        settle();
        reject(new DeliveryError('TypeError'));
        return;
      }
      request.once('error', () => {
        settle();
        reject(failure ?? new DeliveryError('TypeError'));
      });
      this.inFlight.signal.addEventListener('abort', onAbort);
      request.end(payload);
    });
  }
}
