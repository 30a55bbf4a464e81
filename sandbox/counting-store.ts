/**
 * The connector's store, counting the distinct `applied` decisions written per offer, so a run can
 * tell an offer decided once from one decided again. Copies of the same decision (a unit's settled
 * decision is copied to each of its offers, and a repair may copy it again) count once. A Proxy
 * rather than a hand-written wrapper: it passes on every other method the store has, and every
 * argument of recordDecision, so the worker gets the whole store (today's OfferStore and any port
 * it needs next) without this file changing with it.
 */
import type { OfferStore } from '../lambdas/core/ports';

export function countAppliedWrites<S extends OfferStore>(inner: S, counts: Map<string, number>): S {
  const seen = new Map<string, Set<string>>();
  return new Proxy(inner, {
    get(target, property) {
      if (property === 'recordDecision') {
        // Every argument passes on, whatever the port adds next (the facts ride on the write).
        return async (...args: Parameters<OfferStore['recordDecision']>): Promise<void> => {
          await target.recordDecision(...args);
          const [offerId, decision] = args;
          if (decision.state !== 'applied') return;
          const decisions = seen.get(offerId) ?? new Set<string>();
          // An operator's replay (npx connector replay) decides again in place of the decision it names.
          const replaced = decision.replacesEventId;
          if (replaced !== undefined)
            for (const key of decisions) if (key.startsWith(`${replaced} `)) decisions.delete(key);
          decisions.add(`${decision.eventId} ${decision.decidedAt} ${decision.action}`);
          seen.set(offerId, decisions);
          counts.set(offerId, decisions.size);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  });
}
