/**
 * The simulator's organisations: their personas (personas.ts), the care types a supply persona
 * provides, a demand persona's assignment setting and trusted network, and who an offer is
 * matched to.
 *
 * Matching (organizations API: care types, trusted networks; offers API:
 * `direct_supply_persona_ids`): an offer is matched to every supply persona that provides its
 * care type, is in the demand persona's trusted network, and is named by the offer's
 * `direct_supply_persona_ids` when it has them; never to the poster itself (an organisation with
 * both personas). A demand persona whose trusted network was never set trusts every supply
 * persona: the simulator's reading, as if each supplier had joined each demand's network at
 * sign-up (`trusted_demand_personas`); setting it (`POST .../demand_persona/trusted_network`)
 * narrows matching to the personas named.
 */
import { SimulatorApiError } from './api-error';
import type { CareType, OfferAssignment } from './model';
import { hasPersona, type OrganizationKind } from './personas';

export interface Organization {
  id: string;
  name: string;
  /** Its personas: supply, demand, or both (one login, an inbox and an outbox). */
  kind: OrganizationKind;
  /** Supply: the care it provides (offers are matched on it). */
  careTypes: CareType[];
  /** Demand: how its offers are assigned. */
  assignment: OfferAssignment;
  /** Demand: the supply personas it trusts; undefined: every supply persona (never set). */
  trustedSupplyIds?: string[];
  host: string;
  source: string;
}

export type OrganizationInput = Partial<Organization> & Pick<Organization, 'id' | 'kind' | 'name'>;

export class OrganizationRegistry {
  private readonly byId = new Map<string, Organization>();

  add(input: OrganizationInput): Organization {
    const slug =
      input.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 'org';
    const org: Organization = {
      careTypes: ['psw', 'nursing'],
      assignment: 'manual',
      host: `https://${slug}.example.test`,
      source: 'simulator',
      ...input,
    };
    this.byId.set(org.id, org);
    return copy(org);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** A copy of the organisation, or undefined. */
  get(id: string): Organization | undefined {
    const org = this.byId.get(id);
    return org ? copy(org) : undefined;
  }

  /** The organisation as a demand persona (403 if it holds none). */
  demand(id: string): Organization {
    const org = this.byId.get(id);
    if (!org || !hasPersona(org.kind, 'demand'))
      throw new SimulatorApiError(403, 'Organization is not a demand organization');
    return org;
  }

  /** The organisation as a supply persona (403 if it holds none). */
  supply(id: string): Organization {
    const org = this.byId.get(id);
    if (!org || !hasPersona(org.kind, 'supply'))
      throw new SimulatorApiError(403, 'Organization is not a supply organization');
    return org;
  }

  /** Name, source and host, as referral events name their parties; undefined if unknown. */
  party(id: string): { name: string; source: string; host: string } | undefined {
    const org = this.byId.get(id);
    return org ? { name: org.name, source: org.source, host: org.host } : undefined;
  }

  /** The supply personas a demand persona trusts, by id and name (all of them when never set). */
  trustedSupply(demandId: string): Array<{ id: string; name: string }> {
    return this.trustedSupplyOf(demandId).map((o) => ({ id: o.id, name: o.name }));
  }

  /** Replaces a demand persona's trusted network (400 if an id is not a supply persona). */
  setTrustedNetwork(demandId: string, supplyIds: readonly string[]): void {
    const demand = this.demand(demandId);
    const unknown = supplyIds.filter((id) => !hasPersona(this.byId.get(id)?.kind, 'supply'));
    if (unknown.length > 0)
      throw new SimulatorApiError(
        400,
        'Invalid request body',
        `[supply_persona_ids: not supply personas (${JSON.stringify(unknown)})]`,
      );
    demand.trustedSupplyIds = [...new Set(supplyIds)];
  }

  /** Every supply persona an offer of `demandId` with this care type is matched to (see above). */
  matchable(demandId: string, careType: CareType, directIds?: readonly string[]): Organization[] {
    return this.trustedSupplyOf(demandId).filter(
      (o) =>
        o.careTypes.includes(careType) && (directIds === undefined || directIds.includes(o.id)),
    );
  }

  /** The supply personas other than `demandId` in its trusted network (all when never set). */
  private trustedSupplyOf(demandId: string): Organization[] {
    const trusted = this.demand(demandId).trustedSupplyIds;
    return [...this.byId.values()].filter(
      (o) =>
        hasPersona(o.kind, 'supply') &&
        o.id !== demandId &&
        (trusted === undefined || trusted.includes(o.id)),
    );
  }
}

function copy(org: Organization): Organization {
  return {
    ...org,
    careTypes: [...org.careTypes],
    ...(org.trustedSupplyIds ? { trustedSupplyIds: [...org.trustedSupplyIds] } : {}),
  };
}
