import * as v from 'valibot';
import { monitoringSchema } from './monitoring-config';
import { backupSettingsSchema, tableSettingsSchema } from './table-config';
import { encryptionSettingsSchema } from './encryption-config';
import { describeIssues, fieldsOf, pathTo } from './parse-json';
import { nonEmptyList, ruleLabel, rulesSchema } from './rules-schema';
import type { TopicName } from './events';
import { ConfigError } from './errors';
import { CONNECTOR_MODES, ROLES, type Role } from './connector-values';
import {
  demandSettingsSchema,
  emailAddressSchema,
  notificationsSchema,
  referralSettingsSchema,
} from './role-settings';
import {
  INGRESS_MODES,
  apiThrottleSchema,
  ingressIssues,
  receiverReservedConcurrencySchema,
} from './ingress-config';
import { workerConfigFields } from './worker-config';

/**
 * The deployment configuration: one schema, used by `bin/` at synth time (a bad value fails
 * `cdk synth` with the field's path). The functions never import this module: what they read at
 * run time lives in the modules it re-exports from (connector-values.ts, parse-rules.ts,
 * offer-url-template.ts, rules-schema.ts), so their bundles do not build this schema at start-up.
 */

export {
  CONNECTOR_MODES,
  DEMAND_ASSIGNMENT_POLICIES,
  ROLES,
  type ConnectorMode,
  type DemandAssignmentPolicy,
  type Role,
} from './connector-values';
export { offerUrlTemplateSchema } from './offer-url-template';
export { parseRules } from './parse-rules';
export {
  KEY_MANAGEMENT,
  encryptionSettingsSchema,
  type EncryptionSettings,
  type KeyManagement,
} from './encryption-config';
export {
  backupSettingsSchema,
  provisionedCapacity,
  tableSettingsSchema,
  type ProvisionedCapacity,
  type TableSettings,
} from './table-config';

// The rules language lives in rules-schema.ts; re-exported so config stays the one entry point.
export {
  CARE_TYPES,
  DECISION_ACTIONS,
  DEFAULT_TIME_ZONE,
  OFFER_TYPES,
  PRICE_UNITS,
  ruleMatchSchema,
  ruleSchema,
  rulesLimitsSchema,
  rulesSchema,
  rulesTimeZone,
} from './rules-schema';
export type {
  CareType,
  DecisionAction,
  OfferType,
  PriceUnit,
  Rule,
  RuleMatch,
  Rules,
  RulesLimits,
} from './rules-schema';

const topicArn = v.pipe(
  v.string(),
  v.regex(
    /^arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
    'must be an SNS topic ARN',
  ),
);

/** The marketplace topics each role takes part in (event names per topic: `TOPIC_EVENTS`). */
export const ROLE_TOPICS: Readonly<Record<Role, readonly TopicName[]>> = {
  supply: ['inbox-offers', 'inbox-referrals'],
  demand: ['outbox-offers', 'outbox-referrals'],
  both: ['inbox-offers', 'inbox-referrals', 'outbox-offers', 'outbox-referrals'],
};

/** SNS topic names: letters, digits, `-` and `_`, at most 256 (standard topics; no `.fifo`). */
const MAX_TOPIC_NAME_LENGTH = 256;
const topicNamePart = (max: number) =>
  v.pipe(
    v.string(),
    v.regex(new RegExp(`^[A-Za-z0-9_-]{1,${max}}$`), `letters, digits, - and _ (1-${max})`),
  );

/**
 * Commercial, China and GovCloud regions, e.g. `ca-central-1`, `cn-north-1`, `us-gov-west-1`.
 * The isolated partitions are left out: their SNS hosts fail the signing-certificate host policy.
 */
const awsRegion = v.pipe(
  v.string(),
  v.regex(/^(?:[a-z]{2}|us-gov)-[a-z]+-\d{1,2}$/, 'must be an AWS region such as ca-central-1'),
);

/**
 * The allowlist as an AWS account and region instead of exact ARNs: the topic names default to
 * the role's (`ROLE_TOPICS`) and expand to exact ARNs at synth time (`resolveAllowedTopicArns`).
 */
