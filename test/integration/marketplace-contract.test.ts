/**
 * Contract tests: the connector's MarketplaceClient against the marketplace simulator over
 * loopback HTTP, for every operation (login, identity, inbox offers and a shift's offers,
 * outbox offers with shifts, bundles, matches, assign, close, the assignment setting, inbox and
 * outbox referrals, subscribe) and every fault the simulator injects (latency, 5xx before and after acting, 429
 * with Retry-After, timeouts, expired and short-lived tokens, seeded fault rates, dropped,
 * duplicated and reordered SNS deliveries, SNS retries). Client waits are recorded, not slept.
 * The simulator's state rules alone are in test/unit/simulator-offers.test.ts; event payloads
 * against the AsyncAPI required fields are in marketplace-events.test.ts; the full connector
 * flow is test/e2e.
 */
import { randomUUID } from 'node:crypto';
import {
  MarketplaceClient,
  type MarketplaceClientOptions,
  MarketplaceError,
  type MarketplaceLogEntry,
  type OutboxOfferCreateRequest,
} from '../../lambdas/adapters/marketplace-client';
import { type MarketplaceSimulator, startSimulator } from '../../sandbox/simulator/simulator';
import { SnsCollector } from '../contract/sns-collector';
import { requestUrl } from '../support/request-url';

let sim: MarketplaceSimulator;
let supply: MarketplaceClient;
let demand: MarketplaceClient;
let sleeps: number[];
let logs: MarketplaceLogEntry[];
let loginCount: number;

/** Every token the simulator issued in this file, to prove none reaches a log line or error. */
const issuedTokens: string[] = [];

/** Counts logins so re-login behaviour is visible, and notes the tokens; otherwise plain fetch. */
const countingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (requestUrl(input).endsWith('/auth/v1/login')) {
    loginCount++;
    const body = (await response.clone().json()) as { IdToken?: string };
    if (body.IdToken) issuedTokens.push(body.IdToken);
  }
  return response;
};

function clientFor(
  credentials: { username: string; password: string },
  extra: Partial<MarketplaceClientOptions> = {},
): MarketplaceClient {
  return new MarketplaceClient({
    baseUrl: sim.url,
    credentials: async () => credentials,
    timeoutMs: 1000,
    fetch: countingFetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: (entry) => logs.push(entry),
    retry: { maxAttempts: 4 },
    ...extra,
  });
}

beforeAll(async () => {
  sim = await startSimulator({ retryDelayMs: 10 });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sleeps = [];
  logs = [];
  loginCount = 0;
  supply = clientFor(sim.credentials);
  demand = clientFor(sim.demandCredentials);
});
afterEach(() => {
  // Whatever a test made fail, no log line carries a password or a token.
  const logged = JSON.stringify(logs);
  for (const secret of [sim.credentials.password, sim.demandCredentials.password, ...issuedTokens])
    expect(logged).not.toContain(secret);
  sim.faults.clear();
  sim.setTokenTtl(3600);
  sim.setAssignment(sim.demandOrganizationId, 'manual');
});

const hourFromNow = () => new Date(Date.now() + 60 * 60 * 1000).toISOString();

function offerRequest(
  overrides: Partial<OutboxOfferCreateRequest['offer']> = {},
): OutboxOfferCreateRequest {
  const key = randomUUID().slice(0, 8);
  const start = new Date(Date.now() + 24 * 60 * 60 * 1000);
  return {
    offer: { care_type: 'psw', offer_type: 'visit', expires_at: hourFromNow(), ...overrides },
    client: {
      outbox_id: `client-${key}`,
      address: {
        address: '1 Test Street',
        city: 'Ottawa',
        state: 'ON',
        zip: 'K1P 1J1',
        country: 'CA',
      },
      demographics: { first_name: 'Test', last_name: `Client ${key}` },
      allergies: [{ name: 'Peanuts (simulated)' }],
    },
    service: { outbox_id: `service-${key}`, name: 'Personal support' },
    visits: [
      {
        outbox_id: `visit-${key}`,
        start_at: start.toISOString(),
        end_at: new Date(start.getTime() + 3600_000).toISOString(),
      },
    ],
    price: { default: { rate: 35, unit: 'per_hour' } },
  };
}

