/**
 * The sandbox's marketplace: the simulator started for the run and the connector's organisation
 * in it (roles.ts), the connector's SNS subscriptions, and the publishing of scenario offers.
 */
import type { Role } from '../lambdas/core/config';
import { MarketplaceClient } from '../lambdas/adapters/marketplace-client';
import type { CleanupStep } from './aws-stand-ins';
import { describeOffer, short } from './outcomes';
import { type LocalReferralBus, localReferralBus } from './referral-play';
import { type ConnectorOrganization, connectorOrganization } from './roles';
import type { SandboxOptions } from './sandbox-options';
import type { ScenarioStep } from './scenario';
import {
  DEFAULT_SIGNATURE_VERSION,
  type MarketplaceSimulator,
  type NewOffer,
  type SimulatorCall,
  startSimulator,
} from './simulator/simulator';
import type { WireInboxOfferDetail } from './simulator/model';

export interface SandboxMarketplace {
  simulator: MarketplaceSimulator;
  /** The connector's organisation: its login and the topics it subscribes to. */
  connector: ConnectorOrganization;
  /** Whether the run takes referrals in (plain supply runs in once mode, not the drill). */
  referrals: boolean;
  /** The local stand-in of the referral bus. */
  bus: LocalReferralBus;
  /** A new marketplace client logged in as the connector. */
  marketplace: () => MarketplaceClient;
}

/** Starts the simulator (its stop pushed on `cleanups`) and sets up the connector's organisation. */
export async function startMarketplace(input: {
  options: SandboxOptions;
  role: Role;
  /** The contention drill is played (no referrals then). */
  drill: boolean;
  print: (line: string) => void;
  cleanups: CleanupStep[];
}): Promise<SandboxMarketplace> {
  const { options, role, print } = input;
  const simulator = await startSimulator({
    signatureVersion: options.signatureVersion ?? DEFAULT_SIGNATURE_VERSION,
    // The made-up clients (their canaries) follow the run's seed.
    seed: options.seed ?? 1,
    ...(options.verbose
      ? {
          onCall: (call: SimulatorCall) => {
            print(`marketplace: ${call.action} ${short(call.offerId)} -> ${call.status}`);
          },
        }
      : {}),
  });
  input.cleanups.push({ name: 'simulator', stop: () => simulator.stop() });
  const connector = connectorOrganization(simulator, role);
  // Plain supply runs win what they accept (auto assignment) and take the referrals in.
  const referrals = role === 'supply' && options.mode === 'once' && !input.drill;
  if (referrals) {
    simulator.setAssignment(simulator.demandOrganizationId, 'auto');
    connector.topicArns.push(simulator.inboxReferralsTopicArn);
  }
  const bus = localReferralBus(options.verbose ? print : undefined);
  const marketplace = () =>
    new MarketplaceClient({
      baseUrl: simulator.url,
      credentials: async () => connector.credentials,
    });
  return { simulator, connector, referrals, bus, marketplace };
}

/** Subscribes the receiver at `endpoint` to each of the connector's topics, a line each. */
export async function subscribeConnector(
  market: SandboxMarketplace,
  endpoint: string,
  print: (line: string) => void,
): Promise<void> {
  for (const topicArn of market.connector.topicArns) {
    await market.simulator.subscribe(topicArn, endpoint);
    print(`sandbox: subscription to ${topicArn} confirmed by the receiver`);
  }
}

/**
 * Publishes a scenario step's offers, matched to the connector's organisation alone (role both:
 * the organisation with both personas), and adds them to `published`.
 */
export function offerPublisher(input: {
  market: SandboxMarketplace;
  published: WireInboxOfferDetail[];
  print: (line: string) => void;
  verbose?: boolean;
}): (step: ScenarioStep) => void {
  const { simulator, connector } = input.market;
  return (step) => {
    const copies = step.copies ? { copies: step.copies } : {};
    const to = (offer: NewOffer): NewOffer => ({
      ...offer,
      supplyOrganizationId: connector.organizationId,
    });
    const created =
      step.kind === 'shift'
        ? simulator.addShift(step.offers.map(to), copies)
        : [simulator.addOffer(to(step.offer), copies)];
    input.published.push(...created);
    if (input.verbose) {
      for (const d of created)
        input.print(
          `offer   ${short(d.offer.id)} ${describeOffer(d)}${d.offer.shift_id ? ` (shift ${short(d.offer.shift_id)})` : ''}${step.copies ? ` (delivered ${step.copies} times)` : ''}`,
        );
    }
  };
}
