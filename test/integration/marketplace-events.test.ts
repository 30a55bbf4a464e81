/**
 * The simulator's events against AlayaCare's AsyncAPI specification: drives the supply and
 * demand flows through the connector's MarketplaceClient so that every event of `inbox-offers`,
 * `outbox-offers`, `inbox-referrals` and `outbox-referrals` is published, receives them as SNS
 * notifications on a loopback endpoint (SignatureVersion 1 here, confirmation first), and checks
 * per event type that the payload has every field the specification requires, on the right
 * topic, with a valid signature. The required-field lists are written here from the published
 * spec (not read from it). API behaviour is covered by marketplace-contract-*.test.ts; signing
 * details by test/unit/simulator-sns.test.ts.
 */
import { randomUUID, verify } from 'node:crypto';
import {
  MarketplaceClient,
  type OutboxOfferCreateRequest,
} from '../../lambdas/adapters/marketplace-client';
import { createSnsRoutingHttpGet } from '../../sandbox/sns-routing-http-get';
import {
  type MarketplaceSimulator,
  type SimulatorOrganization,
  startSimulator,
} from '../../sandbox/simulator/simulator';
import { type CollectedMessage, SnsCollector } from '../contract/sns-collector';
import { shutDown } from '../support/shut-down';

// --- from asyncapi.offers.yaml (AlayaCare/alayamarket-external-docs) ----------------------------

/** `InboxOfferEventPayload` and `OutboxOfferEventPayload`: the same required fields. */
const OFFER_EVENT_REQUIRED = [
  'event_source',
  'event_name',
  'id',
  'event_id',
  'timestamp',
  'offer_id',
];
/** `InboxReferralEventPayload` and `OutboxReferralEventPayload`. */
const REFERRAL_EVENT_REQUIRED = [
  'event_source',
  'event_name',
  'id',
  'event_id',
  'timestamp',
  'referral_id',
  'client',
  'demand',
  'supply',
];
const REFERRAL_NESTED_REQUIRED: Record<string, string[]> = {
  client: ['outbox_id', 'id'],
  demand: ['name', 'source'],
  supply: ['name', 'source'],
};

const CHANNEL_EVENTS = {
  'inbox-offers': ['OfferMatched', 'OfferClosed', 'OfferExpired', 'OfferFulfilled'],
  'outbox-offers': ['OfferAccepted', 'OfferDeclined', 'OfferDeclinedByAll', 'OfferExpired'],
  'inbox-referrals': ['ReferralCreated', 'ReferralDemandCancelled'],
  'outbox-referrals': ['ReferralCreated', 'ReferralProcessed', 'ReferralSupplyCancelled'],
} as const;
type Channel = keyof typeof CHANNEL_EVENTS;

// -------------------------------------------------------------------------------------------------

let sim: MarketplaceSimulator;
let collector: SnsCollector;
let offsetMs = 0;
let second: SimulatorOrganization;
const topics = {} as Record<Channel, string>;

function client(credentials: { username: string; password: string }): MarketplaceClient {
  return new MarketplaceClient({
    baseUrl: sim.url,
    credentials: async () => credentials,
    sleep: async () => undefined,
  });
}

function request(expiresInMs = 60 * 60 * 1000): OutboxOfferCreateRequest {
  const key = randomUUID().slice(0, 8);
  const start = Date.now() + offsetMs + 24 * 3600_000;
  return {
    offer: {
      care_type: 'psw',
      offer_type: 'visit',
      expires_at: new Date(Date.now() + offsetMs + expiresInMs).toISOString(),
    },
    client: {
      outbox_id: `client-${key}`,
      address: {
        address: '9 Event Road',
        city: 'Toronto',
        state: 'ON',
        zip: 'M5V 2T6',
        country: 'CA',
      },
      demographics: { first_name: 'Eve', last_name: `Client ${key}` },
    },
    service: { outbox_id: `service-${key}`, name: 'Personal support' },
    visits: [
      {
        outbox_id: `visit-${key}`,
        start_at: new Date(start).toISOString(),
        end_at: new Date(start + 3600_000).toISOString(),
      },
    ],
  };
}

