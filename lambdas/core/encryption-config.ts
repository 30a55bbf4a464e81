import * as v from 'valibot';

/**
 * Deployment settings for encryption at rest (config `encryption`): whose keys encrypt the
 * connector's data. Used at synth time only (lib/keys.ts and the stacks); the functions never load
 * it.
 */

/**
 * `customer-managed` (default): the connector's own two KMS keys (lib/keys.ts), about 2 USD a
 * month plus their requests; the organisation owns their policies, sees every use in CloudTrail
 * and can disable them to make the stored data unreadable at once. `aws-managed`: no key of its
 * own; each service encrypts with the key AWS owns or manages for it (README, Security).
 */
export const KEY_MANAGEMENT = ['customer-managed', 'aws-managed'] as const;

export type KeyManagement = (typeof KEY_MANAGEMENT)[number];

export const encryptionSettingsSchema = v.strictObject({
  /** Whose keys encrypt the table, queues, secrets, rules bucket, backups, logs and topics. */
  keys: v.optional(v.picklist(KEY_MANAGEMENT), 'customer-managed'),
});

export type EncryptionSettings = v.InferOutput<typeof encryptionSettingsSchema>;
