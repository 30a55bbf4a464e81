import type { DemandAssignmentPolicy, Role, Rules } from './config';
import { chooseAssignment } from './demand-assignment';
import { marketplaceEventSchema, type MarketplaceEvent, type QueuedEvent } from './events';
import type {
  Decision,
  InboxOffer,
  MarketplaceApi,
  MarketplaceDemandApi,
  MatchResponse,
  OfferRecord,
  OfferStore,
  RecordedAssignment,
  RecordedDecision,
} from './ports';
import { RetryLaterError } from './errors';
import { parseJsonWith } from './parse-json';
import { evaluateRules } from './rules';

/**
 * The worker's use case: one marketplace event, taken from the queue, acted on at most once.
 *
 * Safety rests on two records in the store. The event claim (`claimEvent`) makes a redelivered
 * event a no-op. The offer's decision is written as `intended` before the marketplace call and
 * `applied` after it, so a crash between the two is repaired by the next delivery re-applying the
 * same decision instead of deciding again.
 *
 * Demand side (`OfferAccepted` on our outbox offer, with an assignment policy): the same pattern
 * for the assignment, which is recorded as `intended` before the assign call and `applied` after.
 */

/**
 * How long a claim keeps other invocations off an event. It must outlast one invocation (the
 * worker's Lambda timeout) so a slow run is never doubled, and stay under the queue's visibility
 * timeout so the retry after a crash (which cannot release) finds the lease expired.
 */
export const DEFAULT_LEASE_MS = 5 * 60 * 1000;

export const OFFER_EVENT_SOURCE = 'alayamarket.offers';

/** The queued message is not a marketplace event. Retrying will not help: it ends in the DLQ. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

/** Another invocation holds the event's claim; the record is retried soon. */
export class EventBusyError extends RetryLaterError {
  override readonly name = 'EventBusyError';
}

export type EventOutcome =
  /** The event was processed before: acknowledged, nothing done. */
  | 'duplicate'
  /** Rules were evaluated and the decision applied (`review`: recorded, no marketplace call). */
  | 'decided'
  /** A decision left `intended` by an earlier attempt was applied. */
  | 'recovered'
  /** The offer already has an applied decision. */
  | 'already-decided'
  /** The match is no longer pending or open: nothing to act on. */
  | 'not-actionable'
  /** Demand side: the offer was assigned to the match the policy chose. */
  | 'assigned'
  /** Demand side: the offer already has an applied assignment. */
  | 'already-assigned'
  /** Any other event: its name recorded on the offer (if it names one) and acknowledged. */
  | 'recorded';

export interface ProcessResult {
  outcome: EventOutcome;
  eventId: string;
  eventName: string;
  offerId?: string;
  /**
   * The decision this processing applied or confirmed as applied, so the caller counts it once;
   * absent when nothing was decided now.
   */
  decision?: Decision;
  /** Demand side: the assignment this processing applied or confirmed as applied. */
  assignment?: { matchId: string };
}

export interface EventProcessorDeps {
  marketplace: MarketplaceApi;
  store: OfferStore;
  rules: Rules;
  role: Role;
  /** Demand side: how `OfferAccepted` is acted on (default `none`: only recorded). */
  demandAssignment?: DemandAssignmentPolicy;
  /** Required when `demandAssignment` is not `none` and the role takes part in demand. */
  demandMarketplace?: MarketplaceDemandApi;
  now?: () => Date;
  /** How long an event's claim keeps other invocations off it (see the worker's timing). */
  leaseMs?: number;
  /** How long a decision unit's lease lasts; longer than one worker invocation can run. */
  decisionLeaseMs?: number;
  /**
   * The longest an accept/decline call can take (the client's worst case with its retries and
   * state checks): the processor sends one only with at least this much left on its unit lease and
   * in the invocation (`remainingMs`), and otherwise hands the record back (OutOfTimeError).
   */
  actionBudgetMs?: number;
}

