/**
 * Covers lambdas/adapters/marketplace/inbox-offer.ts: the offer detail read as the worker reads it
 * (the client's getInboxOffer and `npm run rules -- test` share it). The optional fields the rules
 * read (coordinates, visits, price, skills, end_at): present, absent, null, of an unknown enum
 * value, or broken, where broken never fails the read but is listed in `unreadable` by path.
 * The client's own tests check it through HTTP (marketplace-client*.test.ts).
 */
import { readInboxOffer } from '../../lambdas/adapters/marketplace/inbox-offer';
import type { InboxOffer } from '../../lambdas/core/ports';
import { inboxOffer, OFFER_ID, offerDetailJson, PHI } from '../support/offer-fixtures';

type Detail = Record<string, Record<string, unknown>>;

function read(change: (detail: Detail) => void = () => undefined): InboxOffer {
  const detail = offerDetailJson() as Detail;
  change(detail);
  const result = readInboxOffer(detail);
  if (!result.ok) throw new Error(`not read: ${result.fields.join(', ')}`);
  return result.offer;
}

const address = (d: Detail) => (d.client as { address: Record<string, unknown> }).address;

describe('readInboxOffer', () => {
  it('reads the fixture detail as the fixture offer, health data left behind', () => {
    const offer = read();
    expect(offer).toEqual(inboxOffer({ shiftId: 'a3d7c0de-5f61-4b7b-8c1e-2f9a0b4c6d02' }));
    for (const value of Object.values(PHI)) expect(JSON.stringify(offer)).not.toContain(value);
  });

  type Approx = InboxOffer['location']['approx'];
  const AT = { latitude: 45.51, longitude: -73.57 };
  it.each<[string, (d: Detail) => void, Approx, string[]]>([
    ['as sent', () => undefined, { ...AT, radiusMeters: 500 }, []],
    [
      'none',
      (d) => {
        delete address(d).approx_latitude;
        delete address(d).approx_longitude;
        delete address(d).approx_radius_meters;
      },
      undefined,
      [],
    ],
    [
      'null',
      (d) => Object.assign(address(d), { approx_latitude: null, approx_longitude: null }),
      undefined,
      [],
    ],
    ['without a radius', (d) => delete address(d).approx_radius_meters, AT, []],
    ['a radius of 0', (d) => (address(d).approx_radius_meters = 0), { ...AT, radiusMeters: 0 }, []],
    [
      'a latitude out of range',
      (d) => (address(d).approx_latitude = 91),
      undefined,
      ['client.address.approx_latitude'],
    ],
    [
      'a longitude without a latitude',
      (d) => delete address(d).approx_latitude,
      undefined,
      ['client.address.approx_latitude'],
    ],
    [
      'a negative radius',
      (d) => (address(d).approx_radius_meters = -1),
      undefined,
      ['client.address.approx_radius_meters'],
    ],
    [
      'a longitude as text',
      (d) => (address(d).approx_longitude = '-73.57'),
      undefined,
      ['client.address.approx_longitude'],
    ],
  ])('coordinates: %s', (_name, change, approx, unreadable) => {
    const offer = read(change);
    expect(offer.location.approx).toEqual(approx);
    expect(offer.unreadable ?? []).toEqual(unreadable);
  });

  it.each<[string, unknown, InboxOffer['price'] | undefined, string[]]>([
    ['a known unit', { rate: 42.5, unit: 'per_hour' }, { rate: 42.5, unit: 'per_hour' }, []],
    ['an amount', { rate: 900, unit: 'amount' }, { rate: 900, unit: 'amount' }, []],
    [
      'a unit the spec does not list',
      { rate: 42.5, unit: 'per_km' },
      { rate: 42.5, unit: 'unknown' },
      [],
    ],
    ['absent', undefined, undefined, []],
    ['null', null, undefined, []],
    ['a rate as text', { rate: 'thirty', unit: 'per_hour' }, undefined, ['price.rate']],
    ['no unit', { rate: 30 }, undefined, ['price.unit']],
  ])('price: %s', (_name, price, expected, unreadable) => {
    const offer = read((d) =>
      price === undefined ? delete d.price : (d.price = price as Record<string, unknown>),
    );
    expect(offer.price).toEqual(expected);
    expect(offer.unreadable ?? []).toEqual(unreadable);
  });

  it.each<[string, unknown, InboxOffer['visits'] | undefined, string[]]>([
    ['absent', undefined, undefined, []],
    ['empty', [], [], []],
    [
      'two visits, extra fields dropped',
      [
        {
          id: 'v1',
          start_at: '2026-05-03T09:00:00Z',
          end_at: '2026-05-03T10:00:00Z',
          instructions: PHI.visitInstructions,
        },
        {
          id: 'v2',
          start_at: '2026-05-04T09:00:00-04:00',
          end_at: '2026-05-04T11:00:00-04:00',
          tasks: [{ name: PHI.visitTask }],
        },
      ],
      [
        { startAt: '2026-05-03T09:00:00Z', endAt: '2026-05-03T10:00:00Z' },
        { startAt: '2026-05-04T09:00:00-04:00', endAt: '2026-05-04T11:00:00-04:00' },
      ],
      [],
    ],
    ['not a list', { not: 'a list' }, undefined, ['visits']],
    [
      'a start that is no date-time',
      [{ id: 'v1', start_at: 'tomorrow', end_at: '2026-05-03T10:00:00Z' }],
      undefined,
      ['visits.0.start_at'],
    ],
    [
      'an end before its start',
      [{ id: 'v1', start_at: '2026-05-03T10:00:00Z', end_at: '2026-05-03T09:00:00Z' }],
      undefined,
      ['visits.0.end_at'],
    ],
  ])('visits: %s', (_name, visits, expected, unreadable) => {
    const offer = read((d) =>
      visits === undefined ? delete d.visits : (d.visits = visits as Record<string, unknown>),
    );
    expect(offer.visits).toEqual(expected);
    expect(offer.unreadable ?? []).toEqual(unreadable);
  });

  it.each<[string, unknown, string[] | undefined, string[]]>([
    [
      'listed',
      { id: 's', name: 'n', skills: ['Wound care', 'lifts'] },
      ['Wound care', 'lifts'],
      [],
    ],
    ['absent', { id: 's', name: 'n' }, undefined, []],
    ['no service at all', undefined, undefined, []],
    [
      'skills as objects (a later spec)',
      { id: 's', name: 'n', skills: [{ name: 'lifts' }] },
      undefined,
      ['service.skills.0'],
    ],
    ['a service that is not an object', 'personal support', undefined, ['service']],
  ])('service.skills: %s', (_name, service, expected, unreadable) => {
    const offer = read((d) =>
      service === undefined ? delete d.service : (d.service = service as Record<string, unknown>),
    );
    expect(offer.requiredSkills).toEqual(expected);
    expect(offer.unreadable ?? []).toEqual(unreadable);
  });

  it('reads offer.end_at when it is a date-time, else lists it unreadable', () => {
    expect(read().endAt).toBe('2026-05-03T10:00:00Z');
    expect(read((d) => delete d.offer.end_at)).not.toHaveProperty('endAt');
    const broken = read((d) => (d.offer.end_at = 'soon'));
    expect(broken).not.toHaveProperty('endAt');
    expect(broken.unreadable).toEqual(['offer.end_at']);
  });

  it('fails on a missing required field with its path only, never a value', () => {
    const detail = offerDetailJson() as Detail;
    delete address(detail).city;
    detail.offer.care_type = 7;
    const result = readInboxOffer(detail);
    expect(result).toEqual({ ok: false, fields: ['offer.care_type', 'client.address.city'] });
    expect(readInboxOffer('not an object')).toEqual({ ok: false, fields: ['(root)'] });
    expect(
      readInboxOffer({
        ...detail,
        offer: { ...detail.offer, care_type: 'psw' },
        client: offerDetailJson().client,
      }),
    ).toMatchObject({ ok: true, offer: { id: OFFER_ID } });
  });
});
