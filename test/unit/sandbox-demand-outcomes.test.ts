/**
 * How the sandbox judges the demand side (sandbox/demand-outcomes.ts) and the roles' wiring and
 * verdict (sandbox/roles.ts), on the marketplace simulator with assign requests sent over HTTP
 * and an in-memory store: each offer's category (assigned, lost, declined by all, expired,
 * waiting), the exact counts line, and the problems a wrong connector would cause: an assign call
 * to a later accepted match, a second assign call, one refused because the organisation assigns
 * automatically, a store that disagrees, an offer it was told about and never recorded.
 */
import type { OfferRecord, RecordedAssignment } from '../../lambdas/core/ports';
import {
  collectDemandOutcomes,
  demandCategory,
  earliestAccepted,
} from '../../sandbox/demand-outcomes';
import type { PostedOutboxOffer } from '../../sandbox/demand-play';
import type { OutcomeReport } from '../../sandbox/outcomes';
import { bothVerdict, connectorOrganization } from '../../sandbox/roles';
import {
  type MarketplaceSimulator,
  type SimulatorOrganization,
  startSimulator,
} from '../../sandbox/simulator/simulator';

let sim: MarketplaceSimulator;
let second: SimulatorOrganization;
let token: string;

beforeAll(async () => {
  sim = await startSimulator();
  second = sim.addOrganization({ kind: 'supply', name: 'Second Care', careTypes: ['psw'] });
  const res = await fetch(`${sim.url}/auth/v1/login`, {
    method: 'POST',
    body: JSON.stringify(sim.demandCredentials),
  });
  token = ((await res.json()) as { IdToken: string }).IdToken;
});
afterAll(async () => {
  await sim.stop();
});
afterEach(() => {
  sim.setAssignment(sim.demandOrganizationId, 'manual');
});

/** A fresh judge: the offers posted through it, the connector's records, and the verdict. */
function run() {
  const offers: PostedOutboxOffer[] = [];
  const records = new Map<string, OfferRecord>();
  const post = (expiresInMs?: number) => {
    const d = sim.postOffer(sim.demandOrganizationId, {
      careType: 'psw',
      city: 'Toronto',
      ...(expiresInMs ? { expiresInMs } : {}),
    });
    offers.push({ offerId: d.offer.id, label: 'psw/visit Toronto' });
    return d.offer.id;
  };
  const record = (offerId: string, assignment?: Partial<RecordedAssignment>) =>
    records.set(offerId, {
      offerId,
      updatedAt: '',
      lastEventName: 'OfferAccepted',
      ...(assignment
        ? {
            assignment: {
              matchId: '',
              policy: 'first-accepted',
              state: 'applied',
              eventId: 'e',
              decidedAt: '',
              ...assignment,
            },
          }
        : {}),
    });
  // The simulator is shared by the tests: each judge sees the assign calls of its own test.
  const since = sim.assignCalls().length;
  const simulator = {
    getOutboxOffer: (id: string) => sim.getOutboxOffer(id),
    outboxMatches: (id: string) => sim.outboxMatches(id),
    events: () => sim.events(),
    assignCalls: () => sim.assignCalls().slice(since),
  };
  const judge = (deadLettered = 0) =>
    collectDemandOutcomes({
      store: { getOffer: async (id) => records.get(id) },
      simulator,
      offers,
      outboxTopicArn: sim.outboxOffersTopicArn,
      deadLettered,
    });
  return { offers, post, record, judge };
}

const acceptedMatches = (offerId: string) =>
  sim.outboxMatches(offerId).filter((m) => m.match.response === 'accepted');

async function assign(offerId: string, matchId: string): Promise<number> {
  const res = await fetch(`${sim.url}/offers/v1/outbox/offers/${offerId}/assign`, {
    method: 'POST',
    headers: { authorization: token, 'content-type': 'application/json' },
    body: JSON.stringify({ offer_match_id: matchId }),
  });
  return res.status;
}

