/**
 * Covers the shared parts of the marketplace response schemas
 * (lambdas/adapters/marketplace/schemas/common.ts): `knownOr` (a value this connector does not know
 * yet read as `unknown`), `instant` (a date-time that must parse), `pageOf` (required or defaulted
 * items, integer counts) and `readEntry` (one list item checked on its own, paths only). The
 * client's suites check them through HTTP (marketplace-client*.test.ts).
 */
import * as v from 'valibot';
import { describeIssuePaths } from '../../lambdas/core/parse-json';
import {
  CARE_TYPES,
  instant,
  knownOr,
  pageOf,
  readEntry,
} from '../../lambdas/adapters/marketplace/schemas/common';

const frame = { page: 1, items_per_page: 20, total_items: 1, total_pages: 1 };

function problem(schema: v.GenericSchema, value: unknown): string {
  const result = v.safeParse(schema, value);
  if (result.success) throw new Error('parsed');
  return describeIssuePaths(result.issues);
}

describe('knownOr', () => {
  const careType = knownOr(CARE_TYPES);

  it.each([
    ['psw', 'psw'],
    ['nursing', 'nursing'],
    ['respite', 'unknown'],
    ['', 'unknown'],
  ])('reads %j as %j', (value, expected) => {
    expect(v.parse(careType, value)).toBe(expected);
  });

  it('still requires a string', () => {
    expect(problem(careType, 7)).toBe('(root): expected string');
    expect(problem(v.looseObject({ care_type: careType }), {})).toBe('care_type: required');
  });
});

describe('instant', () => {
  it.each(['2026-05-03T09:00:00Z', '2026-05-03T09:00:00-04:00', '2026-05-03'])(
    'takes %s',
    (value) => {
      expect(v.parse(instant, value)).toBe(value);
    },
  );

  it.each(['tomorrow', ''])('refuses %j, with its own message', (value) => {
    const result = v.safeParse(instant, value);
    expect(result.issues?.map((issue) => issue.message)).toEqual(['must be a date-time']);
  });
});

describe('pageOf', () => {
  it('reads missing optional items as an empty list, a new one each time', () => {
    const page = pageOf(v.string(), false);
    const first = v.parse(page, frame);
    expect(first).toEqual({ ...frame, items: [] });
    first.items.push('x');
    expect(v.parse(page, frame).items).toEqual([]);
    expect(v.parse(page, { ...frame, items: ['a'] }).items).toEqual(['a']);
  });

  it('requires items when they are required, and whole counts', () => {
    expect(problem(pageOf(v.string(), true), frame)).toBe('items: required');
    expect(problem(pageOf(v.string(), false), { ...frame, total_pages: 1.5 })).toBe(
      'total_pages: integer',
    );
  });
});

describe('readEntry', () => {
  const item = v.looseObject({
    offer: v.looseObject({ id: v.string(), expires_at: v.string() }),
    tags: v.array(v.string()),
  });

  it('gives the parsed item', () => {
    const raw = { offer: { id: 'o-1', expires_at: 'soon' }, tags: [] };
    expect(readEntry(item, raw)).toEqual({ ok: true, item: raw });
  });

  it('gives the failing paths once each and an id-shaped offer id, never a value', () => {
    const raw = { offer: { id: 'o-1', expires_at: 5 }, tags: ['a', 7, 'Jane Roe', 8] };
    expect(readEntry(item, raw)).toEqual({
      ok: false,
      offerId: 'o-1',
      fields: ['offer.expires_at', 'tags.1', 'tags.3'],
    });
    const named = { offer: { id: 'Jane Roe lives here' }, tags: 'Jane Roe' };
    expect(readEntry(item, named)).toEqual({ ok: false, fields: ['offer.expires_at', 'tags'] });
  });
});