async function failure(promise: Promise<unknown>): Promise<MarketplaceError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof MarketplaceError))
    throw new Error(`expected a MarketplaceError, got ${String(outcome)}`);
  // Errors go to logs: they must not carry a password or a token either.
  logs.push({ level: 'warn', message: outcome.message, operation: outcome.operation, attempt: 0 });
  return outcome;
}

/** Accept/decline calls the simulator recorded for one offer (routed requests only). */
const callsFor = (offerId: string) => sim.calls().filter((c) => c.offerId === offerId);

describe('operations', () => {
  it('logs in both organisations and reads their identities', async () => {
    await expect(supply.login()).resolves.toEqual({ expiresInSeconds: 3600 });
    expect(await supply.currentIdentity()).toMatchObject({
      organization_id: sim.supplyOrganizationId,
      groups: ['org_admin'],
    });
    expect(await demand.currentIdentity()).toMatchObject({
      organization_id: sim.demandOrganizationId,
    });
  });

  it('creates an outbox offer that the supply side lists, pages and reads (anonymised), and the demand side lists and reads', async () => {
    const request = offerRequest();
    const created = await demand.createOutboxOffer(request);
    expect(created).toMatchObject({
      offer: { status: 'open', care_type: 'psw' },
      client: { outbox_id: request.client.outbox_id },
      response_counts: { sent: 1 },
    });
    const id = created.offer.id;

    const page = await demand.listOutboxOffers({ client_outbox_id: request.client.outbox_id });
    expect(page.items.map((i) => i.offer.id)).toEqual([id]);
    expect((await demand.getOutboxOffer(id)).client.demographics.last_name).toBe(
      request.client.demographics.last_name,
    );

    const seen: string[] = [];
    for await (const item of supply.inboxOffers({ items_per_page: 2, status: 'open' }))
      seen.push(String(item.offer?.id));
    expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);

    const mapped = await supply.getInboxOffer(id);
    expect(mapped).toMatchObject({
      id,
      careType: 'psw',
      match: { response: 'pending', status: 'open' },
      location: { city: 'Ottawa' },
    });
    const detail = await supply.getInboxOfferDetail(id);
    expect(detail.client.address).not.toHaveProperty('address'); // no street for supply
    expect(JSON.stringify(detail)).not.toContain(request.client.demographics.last_name);
  });

  it('runs the manual flow: accept, matches filtered by response, assign, referrals on both sides, processed, cancelled', async () => {
    expect(await demand.getAssignmentSetting()).toBe('manual');
    const { offer } = await demand.createOutboxOffer(offerRequest());
    await supply.acceptInboxOffer(offer.id, { comment: 'We can help' });

    const accepted = await demand.listOutboxOfferMatches(offer.id, { response: 'accepted' });
    expect(accepted.items).toHaveLength(1);
    expect(
      (await demand.listOutboxOfferMatches(offer.id, { response: ['pending', 'declined'] })).items,
    ).toHaveLength(0);
    const matches: string[] = [];
    for await (const item of demand.outboxOfferMatches(offer.id))
      matches.push(String(item.match?.id));
    expect(matches).toEqual([accepted.items[0].match?.id]);

    await demand.assignOutboxOffer(offer.id, String(accepted.items[0].match?.id));
    expect((await demand.getOutboxOffer(offer.id)).offer.status).toBe('assigned');
    expect((await supply.getInboxOffer(offer.id)).match.status).toBe('assigned');

    const inbox = await supply.listInboxReferrals({ offer_id: offer.id });
    expect(inbox.items).toHaveLength(1);
    const referralId = inbox.items[0].referral.id;
    const referral = await supply.getInboxReferral(referralId);
    expect(referral).toMatchObject({
      referral: { status: 'assigned', offer_id: offer.id },
      demand: { id: sim.demandOrganizationId },
    });
    const outboxIds: string[] = [];
    for await (const item of demand.outboxReferrals({ offer_id: offer.id }))
      outboxIds.push(item.referral.id);
    expect(outboxIds).toEqual([referralId]);
    expect((await demand.getOutboxReferral(referralId)).supply.id).toBe(sim.supplyOrganizationId);

    await supply.markInboxReferralProcessed(referralId);
    expect(await supply.getInboxReferralStatus(referralId)).toBe('processed');
    expect((await demand.getOutboxReferral(referralId)).referral.status).toBe('processed');
    await demand.cancelOutboxReferral(referralId, {
      reason_code: 'client_request',
      comment: 'no longer needed',
    });
    expect((await supply.getInboxReferral(referralId)).referral.status).toBe('cancelled');

    const again = await failure(demand.cancelOutboxReferral(referralId));
    expect(again).toMatchObject({ status: 409, operation: 'cancelOutboxReferral' });
    expect(again.apiMessage).toMatch(/cancelled/);
  });

  it('auto assignment assigns on accept, forbids manual assign (403), and the supply side can cancel the referral', async () => {
    sim.setAssignment(sim.demandOrganizationId, 'auto');
    expect(await demand.getAssignmentSetting()).toBe('auto');
    const { offer } = await demand.createOutboxOffer(offerRequest());
    await supply.acceptInboxOffer(offer.id);
    expect((await demand.getOutboxOffer(offer.id)).offer.status).toBe('assigned');
    const match = (await demand.listOutboxOfferMatches(offer.id)).items[0].match;
    expect(await failure(demand.assignOutboxOffer(offer.id, String(match?.id)))).toMatchObject({
      status: 403,
    });
    const [referral] = (await supply.listInboxReferrals({ offer_id: offer.id })).items;
    await supply.cancelInboxReferral(referral.referral.id, { reason_code: 'other' });
    expect((await demand.getOutboxReferral(referral.referral.id)).referral.status).toBe(
      'cancelled',
    );
  });

  it('declines and closes, and answers actions in the wrong state with a typed 409', async () => {
    const declined = (await demand.createOutboxOffer(offerRequest())).offer.id;
    await supply.declineInboxOffer(declined, {
      reason_code: 'no_capacity',
      comment: 'Fully booked',
    });
    expect((await demand.getOutboxOffer(declined)).offer.status).toBe('declined_by_all');
    const late = await failure(supply.acceptInboxOffer(declined));
    expect(late).toMatchObject({
      name: 'MarketplaceError',
      status: 409,
      operation: 'acceptInboxOffer',
    });
    expect(late.apiMessage).toMatch(/not pending/);

    const closed = (await demand.createOutboxOffer(offerRequest())).offer.id;
    await demand.closeOutboxOffer(closed, {
      reason_code: 'client_request',
      reason_comment: 'cancelled by family',
    });
    expect((await demand.getOutboxOffer(closed)).offer).toMatchObject({
      status: 'closed',
      reason_code: 'client_request',
    });
    expect((await supply.getInboxOffer(closed)).match.status).toBe('closed');
    expect(await failure(demand.closeOutboxOffer(closed))).toMatchObject({
      status: 409,
      operation: 'closeOutboxOffer',
    });
  });

  it('creates a shift whose offers are accepted together, and a bundle whose offers are declined together', async () => {
    const a = offerRequest();
    const b = offerRequest();
    const shift = await demand.createShiftOffers({
      offer: { care_type: 'psw', expires_at: hourFromNow() },
      items: [a, b].map((r) => ({ client: r.client, service: r.service, visits: r.visits ?? [] })),
    });
    expect(shift.items).toHaveLength(2);
    await supply.acceptInboxOffer(shift.items[1].offer.id);
    const inShift = await supply.listInboxOffers({ shift_id: shift.shift.id });
    expect(inShift.items.map((i) => i.match?.response)).toEqual(['accepted', 'accepted']);
    expect(callsFor(shift.items[0].offer.id)).toHaveLength(0);

    const c = offerRequest();
    const d = offerRequest();
    const bundle = await demand.createBundleOffers({
      offer: { expires_at: hourFromNow() },
      items: [c, d].map((r) => ({
        care_type: 'nursing' as const,
        client: r.client,
        service: { ...r.service, start_at: new Date(Date.now() + 86_400_000).toISOString() },
      })),
    });
    await supply.declineInboxOffer(bundle.items[0].offer.id);
    for (const item of bundle.items)
      expect((await demand.getOutboxOffer(item.offer.id)).offer).toMatchObject({
        status: 'declined_by_all',
        offer_type: 'service',
        shift_id: bundle.bundle.id,
      });
  });

  it('lists the offers of a shift for the worker (every offer of the shift, each detail, by id) and nothing of another shift', async () => {
    const shift = sim.addShift([
      { careType: 'psw' },
      { careType: 'nursing', offerType: 'service' },
      { careType: 'psw' },
    ]);
    sim.addOffer({ careType: 'psw' }); // matched too, in no shift
    await sim.idle();
    const shiftId = String(shift[0]?.offer.shift_id);
    // Pages of two, so the shift of three spans two pages.
    const lists: string[] = [];
    const listing = clientFor(sim.credentials, {
      fetch: async (input, init) => {
        const url = requestUrl(input).replace('items_per_page=100', 'items_per_page=2');
        if (url.includes('/inbox/offers?')) lists.push(new URL(url).searchParams.toString());
        return countingFetch(url, init);
      },
    });

    const offers = await listing.listShiftOffers(shiftId);

    const ids = shift.map((s) => s.offer.id).sort();
    expect(offers.map((o) => o.id)).toEqual(ids);
    expect(offers).toEqual(
      ids.map((id): unknown =>
        expect.objectContaining({
          id,
          shiftId,
          match: expect.objectContaining({ response: 'pending', status: 'open' }),
        }),
      ),
    );
    expect(offers.find((o) => o.careType === 'nursing')).toMatchObject({ offerType: 'service' });
    expect(JSON.stringify(offers)).not.toContain('approx_latitude');
    expect(lists).toEqual([1, 2].map((p) => `shift_id=${shiftId}&items_per_page=2&page=${p}`));
  });

  it('names the missing field when the simulator refuses a create request (400 with description)', async () => {
    const request = offerRequest();
    const broken = {
      ...request,
      client: { ...request.client, demographics: { first_name: 'Only' } },
    } as unknown as OutboxOfferCreateRequest;
    const error = await failure(demand.createOutboxOffer(broken));
    expect(error).toMatchObject({ status: 400, apiMessage: 'Invalid request body' });
    expect(error.apiDescription).toContain('client.demographics.last_name');
  });

  it('refuses a supply organisation on demand routes (403)', async () => {
    expect(await failure(supply.getAssignmentSetting())).toMatchObject({
      status: 403,
      operation: 'getAssignmentSetting',
    });
  });

  it('subscribes an HTTPS endpoint to a topic; SNS asks it to confirm, then delivers', async () => {
    const collector = new SnsCollector(sim);
    await collector.start();
    try {
      const answer = await supply.subscribe([
        { topic: 'inbox-offers', protocol: 'https', endpoint: collector.url },
      ]);
      expect(answer.subscriptions).toEqual([
        {
          topic: 'inbox-offers',
          protocol: 'https',
          endpoint: collector.url,
          subscription_arn: 'pending confirmation',
        },
      ]);
      await sim.idle();
      expect(collector.received[0]).toMatchObject({
        type: 'SubscriptionConfirmation',
        topicArn: sim.inboxOffersTopicArn,
      });
      const { offer } = await demand.createOutboxOffer(offerRequest());
      await sim.idle();
      expect(collector.payloads(sim.inboxOffersTopicArn)).toEqual([
        expect.objectContaining({ event_name: 'OfferMatched', offer_id: offer.id }),
      ]);
    } finally {
      await collector.stop();
    }
  });
});

