/**
 * The connector's store, counting the distinct `applied` decisions written per offer, so a run can
 * tell an offer decided once from one decided again. Copies of the same decision (a unit's settled
 * decision is copied to each of its offers, and a repair may copy it again) count once. A lone
 * offer's decision is written through the unit store (its unit is the offer's own record:
 * store-ports.ts), so both stores are counted, into one tally. Proxies rather than hand-written
 * wrappers: they pass on every other method the stores have, and every argument of the counted
 * writes, so the worker gets the whole stores (today's ports and any they need next) without this
 * file changing with them.
 */
import type { OfferStore, RecordedDecision, UnitStore } from '../lambdas/core/ports';
import { loneOfferOfUnit } from '../lambdas/core/unit-decision';

/** Wraps an offer store and a unit store so both count into `counts` (offer id to count). */
export function appliedWriteCounter(counts: Map<string, number>) {
  const seen = new Map<string, Set<string>>();

  function note(offerId: string, decision: RecordedDecision): void {
    if (decision.state !== 'applied') return;
    const decisions = seen.get(offerId) ?? new Set<string>();
    // An operator's replay (npx connector replay) decides again in place of the decision it names.
    const replaced = decision.replacesEventId;
    if (replaced !== undefined)
      for (const key of decisions) if (key.startsWith(`${replaced} `)) decisions.delete(key);
    decisions.add(`${decision.eventId} ${decision.decidedAt} ${decision.action}`);
    seen.set(offerId, decisions);
    counts.set(offerId, decisions.size);
  }

  function wrap<T extends object>(
    inner: T,
    method: keyof T,
    onWrite: (args: unknown[]) => void,
  ): T {
    return new Proxy(inner, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const bound = value.bind(target) as (...args: unknown[]) => Promise<void>;
        if (property !== method) return bound;
        // Every argument passes on, whatever the port adds next (the facts ride on the write).
        return async (...args: unknown[]): Promise<void> => {
          await bound(...args);
          onWrite(args);
        };
      },
    });
  }

  return {
    store: <S extends OfferStore>(inner: S): S =>
      wrap(inner, 'recordDecision', (args) => {
        const [offerId, decision] = args as Parameters<OfferStore['recordDecision']>;
        note(offerId, decision);
      }),
    /** A lone offer's unit decision is its offer's; other units' reach their offers as copies. */
    units: <U extends UnitStore>(inner: U): U =>
      wrap(inner, 'recordUnitDecision', (args) => {
        const [unitKey, , , decision] = args as Parameters<UnitStore['recordUnitDecision']>;
        const offerId = loneOfferOfUnit(unitKey);
        if (offerId !== undefined) note(offerId, decision);
      }),
  };
}
