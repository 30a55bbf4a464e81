import {
  CONNECTOR_MODES,
  type ConnectorMode,
  DEMAND_ASSIGNMENT_POLICIES,
  type DemandAssignmentPolicy,
  EVENT_BUS_ARN_PATTERN,
  ROLES,
  type Role,
} from '../core/connector-values';
import { ConfigError } from '../core/errors';
import { secretCredentials } from '../adapters/credentials';
import { lambdaDocuments } from '../adapters/dynamo-documents';
import { DynamoOfferStore } from '../adapters/dynamo-offer-store';
import { DynamoAcceptCounter } from '../adapters/dynamo-accept-counter';
import { DynamoUnitStore } from '../adapters/dynamo-unit-store';
import { ENV_NAMES, requireEnv } from '../adapters/env';
import { SERVICE_NAMES } from '../core/metric-names';
import { deferredEventQueue } from '../adapters/deferred-event-queue';
import { deferredNotifier, deferredReferralPublisher } from '../adapters/deferred-publishers';
import { loginReporter } from '../adapters/login-report';
import { loginMetrics, observability, onFirstMetric } from '../adapters/observability';
import { demandOfferApi } from '../adapters/marketplace/demand-offers';
import { inboxOfferApi } from '../adapters/marketplace/inbox-offers';
import { referralAckApi } from '../adapters/marketplace/referral-acks';
import { MarketplaceTransport } from '../adapters/marketplace/transport';
import { checkedLinks } from '../adapters/notification-message';
import { identityOf, signedObjectReader } from '../adapters/s3-object-reader';
import { s3RulesSource } from '../adapters/s3-rules-source';
import { MAX_RULES_BYTES } from '../core/rules-document';
import { rulesReporter } from './rules-report';
import { WORKER_CLIENT, WORKER_TIMING } from './timing';
import { createWorker } from './worker';
import type { Notifier, ReferralEventPublisher } from '../core/ports';

/**
 * Lambda entry point for the worker (SQS event source, partial batch responses). Everything is
 * built once per execution environment: at the cold start, except the clients most invocations
 * never call (retry queue, review topic, referral bus), which are built on their first use
 * (adapters/deferred-event-queue.ts, deferred-publishers.ts). Bad configuration, theirs included,
 * fails the cold start with a named error.
 */

const {
  tableName,
  queueUrl,
  marketplaceBaseUrl,
  credentialsSecretArn,
  rulesBucket,
  rulesObjectKey,
  connectorRole,
  demandAssignment: demandAssignmentName,
  connectorMode,
} = ENV_NAMES;
const env = requireEnv([
  tableName,
  queueUrl,
  marketplaceBaseUrl,
  credentialsSecretArn,
  rulesBucket,
  rulesObjectKey,
  connectorRole,
]);

function parseRole(value: string): Role {
  const role = ROLES.find((candidate) => candidate === value);
  if (role === undefined)
    throw new ConfigError(`Invalid ${connectorRole}: expected one of ${ROLES.join(', ')}`);
  return role;
}

/** DEMAND_ASSIGNMENT is optional: a stack deployed before it existed keeps `none`. */
function parseDemandAssignment(value: string | undefined): DemandAssignmentPolicy {
  if (value === undefined || value === '') return 'none';
  const policy = DEMAND_ASSIGNMENT_POLICIES.find((candidate) => candidate === value);
  if (policy === undefined)
    throw new ConfigError(
      `Invalid ${demandAssignmentName}: expected one of ${DEMAND_ASSIGNMENT_POLICIES.join(', ')}`,
    );
  return policy;
}

/** CONNECTOR_MODE is optional: absent means `live`, as for a stack deployed before it existed. */
function parseMode(value: string | undefined): ConnectorMode {
  if (value === undefined || value === '') return 'live';
  const mode = CONNECTOR_MODES.find((candidate) => candidate === value);
  if (mode === undefined)
    throw new ConfigError(
      `Invalid ${connectorMode}: expected one of ${CONNECTOR_MODES.join(', ')}`,
    );
  return mode;
}

const dryRun = parseMode(process.env[connectorMode]) === 'dry-run';
const redecideDryRun = process.env[ENV_NAMES.redecideDryRun] === 'true';
const role = parseRole(env[connectorRole]);
const demandAssignment = parseDemandAssignment(process.env[demandAssignmentName]);

