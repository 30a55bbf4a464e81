/**
 * Plays the demand scenario (demand-scenario.ts) against the simulator: adds its supplier
 * organisations, posts the outbox offers on the connector organisation's behalf, lets the
 * suppliers answer round by round, prints each assignment the connector records, and waits until
 * nothing is left for the connector to do. What became of each offer is judged afterwards from
 * the marketplace's side (demand-outcomes.ts).
 */
import type { OfferStore } from '../lambdas/core/ports';
import { DEMAND_SUPPLIERS, type DemandStep, type SupplierKey } from './demand-scenario';
import { errorMessage } from './http-util';
import { short } from './outcomes';
import type { MarketplaceSimulator, SimulatorOrganization } from './simulator/simulator';
import type { WireOutboxOfferDetail } from './simulator/model';
import { sleep, waitUntil } from './timing';

/** One outbox offer as posted: ids and the words the story uses (no client data). */
export interface PostedOutboxOffer {
  offerId: string;
  shiftId?: string;
  /** `care/type city`, as the supply side's lines name offers. */
  label: string;
}

type Simulator = Pick<
  MarketplaceSimulator,
  | 'postOffer'
  | 'postShift'
  | 'respondAs'
  | 'organizations'
  | 'addOrganization'
  | 'supplyOrganizationId'
>;

/** Pause between answer rounds, so the connector handles one round's events as the next arrives. */
export const ROUND_INTERVAL_MS = 400;

export const outboxLabel = (d: WireOutboxOfferDetail) =>
  `${d.offer.care_type}/${d.offer.offer_type} ${d.client.address.city}`;

/** The scenario's suppliers: the simulator's seeded supply organisation as A, B and C added. */
export function addScenarioSuppliers(
  simulator: Simulator,
): Record<SupplierKey, SimulatorOrganization> {
  const seeded = simulator
    .organizations()
    .find((o) => o.organizationId === simulator.supplyOrganizationId);
  if (!seeded) throw new Error('the simulator has no seeded supply organisation');
  const add = (key: 'B' | 'C') =>
    simulator.addOrganization({
      kind: 'supply',
      name: DEMAND_SUPPLIERS[key].name ?? key,
      careTypes: [...DEMAND_SUPPLIERS[key].careTypes],
    });
  return { A: seeded, B: add('B'), C: add('C') };
}

/**
 * Posts every step's offers for `demandOrganizationId` at once, then plays the answer rounds
 * `ROUND_INTERVAL_MS` apart. An answer the marketplace refuses (the offer assigned or expired
 * meanwhile) is printed and skipped: the scenario never needs one, so the judge will show why.
 */
export async function playDemandScenario(input: {
  simulator: Simulator;
  demandOrganizationId: string;
  steps: readonly DemandStep[];
  print: (line: string) => void;
  verbose?: boolean;
  signal?: AbortSignal;
}): Promise<PostedOutboxOffer[]> {
  const { simulator, print } = input;
  const suppliers = addScenarioSuppliers(simulator);
  const posted = input.steps.map((step) => {
    const details =
      step.offers.length > 1
        ? simulator.postShift(input.demandOrganizationId, step.offers)
        : [simulator.postOffer(input.demandOrganizationId, step.offers[0])];
    return details.map((d): PostedOutboxOffer => ({
      offerId: d.offer.id,
      ...(d.offer.shift_id ? { shiftId: d.offer.shift_id } : {}),
      label: outboxLabel(d),
    }));
  });
  const offers = posted.flat();
  print(
    `sandbox: ${offers.length} outbox offers posted for the connector's organisation; the simulator's suppliers answer`,
  );
  if (input.verbose) {
    for (const o of offers)
      print(
        `posted  ${short(o.offerId)} ${o.label}${o.shiftId ? ` (shift ${short(o.shiftId)})` : ''}`,
      );
  }

  const rounds = Math.max(0, ...input.steps.map((s) => s.rounds.length));
  for (let round = 0; round < rounds && !input.signal?.aborted; round++) {
    if (round > 0) await sleep(ROUND_INTERVAL_MS, input.signal);
    input.steps.forEach((step, index) => {
      const first = posted[index][0];
      for (const answer of step.rounds[round] ?? []) {
        const supplier = suppliers[answer.supplier];
        try {
          simulator.respondAs(
            supplier.organizationId,
            first.offerId,
            answer.action,
            answer.copies ? { copies: answer.copies } : {},
          );
          if (input.verbose)
            print(
              `answer  ${short(first.offerId)} ${first.label}: ${supplier.name} ${answer.action}s${answer.copies ? ` (delivered ${answer.copies} times)` : ''}`,
            );
        } catch (error: unknown) {
          print(
            `sandbox: ${supplier.name} could not ${answer.action} ${short(first.offerId)}: ${errorMessage(error)}`,
          );
        }
      }
    });
  }
  return offers;
}

