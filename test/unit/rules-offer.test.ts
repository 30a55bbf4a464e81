/**
 * Covers the rules' conditions on what the offer detail publishes beyond type and place
 * (lambdas/core/rule-conditions.ts): a table each for `service_area` (great-circle distance, the
 * approximate radius, a point exactly on the edge, missing coordinates), `max_visits`,
 * `max_visit_hours`, `max_total_hours`, `min_rate` and `skills`, with their missing, unknown and
 * unreadable fields. The fixture offer: one visit of 1 h, 30 per_visit, requires "personal care",
 * approximately at 45.51,-73.57 within 500 m.
 */
import type { InboxOffer } from '../../lambdas/core/ports';
import { greatCircleKm } from '../../lambdas/core/rules';
import { inboxOffer } from '../support/offer-fixtures';
import { tryMatch } from '../support/rule-check';

const AT = { latitude: 45.51, longitude: -73.57 };
const located = (approx: InboxOffer['location']['approx']): InboxOffer =>
  inboxOffer({
    location: {
      city: 'Montréal',
      state: 'QC',
      zip: 'H2X 1Y4',
      country: 'CA',
      ...(approx ? { approx } : {}),
    },
  });
const visits = (...hours: number[]): InboxOffer =>
  inboxOffer({
    visits: hours.map((length, day) => {
      const start = Date.parse(`2026-05-0${day + 3}T13:00:00Z`);
      return {
        startAt: new Date(start).toISOString(),
        endAt: new Date(start + length * 3_600_000).toISOString(),
      };
    }),
  });

describe('greatCircleKm', () => {
  it('measures along the sphere', () => {
    expect(greatCircleKm(0, 0, 1, 0)).toBeCloseTo(111.195, 3);
    expect(greatCircleKm(43.6532, -79.3832, 45.5019, -73.5674)).toBeGreaterThan(500);
    expect(greatCircleKm(43.6532, -79.3832, 45.5019, -73.5674)).toBeLessThan(510);
    // Across the antimeridian: 0.2 degrees of longitude at the equator, not 359.8.
    expect(greatCircleKm(0, 179.9, 0, -179.9)).toBeCloseTo(22.239, 2);
    expect(greatCircleKm(10, 20, 10, 20)).toBe(0);
  });
});

describe('service_area: the approximate point, widened by its radius, wholly within km of a centre', () => {
  const north = { lat: 45.6, lon: -73.57 };
  const toNorth = greatCircleKm(north.lat, north.lon, AT.latitude, AT.longitude);
  it.each<[string, object[], InboxOffer, boolean]>([
    [
      'its own point, km exactly the radius',
      [{ lat: 45.51, lon: -73.57, km: 0.5 }],
      located({ ...AT, radiusMeters: 500 }),
      true,
    ],
    [
      'its own point, km just under the radius',
      [{ lat: 45.51, lon: -73.57, km: 0.499 }],
      located({ ...AT, radiusMeters: 500 }),
      false,
    ],
    [
      'the widened area exactly on the edge',
      [{ ...north, km: toNorth + 0.5 }],
      located({ ...AT, radiusMeters: 500 }),
      true,
    ],
    [
      'a metre over the edge',
      [{ ...north, km: toNorth + 0.499 }],
      located({ ...AT, radiusMeters: 500 }),
      false,
    ],
    [
      'the point inside but its area not',
      [{ ...north, km: toNorth + 0.1 }],
      located({ ...AT, radiusMeters: 500 }),
      false,
    ],
    ['no radius: the point alone', [{ ...north, km: toNorth + 0.1 }], located(AT), true],
    ['a radius of 0', [{ ...north, km: toNorth }], located({ ...AT, radiusMeters: 0 }), true],
    [
      'any of several areas',
      [
        { lat: 43.65, lon: -79.38, km: 30 },
        { lat: 45.5, lon: -73.6, km: 30 },
      ],
      located({ ...AT, radiusMeters: 2000 }),
      true,
    ],
    [
      'Toronto from Montréal',
      [{ lat: 43.65, lon: -79.38, km: 400 }],
      located({ ...AT, radiusMeters: 500 }),
      false,
    ],
    [
      'across the antimeridian',
      [{ lat: 0, lon: 179.9, km: 25 }],
      located({ latitude: 0, longitude: -179.9, radiusMeters: 1000 }),
      true,
    ],
    ['no coordinates', [{ lat: 45.51, lon: -73.57, km: 20_000 }], located(undefined), false],
  ])('%s', (_name, areas, offer, holds) => {
    expect(tryMatch({ service_area: areas }, offer).holds).toBe(holds);
  });

  it('explains without the coordinates', () => {
    const far = tryMatch(
      { service_area: [{ lat: 43.65, lon: -79.38, km: 10 }] },
      located({ ...AT, radiusMeters: 500 }),
    );
    expect(far.line).toBe(
      'rule "t": service_area did not hold (the offer\'s approximate area is not wholly within any listed area)',
    );
    expect(tryMatch({ service_area: [{ lat: 0, lon: 0, km: 1 }] }, located(undefined)).line).toBe(
      'rule "t": service_area did not hold (the offer has no approximate coordinates (client.address.approx_latitude/approx_longitude))',
    );
    const broken = { ...located(undefined), unreadable: ['client.address.approx_latitude'] };
    expect(tryMatch({ service_area: [{ lat: 0, lon: 0, km: 1 }] }, broken).line).toBe(
      'rule "t": service_area did not hold (client.address.approx_latitude could not be read)',
    );
    expect(tryMatch({ service_area: [{ lat: 45.51, lon: -73.57, km: 1 }] }, located(AT)).line).toBe(
      'accept by rule "t" (service_area (no approx_radius_meters: the point alone) held)',
    );
  });
});

