import * as z from 'zod/mini';

/**
 * The envelope the receiver puts on the SQS queue, with the marketplace events it carries
 * (marketplace-event.ts) and their names (event-names.ts) re-exported: one import for the worker,
 * the CLI and the tests. A function that needs only the names or only the event schema imports
 * those modules, and builds no more schemas at start-up than it uses.
 */

export * from './event-names';
export * from './marketplace-event';

/**
 * What travels on the SQS events queue. `message` is the SNS `Message` string exactly as
 * received (the marketplace event JSON); the worker parses and validates it.
 */
export const queuedEventSchema = z.strictObject({
  version: z.literal(1),
  /**
   * `sns` for deliveries through the receiver; `reconciler` for events it synthesised; `operator`
   * for `connector replay`.
   */
  origin: z.enum(['sns', 'reconciler', 'operator']),
  topicArn: z.string().check(z.minLength(1)),
  snsMessageId: z.string().check(z.minLength(1)),
  /** ISO-8601 time the SNS message was published (its `Timestamp`). */
  publishedAt: z.string().check(z.minLength(1)),
  message: z.string(),
  /**
   * Only with origin `operator`: judge the offer again even when its decision is settled (`force`),
   * as long as the marketplace shows its match pending and open. Ignored on any other origin.
   */
  replay: z.optional(z.strictObject({ force: z.boolean() })),
});

export type QueuedEvent = z.infer<typeof queuedEventSchema>;
