/**
 * What the sandbox publishes: the fixed `--once` scenario and a seeded stream of offers for the
 * interactive run. Offers carry made-up allergies and risks, as real offer details do, so a run
 * also shows that this health data never reaches the connector's output or its store.
 */
import { seededRandom } from './simulator/seeded-random';
import type { NewOffer } from './simulator/simulator';

/** One step of a scenario: a single offer, or the offers of one shift (answered together). */
export type ScenarioStep =
  | {
      kind: 'offer';
      offer: NewOffer;
      /** 2: SNS delivers the same message twice. */ copies?: number;
    }
  | {
      kind: 'shift';
      offers: NewOffer[];
      /** 2: SNS delivers each offer's message twice. */ copies?: number;
    };

/** Made-up client health data; the e2e test checks none of it appears in the sandbox output. */
export const SIMULATED_PHI = {
  allergies: [
    { name: 'Penicillin (simulated)', category: 'medication', severity: 'severe' },
    { name: 'Latex (simulated)', category: 'environment', severity: 'moderate' },
  ],
  risks: [{ name: 'Fall risk (simulated)', category: 'mobility', severity: 3 }],
} as const;

const phi = (i: number): Pick<NewOffer, 'allergies' | 'risks'> => ({
  allergies:
    i % 2 === 0 ? [{ ...SIMULATED_PHI.allergies[0] }] : [{ ...SIMULATED_PHI.allergies[1] }],
  risks: i % 3 === 0 ? [{ ...SIMULATED_PHI.risks[0] }] : [],
});

interface Place {
  city: string;
  state: string;
  zip: string;
}

const PLACES: Record<string, Place> = {
  toronto: { city: 'Toronto', state: 'ON', zip: 'M5V 2T6' },
  ottawa: { city: 'Ottawa', state: 'ON', zip: 'K1P 1J1' },
  mississauga: { city: 'Mississauga', state: 'ON', zip: 'L5B 3C2' },
  hamilton: { city: 'Hamilton', state: 'ON', zip: 'L8P 4R5' },
  montreal: { city: 'Montréal', state: 'QC', zip: 'H2X 1Y4' },
  vancouver: { city: 'Vancouver', state: 'BC', zip: 'V6B 1A1' },
  calgary: { city: 'Calgary', state: 'AB', zip: 'T2P 2M5' },
};

const offer = (
  care: NewOffer['careType'],
  type: NewOffer['offerType'],
  place: keyof typeof PLACES,
  zip?: string,
): NewOffer => ({
  careType: care,
  offerType: type,
  ...PLACES[place],
  ...(zip ? { zip } : {}),
});

/**
 * The `--once` scenario: 24 offers in 23 steps, one delivered twice and one 2-offer shift. With
 * the example rules (accept PSW visits in Toronto, decline nursing services, review the rest) it
 * gives accepts, declines and reviews; other rules give another mix of the same offers.
 */
