import * as v from 'valibot';
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

/**
 * An address to subscribe by e-mail: anything but spaces before the `@` (`o'brien`, `ops+alerts`),
 * then a domain with a dot. Looser than Valibot's `email()`, which turns away apostrophes; AWS
 * still asks the address to confirm.
 */
export const emailAddressSchema = v.pipe(
  v.string(),
  v.regex(
    /^[^\s@]+@(?:[a-z\d](?:[a-z\d-]*[a-z\d])?\.)+[a-z]{2,}$/i,
    'must be an e-mail address such as ops@example.org',
  ),
);

/** Demand side (role `demand` or `both`): what the worker does on `OfferAccepted`. */
export const demandSettingsSchema = v.strictObject({
  /**
   * `first-accepted`: when the organisation's offer assignment setting is `manual`, assign the
   * offer to its earliest accepted match. `none`: only record the event.
   */
  assignment: v.optional(v.picklist(DEMAND_ASSIGNMENT_POLICIES), 'none'),
});

export type DemandSettings = v.InferOutput<typeof demandSettingsSchema>;

/** An EventBridge event bus ARN (`arn:<partition>:events:<region>:<account>:event-bus/<name>`). */
export const eventBusArnSchema = v.pipe(
  v.string(),
  v.regex(EVENT_BUS_ARN_PATTERN, EVENT_BUS_ARN_MESSAGE),
);

/**
 * Supply side (role `supply` or `both`): what the worker does when an offer is won
 * (`ReferralCreated` on `inbox-referrals`). It always records the offer won.
 */
export const referralSettingsSchema = v.strictObject({
  /** Mark the referral processed at the marketplace (tells the demand side it was taken in). */
  markProcessed: v.optional(v.boolean(), false),
  /**
   * Put a `ReferralReceived` event (ids, types, start time; no client data) on this bus. Delivery
   * is at least once: consumers de-duplicate on `referralId`.
   */
  eventBusArn: v.optional(eventBusArnSchema),
});

export type ReferralSettings = v.InferOutput<typeof referralSettingsSchema>;

/**
 * Telling a person about offers that need one: `review` decisions (supply side) and outbox offers
 * declined by every supplier or expired (demand side). Ids, care and offer type, city, start time,
 * rule and explanation only; never the client's name, address or health data.
 */
export const notificationsSchema = v.pipe(
  v.strictObject({
    /** false: no topic is created and nobody is told. */
    enabled: v.optional(v.boolean(), true),
    /** Subscribed to the topic by e-mail (AWS asks the address to confirm); omit to subscribe yourself. */
    email: v.optional(emailAddressSchema),
    /** Link for offers received (review notifications). */
    offerUrl: v.optional(offerUrlTemplateSchema),
    /** Link for your own offers (demand alerts): the web app may show them under another path. */
    outboxOfferUrl: v.optional(offerUrlTemplateSchema),
  }),
  v.forward(
    v.check(
      (n) =>
        n.enabled ||
        (n.email === undefined && n.offerUrl === undefined && n.outboxOfferUrl === undefined),
      'notifications are disabled: remove email, offerUrl and outboxOfferUrl, or set enabled to true',
    ),
    ['enabled'],
  ),
);

export type NotificationSettings = v.InferOutput<typeof notificationsSchema>;
