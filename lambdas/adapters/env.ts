/**
 * Environment variables are read once, at cold start, through this helper, so a missing one
 * fails the first invocation with a message that names it instead of misbehaving later.
 */

/**
 * Names of the variables the CDK app sets (lib/connector-function.ts, lib/app-stack.ts) and the
 * handlers read, so the two sides cannot spell one differently.
 */
export const ENV_NAMES = {
  /** Read by Powertools and by adapters/observability.ts: the `service` of logs and metrics. */
  powertoolsServiceName: 'POWERTOOLS_SERVICE_NAME',
  powertoolsMetricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  powertoolsLogLevel: 'POWERTOOLS_LOG_LEVEL',
  /** `true`: publish the detail metrics (config monitoring.detailMetrics); absent or else: not. */
  detailMetrics: 'DETAIL_METRICS',
  tableName: 'TABLE_NAME',
  queueUrl: 'QUEUE_URL',
  credentialsSecretArn: 'CREDENTIALS_SECRET_ARN',
  marketplaceBaseUrl: 'MARKETPLACE_BASE_URL',
  /** The rules object (lib/rules-store.ts); the rules themselves never travel in the environment. */
  rulesBucket: 'RULES_BUCKET',
  rulesObjectKey: 'RULES_OBJECT_KEY',
  connectorRole: 'CONNECTOR_ROLE',
  demandAssignment: 'DEMAND_ASSIGNMENT',
  /** `dry-run` to decide without answering; absent or `live` to answer. */
  connectorMode: 'CONNECTOR_MODE',
  /** `true`: a live connector decides again what was decided in a dry run (config redecideDryRun). */
  redecideDryRun: 'REDECIDE_DRY_RUN',
  /** The review notification topic; unset: notifications are off (none are sent). */
  notificationTopicArn: 'NOTIFICATION_TOPIC_ARN',
  /** The offer link templates (optional, see `offerUrlTemplateSchema`). */
  offerUrlTemplate: 'OFFER_URL_TEMPLATE',
  outboxOfferUrlTemplate: 'OUTBOX_OFFER_URL_TEMPLATE',
  /** `true`: won referrals are marked processed (config referrals.markProcessed); absent: not. */
  referralsMarkProcessed: 'REFERRALS_MARK_PROCESSED',
  /** The bus `ReferralReceived` is put on (config referrals.eventBusArn); unset: not forwarded. */
  referralEventBusArn: 'REFERRAL_EVENT_BUS_ARN',
  /** The receiver's topic allowlist, comma-separated. */
  allowedTopicArns: 'ALLOWED_TOPIC_ARNS',
  /** The receiver: `true` refuses SignatureVersion 1; `false` or unset accepts both. */
  requireSignatureVersion2: 'REQUIRE_SIGNATURE_VERSION_2',
  /** The receiver's shared-secret (endpoint password) secret, when the stack created one. */
  sharedSecretArn: 'SHARED_SECRET_ARN',
} as const;

export class MissingEnvironmentError extends Error {
  override readonly name = 'MissingEnvironmentError';
}

/** Returns the value of each named variable, throwing once for all that are missing or empty. */
export function requireEnv<const K extends string>(
  names: readonly K[],
  env: NodeJS.ProcessEnv = process.env,
): Record<K, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new MissingEnvironmentError(`Missing environment variable(s): ${missing.join(', ')}`);
  }
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<K, string>;
}
