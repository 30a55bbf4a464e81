/**
 * The no-PHI search helper (test/support/phi-search.ts): it must find a planted canary wherever it
 * is, however it is cased or reformatted, and find nothing in text without one; otherwise the e2e
 * test's "nothing found" would prove nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClientCanaries, clientCanaryValues } from '../../sandbox/simulator/client-canaries';
import { canaryNeedles, findNeedles, readHaystacks } from '../support/phi-search';

const client = () => {
  const canaries = new ClientCanaries(7);
  return {
    ...canaries.client({
      city: 'Toronto',
      state: 'ON',
      zip: 'M5V',
      country: 'CA',
      allergies: [],
      risks: [],
    }),
    id: canaries.clientId(),
  };
};

describe('findNeedles', () => {
  it('finds a value planted in one file of a nested directory, case-insensitively, and names the file', () => {
    const values = clientCanaryValues(client());
    const dir = mkdtempSync(path.join(tmpdir(), 'phi-search-'));
    try {
      mkdirSync(path.join(dir, 'connector'));
      writeFileSync(
        path.join(dir, 'connector', 'clean.json'),
        JSON.stringify({ offerId: 'a1b2c3d4', city: 'Toronto' }),
      );
      writeFileSync(
        path.join(dir, 'connector', 'leaky.json'),
        JSON.stringify({ note: `hello ${values[3].toUpperCase()} bye` }),
      );
      expect(findNeedles(readHaystacks(dir), canaryNeedles(values))).toEqual(
        expect.arrayContaining([
          { needle: values[3], where: path.join('connector', 'leaky.json') },
        ]),
      );
      expect(
        findNeedles(readHaystacks(dir), canaryNeedles(values)).every(
          (f) => f.where === path.join('connector', 'leaky.json'),
        ),
      ).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds nothing in text without a canary', () => {
    const values = clientCanaryValues(client());
    const text =
      '{"level":"INFO","message":"Event processed","offerId":"3f1e2d4c-0000-4000-8000-000000000000","city":"Toronto"}';
    expect(findNeedles([{ name: 'log', text }], canaryNeedles(values))).toEqual([]);
  });

  it('finds every one of a client values, each on its own', () => {
    const values = clientCanaryValues(client());
    expect(values).toHaveLength(8);
    for (const value of values)
      expect(findNeedles([{ name: 'x', text: `..${value}..` }], [...values])).toEqual([
        { needle: value, where: 'x' },
      ]);
  });

  it('finds a reformatted phone number, a UUID without dashes and a cut canary word', () => {
    const c = client();
    const needles = canaryNeedles(clientCanaryValues(c));
    const phoneDigits = String(c.demographics.phone_number).replace(/\D/g, '');
    expect(findNeedles([{ name: 'phone', text: `tel:${phoneDigits}` }], needles)).toEqual([
      { needle: phoneDigits, where: 'phone' },
    ]);
    expect(findNeedles([{ name: 'id', text: c.id.replaceAll('-', '') }], needles)).toEqual([
      { needle: c.id.replaceAll('-', ''), where: 'id' },
    ]);
    expect(findNeedles([{ name: 'cut', text: 'name: CANARY-Giv' }], needles)).toEqual([
      { needle: 'Canary-', where: 'cut' },
    ]);
  });

  it('refuses an empty needle (it would match everything)', () => {
    expect(() => findNeedles([{ name: 'x', text: 'abc' }], [' '])).toThrow(/empty needle/);
  });
});
