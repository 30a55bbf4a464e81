import * as v from 'valibot';

/**
 * A marketplace event as published on AlayaCare's SNS topics (AsyncAPI). Events are thin: ids and
 * a name, never a status, so the worker fetches the resource before it acts. Apart from the queue
 * envelope (events.ts) so the reconciler, which checks the events it synthesises, does not build
 * the envelope's schema too.
 */

/**
 * The fields every marketplace event carries. Unknown extra fields are kept (passthrough) but
 * never logged: some events (referrals) carry client identifiers.
 */
const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));

export const marketplaceEventSchema = v.looseObject({
  event_id: text(128),
  event_name: text(128),
  event_source: text(128),
  timestamp: text(64),
  offer_id: v.optional(text(128)),
  referral_id: v.optional(text(128)),
});

export type MarketplaceEvent = v.InferOutput<typeof marketplaceEventSchema>;
