/**
 * The simulator's made-up clients, each one full of canaries: a given and a family name, a street,
 * a phone number, a date of birth, a diagnosis, an `outbox_id` and a marketplace client id, all
 * drawn from a seeded generator and unique within the run, in forms that occur nowhere else
 * (`Canary-Given-3f9a0c1e`, `+1 555 417 2093`, `1934-07-19`, ...). The full client is served on
 * outbox offer and referral details, the diagnosis also on inbox offer details (a custom field),
 * the two ids in referral events; a run can then search everything the connector wrote for them
 * (`clientCanaryValues` lists them, read from a stored client).
 */
import type { WireAllergy, WireClient, WireClientInput, WireRisk } from './model';
import { seededRandom } from './seeded-random';

/** Every canary word starts with this (case-insensitively, it occurs nowhere else). */
export const CANARY_PREFIX = 'Canary-';

/** The custom field that carries the diagnosis to the inbox offer detail. */
export const DIAGNOSIS_FIELD = 'Diagnosis';

/** The approximate place the offer shows; the rest of the client is made up here. */
export interface ClientPlace {
  city: string;
  state: string;
  zip: string;
  country: string;
  allergies: WireAllergy[];
  risks: WireRisk[];
}

/** Draws of one canary form before it counts as used up. */
const MAX_DRAWS = 10_000;

export class ClientCanaries {
  private readonly random: () => number;
  private readonly used = new Set<string>();

  constructor(readonly seed: number) {
    this.random = seededRandom(seed);
  }

  /** A new client at `place`, every identifying value a fresh canary. */
  client(place: ClientPlace): WireClientInput {
    const word = (kind: string) => this.unique(() => `${CANARY_PREFIX}${kind}-${this.hex(8)}`);
    const diagnosis = word('Diagnosis');
    return {
      outbox_id: word('Client'),
      address: {
        address: this.unique(() => `${this.int(1, 9999)} ${CANARY_PREFIX}Street-${this.hex(8)}`),
        city: place.city,
        state: place.state,
        zip: place.zip,
        country: place.country,
      },
      demographics: {
        first_name: word('Given'),
        last_name: word('Family'),
        phone_number: this.unique(() => `+1 555 ${this.digits(3)} ${this.digits(4)}`),
        // 1900 to 1999: 33,600 dates, room for the load benchmarks' 24,000 clients in one run.
        date_of_birth: this.unique(
          () => `${this.int(1900, 1999)}-${pad(this.int(1, 12))}-${pad(this.int(1, 28))}`,
        ),
      },
      diagnoses: [{ name: diagnosis, is_primary: true }],
      allergies: place.allergies,
      risks: place.risks,
      custom_fields: [{ name: DIAGNOSIS_FIELD, value: diagnosis }],
    };
  }

  /** A marketplace client id (UUID form, as the API's), unique within the run. */
  clientId(): string {
    return this.unique(() => {
      const h = this.hex(32).split('');
      h[12] = '4';
      h[16] = '89ab'[this.int(0, 3)];
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    });
  }

  /**
   * A value `draw` gives that the run has not used. A form whose values have all (or nearly all)
   * been used is refused with an error instead of drawing for ever.
   */
  private unique(draw: () => string): string {
    for (let tries = 0; tries < MAX_DRAWS; tries++) {
      const value = draw();
      if (!this.used.has(value)) {
        this.used.add(value);
        return value;
      }
    }
    throw new Error(
      `client canaries: no unused value in ${MAX_DRAWS} draws (${this.used.size} values used in this run)`,
    );
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private hex(length: number): string {
    return Array.from({ length }, () => this.int(0, 15).toString(16)).join('');
  }

  private digits(length: number): string {
    return Array.from({ length }, () => String(this.int(0, 9))).join('');
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The identifying values of a stored client, as the simulator holds it: the two ids, the names,
 * street, phone, date of birth, diagnoses and custom field values (strings only, each once).
 */
export function clientCanaryValues(client: WireClient): string[] {
  const demographics = client.demographics;
  const diagnoses = Array.isArray(client.diagnoses)
    ? (client.diagnoses as Array<{ name?: unknown }>)
    : [];
  const values: unknown[] = [
    client.id,
    client.outbox_id,
    client.address.address,
    demographics.first_name,
    demographics.last_name,
    demographics.phone_number,
    demographics.date_of_birth,
    ...diagnoses.map((d) => d.name),
    ...(client.custom_fields ?? []).map((f) => f.value),
  ];
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
}