/** Per-call context: what the invocation has left, when known. */
export interface ProcessOptions {
  /** Milliseconds left in the current invocation (the Lambda context's getRemainingTimeInMillis). */
  remainingMs?: () => number;
}

export interface EventProcessor {
  /** Parses the queued message and processes it. */
  process(queued: QueuedEvent, options?: ProcessOptions): Promise<ProcessResult>;
  /** Processes an already parsed event (see {@link parseMarketplaceMessage}). */
  processEvent(event: MarketplaceEvent, options?: ProcessOptions): Promise<ProcessResult>;
}

/**
 * Parses the SNS `Message` string into a marketplace event. Throws a MalformedEventError naming
 * the bad fields, never quoting the payload (events can carry client identifiers).
 */
export function parseMarketplaceMessage(message: string): MarketplaceEvent {
  const result = parseJsonWith(marketplaceEventSchema, message);
  if (!result.ok) {
    throw new MalformedEventError(`message is not a marketplace event: ${result.problem}`);
  }
  const event = result.value;
  if (isOfferMatched(event) && event.offer_id === undefined) {
    throw new MalformedEventError('OfferMatched event has no offer_id');
  }
  return event;
}

function isOfferMatched(event: MarketplaceEvent): boolean {
  return event.event_name === 'OfferMatched' && event.event_source === OFFER_EVENT_SOURCE;
}

function isOfferAccepted(event: MarketplaceEvent): boolean {
  return event.event_name === 'OfferAccepted' && event.event_source === OFFER_EVENT_SOURCE;
}

/** The processor was built for demand assignment without the demand API to do it with. */
export class DemandWiringError extends Error {
  override readonly name = 'DemandWiringError';
}

/** Whether the marketplace's match response shows that `action` took effect. */
function responseShows(action: Decision['action'], response: MatchResponse): boolean {
  return (action === 'accept' && response === 'accepted') || (action === 'decline' && response === 'declined');
}

/** The match response the marketplace holds once `action` has been applied. */
function responseAfter(action: Decision['action'], before: MatchResponse): MatchResponse {
  if (action === 'accept') return 'accepted';
  if (action === 'decline') return 'declined';
  return before;
}

function decisionOf(recorded: RecordedDecision): Decision {
  const decision: Decision = { action: recorded.action, rule: recorded.rule, reason: recorded.reason };
  if (recorded.declineReasonCode !== undefined) decision.declineReasonCode = recorded.declineReasonCode;
  if (recorded.comment !== undefined) decision.comment = recorded.comment;
  return decision;
}

/**
 * Builds the event processor. Every path either completes the event or throws; after a claim,
 * a throw releases it first so a retry can take it at once.
 */