describe('earliestAccepted and demandCategory', () => {
  const m = (matchId: string, createdAt: string) => ({
    matchId,
    createdAt,
    acceptedAt: createdAt,
    supplyOrganizationId: 's',
  });

  it('takes the earliest created match, ties by id, whatever the order given', () => {
    expect(
      earliestAccepted([m('b', '2026-05-01T08:05:00Z'), m('z', '2026-05-01T08:00:00Z')])?.matchId,
    ).toBe('z');
    expect(
      earliestAccepted([m('b', '2026-05-01T08:00:00Z'), m('a', '2026-05-01T08:00:00Z')])?.matchId,
    ).toBe('a');
    expect(earliestAccepted([])).toBeUndefined();
  });

  it('puts an accepted offer that is not assigned in lost, whatever its status', () => {
    expect(demandCategory('assigned', true)).toBe('assigned');
    for (const status of ['open', 'expired', 'closed'])
      expect(demandCategory(status, true)).toBe('lost');
    expect(demandCategory('declined_by_all', false)).toBe('declined-by-all');
    expect(demandCategory('expired', false)).toBe('expired');
    expect(demandCategory('open', false)).toBe('waiting');
    expect(demandCategory('closed', false)).toBeUndefined();
  });
});

describe('collectDemandOutcomes', () => {
  it('counts assigned, waiting, declined by all and expired offers, and finds nothing wrong with a right connector', async () => {
    const r = run();
    const assigned = r.post();
    sim.respondAs(sim.supplyOrganizationId, assigned, 'accept');
    const [match] = acceptedMatches(assigned);
    expect(await assign(assigned, match.match.id)).toBe(204);
    r.record(assigned, { matchId: match.match.id });
    const byAll = r.post();
    sim.respondAs(sim.supplyOrganizationId, byAll, 'decline');
    sim.respondAs(second.organizationId, byAll, 'decline');
    r.record(byAll);
    const expired = r.post(30);
    r.post(); // no answer: waiting, and no event for the connector to record
    await new Promise((resolve) => setTimeout(resolve, 50));
    sim.sweep();
    r.record(expired);

    const report = await r.judge();
    expect(report.problems).toEqual([]);
    expect(report.summary).toBe(
      'sandbox: 4 offers, 1 assigned, 1 waiting, 1 declined by all, 1 expired, 0 lost',
    );
    expect(report.counts).toBe(
      '4 offers, 1 assigned, 1 waiting, 1 declined by all, 1 expired, 0 lost',
    );
    expect(report.ok).toBe(true);
    expect(report.offers.find((o) => o.offerId === assigned)).toMatchObject({
      category: 'assigned',
      assignedMatchId: match.match.id,
      assignedTo: 'Sandbox Home Care',
      assignCalls: 1,
    });
    expect(report.lines).toEqual([
      `outbox ${byAll.slice(0, 8)} psw/visit Toronto: declined by all`,
      `outbox ${expired.slice(0, 8)} psw/visit Toronto: expired`,
      expect.stringMatching(/: waiting$/),
    ]);
  });

  it('counts an accepted offer left unassigned as lost and fails the run', async () => {
    const r = run();
    const offerId = r.post();
    sim.respondAs(second.organizationId, offerId, 'accept');
    r.record(offerId);
    const report = await r.judge();
    expect(report).toMatchObject({ lost: 1, assigned: 0, ok: false });
    expect(report.summary).toMatch(/, 1 lost$/);
    expect(report.lines[0]).toMatch(/LOST/);
  });

  it('fails an assignment to a later accepted match than the earliest', async () => {
    const r = run();
    const offerId = r.post();
    sim.respondAs(sim.supplyOrganizationId, offerId, 'accept');
    sim.respondAs(second.organizationId, offerId, 'accept');
    const matches = acceptedMatches(offerId).map((m) => ({
      matchId: m.match.id,
      createdAt: m.match.created_at,
      acceptedAt: '',
      supplyOrganizationId: '',
    }));
    const earliest = earliestAccepted(matches);
    const later = matches.find((m) => m.matchId !== earliest?.matchId);
    expect(await assign(offerId, String(later?.matchId))).toBe(204);
    r.record(offerId, { matchId: later?.matchId });
    const report = await r.judge();
    expect(report.problems).toEqual([
      expect.stringContaining(
        `but the earliest accepted match then was ${earliest?.matchId.slice(0, 8)}`,
      ),
    ]);
    expect(report.ok).toBe(false);
  });

  it('fails a second assign call, and one made while the organisation assigns automatically', async () => {
    const r = run();
    const twice = r.post();
    sim.respondAs(sim.supplyOrganizationId, twice, 'accept');
    const [match] = acceptedMatches(twice);
    expect(await assign(twice, match.match.id)).toBe(204);
    expect(await assign(twice, match.match.id)).toBe(409);
    r.record(twice, { matchId: match.match.id });
    sim.setAssignment(sim.demandOrganizationId, 'auto');
    const auto = r.post();
    expect(await assign(auto, sim.outboxMatches(auto)[0].match.id)).toBe(403);

    const problems = (await r.judge()).problems;
    expect(problems).toContainEqual(expect.stringMatching(/refused 409$/));
    expect(problems).toContainEqual(
      expect.stringContaining('assigned after 2 assign call(s), 1 of them applied'),
    );
    expect(problems).toContainEqual(
      expect.stringContaining('refused 403 (the organisation assigns automatically'),
    );
  });

  it('fails when the store disagrees, or has no record of an offer whose events reached the connector’s topic', async () => {
    const r = run();
    const offerId = r.post();
    sim.respondAs(sim.supplyOrganizationId, offerId, 'accept');
    const [match] = acceptedMatches(offerId);
    expect(await assign(offerId, match.match.id)).toBe(204);
    r.record(offerId, { matchId: match.match.id, state: 'intended' });
    const unheard = r.post();
    sim.respondAs(second.organizationId, unheard, 'decline');

    const report = await r.judge(2);
    expect(report.problems).toEqual([
      expect.stringContaining(
        `the marketplace shows match ${match.match.id.slice(0, 8)} assigned, the store intended`,
      ),
      expect.stringContaining(
        `outbox offer ${unheard.slice(0, 8)}: the connector has no record of it`,
      ),
      '2 message(s) in the dead-letter queue',
    ]);
  });
});

