/**
 * The simulator's SNS side against a plain loopback endpoint: the subscribe-then-confirm
 * handshake (no notification before the SubscribeURL is visited), the documented headers and
 * fields, signatures checked here with a string-to-sign written out independently of the
 * project's signer, SignatureVersion 1 and 2, publish order, retries (5xx and network errors
 * retried, 4xx final) and duplicated deliveries; plus the sandbox's routing HttpGet, which is the
 * only way the receiver reaches the simulated SNS host. The receiver's own verification is tested
 * in sns-verifier/receiver tests; the full path in test/e2e.
 */
import { verify, X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { listenLocal, type LocalServer, readBody } from '../../sandbox/http-util';
import {
  type MarketplaceSimulator,
  type SimulatorOptions,
  startSimulator,
} from '../../sandbox/simulator/simulator';
import {
  createSnsRoutingHttpGet,
  SnsRoutingRefusedError,
} from '../../sandbox/sns-routing-http-get';
import type { HttpGet } from '../../lambdas/core/ports';
import { createSnsVerifier, parseSnsEnvelope } from '../../lambdas/adapters/sns-verifier';

interface Received {
  headers: IncomingHttpHeaders;
  message: Record<string, string>;
}

/** A stand-in subscriber: records each POST and answers what `answer` says. */
class Endpoint {
  received: Received[] = [];
  /** Status to answer; 'drop' closes the connection without answering (a network error). */
  answer: (message: Record<string, string>, index: number) => number | 'drop' = () => 200;
  /** Visit the SubscribeURL of a SubscriptionConfirmation before answering. */
  confirm = true;
  server!: LocalServer;

  constructor(private readonly httpGet: () => HttpGet) {}

  async start(): Promise<void> {
    this.server = await listenLocal((req, res) => {
      void (async () => {
        const message = JSON.parse((await readBody(req, 1 << 20)).toString('utf8')) as Record<
          string,
          string
        >;
        this.received.push({ headers: req.headers, message });
        if (message.Type === 'SubscriptionConfirmation' && this.confirm) {
          await this.httpGet()(message.SubscribeURL, { timeoutMs: 2000 });
        }
        const status = this.answer(message, this.received.length - 1);
        if (status === 'drop') {
          req.socket.destroy();
          return;
        }
        res.writeHead(status);
        res.end();
      })();
    });
  }

  notifications(): Record<string, string>[] {
    return this.received.filter((r) => r.message.Type === 'Notification').map((r) => r.message);
  }
}

/** The SNS canonical string, written out here so the simulator's signatures are checked independently. */
function stringToSign(m: Record<string, string>): string {
  const fields =
    m.Type === 'Notification'
      ? [
          'Message',
          'MessageId',
          ...(Object.hasOwn(m, 'Subject') ? ['Subject'] : []),
          'Timestamp',
          'TopicArn',
          'Type',
        ]
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return fields.map((f) => `${f}\n${m[f]}\n`).join('');
}

async function signatureValid(m: Record<string, string>, httpGet: HttpGet): Promise<boolean> {
  const cert = await httpGet(m.SigningCertURL, { timeoutMs: 2000 });
  expect(cert.status).toBe(200);
  const algorithm = m.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
  return verify(
    algorithm,
    Buffer.from(stringToSign(m), 'utf8'),
    cert.body,
    Buffer.from(m.Signature, 'base64'),
  );
}

let sim: MarketplaceSimulator;
let routed: HttpGet;
let endpoint: Endpoint;

/** What this test started, stopped after it in reverse order (a test that starts nothing stops nothing). */
const stops: Array<() => Promise<void>> = [];

async function setUp(options: SimulatorOptions = {}): Promise<void> {
  const started = await startSimulator({ retryDelayMs: 10, ...options });
  sim = started;
  stops.push(() => started.stop());
  routed = createSnsRoutingHttpGet({ localUrl: sim.snsLocalUrl, regions: [sim.region] });
  const listening = new Endpoint(() => routed);
  endpoint = listening;
  await listening.start();
  stops.push(() => listening.server.close());
}

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('subscription handshake', () => {
  beforeEach(() => setUp());

  it('sends a signed SubscriptionConfirmation and confirms only once the SubscribeURL is visited', async () => {
    const arn = await sim.subscribe(sim.inboxOffersTopicArn, endpoint.server.url);
    expect(arn.startsWith(`${sim.inboxOffersTopicArn}:`)).toBe(true);
    expect(sim.subscriptions()).toEqual([
      expect.objectContaining({ subscriptionArn: arn, status: 'confirmed' }),
    ]);

    const [first] = endpoint.received;
    expect(first.headers).toMatchObject({
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'SubscriptionConfirmation',
      'x-amz-sns-message-id': first.message.MessageId,
      'x-amz-sns-topic-arn': 'arn:aws:sns:ca-central-1:111122223333:inbox-offers',
    });
    const subscribeUrl = new URL(first.message.SubscribeURL);
    expect(subscribeUrl.origin).toBe('https://sns.ca-central-1.amazonaws.com');
    expect(subscribeUrl.searchParams.get('Action')).toBe('ConfirmSubscription');
    expect(subscribeUrl.searchParams.get('Token')).toBe(first.message.Token);
    expect(first.message.SigningCertURL).toMatch(
      /^https:\/\/sns\.ca-central-1\.amazonaws\.com\/SimpleNotificationService-[0-9a-f]+\.pem$/,
    );
    // SNS topics sign with 1 unless their owner chooses 2: the simulator's default too.
    expect(first.message.SignatureVersion).toBe('1');
    expect(await signatureValid(first.message, routed)).toBe(true);
  });

  it('delivers no notification to an endpoint that never confirmed', async () => {
    endpoint.confirm = false;
    await expect(sim.subscribe(sim.inboxOffersTopicArn, endpoint.server.url, 300)).rejects.toThrow(
      /not confirmed/,
    );
    sim.addOffer();
    await sim.idle();
    expect(endpoint.received.map((r) => r.message.Type)).toEqual(['SubscriptionConfirmation']);
    expect(sim.subscriptions()[0].status).toBe('pending');
  });

  it('rejects a confirmation link with the wrong token', async () => {
    endpoint.confirm = false;
    await expect(
      sim.subscribe(sim.inboxOffersTopicArn, endpoint.server.url, 300),
    ).rejects.toThrow();
    const url = new URL(endpoint.received[0].message.SubscribeURL);
    url.searchParams.set('Token', 'f'.repeat(128));
    expect((await routed(url.toString(), { timeoutMs: 2000 })).status).toBe(400);
    expect(sim.subscriptions()[0].status).toBe('pending');
  });

  it('fails the subscribe when the endpoint refuses the confirmation (4xx)', async () => {
    endpoint.confirm = false;
    endpoint.answer = () => 403;
    await expect(sim.subscribe(sim.inboxOffersTopicArn, endpoint.server.url)).rejects.toThrow(
      /could not be delivered/,
    );
  });
});

describe('notifications', () => {
  it.each(['1', '2'] as const)(
    'publishes OfferMatched as a signed Notification (SignatureVersion %s)',
    async (signatureVersion) => {
      await setUp({ signatureVersion });
      const subscriptionArn = await sim.subscribe(sim.inboxOffersTopicArn, endpoint.server.url);
      const { offer } = sim.addOffer();
      await sim.idle();

      const delivery = endpoint.received.find((r) => r.message.Type === 'Notification');
      if (!delivery) throw new Error('no notification delivered');
      const m = delivery.message;
      expect(delivery.headers).toMatchObject({
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': 'Notification',
        'x-amz-sns-message-id': m.MessageId,
        'x-amz-sns-topic-arn': sim.inboxOffersTopicArn,
        'x-amz-sns-subscription-arn': subscriptionArn,
      });
      expect(m.SignatureVersion).toBe(signatureVersion);
      expect(m.UnsubscribeURL).toContain(encodeURIComponent(subscriptionArn));
      expect(await signatureValid(m, routed)).toBe(true);
      expect(
        await signatureValid(
          { ...m, Message: m.Message.replace(offer.id, 'another-offer') },
          routed,
        ),
      ).toBe(false);

      const event = JSON.parse(m.Message) as Record<string, string>;
      expect(event).toEqual({
        event_source: 'alayamarket.offers',
        event_name: 'OfferMatched',
        id: offer.id,
        offer_id: offer.id,
        event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        timestamp: expect.any(String),
      });
      expect(Number.isNaN(Date.parse(event.timestamp))).toBe(false);
    },
  );

  it.each([
    [undefined, 2048],
    [1024, 1024],
  ] as const)(
    'signs with a key of signingKeyBits %s (%i bits), which the receiver verifies as it does SNS',
    async (signingKeyBits, bits) => {
      await setUp(signingKeyBits === undefined ? {} : { signingKeyBits, signatureVersion: '2' });
      await sim.subscribe(sim.inboxOffersTopicArn, endpoint.server.url);
      sim.addOffer();
      await sim.idle();
      const [m] = endpoint.notifications();
      const cert = await routed(m.SigningCertURL, { timeoutMs: 2000 });
      expect(new X509Certificate(cert.body).publicKey.asymmetricKeyDetails?.modulusLength).toBe(
        bits,
      );
      const verifier = createSnsVerifier({ httpGet: routed, now: () => new Date() });
      const message = parseSnsEnvelope(m);
      await expect(verifier.verifySignature(message)).resolves.toBeUndefined();
      const forged = parseSnsEnvelope({ ...m, Message: m.Message.replace('Offer', 'Offre') });
      await expect(verifier.verifySignature(forged)).rejects.toThrow();
    },
  );

  describe('delivery', () => {
    beforeEach(async () => {
      await setUp();
      await sim.subscribe(sim.inboxOffersTopicArn, endpoint.server.url);
    });

    it('delivers in the order the offers were created', async () => {
      const ids = Array.from({ length: 6 }, () => sim.addOffer().offer.id);
      await sim.idle();
      expect(
        endpoint
          .notifications()
          .map((m) => (JSON.parse(m.Message) as { offer_id: string }).offer_id),
      ).toEqual(ids);
    });

    it('publishes one event per offer of a shift, each with its own event_id', async () => {
      const shift = sim.addShift([{}, {}]);
      await sim.idle();
      const events = endpoint
        .notifications()
        .map((m) => JSON.parse(m.Message) as { offer_id: string; event_id: string });
      expect(events.map((e) => e.offer_id)).toEqual(shift.map((d) => d.offer.id));
      expect(new Set(events.map((e) => e.event_id)).size).toBe(2);
    });

    it('retries a 5xx with the same message and stops at the first 2xx', async () => {
      // received[0] is the confirmation; the first notification attempt (index 1) fails.
      endpoint.answer = (m, i) => (m.Type === 'Notification' && i < 2 ? 500 : 200);
      sim.addOffer();
      await sim.idle();
      const attempts = endpoint.notifications();
      expect(attempts).toHaveLength(2);
      expect(attempts[1]).toEqual(attempts[0]);
    });

    it('retries a network error', async () => {
      endpoint.answer = (m, i) => (m.Type === 'Notification' && i < 2 ? 'drop' : 200);
      sim.addOffer();
      await sim.idle();
      expect(endpoint.notifications()).toHaveLength(2);
      expect(
        sim
          .deliveries()
          .filter((d) => d.type === 'Notification')
          .map((d) => d.status ?? 'error'),
      ).toEqual(['error', 200]);
    });

    it('gives up after 3 retries', async () => {
      endpoint.answer = (m) => (m.Type === 'Notification' ? 503 : 200);
      sim.addOffer();
      await sim.idle();
      expect(endpoint.notifications()).toHaveLength(4);
    });

    it('does not retry a 4xx', async () => {
      endpoint.answer = (m) => (m.Type === 'Notification' ? 400 : 200);
      sim.addOffer();
      await sim.idle();
      expect(endpoint.notifications()).toHaveLength(1);
    });

    it('delivers the very same message twice when asked to duplicate it', async () => {
      sim.addOffer({}, { copies: 2 });
      await sim.idle();
      const [a, b] = endpoint.notifications();
      expect(endpoint.notifications()).toHaveLength(2);
      expect(b).toEqual(a);
    });
  });
});

describe('routing HttpGet', () => {
  let hits: string[];
  let fakeSns: LocalServer;
  let get: HttpGet;

  beforeAll(async () => {
    hits = [];
    fakeSns = await listenLocal((req, res) => {
      hits.push(req.url ?? '');
      res.end('served');
    });
    get = createSnsRoutingHttpGet({ localUrl: fakeSns.url, regions: ['ca-central-1'] });
  });
  afterAll(() => fakeSns.close());
  beforeEach(() => {
    hits = [];
  });

  it('sends the simulated SNS host to the local server with its path and query', async () => {
    const result = await get(
      'https://sns.ca-central-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc',
      { timeoutMs: 2000 },
    );
    expect(result).toEqual({ status: 200, body: 'served' });
    expect(hits).toEqual(['/?Action=ConfirmSubscription&Token=abc']);
  });

  it.each([
    'https://sns.us-east-1.amazonaws.com/cert.pem',
    'https://sns.ca-central-1.amazonaws.com.evil.example/cert.pem',
    'https://evil.example/cert.pem',
    'http://sns.ca-central-1.amazonaws.com/cert.pem',
    'https://sns.ca-central-1.amazonaws.com:8443/cert.pem',
    'https://user:pw@sns.ca-central-1.amazonaws.com/cert.pem',
    'not a url',
  ])('refuses %s without any request', async (url) => {
    await expect(get(url, { timeoutMs: 2000 })).rejects.toBeInstanceOf(SnsRoutingRefusedError);
    expect(hits).toEqual([]);
  });

  it('never names the query (it may hold a subscription token) when it refuses', async () => {
    const error: unknown = await get('https://evil.example/?Token=secret-token', {
      timeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnsRoutingRefusedError);
    expect((error as Error).message).toContain('evil.example');
    expect((error as Error).message).not.toContain('secret-token');
  });

  it('refuses a non-loopback local target', () => {
    expect(() =>
      createSnsRoutingHttpGet({ localUrl: 'http://192.0.2.1:80', regions: ['ca-central-1'] }),
    ).toThrow(SnsRoutingRefusedError);
  });
});
