/**
 * The simulator's made-up clients (sandbox/simulator/client-canaries.ts): the run's seed decides
 * them, each identifying value is unique within the run, and the simulator serves them (full on
 * outbox offers, the diagnosis on inbox offers, the ids in referral events).
 */
import {
  ClientCanaries,
  clientCanaryValues,
  DIAGNOSIS_FIELD,
} from '../../sandbox/simulator/client-canaries';
import { OfferBook } from '../../sandbox/simulator/offer-book';

const PLACE = { city: 'Ottawa', state: 'ON', zip: 'K1P', country: 'CA', allergies: [], risks: [] };
const clients = (seed: number, n: number) => {
  const canaries = new ClientCanaries(seed);
  return Array.from({ length: n }, () => ({ ...canaries.client(PLACE), id: canaries.clientId() }));
};

describe('ClientCanaries', () => {
  it('gives the same clients for the same seed and others for another seed', () => {
    expect(clients(3, 5)).toEqual(clients(3, 5));
    const other = new Set(clients(4, 5).flatMap(clientCanaryValues));
    expect(
      clients(3, 5)
        .flatMap(clientCanaryValues)
        .some((v) => other.has(v)),
    ).toBe(false);
  });

  it('makes every identifying value unique within the run, in its own recognisable form', () => {
    const all = clients(1, 200).map(clientCanaryValues);
    expect(all.every((values) => values.length === 8)).toBe(true);
    const flat = all.flat();
    expect(new Set(flat).size).toBe(flat.length);
    const [c] = clients(1, 1);
    expect(c.demographics.first_name).toMatch(/^Canary-Given-[0-9a-f]{8}$/);
    expect(c.address.address).toMatch(/^\d+ Canary-Street-[0-9a-f]{8}$/);
    expect(c.demographics.phone_number).toMatch(/^\+1 555 \d{3} \d{4}$/);
    expect(c.demographics.date_of_birth).toMatch(/^19\d\d-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])$/);
    expect(c.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(c.custom_fields).toEqual([
      {
        name: DIAGNOSIS_FIELD,
        value: ((c as Record<string, unknown>).diagnoses as Array<{ name: string }>)[0].name,
      },
    ]);
  });

  it('has room for the load benchmarks’ largest run (400 offers/s for 60 s) without repeating a value', () => {
    const dates = clients(2, 24_000).map((c) => c.demographics.date_of_birth);
    expect(new Set(dates).size).toBe(24_000);
  });

  it('is what the simulator stores and serves: the full client on the outbox view, the diagnosis on the inbox view, the ids in referral events', () => {
    const book = new OfferBook('org-supply', () => new Date('2030-01-01T00:00:00Z'), {
      clients: new ClientCanaries(9),
      demand: { id: 'org-demand', name: 'Demand', assignment: 'auto' },
    });
    const events: unknown[] = [];
    book.onEvent((e) => events.push(e.payload));
    const inbox = book.add({});
    const [stored] = book.clientRecords();
    const values = clientCanaryValues(stored);
    expect(values).toHaveLength(8);
    expect(book.getOutbox(inbox.offer.id)?.client).toEqual(stored);
    expect(inbox.client.custom_fields).toEqual([
      { name: DIAGNOSIS_FIELD, value: expect.stringMatching(/^Canary-Diagnosis-/) },
    ]);
    expect(JSON.stringify(inbox)).not.toContain(stored.demographics.first_name);
    book.respond('org-supply', inbox.offer.id, 'accept', {});
    const created = events.find(
      (e) => (e as { event_name?: string }).event_name === 'ReferralCreated',
    ) as { client: { id: string; outbox_id: string } };
    expect(created.client).toEqual({ id: stored.id, outbox_id: stored.outbox_id });
  });
});
