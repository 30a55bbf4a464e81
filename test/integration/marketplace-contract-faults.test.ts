/**
 * Contract tests: the connector's MarketplaceClient against the marketplace simulator over loopback
 * HTTP, under every fault the simulator injects (latency, 5xx before and after acting, 429 with
 * Retry-After, timeouts, expired and short-lived tokens, seeded fault rates, dropped, duplicated and
 * reordered SNS deliveries, SNS retries). Client waits are recorded, not slept. The operations
 * themselves: marketplace-contract-operations.test.ts.
 */
import { SnsCollector } from '../contract/sns-collector';
import {
  callsFor,
  clientFor,
  demand,
  hourFromNow,
  loginCount,
  logs,
  offerRequest,
  sim,
  sleeps,
  supply,
  useMarketplaceContract,
} from '../support/marketplace-contract-harness';

useMarketplaceContract();

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