export const allowedTopicsSchema = v.pipe(
  v.strictObject({
    /** The AWS account that owns AlayaCare's topics. */
    account: v.pipe(v.string(), v.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
    region: awsRegion,
    /** Topic names to allow instead of the role's; each gets `namePrefix` in front. */
    names: v.optional(nonEmptyList(topicNamePart(MAX_TOPIC_NAME_LENGTH))),
    /**
     * Put in front of every name, for a naming scheme such as `prod-inbox-offers`. AlayaCare does
     * not publish its topic names, so this is a guess to confirm with them.
     */
    namePrefix: v.optional(topicNamePart(128)),
  }),
  v.forward(
    v.check(
      (t) =>
        (t.names ?? []).every(
          (name) => (t.namePrefix ?? '').length + name.length <= MAX_TOPIC_NAME_LENGTH,
        ),
      `namePrefix + name must be at most ${MAX_TOPIC_NAME_LENGTH} characters`,
    ),
    ['namePrefix'],
  ),
);

export type AllowedTopics = v.InferOutput<typeof allowedTopicsSchema>;

/** Receiver policy switches; every one of them can only narrow what is accepted. */
export const receiverSettingsSchema = v.strictObject({
  /** Refuse SignatureVersion 1 (SHA1withRSA); SNS topics sign with 1 unless their owner chose 2. */
  requireSignatureVersion2: v.optional(v.boolean(), false),
  /**
   * HTTP Basic credentials as a second factor: the stack creates a Secrets Manager secret and the
   * receiver answers 401 to any request without `connector:<secret>`.
   */
  sharedSecret: v.optional(v.strictObject({ enabled: v.boolean() }), { enabled: false }),
});

export type ReceiverSettings = v.InferOutput<typeof receiverSettingsSchema>;

/**
 * The scheduled reconciler (supply side): SNS drops an HTTPS delivery after about a minute of
 * retries, so the inbox is polled for open offers the connector never decided.
 */
export const reconcilerSettingsSchema = v.strictObject({
  enabled: v.optional(v.boolean(), true),
  /** Minutes between runs (5-1440). */
  intervalMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(1440)), 15),
});

export type ReconcilerSettings = v.InferOutput<typeof reconcilerSettingsSchema>;

const marketplaceSchema = v.union(
  [
    v.strictObject({
      environment: v.picklist(['sandbox', 'staging', 'prod']),
      region: v.picklist(['ca', 'com', 'com.au']),
    }),
    v.strictObject({
      /** Surrounding spaces are trimmed. */
      baseUrl: v.pipe(
        v.string(),
        v.trim(),
        v.check((u) => URL.canParse(u) && new URL(u).protocol === 'https:', 'must be an https URL'),
        v.check((u) => !u.endsWith('/'), 'no trailing slash'),
      ),
    }),
  ],
  // Valibot's own message, when neither shape fits, names no field.
  'must be {"environment": sandbox|staging|prod, "region": ca|com|com.au} or {"baseUrl": an https URL}',
);