describe('max_visits, max_visit_hours, max_total_hours', () => {
  const noVisitsNoEnd = (): InboxOffer => {
    const offer = inboxOffer();
    delete offer.visits;
    delete offer.endAt;
    return offer;
  };
  it.each<[string, object, InboxOffer, boolean, string | undefined]>([
    ['one visit, max 1', { max_visits: 1 }, inboxOffer(), true, undefined],
    [
      'three visits, max 2',
      { max_visits: 2 },
      visits(1, 1, 1),
      false,
      'max_visits did not hold (3 visits; max 2)',
    ],
    [
      'no visits listed: the offer counts as one',
      { max_visits: 1 },
      noVisitsNoEnd(),
      true,
      undefined,
    ],
    ['a visit of exactly the limit', { max_visit_hours: 1 }, inboxOffer(), true, undefined],
    [
      'a visit over it',
      { max_visit_hours: 0.5 },
      inboxOffer(),
      false,
      'max_visit_hours did not hold (a visit lasts 1 h; max 0.5)',
    ],
    [
      'the longest visit counts',
      { max_visit_hours: 2 },
      visits(1, 2.5, 1),
      false,
      'max_visit_hours did not hold (a visit lasts 2.5 h; max 2)',
    ],
    // Real time, not the wall clock: 01:30 EST to 03:30 EDT on 2026-03-08 is one hour.
    [
      'a visit over the spring-forward hour',
      { max_visit_hours: 1 },
      inboxOffer({ visits: [{ startAt: '2026-03-08T06:30:00Z', endAt: '2026-03-08T07:30:00Z' }] }),
      true,
      undefined,
    ],
    ['total exactly the limit', { max_total_hours: 3 }, visits(1, 1, 1), true, undefined],
    [
      'total over it',
      { max_total_hours: 2.5 },
      visits(1, 1, 1),
      false,
      'max_total_hours did not hold (the visits last 3 h in all; max 2.5)',
    ],
    [
      'no visits and no end_at',
      { max_total_hours: 10 },
      noVisitsNoEnd(),
      false,
      'max_total_hours did not hold (the offer lists no visits and no end_at, so when it ends is unknown)',
    ],
  ])('%s', (_name, match, offer, holds, line) => {
    const result = tryMatch(match, offer);
    expect(result.holds).toBe(holds);
    if (line !== undefined) expect(result.line).toBe(`rule "t": ${line}`);
  });
});

describe('min_rate: at least the minimum for the price’s unit', () => {
  it.each<[string, object, Partial<InboxOffer>, boolean, string | undefined]>([
    ['exactly the minimum', { per_visit: 30 }, {}, true, undefined],
    ['a cent under it', { per_visit: 30.01 }, {}, false, 'the price is 30 per_visit; min 30.01'],
    [
      'per hour',
      { per_hour: 25, per_visit: 100 },
      { price: { rate: 32.5, unit: 'per_hour' } },
      true,
      undefined,
    ],
    [
      'an amount',
      { amount: 1000 },
      { price: { rate: 900, unit: 'amount' } },
      false,
      'the price is 900 amount; min 1000',
    ],
    [
      'a unit the rule does not list',
      { per_hour: 20 },
      {},
      false,
      'the price is per_visit; the rule sets no minimum per_visit',
    ],
    ['no price', { per_visit: 1 }, { price: undefined }, false, 'the offer has no price'],
    [
      'a unit this connector does not know',
      { per_visit: 1, per_hour: 1, amount: 1 },
      { price: { rate: 99, unit: 'unknown' } },
      false,
      'price.unit has a value this connector does not know',
    ],
    [
      'a rate the mapping could not read',
      { per_visit: 1 },
      { price: undefined, unreadable: ['price.rate'] },
      false,
      'price.rate could not be read',
    ],
  ])('%s', (_name, minimum, offer, holds, why) => {
    const result = tryMatch({ min_rate: minimum }, inboxOffer(offer));
    expect(result.holds).toBe(holds);
    if (why !== undefined) expect(result.line).toBe(`rule "t": min_rate did not hold (${why})`);
  });
});

describe('skills: every skill the service requires is one the organisation has', () => {
  it.each<[string, string[], Partial<InboxOffer>, boolean, string]>([
    [
      'the one required, case and accents ignored',
      ['lifts', 'PERSONAL CÂRE'],
      {},
      true,
      'accept by rule "t" (skills held)',
    ],
    [
      'one of two missing',
      ['personal care'],
      { requiredSkills: ['personal care', 'Wound care'] },
      false,
      'rule "t": skills did not hold (the service requires 1 skill not listed)',
    ],
    [
      'two missing',
      ['lifts'],
      { requiredSkills: ['personal care', 'Wound care'] },
      false,
      'rule "t": skills did not hold (the service requires 2 skills not listed)',
    ],
    [
      'none required',
      ['lifts'],
      { requiredSkills: undefined },
      true,
      'accept by rule "t" (skills (the offer names no required skill) held)',
    ],
    [
      'an empty list required',
      ['lifts'],
      { requiredSkills: [] },
      true,
      'accept by rule "t" (skills (the offer names no required skill) held)',
    ],
    [
      'skills the mapping could not read',
      ['lifts'],
      { requiredSkills: undefined, unreadable: ['service.skills.0'] },
      false,
      'rule "t": skills did not hold (service.skills.0 could not be read)',
    ],
  ])('%s', (_name, skills, offer, holds, line) => {
    expect(tryMatch({ skills }, inboxOffer(offer))).toEqual({ holds, line });
  });
});
