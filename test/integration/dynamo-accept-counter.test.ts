/**
 * Covers the accept caps' counters (DynamoAcceptCounter) against dynalite through the real AWS SDK
 * document client, and the same contract against the in-memory twin the unit tests use: a unit
 * counts once per period, never past the limit (also when many deciders race with real
 * conditional writes), on every period or on none, and release gives its place back. How the
 * decision uses them is in test/unit/caps-dry-run.test.ts.
 */
import { DynamoAcceptCounter } from '../../lambdas/adapters/dynamo-accept-counter';
import type { AcceptCounter, CapPeriod } from '../../lambdas/core/caps';
import { useOfferTable } from '../support/dynalite-table';
import { MemoryAcceptCounter } from '../support/memory-accept-counter';

const TABLE = 'counters-test';
const table = useOfferTable(TABLE);

let counter = 0;
const period = (limit: number): CapPeriod => ({
  key: `accepts/day/test-${++counter}`,
  limit,
  label: `${limit} per day`,
});

describe.each([
  [
    'DynamoAcceptCounter on dynalite',
    () => new DynamoAcceptCounter(table.documents(), TABLE) as AcceptCounter,
  ],
  ['MemoryAcceptCounter (unit-test twin)', () => new MemoryAcceptCounter() as AcceptCounter],
])('%s', (_name, make) => {
  let counters: AcceptCounter;
  beforeEach(() => {
    counters = make();
  });

  it('counts units up to the limit and refuses the next, naming the full period', async () => {
    const day = period(2);
    expect(await counters.reserve('offer#a', [day])).toEqual({ ok: true });
    expect(await counters.reserve('offer#b', [day])).toEqual({ ok: true });
    expect(await counters.reserve('offer#c', [day])).toEqual({ ok: false, period: day });
  });

  it('counts a unit once, however often it reserves (a retried decision)', async () => {
    const day = period(2);
    await counters.reserve('shift#s', [day]);
    expect(await counters.reserve('shift#s', [day])).toEqual({ ok: true });
    expect(await counters.reserve('offer#b', [day])).toEqual({ ok: true });
    expect(await counters.reserve('offer#c', [day])).toMatchObject({ ok: false });
  });

  it('counts on every period or on none: a full week gives back the day just taken', async () => {
    const day = period(5);
    const week = period(1);
    await counters.reserve('offer#a', [week]);
    expect(await counters.reserve('offer#b', [day, week])).toEqual({ ok: false, period: week });
    // The day still has all five places: b's reservation on it was given back.
    for (const unit of ['offer#c', 'offer#d', 'offer#e', 'offer#f', 'offer#g'])
      expect(await counters.reserve(unit, [day])).toEqual({ ok: true });
  });

  it('gives a place back on release, and ignores a release of a unit never counted', async () => {
    const day = period(1);
    await counters.reserve('offer#a', [day]);
    await counters.release('offer#never', [day.key]);
    expect(await counters.reserve('offer#b', [day])).toMatchObject({ ok: false });
    await counters.release('offer#a', [day.key]);
    expect(await counters.reserve('offer#b', [day])).toEqual({ ok: true });
  });

  it('never passes the limit when many deciders race', async () => {
    const day = period(3);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => counters.reserve(`offer#${i}`, [day])),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
  });
});
