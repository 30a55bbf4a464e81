import { chooseAssignment } from './demand-assignment';
import type { MarketplaceEvent } from './events';
import type {
  LastEvent,
  MarketplaceDemandApi,
  OfferRecord,
  OfferStore,
  RecordedAssignment,
} from './ports';

/**
 * Demand side: `OfferAccepted` on our outbox offer, assigned by the policy when the organisation
 * assigns manually. The assignment is recorded `intended` before the assign call and `applied`
 * after it. Two different OfferAccepted events for one offer choose the same match (the choice is
 * deterministic), and the client's assign verifies a lost answer, so neither doubles it.
 */

export type AssignOutcome =
  'assigned' | 'recovered' | 'already-assigned' | 'not-actionable' | 'recorded';

export interface AssignResult {
  outcome: AssignOutcome;
  /** The assignment applied or confirmed applied now. */
  assignment?: { matchId: string };
  /** Dry run: recorded as applied with `dryRun`, no assign call made. */
  dryRun?: boolean;
}

export async function assignAcceptedOffer(
  deps: {
    api: MarketplaceDemandApi;
    store: OfferStore;
    policy: RecordedAssignment['policy'];
    dryRun?: boolean;
  },
  event: MarketplaceEvent,
  offerId: string,
  at: Date,
  lastEventOf: (existing: OfferRecord | undefined) => LastEvent,
): Promise<AssignResult> {
  const { api, store, policy } = deps;
  const existing = await store.getOffer(offerId);
  const facts = { offerId, ...lastEventOf(existing), updatedAt: at.toISOString() };

  if (existing?.assignment?.state === 'applied') {
    await store.recordOfferFacts(facts);
    return { outcome: 'already-assigned' };
  }
  // With `auto` the marketplace assigns by itself and refuses assign calls.
  if ((await api.getAssignmentSetting()) !== 'manual') {
    await store.recordOfferFacts(facts);
    return { outcome: 'recorded' };
  }

  const intended = existing?.assignment?.state === 'intended' ? existing.assignment : undefined;
  const status = await api.getOutboxOfferStatus(offerId);
  if (status !== 'open') {
    // Assigned (by us before a crash, or by a person), closed or expired: nothing to do but
    // confirm an assignment an earlier attempt made and could not record, if the match the
    // marketplace shows assigned is the one we intended.
    const ours =
      intended !== undefined && status === 'assigned'
        ? (await api.listAcceptedMatches(offerId)).some(
            (match) => match.id === intended.matchId && match.status === 'assigned',
          )
        : false;
    if (intended !== undefined && ours) {
      await store.recordOfferFacts({ ...facts, assignment: { ...intended, state: 'applied' } });
      return { outcome: 'not-actionable', assignment: { matchId: intended.matchId } };
    }
    await store.recordOfferFacts(facts);
    return { outcome: 'not-actionable' };
  }

  let recorded: RecordedAssignment;
  if (intended !== undefined) {
    recorded = intended;
  } else {
    const chosen = chooseAssignment(policy, await api.listAcceptedMatches(offerId));
    if (chosen === undefined) {
      await store.recordOfferFacts(facts);
      return { outcome: 'not-actionable' };
    }
    recorded = {
      matchId: chosen.id,
      policy,
      state: 'intended',
      eventId: event.event_id,
      decidedAt: at.toISOString(),
      ...(deps.dryRun === true ? { dryRun: true } : {}),
    };
    await store.recordOfferFacts({ ...facts, assignment: recorded });
  }
  if (recorded.dryRun === true) {
    await store.recordOfferFacts({ ...facts, assignment: { ...recorded, state: 'applied' } });
    return { outcome: 'assigned', assignment: { matchId: recorded.matchId }, dryRun: true };
  }
  await api.assignOutboxOffer(offerId, recorded.matchId);
  await store.recordOfferFacts({ ...facts, assignment: { ...recorded, state: 'applied' } });
  return {
    outcome: intended === undefined ? 'assigned' : 'recovered',
    assignment: { matchId: recorded.matchId },
  };
}
