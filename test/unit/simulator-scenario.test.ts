/**
 * The sandbox's scenarios as data: the `--once` scenario has the shape the e2e check relies on
 * (at least 20 offers, one duplicated delivery, one 2-offer shift, the same every time) and the
 * stream is reproducible from its seed. What the connector decides on them is test/e2e's part.
 */
import { onceScenario, seededRandom, streamScenario } from '../../sandbox/scenario';

describe('onceScenario', () => {
  const steps = onceScenario();
  const offers = steps.flatMap((step) => (step.kind === 'shift' ? step.offers : [step.offer]));

  it('has at least 20 offers, one duplicated delivery and one 2-offer shift', () => {
    expect(offers.length).toBeGreaterThanOrEqual(20);
    expect(steps.filter((s) => s.kind === 'offer' && s.copies === 2)).toHaveLength(1);
    const shifts = steps.filter((s) => s.kind === 'shift');
    expect(shifts).toHaveLength(1);
    expect(shifts[0].kind === 'shift' && shifts[0].offers).toHaveLength(2);
  });

  it('mixes care types, offer types and places', () => {
    expect(new Set(offers.map((o) => o.careType))).toEqual(new Set(['psw', 'nursing']));
    expect(new Set(offers.map((o) => o.offerType))).toEqual(new Set(['visit', 'service']));
    expect(new Set(offers.map((o) => o.city)).size).toBeGreaterThanOrEqual(5);
  });

  it('is the same every time', () => {
    expect(onceScenario()).toEqual(steps);
  });
});

describe('streamScenario', () => {
  const take = (seed: number, n: number) => {
    const stream = streamScenario(seed);
    return Array.from({ length: n }, () => stream.next().value);
  };

  it('gives the same offers for the same seed and others for another seed', () => {
    expect(take(7, 30)).toEqual(take(7, 30));
    expect(take(7, 30)).not.toEqual(take(8, 30));
  });

  it('includes shifts and duplicated deliveries over a long enough run', () => {
    const steps = take(1, 200);
    expect(steps.some((s) => s.kind === 'shift')).toBe(true);
    expect(steps.some((s) => s.kind === 'offer' && s.copies === 2)).toBe(true);
  });

  it('draws from [0, 1)', () => {
    const random = seededRandom(42);
    const draws = Array.from({ length: 1000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });
});
