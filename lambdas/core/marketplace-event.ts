import * as z from 'zod/mini';

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
export const marketplaceEventSchema = z.looseObject({
  event_id: z.string().check(z.minLength(1), z.maxLength(128)),
  event_name: z.string().check(z.minLength(1), z.maxLength(128)),
  event_source: z.string().check(z.minLength(1), z.maxLength(128)),
  timestamp: z.string().check(z.minLength(1), z.maxLength(64)),
  offer_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  referral_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

export type MarketplaceEvent = z.infer<typeof marketplaceEventSchema>;
