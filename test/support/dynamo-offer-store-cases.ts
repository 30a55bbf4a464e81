/**
 * Shared by the OfferStore suites (test/integration/dynamo-offer-store-*.test.ts): the lease length
 * and clock, ids unique per test (so tests share one table without seeing each other), and the
 * stores the contract runs against as describe.each rows: DynamoOfferStore on the suite's dynalite
 * table and the in-memory fake the unit tests use, so the fake cannot drift.
 */
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import type { OfferStore } from '../../lambdas/core/ports';
import type { useOfferTable } from './dynalite-table';
import { MemoryOfferStore } from './offer-memory-store';

export const LEASE_MS = 60_000;
export const T0 = new Date('2026-05-01T08:00:00Z');
export const at = (ms: number) => new Date(T0.getTime() + ms);

let counter = 0;
/** Ids unique per test, so tests share one table without seeing each other. */
export const unique = (prefix: string) => `${prefix}-${++counter}`;

/** `[name, makeStore]` rows for `describe.each(...)('%s', ...)`, on the given table. */
export function offerStoreCases(
  table: ReturnType<typeof useOfferTable>,
  tableName: string,
): [string, () => OfferStore][] {
  return [
    ['DynamoOfferStore on dynalite', () => new DynamoOfferStore(table.documents(), tableName)],
    ['MemoryOfferStore (unit-test fake)', () => new MemoryOfferStore()],
  ];
}
