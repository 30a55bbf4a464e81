/**
 * The simulator's SNS delivery loop on its own, against a loopback endpoint that holds its
 * answers: how many deliveries to one endpoint are in flight at once (one by default, in publish
 * order; up to `maxConcurrentDeliveries` when raised, as real SNS delivers), that the connection
 * is kept alive and reused, and how a timeout and stop() are recorded. Signing, headers and
 * retries through the whole simulator are in simulator-sns.test.ts.
 */
import type { Socket } from 'node:net';
import { listenLocal, type LocalServer, readBody } from '../../sandbox/http-util';
import type { SignedSnsMessage } from '../../sandbox/sns-signing';
import {
  type DeliveryPolicy,
  type DeliveryTarget,
  SnsDeliveryLoop,
} from '../../sandbox/simulator/sns-delivery';

/** An endpoint that answers each POST only when told to, and counts what it saw. */
class HoldingEndpoint {
  readonly bodies: string[] = [];
  readonly sockets = new Set<Socket>();
  inFlight = 0;
  maxInFlight = 0;
  /** Answer at once (true) or hold each request until `releaseAll()`. */
  hold = false;
  /** The status of each answer, by the body's order of arrival (0 first); 200 by default. */
  statusOf: (index: number) => number = () => 200;
  private readonly held: Array<() => void> = [];
  server!: LocalServer;

  async start(): Promise<void> {
    this.server = await listenLocal((req, res) => {
      this.sockets.add(req.socket);
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      void readBody(req, 1 << 20).then((body) => {
        const status = this.statusOf(this.bodies.push(body.toString('utf8')) - 1);
        const answer = () => {
          this.inFlight -= 1;
          res.writeHead(status);
          res.end();
        };
        if (this.hold) this.held.push(answer);
        else answer();
      });
    });
  }