/**
 * Watches the connector's store for applied assignments, printing one `assigned ...` line per
 * offer the first time it sees one (the supplier's organisation name, no client data). One assign
 * call assigns a whole shift: another offer of it counts once the marketplace shows it assigned,
 * an offer of its shift has an applied assignment, and the connector has handled it (a record
 * with no assignment still pending), printed `(with its shift)`.
 */
export class AssignmentWatch {
  private readonly applied = new Set<string>();

  constructor(
    private readonly store: Pick<OfferStore, 'getOffer'>,
    private readonly simulator: Pick<MarketplaceSimulator, 'getOutboxOffer'>,
    private readonly print: (line: string) => void,
  ) {}

  /** Whether the offer's applied assignment has been seen. */
  has(offerId: string): boolean {
    return this.applied.has(offerId);
  }

  async poll(offers: readonly PostedOutboxOffer[]): Promise<void> {
    const appliedShifts = new Set<string>();
    for (const o of offers)
      if (o.shiftId !== undefined && this.applied.has(o.offerId)) appliedShifts.add(o.shiftId);
    for (const o of offers.filter((x) => !this.applied.has(x.offerId))) {
      const record = await this.store.getOffer(o.offerId);
      if (record === undefined) continue;
      const shift = o.shiftId ? ` [shift ${short(o.shiftId)}]` : '';
      const detail = this.simulator.getOutboxOffer(o.offerId);
      const supplier = detail?.supply?.name ?? 'an unknown supplier';
      if (record.assignment?.state === 'applied') {
        this.applied.add(o.offerId);
        if (o.shiftId !== undefined) appliedShifts.add(o.shiftId);
        this.print(
          `assigned ${short(o.offerId)} ${o.label} -> ${supplier} (match ${short(record.assignment.matchId)})${shift}`,
        );
      } else if (
        record.assignment === undefined &&
        detail?.offer.status === 'assigned' &&
        o.shiftId !== undefined &&
        appliedShifts.has(o.shiftId)
      ) {
        this.applied.add(o.offerId);
        this.print(
          `assigned ${short(o.offerId)} ${o.label} -> ${supplier} (with its shift)${shift}`,
        );
      }
    }
  }
}

/**
 * Whether the connector has nothing left to do for an offer, read at the marketplace and in the
 * store: not open with an accepted match still waiting to be assigned, not open and due to expire
 * before `deadline` (the run waits to see it expire), and, once assigned, its assignment recorded
 * applied.
 */
export function demandOfferSettled(
  simulator: Pick<MarketplaceSimulator, 'getOutboxOffer' | 'outboxMatches'>,
  offerId: string,
  assignmentRecorded: boolean,
  deadline: number,
): boolean {
  const detail = simulator.getOutboxOffer(offerId);
  if (!detail) return true;
  if (detail.offer.status === 'assigned') return assignmentRecorded;
  if (detail.offer.status !== 'open') return true;
  const waitingToBeAssigned = simulator
    .outboxMatches(offerId)
    .some((m) => m.match.response === 'accepted' && m.match.status === 'open');
  return !waitingToBeAssigned && Date.parse(detail.offer.expires_at) > deadline;
}

/**
 * Waits until every posted offer is settled (demandOfferSettled) and the queue is drained, the
 * time limit passes or the signal aborts; prints the assignments as they are recorded.
 */
export async function waitForDemand(input: {
  simulator: Pick<MarketplaceSimulator, 'getOutboxOffer' | 'outboxMatches'>;
  watch: AssignmentWatch;
  offers: readonly PostedOutboxOffer[];
  drained: () => Promise<boolean>;
  print: (line: string) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<void> {
  const timeoutMs = input.timeoutMs ?? 60000;
  const deadline = Date.now() + timeoutMs;
  const settled = await waitUntil(
    async () => {
      await input.watch.poll(input.offers);
      const open = input.offers.filter(
        (o) =>
          !demandOfferSettled(input.simulator, o.offerId, input.watch.has(o.offerId), deadline),
      );
      return open.length === 0 && (await input.drained());
    },
    timeoutMs,
    input.signal,
  );
  if (!settled) input.print('sandbox: time limit reached before every outbox offer was settled');
}