describe('roles', () => {
  it('gives each role its organisation and topics; both adds one organisation with both personas', () => {
    expect(connectorOrganization(sim, 'supply')).toMatchObject({
      organizationId: sim.supplyOrganizationId,
      credentials: sim.credentials,
      topicArns: [sim.inboxOffersTopicArn],
    });
    expect(connectorOrganization(sim, 'demand')).toMatchObject({
      organizationId: sim.demandOrganizationId,
      credentials: sim.demandCredentials,
      topicArns: [sim.outboxOffersTopicArn],
    });
    const both = connectorOrganization(sim, 'both');
    expect(sim.organizations().find((o) => o.organizationId === both.organizationId)?.kind).toBe(
      'both',
    );
    expect(both.topicArns).toEqual([
      sim.topicArn('inbox-offers', both.organizationId),
      sim.topicArn('outbox-offers', both.organizationId),
    ]);
    expect(both.topicArns).not.toContain(sim.inboxOffersTopicArn);
    expect(both.topicArns).not.toContain(sim.outboxOffersTopicArn);
  });

  it('says both sides on one line, and fails when either side lost anything or found a problem', async () => {
    const supply = {
      summary: 'sandbox: 24 offers, 8 accepted, 6 declined, 10 review, 0 lost',
      ok: true,
      problems: [],
      notes: [],
    } as unknown as OutcomeReport;
    const r = run();
    r.post();
    const demand = await r.judge();
    expect(bothVerdict(supply, demand)).toEqual({
      summary:
        'sandbox: supply 24 offers, 8 accepted, 6 declined, 10 review, 0 lost; demand 1 offers, 0 assigned, 1 waiting, 0 declined by all, 0 expired, 0 lost',
      ok: true,
      problems: [],
      notes: [],
    });
    const dlq = '1 message(s) in the dead-letter queue';
    const failing = bothVerdict(
      { ...supply, ok: false, problems: [dlq] },
      { ...demand, ok: false, problems: [dlq] },
    );
    expect(failing).toMatchObject({ ok: false, problems: [dlq] });
    expect(bothVerdict(supply, { ...demand, ok: false }).ok).toBe(false);
  });
});
