/**
 * Who the connector is in a sandbox run, by role: the marketplace organisation it logs in as and
 * the topics it subscribes to (and its receiver allows), and how the run's summary line reads.
 *
 * - supply: the simulator's seeded supply organisation; topic `inbox-offers`.
 * - demand: the seeded demand organisation (offer assignment `manual`); topic `outbox-offers`.
 * - both: an organisation added with both personas (one login); its own `inbox-offers-<id>` and
 *   `outbox-offers-<id>` topics.
 */
import type { Role } from '../lambdas/core/config';
import type { DemandReport } from './demand-outcomes';
import type { OutcomeReport } from './outcomes';
import type { MarketplaceSimulator } from './simulator/simulator';

export const SANDBOX_ROLES: readonly Role[] = ['supply', 'demand', 'both'];

export interface ConnectorOrganization {
  role: Role;
  organizationId: string;
  credentials: { username: string; password: string };
  /** Its `inbox-offers` topic (roles supply and both). */
  inboxTopicArn?: string;
  /** Its `outbox-offers` topic (roles demand and both). */
  outboxTopicArn?: string;
  /** What the connector subscribes to and allows, inbox first. */
  topicArns: string[];
}

/** The name of the organisation with both personas the `both` run adds. */
export const BOTH_ORGANIZATION_NAME = 'Riverside Home Care';

/** Picks (for `both`: adds) the organisation the connector acts for. */
export function connectorOrganization(
  simulator: Pick<
    MarketplaceSimulator,
    | 'credentials'
    | 'supplyOrganizationId'
    | 'inboxOffersTopicArn'
    | 'demandCredentials'
    | 'demandOrganizationId'
    | 'outboxOffersTopicArn'
    | 'addOrganization'
    | 'topicArn'
  >,
  role: Role,
): ConnectorOrganization {
  if (role === 'supply') {
    const inbox = simulator.inboxOffersTopicArn;
    return {
      role,
      organizationId: simulator.supplyOrganizationId,
      credentials: simulator.credentials,
      inboxTopicArn: inbox,
      topicArns: [inbox],
    };
  }
  if (role === 'demand') {
    const outbox = simulator.outboxOffersTopicArn;
    return {
      role,
      organizationId: simulator.demandOrganizationId,
      credentials: simulator.demandCredentials,
      outboxTopicArn: outbox,
      topicArns: [outbox],
    };
  }
  const org = simulator.addOrganization({
    kind: 'both',
    name: BOTH_ORGANIZATION_NAME,
    assignment: 'manual',
  });
  const inbox = simulator.topicArn('inbox-offers', org.organizationId);
  const outbox = simulator.topicArn('outbox-offers', org.organizationId);
  return {
    role,
    organizationId: org.organizationId,
    credentials: { username: org.username, password: org.password },
    inboxTopicArn: inbox,
    outboxTopicArn: outbox,
    topicArns: [inbox, outbox],
  };
}

const SANDBOX_PREFIX = 'sandbox: ';

/** A report's summary without its `sandbox: ` prefix. */
function countsOf(summary: string): string {
  return summary.startsWith(SANDBOX_PREFIX) ? summary.slice(SANDBOX_PREFIX.length) : summary;
}

export interface RoleRunVerdict {
  summary: string;
  ok: boolean;
  problems: string[];
  notes: string[];
}

/**
 * The `both` run's verdict: one summary line, `sandbox: supply <supply counts>; demand <demand
 * counts>`, ok only when neither side lost anything or found a problem. A problem both sides
 * report (the dead-letter queue is shared) is said once.
 */
export function bothVerdict(supply: OutcomeReport, demand: DemandReport): RoleRunVerdict {
  return {
    summary: `${SANDBOX_PREFIX}supply ${countsOf(supply.summary)}; demand ${demand.counts}`,
    ok: supply.ok && demand.ok,
    problems: [...new Set([...supply.problems, ...demand.problems])],
    notes: [...new Set([...supply.notes, ...demand.notes])],
  };
}
