import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigError, DEMAND_ASSIGNMENT_POLICIES, type DemandAssignmentPolicy, parseRules, ROLES, type Role } from '../core/config';
import { secretCredentials } from '../adapters/credentials';
import { DynamoOfferStore } from '../adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../adapters/dynamo-unit-store';
import { requireEnv } from '../adapters/env';
import { MarketplaceClient } from '../adapters/marketplace-client';
import { createWorker } from './worker';

/**
 * Lambda entry point for the worker (SQS event source, partial batch responses). Everything is
 * built once per cold start; bad configuration fails the first invocation with a named error.
 */

const env = requireEnv(['TABLE_NAME', 'MARKETPLACE_BASE_URL', 'CREDENTIALS_SECRET_ARN', 'RULES_JSON', 'CONNECTOR_ROLE']);

function parseRole(value: string): Role {
  const role = ROLES.find((candidate) => candidate === value);
  if (role === undefined) throw new ConfigError(`Invalid CONNECTOR_ROLE: expected one of ${ROLES.join(', ')}`);
  return role;
}

/** DEMAND_ASSIGNMENT is optional: a stack deployed before it existed keeps `none`. */
function parseDemandAssignment(value: string | undefined): DemandAssignmentPolicy {
  if (value === undefined || value === '') return 'none';
  const policy = DEMAND_ASSIGNMENT_POLICIES.find((candidate) => candidate === value);
  if (policy === undefined) throw new ConfigError(`Invalid DEMAND_ASSIGNMENT: expected one of ${DEMAND_ASSIGNMENT_POLICIES.join(', ')}`);
  return policy;
}

const rules = parseRules(env.RULES_JSON);
const role = parseRole(env.CONNECTOR_ROLE);
const demandAssignment = parseDemandAssignment(process.env.DEMAND_ASSIGNMENT);

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'worker' });
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'AlayaCareConnector',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'worker',
});

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const store = new DynamoOfferStore(documents, env.TABLE_NAME);
const units = new DynamoUnitStore(documents, env.TABLE_NAME);
const marketplace = new MarketplaceClient({
  baseUrl: env.MARKETPLACE_BASE_URL,
  credentials: secretCredentials(env.CREDENTIALS_SECRET_ARN),
});

export const handler = createWorker({ marketplace, store, units, rules, role, demandAssignment, demandMarketplace: marketplace, logger, metrics });
