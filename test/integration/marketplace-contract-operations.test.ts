/**
 * Contract tests: the connector's MarketplaceClient against the marketplace simulator over loopback
 * HTTP, for every operation (login, identity, inbox offers and a shift's offers, outbox offers with
 * shifts, bundles, matches, assign, close, the assignment setting, inbox and outbox referrals,
 * subscribe). The faults: marketplace-contract-faults.test.ts. The simulator's state rules alone are
 * in test/unit/simulator-offers-supply.test.ts and simulator-offers-demand.test.ts; event payloads
 * in marketplace-events.test.ts; flow: test/e2e.
 */
import {
  MarketplaceError,
  type OutboxOfferCreateRequest,
} from '../../lambdas/adapters/marketplace-client';
import { SnsCollector } from '../contract/sns-collector';
import {
  callsFor,
  clientFor,
  countingFetch,
  demand,
  hourFromNow,
  logs,
  offerRequest,
  sim,
  supply,
  useMarketplaceContract,
} from '../support/marketplace-contract-harness';
import { requestUrl } from '../support/request-url';

useMarketplaceContract();

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
