/**
 * The simulator's answer tally, driven over HTTP as the connector drives it: which accept/decline
 * calls count as answers to a decision unit (a lone offer, or a shift answered through any of its
 * offers), "answered twice" and "contradicted", and the calls that are not answers (a fault that
 * refuses before acting, a 409 on a match that expired unanswered, an unknown offer, a bad body).
 * The contention drill (test/e2e/sandbox-contention.test.ts) reports these numbers.
 */
import { type MarketplaceSimulator, startSimulator } from '../../sandbox/simulator/simulator';

let sim: MarketplaceSimulator;
let token: string;

beforeEach(async () => {
  sim = await startSimulator();
  const res = await fetch(`${sim.url}/auth/v1/login`, {
    method: 'POST',
    body: JSON.stringify(sim.credentials),
  });
  token = ((await res.json()) as { IdToken: string }).IdToken;
});
afterEach(async () => {
  await sim.stop();
});

async function answer(
  offerId: string,
  action: 'accept' | 'decline',
  body: string = action === 'decline' ? '{}' : '',
): Promise<number> {
  const res = await fetch(`${sim.url}/offers/v1/inbox/offers/${offerId}/${action}`, {
    method: 'POST',
    headers: { authorization: token, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

const unit = (key: string) => sim.answerTally().units.find((u) => u.unitKey === key);

describe('answer tally', () => {
  it('counts one answer per unit when each unit is answered once', async () => {
    const lone = sim.addOffer();
    const [a, b] = sim.addShift([{}, {}]);
    expect(await answer(lone.offer.id, 'accept')).toBe(204);
    expect(await answer(a.offer.id, 'decline')).toBe(204);

    const tally = sim.answerTally();
    expect(tally).toMatchObject({ answeredTwice: 0, contradicted: 0 });
    expect(unit(`offer#${lone.offer.id}`)).toEqual({
      unitKey: `offer#${lone.offer.id}`,
      organizationId: sim.supplyOrganizationId,
      offerIds: [lone.offer.id],
      accepts: 1,
      declines: 0,
    });
    // Decline answered the whole shift; the partner got no call of its own.
    expect(unit(`shift#${a.offer.shift_id}`)).toMatchObject({
      offerIds: [a.offer.id],
      accepts: 0,
      declines: 1,
    });
    expect(sim.getOffer(b.offer.id)?.match.response).toBe('declined');
  });

  it('counts an offer answered twice the same way (the second call refused 409)', async () => {
    const { offer } = sim.addOffer();
    expect(await answer(offer.id, 'accept')).toBe(204);
    expect(await answer(offer.id, 'accept')).toBe(409);
    expect(sim.answerTally()).toMatchObject({ answeredTwice: 1, contradicted: 0 });
    expect(unit(`offer#${offer.id}`)).toMatchObject({ accepts: 2, declines: 0 });
  });

  it('counts a shift answered through two of its offers as answered twice', async () => {
    const [a, b, c] = sim.addShift([{}, {}, {}]);
    expect(await answer(a.offer.id, 'accept')).toBe(204);
    expect(await answer(b.offer.id, 'accept')).toBe(409);
    expect(sim.answerTally()).toMatchObject({ answeredTwice: 1, contradicted: 0 });
    expect(unit(`shift#${a.offer.shift_id}`)).toMatchObject({
      offerIds: [a.offer.id, b.offer.id].sort(),
      accepts: 2,
      declines: 0,
    });
    expect(sim.getOffer(c.offer.id)?.match.response).toBe('accepted');
  });

  it('counts an accept and a decline on one unit as a contradiction, on an offer and across a shift', async () => {
    const { offer } = sim.addOffer();
    const [a, b] = sim.addShift([
      { careType: 'psw' },
      { careType: 'nursing', offerType: 'service' },
    ]);
    expect(await answer(offer.id, 'accept')).toBe(204);
    expect(await answer(offer.id, 'decline')).toBe(409);
    expect(await answer(b.offer.id, 'decline')).toBe(204);
    expect(await answer(a.offer.id, 'accept')).toBe(409);

    expect(sim.answerTally()).toMatchObject({ answeredTwice: 2, contradicted: 2 });
    expect(unit(`offer#${offer.id}`)).toMatchObject({ accepts: 1, declines: 1 });
    expect(unit(`shift#${a.offer.shift_id}`)).toMatchObject({ accepts: 1, declines: 1 });
  });

  it('does not count a call an injected fault refused before acting (5xx or 429)', async () => {
    const { offer } = sim.addOffer();
    sim.faults.script(
      { kind: 'error', method: 'POST', path: '/accept' },
      { kind: 'throttle', method: 'POST', path: '/accept' },
    );
    expect(await answer(offer.id, 'accept')).toBe(503);
    expect(await answer(offer.id, 'accept')).toBe(429);
    expect(await answer(offer.id, 'accept')).toBe(204);
    expect(sim.answerTally()).toMatchObject({ answeredTwice: 0, contradicted: 0 });
    expect(unit(`offer#${offer.id}`)).toMatchObject({ accepts: 1, declines: 0 });
  });

  it('counts a call a fault failed after acting: a blind retry of it is a second answer', async () => {
    const { offer } = sim.addOffer();
    sim.faults.script({ kind: 'error-after', method: 'POST', path: '/decline' });
    expect(await answer(offer.id, 'decline')).toBe(502);
    expect(sim.getOffer(offer.id)?.match.response).toBe('declined');
    expect(sim.answerTally().answeredTwice).toBe(0);
    expect(await answer(offer.id, 'decline')).toBe(409);
    expect(sim.answerTally()).toMatchObject({ answeredTwice: 1, contradicted: 0 });
  });

  it('does not count refusals that are no answer: expired unanswered, unknown offer, bad body', async () => {
    const expired = sim.addOffer({ expiresInMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await answer(expired.offer.id, 'accept')).toBe(409);
    expect(await answer(expired.offer.id, 'decline')).toBe(409);
    expect(await answer('00000000-0000-4000-8000-000000000000', 'accept')).toBe(404);
    const { offer } = sim.addOffer();
    expect(await answer(offer.id, 'decline', '{"reason_code": 7}')).toBe(400);

    expect(sim.calls()).toHaveLength(4);
    expect(sim.calls().every((call) => !call.answer)).toBe(true);
    expect(sim.answerTally()).toEqual({ units: [], answeredTwice: 0, contradicted: 0 });
  });
});