beforeAll(async () => {
  sim = await startSimulator({
    signatureVersion: '1',
    retryDelayMs: 10,
    now: () => new Date(Date.now() + offsetMs),
  });
  second = sim.addOrganization({ kind: 'supply', name: 'Second Supply' });
  collector = new SnsCollector(sim);
  await collector.start();
  topics['inbox-offers'] = sim.inboxOffersTopicArn;
  topics['inbox-referrals'] = sim.inboxReferralsTopicArn;
  topics['outbox-offers'] = sim.outboxOffersTopicArn;
  topics['outbox-referrals'] = sim.outboxReferralsTopicArn;
  for (const arn of Object.values(topics)) await sim.subscribe(arn, collector.url);

  const supply = client(sim.credentials);
  const other = client(second);
  const demand = client(sim.demandCredentials);
  const matchOf = async (offerId: string, supplyId: string) =>
    String(
      (await demand.listOutboxOfferMatches(offerId)).items.find((i) => i.supply?.id === supplyId)
        ?.match?.id,
    );

  // Declined by both: OfferMatched, OfferDeclined x2, OfferDeclinedByAll.
  const a = (await demand.createOutboxOffer(request())).offer.id;
  await supply.declineInboxOffer(a);
  await other.declineInboxOffer(a);
  // Won by the other supplier: OfferAccepted, OfferFulfilled for ours.
  const b = (await demand.createOutboxOffer(request())).offer.id;
  await supply.acceptInboxOffer(b);
  await other.acceptInboxOffer(b);
  await demand.assignOutboxOffer(b, await matchOf(b, second.organizationId));
  // Won by ours: ReferralCreated both sides, then processed and cancelled by demand.
  const c = (await demand.createOutboxOffer(request())).offer.id;
  await supply.acceptInboxOffer(c);
  await demand.assignOutboxOffer(c, await matchOf(c, sim.supplyOrganizationId));
  const referralC = (await supply.listInboxReferrals({ offer_id: c })).items[0].referral.id;
  await supply.markInboxReferralProcessed(referralC);
  await demand.cancelOutboxReferral(referralC, { reason_code: 'client_request' });
  // Cancelled by supply: ReferralSupplyCancelled.
  const d = (await demand.createOutboxOffer(request())).offer.id;
  await supply.acceptInboxOffer(d);
  await demand.assignOutboxOffer(d, await matchOf(d, sim.supplyOrganizationId));
  await supply.cancelInboxReferral(
    (await supply.listInboxReferrals({ offer_id: d })).items[0].referral.id,
  );
  // Closed: OfferClosed.
  await demand.closeOutboxOffer((await demand.createOutboxOffer(request())).offer.id);
  // Expired: OfferExpired on both sides, once the simulator's clock passes expires_at.
  await demand.createOutboxOffer(request(60_000));
  offsetMs += 120_000;
  sim.sweep();
  await sim.idle();
});

afterAll(() => shutDown([], [sim, collector]));

function received(channel: Channel, eventName: string): CollectedMessage[] {
  return collector
    .notifications()
    .filter((m) => m.topicArn === topics[channel] && m.payload?.event_name === eventName);
}

const cases = (Object.entries(CHANNEL_EVENTS) as Array<[Channel, readonly string[]]>).flatMap(
  ([channel, names]) => names.map((name) => [channel, name] as const),
);

describe('AsyncAPI payloads', () => {
  it('confirmed every subscription before any notification', () => {
    const firstNotification = collector.received.findIndex((m) => m.type === 'Notification');
    const confirmations = collector.received
      .map((m, i) => (m.type === 'SubscriptionConfirmation' ? i : -1))
      .filter((i) => i >= 0);
    expect(confirmations).toHaveLength(4);
    expect(Math.max(...confirmations)).toBeLessThan(firstNotification);
  });

  it.each(cases)('%s %s has every required field', (channel, eventName) => {
    const messages = received(channel, eventName);
    expect(messages.length).toBeGreaterThan(0);
    const isReferral = channel.endsWith('referrals');
    for (const { payload } of messages) {
      if (!payload) throw new Error('notification without payload');
      for (const field of isReferral ? REFERRAL_EVENT_REQUIRED : OFFER_EVENT_REQUIRED)
        expect(payload).toHaveProperty(field);
      expect(payload.event_source).toBe(
        isReferral ? 'alayamarket.referrals' : 'alayamarket.offers',
      );
      expect(Number.isNaN(Date.parse(String(payload.timestamp)))).toBe(false);
      // `id` is the deprecated duplicate of the resource id.
      expect(payload.id).toBe(isReferral ? payload.referral_id : payload.offer_id);
      if (isReferral) {
        for (const [part, fields] of Object.entries(REFERRAL_NESTED_REQUIRED)) {
          for (const field of fields)
            expect(typeof (payload[part] as Record<string, unknown>)[field]).toBe('string');
        }
      }
    }
  });

  it('publishes only the event names each channel defines, with unique event ids', () => {
    for (const [channel, names] of Object.entries(CHANNEL_EVENTS) as Array<
      [Channel, readonly string[]]
    >) {
      for (const m of collector.notifications().filter((n) => n.topicArn === topics[channel]))
        expect(names).toContain(m.payload?.event_name);
    }
    const ids = collector.notifications().map((m) => m.payload?.event_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('signs every notification with SignatureVersion 1 (SHA1withRSA) and a certificate SNS-style hosts serve', async () => {
    const httpGet = createSnsRoutingHttpGet({ localUrl: sim.snsLocalUrl, regions: [sim.region] });
    const sample = collector.notifications().slice(0, 5);
    expect(sample.length).toBeGreaterThan(0);
    for (const { envelope } of sample) {
      expect(envelope.SignatureVersion).toBe('1');
      const cert = await httpGet(envelope.SigningCertURL, { timeoutMs: 2000 });
      const fields = [
        'Message',
        'MessageId',
        ...('Subject' in envelope ? ['Subject'] : []),
        'Timestamp',
        'TopicArn',
        'Type',
      ];
      const toSign = fields.map((f) => `${f}\n${envelope[f]}\n`).join('');
      expect(
        verify(
          'RSA-SHA1',
          Buffer.from(toSign, 'utf8'),
          cert.body,
          Buffer.from(envelope.Signature, 'base64'),
        ),
      ).toBe(true);
    }
  });
});
