/**
 * What the sandbox plays for the demand side (`--role demand`, and the outbox half of `--role
 * both`): outbox offers the simulator posts on the connector organisation's behalf (the connector
 * posts nothing), and the answers the simulator's own supplier organisations give them, round by
 * round, so that `OfferAccepted`, `OfferDeclined`, `OfferDeclinedByAll` and `OfferExpired` reach
 * the connector. Offers carry made-up client data (outbox offers hold the full client record), so
 * a run also shows that none of it reaches the connector's output or its store.
 */
import type { CareType } from '../lambdas/core/config';
import { SIMULATED_PHI } from './scenario';
import type { NewOffer } from './simulator/simulator';

/** The simulator's suppliers: A is its seeded supply organisation, B and C are added for the run. */
export type SupplierKey = 'A' | 'B' | 'C';

/** Who supplies what: an offer is matched to every supplier with its care type (never to the poster). */
export const DEMAND_SUPPLIERS: Readonly<
  Record<SupplierKey, { name?: string; careTypes: readonly CareType[] }>
> = {
  // The seeded organisation keeps its own name and provides both kinds of care.
  A: { careTypes: ['psw', 'nursing'] },
  B: { name: 'Northern Home Care', careTypes: ['psw'] },
  C: { name: 'Lakeside Nursing', careTypes: ['nursing'] },
};

export interface SupplierAnswer {
  supplier: SupplierKey;
  action: 'accept' | 'decline';
  /** 2: SNS delivers the events of this answer twice. */
  copies?: number;
}

/** One outbox offer (or one shift's offers, answered together) and how the suppliers answer it. */
export interface DemandStep {
  /** One offer, or the offers of one shift (a supplier's answer covers the whole shift). */
  offers: NewOffer[];
  /**
   * The answers, round by round; a round's answers are given at the same instant. No supplier
   * accepts after the round of the first acceptance, so the accepted matches the connector lists
   * are those the marketplace holds when the assign call arrives (the earliest is then exact).
   */
  rounds: SupplierAnswer[][];
}

/** Shorter than any run, so the offer expires while the sandbox watches. */
export const EXPIRING_OFFER_MS = 2500;

const PROVINCES: Readonly<Record<string, string>> = {
  Calgary: 'AB',
  Vancouver: 'BC',
  Montréal: 'QC',
};

/** An offer maker whose i-th offer gets the i-th mix of made-up health data (the same every build). */
function offerMaker(): (
  careType: CareType,
  offerType: NewOffer['offerType'],
  city: string,
  zip: string,
  extra?: Partial<NewOffer>,
) => NewOffer {
  let i = 0;
  return (careType, offerType, city, zip, extra = {}) => {
    const n = i++;
    return {
      careType,
      offerType,
      city,
      state: PROVINCES[city] ?? 'ON',
      zip,
      allergies: [{ ...SIMULATED_PHI.allergies[n % 2] }],
      risks: n % 3 === 0 ? [{ ...SIMULATED_PHI.risks[0] }] : [],
      ...extra,
    };
  };
}

const accept = (supplier: SupplierKey, copies?: number): SupplierAnswer => ({
  supplier,
  action: 'accept',
  ...(copies ? { copies } : {}),
});
const decline = (supplier: SupplierKey): SupplierAnswer => ({ supplier, action: 'decline' });

/**
 * 11 offers in 10 steps. PSW offers are matched to A and B, nursing offers to A and C. Expected,
 * from the answers alone (`expectedDemandOutcome`): 7 assigned (one accepted by one supplier, one
 * after another supplier declined, one accepted by two suppliers at once, one whose acceptance is
 * delivered twice, a 2-offer shift accepted with one answer), 2 waiting (a decline and no other
 * answer; no answer at all), 1 declined by all, 1 expired (a decline, then silence until it
 * expires). The connector must assign every accepted one, to its earliest accepted match.
 */
export function demandScenario(): DemandStep[] {
  const offer = offerMaker();
  return [
    { offers: [offer('psw', 'visit', 'Toronto', 'M5V 2T6')], rounds: [[accept('A')]] },
    { offers: [offer('nursing', 'visit', 'Ottawa', 'K1P 1J1')], rounds: [[accept('C')]] },
    {
      offers: [offer('psw', 'visit', 'Mississauga', 'L5B 3C2')],
      rounds: [[decline('A')], [accept('B')]],
    },
    // Two suppliers accept before the connector looks: first-accepted chooses between them.
    {
      offers: [offer('psw', 'service', 'Toronto', 'M4C 1B5')],
      rounds: [[accept('A'), accept('B')]],
    },
    // SNS is at-least-once: the acceptance arrives twice, the offer is assigned once.
    { offers: [offer('psw', 'visit', 'Toronto', 'M4W 1A8')], rounds: [[], [accept('A', 2)]] },
    // A shift: one answer accepts both visits; one assign call assigns both.
    {
      offers: [
        offer('psw', 'visit', 'Toronto', 'M5T 1R4'),
        offer('psw', 'visit', 'Toronto', 'M5T 1R4'),
      ],
      rounds: [[accept('B')]],
    },
    {
      offers: [offer('psw', 'visit', 'Calgary', 'T2R 0B4')],
      rounds: [[decline('A')], [decline('B')]],
    },
    {
      offers: [
        offer('nursing', 'visit', 'Montréal', 'H3B 4W8', { expiresInMs: EXPIRING_OFFER_MS }),
      ],
      rounds: [[decline('A')]],
    },
    { offers: [offer('psw', 'visit', 'Vancouver', 'V6B 1A1')], rounds: [[decline('B')]] },
    { offers: [offer('nursing', 'service', 'Hamilton', 'L8P 4R5')], rounds: [] },
  ];
}

export type ExpectedDemandOutcome = 'assigned' | 'waiting' | 'declined-by-all' | 'expired';

/** The suppliers an offer of this care type is matched to. */
export function suppliersFor(careType: CareType): SupplierKey[] {
  return (Object.keys(DEMAND_SUPPLIERS) as SupplierKey[]).filter((key) =>
    DEMAND_SUPPLIERS[key].careTypes.includes(careType),
  );
}

/**
 * What should become of a step's offers, from its answers alone (the run reads what did become of
 * them from the marketplace): an acceptance gets it assigned, a decline from every matched
 * supplier makes it declined by all, a short expiry without an acceptance lets it expire, and
 * anything else leaves it waiting.
 */
export function expectedDemandOutcome(step: DemandStep): ExpectedDemandOutcome {
  const answers = step.rounds.flat();
  if (answers.some((a) => a.action === 'accept')) return 'assigned';
  const declined = new Set(answers.filter((a) => a.action === 'decline').map((a) => a.supplier));
  const matched = suppliersFor(step.offers[0]?.careType ?? 'psw');
  if (matched.every((s) => declined.has(s))) return 'declined-by-all';
  if (step.offers.some((o) => o.expiresInMs !== undefined && o.expiresInMs <= EXPIRING_OFFER_MS))
    return 'expired';
  return 'waiting';
}

/** Offers per expected outcome over a whole scenario (a shift counts each of its offers). */
export function expectedDemandCounts(
  steps: readonly DemandStep[],
): Record<ExpectedDemandOutcome, number> & { offers: number } {
  const counts = { offers: 0, assigned: 0, waiting: 0, 'declined-by-all': 0, expired: 0 };
  for (const step of steps) {
    counts.offers += step.offers.length;
    counts[expectedDemandOutcome(step)] += step.offers.length;
  }
  return counts;
}
