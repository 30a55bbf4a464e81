/**
 * The connector's store, counting the `applied` decisions written per offer, so a run can tell an
 * offer decided once from one decided again. A Proxy rather than a hand-written wrapper: it passes
 * on every other method the store has, so the worker gets the whole store (today's OfferStore and
 * any port it needs next) without this file changing with it.
 */
import type { OfferStore, RecordedDecision } from '../lambdas/core/ports';

export function countAppliedWrites<S extends OfferStore>(inner: S, counts: Map<string, number>): S {
  return new Proxy(inner, {
    get(target, property) {
      if (property === 'recordDecision') {
        return async (offerId: string, decision: RecordedDecision): Promise<void> => {
          await target.recordDecision(offerId, decision);
          if (decision.state === 'applied') counts.set(offerId, (counts.get(offerId) ?? 0) + 1);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