export function onceScenario(): ScenarioStep[] {
  const plain: NewOffer[] = [
    offer('psw', 'visit', 'toronto'),
    offer('nursing', 'service', 'ottawa'),
    offer('psw', 'service', 'toronto', 'M4C 1B5'),
    offer('nursing', 'visit', 'toronto', 'M6G 3A1'),
    offer('psw', 'visit', 'mississauga'),
  ];
  const later: NewOffer[] = [
    offer('nursing', 'service', 'montreal'),
    offer('psw', 'visit', 'hamilton'),
    offer('nursing', 'service', 'toronto', 'M5V 3L9'),
    offer('psw', 'visit', 'toronto', 'M6J 1E6'),
    offer('nursing', 'visit', 'ottawa', 'K2P 0A4'),
    offer('psw', 'service', 'vancouver'),
    offer('nursing', 'service', 'calgary'),
    offer('psw', 'visit', 'toronto', 'M4Y 1R5'),
    offer('psw', 'visit', 'ottawa', 'K1N 5T5'),
    offer('nursing', 'service', 'hamilton', 'L8N 3Z5'),
    offer('psw', 'visit', 'toronto', 'M5R 2E3'),
    offer('nursing', 'visit', 'montreal', 'H3B 4W8'),
    offer('psw', 'service', 'mississauga', 'L4Z 1S2'),
    offer('nursing', 'service', 'toronto', 'M4K 1N2'),
    offer('psw', 'visit', 'toronto', 'M2N 6K1'),
    offer('psw', 'visit', 'calgary', 'T2R 0B4'),
  ];
  let i = 0;
  const withPhi = (o: NewOffer): NewOffer => ({ ...o, ...phi(i++) });
  return [
    ...plain.map((o): ScenarioStep => ({ kind: 'offer', offer: withPhi(o) })),
    // SNS is at-least-once: the same message (same MessageId and event_id) arrives twice.
    { kind: 'offer', offer: withPhi(offer('psw', 'visit', 'toronto', 'M4W 1A8')), copies: 2 },
    // Two visits of one shift: one accept or decline answers both.
    {
      kind: 'shift',
      offers: [
        withPhi(offer('psw', 'visit', 'toronto', 'M5T 1R4')),
        withPhi(offer('psw', 'visit', 'toronto', 'M5T 1R4')),
      ],
    },
    ...later.map((o): ScenarioStep => ({ kind: 'offer', offer: withPhi(o) })),
  ];
}

/**
 * The `--scenario contention` drill's offers: 47, every event delivered twice (`copies: 2`). 24
 * lone offers and 9 shifts or bundles of 2 to 4 offers; in 7 of these the example rules (accept
 * PSW visits in Toronto, decline nursing services, review the rest) judge the offers differently:
 * an accept beside a review, a review beside a decline, an accept beside a decline. One answer
 * covers a whole unit, so the expected answer is the most cautious: accept only when every offer
 * would be accepted, decline when any would be declined, else review. Two units where the rules
 * agree keep the plain cases in the mix. Shifts are visits, bundles services; two units mix both
 * so that an accept and a decline meet in one unit under the example rules.
 */