export function createEventProcessor(deps: EventProcessorDeps): EventProcessor {
  const { marketplace, store, rules, role } = deps;
  const now = deps.now ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const demandPolicy = role === 'supply' ? 'none' : (deps.demandAssignment ?? 'none');
  const demand = deps.demandMarketplace;
  if (demandPolicy !== 'none' && demand === undefined) {
    throw new DemandWiringError(`demand assignment ${demandPolicy} needs a demand marketplace API`);
  }

  /**
   * The event's name and time, unless the offer already records a later event (events can
   * arrive out of order: a retried OfferMatched must not hide the OfferClosed seen meanwhile).
   */
  function lastEventFields(event: MarketplaceEvent, existing: OfferRecord | undefined): Pick<OfferRecord, 'lastEventName' | 'lastEventAt'> {
    const seen = existing?.lastEventAt === undefined ? Number.NaN : Date.parse(existing.lastEventAt);
    const at = Date.parse(event.timestamp);
    if (!Number.isNaN(seen) && !Number.isNaN(at) && at < seen) return {};
    return { lastEventName: event.event_name, lastEventAt: event.timestamp };
  }

  async function apply(offerId: string, decision: Decision): Promise<void> {
    if (decision.action === 'accept') {
      await marketplace.acceptInboxOffer(offerId, decision.comment === undefined ? undefined : { comment: decision.comment });
    } else if (decision.action === 'decline') {
      const body: { reason_code?: string; comment?: string } = {};
      if (decision.declineReasonCode !== undefined) body.reason_code = decision.declineReasonCode;
      if (decision.comment !== undefined) body.comment = decision.comment;
      await marketplace.declineInboxOffer(offerId, body);
    }
    // `review` leaves the offer open in the marketplace for a person to answer.
  }

  function offerFacts(offer: InboxOffer, at: Date, matchResponse: MatchResponse): Omit<OfferRecord, 'decision'> {
    const facts: Omit<OfferRecord, 'decision'> = {
      offerId: offer.id,
      careType: offer.careType,
      offerType: offer.offerType,
      matchResponse,
      matchStatus: offer.match.status,
      updatedAt: at.toISOString(),
    };
    if (offer.shiftId !== undefined) facts.shiftId = offer.shiftId;
    return facts;
  }

  async function handleOfferMatched(event: MarketplaceEvent, offerId: string, at: Date): Promise<Omit<ProcessResult, 'eventId' | 'eventName'>> {
    const existing = await store.getOffer(offerId);
    const lastEvent = lastEventFields(event, existing);

    if (existing?.decision?.state === 'applied') {
      await store.recordOfferFacts({ offerId, ...lastEvent, updatedAt: at.toISOString() });
      return { outcome: 'already-decided', offerId };
    }

    const offer = await marketplace.getInboxOffer(offerId);
    const intended = existing?.decision?.state === 'intended' ? existing.decision : undefined;

    if (offer.match.response !== 'pending' || offer.match.status !== 'open') {
      let confirmed: Decision | undefined;
      // An earlier attempt called the marketplace and crashed before recording it: the
      // response shows the call took effect, so record it as applied.
      if (intended !== undefined && responseShows(intended.action, offer.match.response)) {
        await store.recordDecision(offerId, { ...intended, state: 'applied' });
        confirmed = decisionOf(intended);
      }
      await store.recordOfferFacts({ ...offerFacts(offer, at, offer.match.response), ...lastEvent });
      return confirmed === undefined ? { outcome: 'not-actionable', offerId } : { outcome: 'not-actionable', offerId, decision: confirmed };
    }

    let recorded: RecordedDecision;
    if (intended !== undefined) {
      // Re-apply what was decided then; the rules may have changed since, the intent has not.
      recorded = intended;
    } else {
      recorded = { ...evaluateRules(rules, offer), state: 'intended', eventId: event.event_id, decidedAt: at.toISOString() };
      await store.recordDecision(offerId, recorded);
    }
    await apply(offerId, recorded);
    await store.recordDecision(offerId, { ...recorded, state: 'applied' });
    await store.recordOfferFacts({ ...offerFacts(offer, at, responseAfter(recorded.action, offer.match.response)), ...lastEvent });
    return { outcome: intended === undefined ? 'decided' : 'recovered', offerId, decision: decisionOf(recorded) };
  }

  /**
   * `OfferAccepted` on our outbox offer: assign it by the policy when the organisation assigns
   * manually. Two different OfferAccepted events for one offer choose the same match (the choice
   * is deterministic), and the client's assign verifies a lost answer, so neither doubles it.
   */
  async function handleOfferAccepted(
    api: MarketplaceDemandApi,
    policy: RecordedAssignment['policy'],
    event: MarketplaceEvent,
    offerId: string,
    at: Date,
  ): Promise<Omit<ProcessResult, 'eventId' | 'eventName'>> {
    const existing = await store.getOffer(offerId);
    const facts = { offerId, ...lastEventFields(event, existing), updatedAt: at.toISOString() };

    if (existing?.assignment?.state === 'applied') {
      await store.recordOfferFacts(facts);
      return { outcome: 'already-assigned', offerId };
    }
    // With `auto` the marketplace assigns by itself and refuses assign calls.
    if ((await api.getAssignmentSetting()) !== 'manual') {
      await store.recordOfferFacts(facts);
      return { outcome: 'recorded', offerId };
    }

    const intended = existing?.assignment?.state === 'intended' ? existing.assignment : undefined;
    const status = await api.getOutboxOfferStatus(offerId);
    if (status !== 'open') {
      // Assigned (by us before a crash, or by a person), closed or expired: nothing to do but
      // confirm an assignment an earlier attempt made and could not record, if the match the
      // marketplace shows assigned is the one we intended.
      const ours =
        intended !== undefined && status === 'assigned'
          ? (await api.listAcceptedMatches(offerId)).some((match) => match.id === intended.matchId && match.status === 'assigned')
          : false;
      if (intended !== undefined && ours) {
        const applied: RecordedAssignment = { ...intended, state: 'applied' };
        await store.recordOfferFacts({ ...facts, assignment: applied });
        return { outcome: 'not-actionable', offerId, assignment: { matchId: intended.matchId } };
      }
      await store.recordOfferFacts(facts);
      return { outcome: 'not-actionable', offerId };
    }

    let recorded: RecordedAssignment;
    if (intended !== undefined) {
      recorded = intended;
    } else {
      const chosen = chooseAssignment(policy, await api.listAcceptedMatches(offerId));
      if (chosen === undefined) {
        await store.recordOfferFacts(facts);
        return { outcome: 'not-actionable', offerId };
      }
      recorded = { matchId: chosen.id, policy, state: 'intended', eventId: event.event_id, decidedAt: at.toISOString() };
      await store.recordOfferFacts({ ...facts, assignment: recorded });
    }
    await api.assignOutboxOffer(offerId, recorded.matchId);
    await store.recordOfferFacts({ ...facts, assignment: { ...recorded, state: 'applied' } });
    return { outcome: intended === undefined ? 'assigned' : 'recovered', offerId, assignment: { matchId: recorded.matchId } };
  }

  async function handleOtherEvent(event: MarketplaceEvent, at: Date): Promise<Omit<ProcessResult, 'eventId' | 'eventName'>> {
    const offerId = event.offer_id;
    if (offerId === undefined) return { outcome: 'recorded' };
    const existing = await store.getOffer(offerId);
    await store.recordOfferFacts({ offerId, ...lastEventFields(event, existing), updatedAt: at.toISOString() });
    return { outcome: 'recorded', offerId };
  }

  async function processEvent(event: MarketplaceEvent): Promise<ProcessResult> {
    const ids = { eventId: event.event_id, eventName: event.event_name };
    const claim = await store.claimEvent(event.event_id, now(), leaseMs);
    if (claim === 'done') {
      return event.offer_id === undefined ? { ...ids, outcome: 'duplicate' } : { ...ids, outcome: 'duplicate', offerId: event.offer_id };
    }
    if (claim === 'busy') throw new EventBusyError('event is being processed by another invocation');

    try {
      const at = now();
      const offerId = event.offer_id;
      let handled: Omit<ProcessResult, 'eventId' | 'eventName'>;
      if (isOfferMatched(event) && role !== 'demand' && offerId !== undefined) {
        handled = await handleOfferMatched(event, offerId, at);
      } else if (isOfferAccepted(event) && demandPolicy !== 'none' && demand !== undefined && offerId !== undefined) {
        handled = await handleOfferAccepted(demand, demandPolicy, event, offerId, at);
      } else {
        handled = await handleOtherEvent(event, at);
      }
      const outcome: { eventName: string; offerId?: string; outcome: string } = { eventName: event.event_name, outcome: handled.outcome };
      if (handled.offerId !== undefined) outcome.offerId = handled.offerId;
      await store.completeEvent(event.event_id, now(), outcome);
      return { ...ids, ...handled };
    } catch (error: unknown) {
      try {
        await store.releaseEvent(event.event_id);
      } catch {
        // The claim's lease expires on its own; the original error is the one worth reporting.
      }
      throw error;
    }
  }

  return {
    processEvent,
    process: async (queued) => processEvent(parseMarketplaceMessage(queued.message)),
  };
}