  /** Waits until `count` requests are being held. */
  async heldCount(count: number): Promise<void> {
    for (let i = 0; i < 200 && this.held.length < count; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(this.held.length).toBe(count);
  }

  releaseAll(): void {
    for (const answer of this.held.splice(0)) answer();
  }
}

function message(id: string): SignedSnsMessage {
  return {
    Type: 'Notification',
    MessageId: id,
    TopicArn: 'arn:aws:sns:ca-central-1:111122223333:inbox-offers',
    Message: JSON.stringify({ offer_id: id }),
    Timestamp: new Date(0).toISOString(),
    SignatureVersion: '2',
    Signature: 'c2lnbmF0dXJl',
    SigningCertURL: 'https://sns.ca-central-1.amazonaws.com/SimpleNotificationService-x.pem',
  };
}

const POLICY: DeliveryPolicy = { retries: 3, retryDelayMs: 10, deliveryTimeoutMs: 5000 };

let endpoint: HoldingEndpoint;
let loop: SnsDeliveryLoop;

function target(): DeliveryTarget {
  return {
    subscriptionArn: 'arn:aws:sns:ca-central-1:111122223333:inbox-offers:sub',
    endpoint: endpoint.server.url,
    chain: Promise.resolve(),
  };
}

beforeEach(async () => {
  endpoint = new HoldingEndpoint();
  await endpoint.start();
});

afterEach(async () => {
  loop.stop();
  await endpoint.server.close();
});

const messageIds = () => endpoint.bodies.map((b) => (JSON.parse(b) as SignedSnsMessage).MessageId);

it('sends one message at a time per endpoint by default, in publish order', async () => {
  loop = new SnsDeliveryLoop(POLICY, () => new Date());
  endpoint.hold = true;
  const to = target();
  const results = ['a', 'b', 'c'].map((id) => loop.enqueue(to, message(id), 1));
  await endpoint.heldCount(1);
  for (let i = 0; i < 3; i++) {
    await endpoint.heldCount(1);
    endpoint.releaseAll();
  }
  expect(await Promise.all(results)).toEqual([true, true, true]);
  await to.chain;
  expect(endpoint.maxInFlight).toBe(1);
  expect(messageIds()).toEqual(['a', 'b', 'c']);
});

it('by default holds the next message back until the one before is delivered, retries included', async () => {
  loop = new SnsDeliveryLoop(POLICY, () => new Date());
  // The first two attempts of `a` fail (5xx: retried); `b` and `c` were queued behind it.
  endpoint.statusOf = (index) => (index < 2 ? 503 : 200);
  const to = target();
  const results = ['a', 'b', 'c'].map((id) => loop.enqueue(to, message(id), 1));
  expect(await Promise.all(results)).toEqual([true, true, true]);
  expect(messageIds()).toEqual(['a', 'a', 'a', 'b', 'c']);
  expect(endpoint.maxInFlight).toBe(1);
});

it('has up to maxConcurrentDeliveries messages in flight at once, and settles the chain after all', async () => {
  loop = new SnsDeliveryLoop({ ...POLICY, maxConcurrentDeliveries: 3 }, () => new Date());
  endpoint.hold = true;
  const to = target();
  const results = ['a', 'b', 'c', 'd', 'e'].map((id) => loop.enqueue(to, message(id), 1));
  let chainSettled = false;
  void to.chain.then(() => {
    chainSettled = true;
  });
  // Three at once, never a fourth while they are held.
  await endpoint.heldCount(3);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(endpoint.inFlight).toBe(3);
  endpoint.releaseAll();
  await endpoint.heldCount(2);
  expect(chainSettled).toBe(false);
  endpoint.releaseAll();
  expect(await Promise.all(results)).toEqual([true, true, true, true, true]);
  await to.chain;
  expect(endpoint.maxInFlight).toBe(3);
  expect([...messageIds()].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(loop.list().map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
});

it('keeps the connection alive: deliveries one after another reuse one socket', async () => {
  loop = new SnsDeliveryLoop(POLICY, () => new Date());
  const to = target();
  for (let i = 0; i < 5; i++) expect(await loop.enqueue(to, message(`m${i}`), 1)).toBe(true);
  expect(endpoint.bodies).toHaveLength(5);
  expect(endpoint.sockets.size).toBe(1);
});

it('records an endpoint that does not answer in time as a TimeoutError and retries it', async () => {
  loop = new SnsDeliveryLoop(
    { retries: 1, retryDelayMs: 10, deliveryTimeoutMs: 100 },
    () => new Date(),
  );
  endpoint.hold = true;
  const delivered = loop.enqueue(target(), message('slow'), 1);
  expect(await delivered).toBe(false);
  expect(loop.list().map((a) => [a.attempt, a.status, a.error])).toEqual([
    [1, undefined, 'TimeoutError'],
    [2, undefined, 'TimeoutError'],
  ]);
  endpoint.releaseAll();
});

it('stop() aborts a delivery in flight (AbortError) and retries nothing', async () => {
  loop = new SnsDeliveryLoop(POLICY, () => new Date());
  endpoint.hold = true;
  const delivered = loop.enqueue(target(), message('cut'), 1);
  await endpoint.heldCount(1);
  loop.stop();
  expect(await delivered).toBe(false);
  expect(loop.list().map((a) => [a.attempt, a.error])).toEqual([[1, 'AbortError']]);
  endpoint.releaseAll();
});

it('records an endpoint Node cannot POST to (an ftp: URL) as a TypeError and leaves no timer armed', async () => {
  // The simulator's subscriptions API takes any endpoint text. Node's client refuses this one at
  // once; a timeout timer armed before it would fire later with nothing to cancel.
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
  try {
    loop = new SnsDeliveryLoop(
      { retries: 0, retryDelayMs: 10, deliveryTimeoutMs: 100 },
      () => new Date(),
    );
    const ftp = { ...target(), endpoint: 'ftp://127.0.0.1/sns' };
    expect(await loop.enqueue(ftp, message('ftp'), 1)).toBe(false);
    expect(loop.list().map((a) => [a.attempt, a.status, a.error])).toEqual([
      [1, undefined, 'TypeError'],
    ]);
    expect(jest.getTimerCount()).toBe(0);
  } finally {
    jest.useRealTimers();
  }
});