export function contentionScenario(): ScenarioStep[] {
  let i = 0;
  const o = (
    care: NewOffer['careType'],
    type: NewOffer['offerType'],
    place: keyof typeof PLACES,
    zip?: string,
  ): NewOffer => ({
    ...offer(care, type, place, zip),
    ...phi(i++),
  });
  const lone: NewOffer[] = [
    o('psw', 'visit', 'toronto', 'M5V 2T6'),
    o('nursing', 'service', 'ottawa'),
    o('psw', 'service', 'toronto', 'M4C 1B5'),
    o('nursing', 'visit', 'toronto', 'M6G 3A1'),
    o('psw', 'visit', 'mississauga'),
    o('psw', 'visit', 'toronto', 'M4W 1A8'),
    o('nursing', 'service', 'montreal'),
    o('psw', 'visit', 'hamilton'),
    o('nursing', 'service', 'toronto', 'M5V 3L9'),
    o('psw', 'visit', 'toronto', 'M6J 1E6'),
    o('nursing', 'visit', 'ottawa', 'K2P 0A4'),
    o('psw', 'service', 'vancouver'),
    o('nursing', 'service', 'calgary'),
    o('psw', 'visit', 'toronto', 'M4Y 1R5'),
    o('psw', 'visit', 'ottawa', 'K1N 5T5'),
    o('nursing', 'service', 'hamilton', 'L8N 3Z5'),
    o('psw', 'visit', 'toronto', 'M5R 2E3'),
    o('nursing', 'visit', 'montreal', 'H3B 4W8'),
    o('psw', 'service', 'mississauga', 'L4Z 1S2'),
    o('nursing', 'service', 'toronto', 'M4K 1N2'),
    o('psw', 'visit', 'toronto', 'M2N 6K1'),
    o('psw', 'visit', 'calgary', 'T2R 0B4'),
    o('psw', 'visit', 'toronto', 'M6P 2V4'),
    o('nursing', 'visit', 'vancouver', 'V5K 0A1'),
  ];
  const units: NewOffer[][] = [
    // A shift: accept + review (a nursing visit) -> review.
    [o('psw', 'visit', 'toronto', 'M5T 1R4'), o('nursing', 'visit', 'toronto', 'M5T 1R4')],
    // A bundle: review (a PSW service) + decline (a nursing service) -> decline.
    [o('psw', 'service', 'toronto', 'M4C 2B2'), o('nursing', 'service', 'toronto', 'M4C 2B2')],
    // A shift: accept, accept, review (outside Toronto) -> review.
    [
      o('psw', 'visit', 'toronto', 'M6G 1A1'),
      o('psw', 'visit', 'toronto', 'M6G 1A1'),
      o('psw', 'visit', 'mississauga', 'L5B 3C2'),
    ],
    // A bundle: decline, review, decline -> decline.
    [
      o('nursing', 'service', 'ottawa', 'K1P 5J2'),
      o('psw', 'service', 'ottawa', 'K1P 5J2'),
      o('nursing', 'service', 'ottawa', 'K1P 5J2'),
    ],
    // Mixed: accept + decline -> decline.
    [o('psw', 'visit', 'toronto', 'M4W 2C3'), o('nursing', 'service', 'toronto', 'M4W 2C3')],
    // A shift of four: accept, accept, review, accept -> review.
    [
      o('psw', 'visit', 'toronto', 'M2N 1B1'),
      o('psw', 'visit', 'toronto', 'M2N 1B1'),
      o('nursing', 'visit', 'toronto', 'M2N 1B1'),
      o('psw', 'visit', 'toronto', 'M2N 1B1'),
    ],
    // Mixed: accept, decline, accept -> decline.
    [
      o('psw', 'visit', 'toronto', 'M5A 1A1'),
      o('nursing', 'service', 'toronto', 'M5A 1A1'),
      o('psw', 'visit', 'toronto', 'M5A 1A1'),
    ],
    // The rules agree: accept, accept -> accept.
    [o('psw', 'visit', 'toronto', 'M5S 2E8'), o('psw', 'visit', 'toronto', 'M5S 2E8')],
    // The rules agree: decline, decline -> decline.
    [
      o('nursing', 'service', 'hamilton', 'L8P 4R5'),
      o('nursing', 'service', 'hamilton', 'L8P 4R5'),
    ],
  ];
  // Units spread among the lone offers, so their deliveries meet the reconciler's runs at all times.
  const steps: ScenarioStep[] = [];
  let next = 0;
  lone.forEach((single, index) => {
    steps.push({ kind: 'offer', offer: single, copies: 2 });
    if (index % 3 === 2 && next < units.length)
      steps.push({ kind: 'shift', offers: units[next++], copies: 2 });
  });
  while (next < units.length) steps.push({ kind: 'shift', offers: units[next++], copies: 2 });
  return steps;
}

/** The interactive stream: a seeded, endless mix of care types, offer types, places, shifts and duplicates. */
export function* streamScenario(seed: number): Generator<ScenarioStep> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const places = Object.keys(PLACES);
  const next = (): NewOffer => {
    // Weighted towards Toronto PSW visits so the example rules' accept rule fires often.
    const place = random() < 0.5 ? 'toronto' : pick(places);
    const zip = `${PLACES[place].zip.slice(0, 2)}${Math.floor(random() * 10)} ${Math.floor(random() * 10)}${pick(['A', 'B', 'C', 'E', 'G', 'H'])}${Math.floor(random() * 10)}`;
    const care = random() < 0.6 ? 'psw' : 'nursing';
    const type = random() < 0.65 ? 'visit' : 'service';
    return { ...offer(care, type, place, zip), ...phi(Math.floor(random() * 6)) };
  };
  for (;;) {
    const roll = random();
    if (roll < 0.1) {
      const first = next();
      yield { kind: 'shift', offers: [first, { ...first }] };
    } else if (roll < 0.18) {
      yield { kind: 'offer', offer: next(), copies: 2 };
    } else {
      yield { kind: 'offer', offer: next() };
    }
  }
}
