import { ConfigError } from '../core/errors';
import { secretCredentials } from '../adapters/credentials';
import { deferredReconcilerStore } from '../adapters/deferred-offer-store';
import { ENV_NAMES, requireEnv } from '../adapters/env';
import { deferredEventQueue } from '../adapters/deferred-event-queue';
import { loginReporter } from '../adapters/login-report';
import { loginMetrics, observability, onFirstMetric } from '../adapters/observability';
import { SERVICE_NAMES } from '../core/metric-names';
import { inboxPageReader } from '../adapters/marketplace/inbox-offer-entries';
import { MarketplaceTransport } from '../adapters/marketplace/transport';
import { createReconciler } from './reconciler';

/**
 * Lambda entry point for the reconciler (EventBridge schedule). Everything is built once per cold
 * start, except the store and the events queue, whose modules load on the first read and the first
 * send (adapters/deferred-offer-store.ts, deferred-event-queue.ts): a run that finds every listed
 * offer answered or too recent makes neither (offers awaiting review are read every run). The
 * store is read, and written only to mark the offers enqueued (the stack grants reads and
 * UpdateItem on offer items, nothing else).
 */

const env = requireEnv([
  ENV_NAMES.tableName,
  ENV_NAMES.queueUrl,
  ENV_NAMES.marketplaceBaseUrl,
  ENV_NAMES.credentialsSecretArn,
  ENV_NAMES.connectorRole,
]);

// The stack creates the reconciler for supply-side roles only; anything else is a wiring bug.
if (env.CONNECTOR_ROLE !== 'supply' && env.CONNECTOR_ROLE !== 'both') {
  throw new ConfigError(
    `Invalid ${ENV_NAMES.connectorRole} for the reconciler: expected supply or both`,
  );
}

// Its Metrics are built on the first metric: a normal run writes none.
const { logger, metrics } = observability(SERVICE_NAMES.reconciler);

const store = deferredReconcilerStore(env.TABLE_NAME);
// Most runs find no dropped offer and send nothing: the SQS client is built for the first send.
const queue = deferredEventQueue(env.QUEUE_URL);
const inbox = inboxPageReader(
  new MarketplaceTransport({
    baseUrl: env.MARKETPLACE_BASE_URL,
    credentials: secretCredentials(env.CREDENTIALS_SECRET_ARN),
    onLogin: loginReporter(logger, onFirstMetric(loginMetrics)),
  }),
);

export const handler = createReconciler({
  inbox,
  store,
  queue,
  logger,
  metrics,
  redecideDryRun: process.env[ENV_NAMES.redecideDryRun] === 'true',
});