describe('faults', () => {
  it('added latency: calls still succeed', async () => {
    sim.faults.set({ api: { latencyMs: 30, latencyJitterMs: 20 } });
    const { offer } = await demand.createOutboxOffer(offerRequest());
    await expect(supply.getInboxOffer(offer.id)).resolves.toMatchObject({ id: offer.id });
  });

  it('5xx on reads: retried with backoff until they succeed', async () => {
    const { offer } = await demand.createOutboxOffer(offerRequest());
    sim.faults.script({
      kind: 'error',
      method: 'GET',
      path: `/inbox/offers/${offer.id}`,
      times: 2,
    });
    await expect(supply.getInboxOffer(offer.id)).resolves.toMatchObject({ id: offer.id });
    expect(sleeps).toHaveLength(2);
    expect(logs.filter((l) => l.status === 503)).toHaveLength(2);
  });

  it('429 with Retry-After: waits what the server asks, then succeeds', async () => {
    sim.faults.script({ kind: 'throttle', method: 'GET', path: '/outbox/offers', retryAfter: '2' });
    await demand.listOutboxOffers();
    expect(sleeps).toEqual([2000]);
  });

  it('a read that never gets an answer: timed out and retried', async () => {
    const { offer } = await demand.createOutboxOffer(offerRequest());
    const impatient = clientFor(sim.demandCredentials, { timeoutMs: 200 });
    sim.faults.script({ kind: 'timeout', method: 'GET', path: `/outbox/offers/${offer.id}` });
    await expect(impatient.getOutboxOffer(offer.id)).resolves.toMatchObject({
      offer: { id: offer.id },
    });
    expect(sleeps).toHaveLength(1);
  });

  it('an accept that took effect but answered 502 is confirmed by reading the offer, not sent again', async () => {
    const { offer } = await demand.createOutboxOffer(offerRequest());
    sim.faults.script({ kind: 'error-after', method: 'POST', path: '/accept' });
    await supply.acceptInboxOffer(offer.id);
    expect(callsFor(offer.id)).toHaveLength(1);
    expect((await supply.getInboxOffer(offer.id)).match.response).toBe('accepted');
    expect(logs.some((l) => l.message.startsWith('outcome unknown'))).toBe(true);
  });

  it('a decline refused with 503 before acting is sent again once the offer shows it still pending', async () => {
    const { offer } = await demand.createOutboxOffer(offerRequest());
    sim.faults.script({ kind: 'error', method: 'POST', path: '/decline' });
    await supply.declineInboxOffer(offer.id);
    expect(callsFor(offer.id).map((c) => c.status)).toEqual([204]);
    expect((await supply.getInboxOffer(offer.id)).match.response).toBe('declined');
  });

  it('an assign whose answer never comes (it took effect) is confirmed by reading state: one referral', async () => {
    const { offer } = await demand.createOutboxOffer(offerRequest());
    await supply.acceptInboxOffer(offer.id);
    const match = (await demand.listOutboxOfferMatches(offer.id, { response: 'accepted' })).items[0]
      .match;
    const impatient = clientFor(sim.demandCredentials, { timeoutMs: 200 });
    sim.faults.script({ kind: 'timeout', method: 'POST', path: '/assign' });
    await impatient.assignOutboxOffer(offer.id, String(match?.id));
    expect((await demand.listOutboxReferrals({ offer_id: offer.id })).items).toHaveLength(1);
  });

  it('close, mark_processed and cancel with a lost answer are confirmed by state, never repeated into a 409', async () => {
    sim.faults.script({ kind: 'error-after', method: 'POST', path: '/close' });
    const toClose = (await demand.createOutboxOffer(offerRequest())).offer.id;
    await demand.closeOutboxOffer(toClose);
    sim.setAssignment(sim.demandOrganizationId, 'auto');
    const { offer } = await demand.createOutboxOffer(offerRequest());
    await supply.acceptInboxOffer(offer.id);
    const referralId = (await supply.listInboxReferrals({ offer_id: offer.id })).items[0].referral
      .id;
    sim.faults.script(
      { kind: 'error-after', method: 'POST', path: '/mark_processed' },
      { kind: 'error-after', method: 'POST', path: '/cancel' },
    );
    await supply.markInboxReferralProcessed(referralId);
    await supply.cancelInboxReferral(referralId);
    expect((await demand.getOutboxReferral(referralId)).referral.status).toBe('cancelled');
  });

  it('a create whose answer is lost finds the offer it made instead of creating a second one', async () => {
    const request = offerRequest();
    sim.faults.script({ kind: 'error-after', method: 'POST', path: '/outbox/offers' });
    const created = await demand.createOutboxOffer(request);
    const all = await demand.listOutboxOffers({ client_outbox_id: request.client.outbox_id });
    expect(all.items.map((i) => i.offer.id)).toEqual([created.offer.id]);
  });

  it('a shift create that times out after acting is recovered with its offers, not duplicated', async () => {
    const a = offerRequest();
    const b = offerRequest();
    const impatient = clientFor(sim.demandCredentials, { timeoutMs: 300 });
    sim.faults.script({ kind: 'timeout', method: 'POST', path: '/outbox/shift/offers' });
    const shift = await impatient.createShiftOffers({
      offer: { care_type: 'psw', expires_at: hourFromNow() },
      items: [a, b].map((r) => ({ client: r.client, service: r.service, visits: r.visits ?? [] })),
    });
    expect(shift.items.map((i) => i.service.outbox_id).sort()).toEqual(
      [a.service.outbox_id, b.service.outbox_id].sort(),
    );
    expect((await demand.listOutboxOffers({ shift_id: shift.shift.id })).total_items).toBe(2);
  });

  it('expired tokens: one re-login on the 401, then the call goes through', async () => {
    await supply.listInboxOffers();
    const before = loginCount;
    sim.expireTokens();
    await supply.listInboxOffers();
    expect(loginCount - before).toBe(1);
  });

  it('short token lifetimes: the client logs in again before the token runs out', async () => {
    sim.setTokenTtl(2);
    let clock = Date.now();
    const c = clientFor(sim.credentials, { now: () => clock });
    expect(await c.login()).toEqual({ expiresInSeconds: 2 });
    const before = loginCount;
    await c.currentIdentity();
    expect(loginCount).toBe(before);
    clock += 1100; // past half of a 2 s lifetime: reused no longer
    await c.currentIdentity();
    expect(loginCount).toBe(before + 1);
  });

  it('seeded fault rates: the same seed injects the same faults, and retries see every read through', async () => {
    const run = async () => {
      sim.faults.clear();
      sim.faults.set({
        seed: 42,
        api: { errorRate: 0.25, throttleRate: 0.15, retryAfterSeconds: 0 },
      });
      const c = clientFor(sim.demandCredentials, { retry: { maxAttempts: 8 } });
      for (let i = 0; i < 12; i++) await c.listOutboxOffers({ items_per_page: 1 });
      return sim.faults.log.splice(0).map((f) => f.kind);
    };
    const first = await run();
    const second = await run();
    expect(first.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['error', 'throttle']));
  });

  describe('event deliveries', () => {
    let collector: SnsCollector;
    let subscriptionArn: string;
    beforeEach(async () => {
      collector = new SnsCollector(sim);
      await collector.start();
      subscriptionArn = await sim.subscribe(sim.outboxOffersTopicArn, collector.url);
    });
    afterEach(async () => {
      await sim.idle();
      // Unsubscribing is not modelled; a stopped collector makes later deliveries fail quietly.
      await collector.stop();
    });

    const accepted = async () => {
      const { offer } = await demand.createOutboxOffer(offerRequest());
      await supply.acceptInboxOffer(offer.id);
      await sim.idle();
      return offer.id;
    };

    it('duplicated: the same message (same MessageId) arrives twice', async () => {
      sim.faults.set({ delivery: { duplicateRate: 1 } });
      await accepted();
      const [a, b] = collector.notifications();
      expect(collector.notifications()).toHaveLength(2);
      expect(a.messageId).toBe(b.messageId);
      expect(a.envelope.Signature).toBe(b.envelope.Signature);
    });

    it('dropped: the message never arrives, and the simulator records the drop', async () => {
      sim.faults.set({ delivery: { dropRate: 1 } });
      const offerId = await accepted();
      expect(collector.notifications()).toHaveLength(0);
      const published = sim
        .events()
        .filter(
          (e) =>
            e.payload.event_name === 'OfferAccepted' &&
            'offer_id' in e.payload &&
            e.payload.offer_id === offerId,
        );
      const mine = sim
        .deliveries()
        .filter(
          (d) => d.messageId === published[0]?.messageId && d.subscriptionArn === subscriptionArn,
        );
      expect(mine).toEqual([expect.objectContaining({ dropped: true, attempt: 0 })]);
    });

    it('reordered: a held message arrives after the next one', async () => {
      sim.faults.set({ delivery: { reorderRate: 1 } });
      const first = (await demand.createOutboxOffer(offerRequest())).offer.id;
      await supply.acceptInboxOffer(first); // held
      sim.faults.clear();
      const second = (await demand.createOutboxOffer(offerRequest())).offer.id;
      await supply.acceptInboxOffer(second);
      await sim.idle();
      expect(collector.payloads().map((p) => p.offer_id)).toEqual([second, first]);
    });

    it('SNS retries: a failed delivery is tried again (same MessageId) until the endpoint takes it', async () => {
      sim.setDeliveryRetries(3, 5);
      collector.failNext = 2;
      await accepted();
      const attempts = collector.received.filter((m) => m.type !== 'SubscriptionConfirmation');
      expect(attempts.map((m) => m.type)).toEqual(['Failed', 'Failed', 'Notification']);
      expect(new Set(attempts.map((m) => m.messageId)).size).toBe(1);
    });
  });
});
