import { z } from 'zod';

/**
 * The deployment configuration: one schema, used by `bin/` at synth time (a bad value fails
 * `cdk synth` with the field's path) and by the worker at cold start for the rules it is given.
 */

export const ROLES = ['supply', 'demand', 'both'] as const;
export const CARE_TYPES = ['psw', 'nursing'] as const;
export const OFFER_TYPES = ['visit', 'service'] as const;
export const DECISION_ACTIONS = ['accept', 'decline', 'review'] as const;

export type Role = (typeof ROLES)[number];
export type CareType = (typeof CARE_TYPES)[number];
export type OfferType = (typeof OFFER_TYPES)[number];
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

const nonEmptyList = <T extends z.ZodTypeAny>(item: T) => z.array(item).min(1);

/** Every condition present must hold; an absent condition matches anything. */
export const ruleMatchSchema = z
  .strictObject({
    care_type: nonEmptyList(z.enum(CARE_TYPES)).optional(),
    offer_type: nonEmptyList(z.enum(OFFER_TYPES)).optional(),
    /** City names, compared case- and accent-insensitively. */
    city: nonEmptyList(z.string().trim().min(1)).optional(),
    /** Postal/zip code prefixes, compared case-insensitively, spaces ignored. */
    zip_prefix: nonEmptyList(z.string().trim().min(1)).optional(),
  })
  .refine((m) => Object.keys(m).length > 0, {
    message: 'a rule must have at least one condition; use defaultAction for a catch-all',
  });

export const ruleSchema = z.strictObject({
  /** Recorded with every decision the rule makes; keep it short and free of client data. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'letters, digits, space, _ . - (1-64)'),
  match: ruleMatchSchema,
  action: z.enum(DECISION_ACTIONS),
  /** Sent as the decline `reason_code`; only for `decline`. */
  declineReasonCode: z.string().min(1).max(64).optional(),
  /** Sent as the accept/decline `comment`. */
  comment: z.string().min(1).max(500).optional(),
});

export const rulesSchema = z.strictObject({
  /** What to do when no rule matches. `review` leaves the offer open for a person. */
  defaultAction: z.enum(DECISION_ACTIONS),
  /** Evaluated in order; the first rule whose conditions all hold decides. */
  rules: z.array(ruleSchema).max(100).default([]),
});

const topicArn = z
  .string()
  .regex(/^arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN');

const marketplaceSchema = z.union([
  z.strictObject({
    environment: z.enum(['sandbox', 'staging', 'prod']),
    region: z.enum(['ca', 'com', 'com.au']),
  }),
  z.strictObject({
    baseUrl: z.url({ protocol: /^https$/ }).refine((u) => !u.endsWith('/'), 'no trailing slash'),
  }),
]);

export const connectorConfigSchema = z.strictObject({
  /** Which marketplace to talk to: a published environment and region, or an explicit base URL. */
  marketplace: marketplaceSchema,
  role: z.enum(ROLES),
  /** The only SNS topics whose messages the receiver accepts and whose subscriptions it confirms. */
  allowedTopicArns: nonEmptyList(topicArn),
  /** Where CloudWatch alarms are sent; omit to create the alarm topic without a subscription. */
  alarmEmail: z.email().optional(),
  /** Import an existing Secrets Manager secret ({"username","password"}) instead of creating one. */
  credentialsSecretArn: z
    .string()
    .regex(/^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager secret ARN')
    .optional(),
  /** At most this many worker instances at once, so the marketplace API is never flooded (2-1000). */
  workerMaxConcurrency: z.number().int().min(2).max(1000).default(5),
  /** API Gateway stage throttling for the receiver endpoint. */
  apiThrottle: z
    .strictObject({
      rateLimit: z.number().positive().max(10000),
      burstLimit: z.number().int().positive().max(5000),
    })
    .default({ rateLimit: 50, burstLimit: 100 }),
  logRetentionDays: z
    .union([z.literal(7), z.literal(14), z.literal(30), z.literal(90), z.literal(180), z.literal(365)])
    .default(30),
  rules: rulesSchema,
});

export type RuleMatch = z.infer<typeof ruleMatchSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type Rules = z.infer<typeof rulesSchema>;
export type ConnectorConfig = z.infer<typeof connectorConfigSchema>;
export type MarketplaceLocation = ConnectorConfig['marketplace'];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Turns zod issues into one line per field, e.g. `rules.rules.0.action: Invalid option ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

/** Parses a config object, throwing a ConfigError that names every bad field. */
export function parseConnectorConfig(input: unknown, source = 'config'): ConnectorConfig {
  const result = connectorConfigSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(`Invalid ${source}:\n${describeIssues(result.error)}`);
  }
  return result.data;
}

/** Parses the rules handed to the worker (as JSON in its environment). */
export function parseRules(json: string): Rules {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigError('Invalid rules: not valid JSON');
  }
  const result = rulesSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`Invalid rules:\n${describeIssues(result.error)}`);
  return result.data;
}

/** The marketplace API base URL for a configured location. */
export function marketplaceBaseUrl(location: MarketplaceLocation): string {
  return 'baseUrl' in location ? location.baseUrl : `https://api.${location.environment}.alayamarket.${location.region}`;
}
