import * as z from './zod';
import {
  DEMAND_ASSIGNMENT_POLICIES,
  EVENT_BUS_ARN_MESSAGE,
  EVENT_BUS_ARN_PATTERN,
} from './connector-values';
import { offerUrlTemplateSchema } from './offer-url-template';

/**
 * What the worker does beyond deciding offers, by side (config `demand`, `referrals`,
 * `notifications`): assigning our accepted outbox offers, taking in won referrals, and telling a
 * person. Used at synth time only, in the config schema (config.ts).
 */

/** Demand side (role `demand` or `both`): what the worker does on `OfferAccepted`. */
export const demandSettingsSchema = z.strictObject({
  /**
   * `first-accepted`: when the organisation's offer assignment setting is `manual`, assign the
   * offer to its earliest accepted match. `none`: only record the event.
   */
  assignment: z._default(z.enum(DEMAND_ASSIGNMENT_POLICIES), 'none'),
});

export type DemandSettings = z.infer<typeof demandSettingsSchema>;

/** An EventBridge event bus ARN (`arn:<partition>:events:<region>:<account>:event-bus/<name>`). */
export const eventBusArnSchema = z
  .string()
  .check(z.regex(EVENT_BUS_ARN_PATTERN, EVENT_BUS_ARN_MESSAGE));

/**
 * Supply side (role `supply` or `both`): what the worker does when an offer is won
 * (`ReferralCreated` on `inbox-referrals`). It always records the offer won.
 */
export const referralSettingsSchema = z.strictObject({
  /** Mark the referral processed at the marketplace (tells the demand side it was taken in). */
  markProcessed: z._default(z.boolean(), false),
  /**
   * Put a `ReferralReceived` event (ids, types, start time; no client data) on this bus. Delivery
   * is at least once: consumers de-duplicate on `referralId`.
   */
  eventBusArn: z.optional(eventBusArnSchema),
});

export type ReferralSettings = z.infer<typeof referralSettingsSchema>;

/**
 * Telling a person about offers that need one: `review` decisions (supply side) and outbox offers
 * declined by every supplier or expired (demand side). Ids, care and offer type, city, start time,
 * rule and explanation only; never the client's name, address or health data.
 */
export const notificationsSchema = z
  .strictObject({
    /** false: no topic is created and nobody is told. */
    enabled: z._default(z.boolean(), true),
    /** Subscribed to the topic by e-mail (AWS asks the address to confirm); omit to subscribe yourself. */
    email: z.optional(z.email()),
    /** Link for offers received (review notifications). */
    offerUrl: z.optional(offerUrlTemplateSchema),
    /** Link for your own offers (demand alerts): the web app may show them under another path. */
    outboxOfferUrl: z.optional(offerUrlTemplateSchema),
  })
  .check(
    z.refine(
      (n) =>
        n.enabled ||
        (n.email === undefined && n.offerUrl === undefined && n.outboxOfferUrl === undefined),
      {
        error:
          'notifications are disabled: remove email, offerUrl and outboxOfferUrl, or set enabled to true',
        path: ['enabled'],
      },
    ),
  );

export type NotificationSettings = z.infer<typeof notificationsSchema>;