// Its Metrics are built on the first metric: a normal event writes none.
const { logger, metrics } = observability(SERVICE_NAMES.worker);

// One client for the three stores, its middleware resolved once per command kind
// (adapters/dynamo-documents.ts).
const documents = lambdaDocuments();
const store = new DynamoOfferStore(documents, env[tableName]);
const units = new DynamoUnitStore(documents, env[tableName]);
const counter = new DynamoAcceptCounter(documents, env[tableName]);
// The timing (guard, leases, action budget) is derived from exactly this timeout and policy.
const transport = new MarketplaceTransport({
  baseUrl: env[marketplaceBaseUrl],
  credentials: secretCredentials(env[credentialsSecretArn]),
  timeoutMs: WORKER_CLIENT.timeoutMs,
  retry: WORKER_CLIENT.retry,
  onLogin: loginReporter(logger, onFirstMetric(loginMetrics)),
});
// Only the resource modules the worker calls: its bundle carries nothing else of the API.
const marketplace = inboxOfferApi(transport);
// The rules live in S3 so they can change without a deploy: read at most once a minute, validated,
// the last good version kept when a new one is invalid (core/rules-cache.ts). A signed GET with
// the DynamoDB client's region and credentials, not an S3 client (adapters/s3-object-reader.ts).
// Short timeouts and one retry: a decision waits on this read once a minute, within the AWS calls'
// allowance (timing.ts), and a failed read costs little while the last good version is kept.
const rules = s3RulesSource(
  signedObjectReader({
    ...identityOf(documents.client),
    timeoutMs: 2_000,
    maxBodyBytes: MAX_RULES_BYTES,
  }),
  { bucket: env[rulesBucket], key: env[rulesObjectKey] },
  { report: rulesReporter(logger, metrics) },
);
// The queue this function consumes: failed records get a short visibility, out-of-time ones a copy.
// Most invocations hand nothing back, so its client is built on the first hand-back, not at start.
const retry = deferredEventQueue(env[queueUrl]);

/** The review topic, when the stack has one (`notifications.enabled`); link templates are optional. */
function notifierFromEnv(): Notifier | undefined {
  const topicArn = process.env[ENV_NAMES.notificationTopicArn];
  if (topicArn === undefined || topicArn === '') return undefined;
  const template = (name: string) => (process.env[name] === '' ? undefined : process.env[name]);
  const offerUrl = template(ENV_NAMES.offerUrlTemplate);
  const outboxOfferUrl = template(ENV_NAMES.outboxOfferUrlTemplate);
  // The templates are checked now, so a bad one fails the cold start; only offers that need a
  // person are published, so the SNS client is built for the first one.
  const links = checkedLinks({
    ...(offerUrl !== undefined ? { offerUrl } : {}),
    ...(outboxOfferUrl !== undefined ? { outboxOfferUrl } : {}),
  });
  return deferredNotifier(topicArn, links);
}
const notifier = notifierFromEnv();

/** REFERRAL_EVENT_BUS_ARN, when the stack forwards won referrals (`referrals.eventBusArn`). */
function referralPublisherFromEnv(): ReferralEventPublisher | undefined {
  const busArn = process.env[ENV_NAMES.referralEventBusArn];
  if (busArn === undefined || busArn === '') return undefined;
  if (!EVENT_BUS_ARN_PATTERN.test(busArn))
    throw new ConfigError(
      `Invalid ${ENV_NAMES.referralEventBusArn}: must be an EventBridge event bus ARN`,
    );
  // Only won referrals are published: the EventBridge client is built for the first one.
  return deferredReferralPublisher(busArn);
}
const referralPublisher = referralPublisherFromEnv();

export const handler = createWorker({
  marketplace,
  store,
  units,
  counter,
  dryRun,
  redecideDryRun,
  rules,
  role,
  demandAssignment,
  demandMarketplace: demandOfferApi(transport),
  ...(notifier !== undefined ? { notifier } : {}),
  referralMarketplace: referralAckApi(transport),
  markReferralsProcessed: process.env[ENV_NAMES.referralsMarkProcessed] === 'true',
  ...(referralPublisher !== undefined ? { referralPublisher } : {}),
  logger,
  metrics,
  retry,
  timing: WORKER_TIMING,
});
