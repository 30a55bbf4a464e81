/**
 * The demand scenario as data (sandbox/demand-scenario.ts): the offers and answers the e2e run's
 * exact summary relies on (11 offers: 7 assigned, 2 waiting, 1 declined by all, 1 expired), the
 * cases it is there to show, and the invariants its checks need: every answer comes from a
 * supplier the offer is matched to, and no supplier accepts after an offer's first accepting
 * round (so the accepted matches the connector lists are those the marketplace holds when the
 * assign call arrives). What the connector does with them is test/e2e's part.
 */
import {
  DEMAND_SUPPLIERS,
  type DemandStep,
  demandScenario,
  EXPIRING_OFFER_MS,
  expectedDemandCounts,
  expectedDemandOutcome,
  suppliersFor,
} from '../../sandbox/demand-scenario';
import { SIMULATED_PHI } from '../../sandbox/scenario';

const steps = demandScenario();
const answers = (step: DemandStep) => step.rounds.flat();

describe('demandScenario', () => {
  it('has 11 offers: 7 to be assigned, 2 left waiting, 1 declined by all, 1 expiring', () => {
    expect(expectedDemandCounts(steps)).toEqual({
      offers: 11,
      assigned: 7,
      waiting: 2,
      'declined-by-all': 1,
      expired: 1,
    });
  });

  it('is the same every time it is built', () => {
    expect(demandScenario()).toEqual(steps);
  });

  it('shows each case once at least: one acceptance, a decline then an acceptance, two acceptances at once, a duplicated delivery, a shift', () => {
    const assigned = steps.filter((s) => expectedDemandOutcome(s) === 'assigned');
    expect(assigned.some((s) => answers(s).length === 1)).toBe(true);
    expect(
      assigned.some(
        (s) =>
          s.rounds.length >= 2 &&
          s.rounds[0].some((a) => a.action === 'decline') &&
          s.rounds.at(-1)?.some((a) => a.action === 'accept'),
      ),
    ).toBe(true);
    expect(
      assigned.some((s) =>
        s.rounds.some((round) => round.filter((a) => a.action === 'accept').length >= 2),
      ),
    ).toBe(true);
    expect(assigned.some((s) => answers(s).some((a) => a.copies === 2))).toBe(true);
    const shifts = steps.filter((s) => s.offers.length > 1);
    expect(shifts).toHaveLength(1);
    expect(answers(shifts[0])).toHaveLength(1);
  });

  it('has one offer every matched supplier declines, and one that expires after a decline with no acceptance', () => {
    const byAll = steps.filter((s) => expectedDemandOutcome(s) === 'declined-by-all');
    expect(byAll).toHaveLength(1);
    expect(new Set(answers(byAll[0]).map((a) => a.supplier))).toEqual(
      new Set(suppliersFor(byAll[0].offers[0].careType ?? 'psw')),
    );
    const expiring = steps.filter((s) => expectedDemandOutcome(s) === 'expired');
    expect(expiring).toHaveLength(1);
    expect(expiring[0].offers[0].expiresInMs).toBe(EXPIRING_OFFER_MS);
    expect(answers(expiring[0]).map((a) => a.action)).toEqual(['decline']);
    // Every other offer outlives any run.
    expect(
      steps
        .filter((s) => s !== expiring[0])
        .every((s) => s.offers.every((o) => o.expiresInMs === undefined)),
    ).toBe(true);
  });

  it('takes answers only from suppliers matched on the offer’s care type, each at most once per offer', () => {
    for (const step of steps) {
      const matched = suppliersFor(step.offers[0].careType ?? 'psw');
      expect(new Set(step.offers.map((o) => o.careType)).size).toBe(1);
      for (const answer of answers(step)) expect(matched).toContain(answer.supplier);
      const who = answers(step).map((a) => a.supplier);
      expect(new Set(who).size).toBe(who.length);
    }
    // A matches everything, B and C one care type each, so each care type has two suppliers.
    expect(suppliersFor('psw')).toEqual(['A', 'B']);
    expect(suppliersFor('nursing')).toEqual(['A', 'C']);
    expect(DEMAND_SUPPLIERS.A.name).toBeUndefined();
  });

  it('has no acceptance after an offer’s first accepting round', () => {
    for (const step of steps) {
      const first = step.rounds.findIndex((round) => round.some((a) => a.action === 'accept'));
      if (first < 0) continue;
      expect(
        step.rounds
          .slice(first + 1)
          .flat()
          .filter((a) => a.action === 'accept'),
      ).toEqual([]);
    }
  });

  it('carries made-up client health data, which the e2e run checks never leaks', () => {
    const names = steps.flatMap((s) =>
      s.offers.flatMap((o) => [...(o.allergies ?? []), ...(o.risks ?? [])].map((x) => x.name)),
    );
    for (const phi of [...SIMULATED_PHI.allergies, ...SIMULATED_PHI.risks])
      expect(names).toContain(phi.name);
  });
});

describe('expectedDemandOutcome', () => {
  const step = (
    rounds: DemandStep['rounds'],
    extra: Partial<DemandStep['offers'][number]> = {},
  ): DemandStep => ({ offers: [{ careType: 'psw', ...extra }], rounds });

  it('reads an acceptance as assigned, whatever else was answered', () => {
    expect(
      expectedDemandOutcome(
        step([[{ supplier: 'A', action: 'decline' }], [{ supplier: 'B', action: 'accept' }]]),
      ),
    ).toBe('assigned');
    expect(
      expectedDemandOutcome(
        step([[{ supplier: 'A', action: 'accept' }]], { expiresInMs: EXPIRING_OFFER_MS }),
      ),
    ).toBe('assigned');
  });

  it('reads declines from every matched supplier as declined by all, and from some as waiting (or expired when it expires soon)', () => {
    expect(
      expectedDemandOutcome(
        step([
          [
            { supplier: 'A', action: 'decline' },
            { supplier: 'B', action: 'decline' },
          ],
        ]),
      ),
    ).toBe('declined-by-all');
    expect(expectedDemandOutcome(step([[{ supplier: 'A', action: 'decline' }]]))).toBe('waiting');
    expect(
      expectedDemandOutcome(
        step([[{ supplier: 'A', action: 'decline' }]], { expiresInMs: EXPIRING_OFFER_MS }),
      ),
    ).toBe('expired');
    expect(expectedDemandOutcome(step([]))).toBe('waiting');
  });
});