export const connectorConfigSchema = v.pipe(
  v.strictObject({
    /** Which marketplace to talk to: a published environment and region, or an explicit base URL. */
    marketplace: marketplaceSchema,
    role: v.picklist(ROLES),
    /**
     * `dry-run` decides, records (flagged) and notifies, and never calls accept, decline or
     * assign. What was decided in a dry run stays decided when you switch to `live`.
     */
    mode: v.optional(v.picklist(CONNECTOR_MODES), 'live'),
    /**
     * With `mode: "live"`: decide again the offers a dry run decided that are still open, instead
     * of keeping the dry run's decisions (the default). Ignored in a dry run.
     */
    redecideDryRun: v.optional(v.boolean(), false),
    /**
     * The only SNS topics whose messages the receiver accepts and whose subscriptions it confirms:
     * exact ARNs here, or `allowedTopics`; exactly one of the two.
     */
    allowedTopicArns: v.optional(nonEmptyList(topicArn)),
    allowedTopics: v.optional(allowedTopicsSchema),
    receiver: v.optional(receiverSettingsSchema, {
      requireSignatureVersion2: false,
      sharedSecret: { enabled: false },
    }),
    /** Polls the inbox for offers SNS never delivered; ignored for role `demand`. */
    reconciler: v.optional(reconcilerSettingsSchema, { enabled: true, intervalMinutes: 15 }),
    /** AWS Backup plan for the offer table; off by default (it costs storage: README, Cost). */
    backup: v.optional(backupSettingsSchema, { enabled: false, retentionDays: 35 }),
    /** The offer table's capacity: on demand (default) or provisioned with auto scaling; see table-config.ts. */
    table: v.optional(tableSettingsSchema, { billing: 'on-demand' }),
    /**
     * Whose KMS keys encrypt the data at rest: the connector's own two (default) or the ones AWS
     * owns or manages per service, to save their fixed cost; see encryption-config.ts.
     */
    encryption: v.optional(encryptionSettingsSchema, { keys: 'customer-managed' }),
    /** Assigning accepted outbox offers; ignored for role `supply`. */
    demand: v.optional(demandSettingsSchema, { assignment: 'none' }),
    /** Won offers (referrals received): mark processed, forward to EventBridge; ignored for role `demand`. */
    referrals: v.optional(referralSettingsSchema, { markProcessed: false }),
    /** Alarm settings that depend on the organisation (the "no SNS delivery" alarm); see monitoring-config.ts. */
    monitoring: v.optional(monitoringSchema, {
      silence: { enabled: true },
      dashboard: false,
      detailMetrics: false,
    }),
    /**
     * AWS X-Ray active tracing of the three functions (an HTTP API has no X-Ray: the receiver
     * starts each event's trace). Off by default: at the default sampling (1 request a second,
     * then 5%) nearly every event is two traces, the largest cost per event after DynamoDB; the
     * alarms, metrics and logs do not need it. Turn it on to investigate latency (marketplace and
     * AWS calls per record).
     */
    tracing: v.optional(v.boolean(), false),
    /** Where CloudWatch alarms are sent; omit to create the alarm topic without a subscription. */
    alarmEmail: v.optional(emailAddressSchema),
    /** Review notifications and demand alerts to a person; on by default, subscribed when `email` is set. */
    notifications: v.optional(notificationsSchema, { enabled: true }),
    /** Import an existing Secrets Manager secret ({"username","password"}) instead of creating one. */
    credentialsSecretArn: v.optional(
      v.pipe(
        v.string(),
        v.regex(
          /^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
          'must be a Secrets Manager secret ARN',
        ),
      ),
    ),
    ...workerConfigFields, // workerMaxConcurrency and workerMemoryMb (worker-config.ts)
    /**
     * Reserve concurrency for the worker (`workerMaxConcurrency`), the reconciler (1) and, with
     * ingress `function-url`, the receiver. Lambda keeps 100 of the account's executions
     * unreserved, so an account whose limit is below their sum + 100 cannot deploy with it: turn
     * it off there (the queue's maximum concurrency still caps the worker; http-api only).
     */
    reserveConcurrency: v.optional(v.boolean(), true),
    /** How SNS reaches the receiver: an HTTP API (default) or a Lambda function URL (ingress-config.ts). */
    ingress: v.optional(v.picklist(INGRESS_MODES), 'http-api'),
    /** HTTP API stage throttling (ingress `http-api` only; default `DEFAULT_API_THROTTLE`); beyond it: 429, lost. */
    apiThrottle: v.optional(apiThrottleSchema),
    /** Receiver executions reserved (ingress `function-url` only; its one bound; beyond it: 429, lost). */
    receiverReservedConcurrency: v.optional(receiverReservedConcurrencySchema),
    logRetentionDays: v.optional(v.picklist([7, 14, 30, 90, 180, 365]), 30),
    rules: rulesSchema,
  }),
  // Also when another field is bad, so every problem is reported in one go.
  v.rawCheck(({ dataset, addIssue }) => {
    const config = fieldsOf(dataset.value);
    if (config === undefined) return;
    for (const { field, message } of ingressIssues(config))
      addIssue({ message, path: pathTo(config, field) });
    const given = [config.allowedTopicArns, config.allowedTopics].filter(
      (field) => field !== undefined,
    ).length;
    if (given === 1) return;
    const message =
      given === 0
        ? 'give exactly one of allowedTopicArns (exact topic ARNs) or allowedTopics ({account, region, names?}); neither is set'
        : 'give exactly one of allowedTopicArns or allowedTopics, not both';
    addIssue({ message, path: pathTo(config, 'allowedTopicArns') });
  }),
);

export type ConnectorConfig = v.InferOutput<typeof connectorConfigSchema>;
export type MarketplaceLocation = ConnectorConfig['marketplace'];

export { ConfigError };

/** Parses a config object, throwing a ConfigError that names every bad field (and its rule's name). */
export function parseConnectorConfig(input: unknown, source = 'config'): ConnectorConfig {
  const result = v.safeParse(connectorConfigSchema, input);
  if (!result.success) {
    throw new ConfigError(`Invalid ${source}:\n${describeIssues(result.issues, ruleLabel(input))}`);
  }
  return result.output;
}

/** The ARN partition of a region accepted by the config schema. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The exact topic ARNs the receiver allows: `allowedTopicArns` as given, or `allowedTopics`
 * expanded to `arn:<partition>:sns:<region>:<account>:<namePrefix><name>` for its names (by
 * default the role's topics), de-duplicated in order.
 *
 * @throws ConfigError when neither is set (a config that did not go through the schema).
 */
export function resolveAllowedTopicArns(
  config: Pick<ConnectorConfig, 'role' | 'allowedTopicArns' | 'allowedTopics'>,
): string[] {
  if (config.allowedTopicArns !== undefined) return [...new Set(config.allowedTopicArns)];
  const topics = config.allowedTopics;
  if (topics === undefined)
    throw new ConfigError(
      'allowedTopicArns: give exactly one of allowedTopicArns or allowedTopics',
    );
  const names = topics.names ?? ROLE_TOPICS[config.role];
  const prefix = `arn:${partitionOf(topics.region)}:sns:${topics.region}:${topics.account}:${topics.namePrefix ?? ''}`;
  return [...new Set(names.map((name) => `${prefix}${name}`))];
}

/** The marketplace API base URL for a configured location. */
export function marketplaceBaseUrl(location: MarketplaceLocation): string {
  return 'baseUrl' in location
    ? location.baseUrl
    : `https://api.${location.environment}.alayamarket.${location.region}`;
}
