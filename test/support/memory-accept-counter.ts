/**
 * An in-memory AcceptCounter with the semantics of DynamoAcceptCounter (the integration test runs
 * one contract against both): per period a count and the units counted; a unit counts once, never
 * past the limit, on every period or on none.
 */
import type { AcceptCounter, CapPeriod, Reservation } from '../../lambdas/core/caps';

export class MemoryAcceptCounter implements AcceptCounter {
  readonly periods = new Map<string, Set<string>>();

  async reserve(unitKey: string, periods: readonly CapPeriod[]): Promise<Reservation> {
    const taken: string[] = [];
    for (const period of periods) {
      const units = this.periods.get(period.key) ?? new Set<string>();
      this.periods.set(period.key, units);
      if (units.has(unitKey)) continue;
      if (units.size >= period.limit) {
        await this.release(unitKey, taken);
        return { ok: false, period };
      }
      units.add(unitKey);
      taken.push(period.key);
    }
    return { ok: true };
  }

  async release(unitKey: string, periodKeys: readonly string[]): Promise<void> {
    for (const key of periodKeys) this.periods.get(key)?.delete(unitKey);
  }

  count(periodKey: string): number {
    return this.periods.get(periodKey)?.size ?? 0;
  }
}
