/**
 * The pure parts of a unit's decision (decide-unit.ts): explanations bounded for storage, what a
 * person is told of a review, the unit's key, and what the marketplace's offers show of an answer.
 */
import { randomUUID } from 'node:crypto';
import type {
  Decision,
  DecisionResolution,
  InboxOffer,
  MatchResponse,
  OfferNotification,
  OfferResult,
  RecordedDecision,
} from './ports';

/**
 * Most explanation lines a stored decision keeps per explanation: with hundreds of rules, a
 * shift's decision (each offer's explanation included) must stay far below DynamoDB's 400 KB item.
 * The lines kept are the first ones: the deciding rule, then the earliest rules that did not hold.
 */
export const MAX_EXPLANATION_LINES = 40;

function bounded(lines: string[] | undefined): string[] | undefined {
  if (lines === undefined || lines.length <= MAX_EXPLANATION_LINES) return lines;
  const kept = lines.slice(0, MAX_EXPLANATION_LINES - 1);
  return [...kept, `... ${lines.length - kept.length} more lines not kept`];
}

/** The judged decision with every explanation bounded for storage. */
export function boundedDecision<T extends Decision & { offers?: OfferResult[] }>(decision: T): T {
  const explanation = bounded(decision.explanation);
  const offers = decision.offers?.map((o) => {
    const own = bounded(o.explanation);
    return own === undefined ? o : { ...o, explanation: own };
  });
  return {
    ...decision,
    ...(explanation !== undefined ? { explanation } : {}),
    ...(offers !== undefined ? { offers } : {}),
  };
}

/**
 * A decision as a shift's offers keep their copy of it. An intended one whole: a crashed intent is
 * sent again, and a `review` notified again, from it. A settled one without its text (`reason`,
 * `explanation`, each offer's explanation): nothing on the decision path reads it once settled,
 * and the unit's record keeps it (unit-records.ts), so the offer items, written again by later
 * events and billed by their size, stay small. One already without its text is returned as is.
 */
export function storedDecision(decision: RecordedDecision): RecordedDecision {
  if (decision.state === 'intended') return decision;
  const { reason: _reason, explanation: _explanation, offers, ...kept } = decision;
  return offers === undefined
    ? kept
    : { ...kept, offers: offers.map(({ explanation: _own, ...result }) => result) };
}

/** What a person is told about a unit left for review: ids, types, city and time, no client data. */
export function reviewNotification(offer: InboxOffer, decision: Decision): OfferNotification {
  const notification: OfferNotification = {
    kind: 'review',
    offerId: offer.id,
    careType: offer.careType,
    offerType: offer.offerType,
    city: offer.location.city,
    startAt: offer.startAt,
    rule: decision.rule,
    explanation: decision.explanation ?? [decision.reason],
  };
  if (offer.shiftId !== undefined) notification.shiftId = offer.shiftId;
  return notification;
}

/** How the key of a lone offer's decision unit starts (`offer#<id>`); a shift's is `shift#<id>`. */
export const LONE_UNIT_PREFIX = 'offer#';

/** The offer a unit key stands for when the unit is a lone offer (`offer#<id>`), else undefined. */
export function loneOfferOfUnit(unitKey: string): string | undefined {
  return unitKey.startsWith(LONE_UNIT_PREFIX) ? unitKey.slice(LONE_UNIT_PREFIX.length) : undefined;
}

/**
 * The lease owner of one attempt at an event: the event id and a tag of the attempt's own. An
 * OfferMatched takes no event claim (process-event.ts): its unit's lease is what keeps a second
 * delivery of the same event, handled at the same moment, from deciding too, so each attempt
 * holds the lease under a name no other attempt has.
 */
export function attemptOwner(eventId: string, tag: string = randomUUID()): string {
  if (tag.includes('#')) throw new Error('an attempt tag has no #');
  return `${eventId}#${tag}`;
}

/**
 * Whether `owner` holds a lease for the event `eventId`: one of its attempts (attemptOwner), or
 * the event itself (the lease owner of demand assignments, referrals, and versions before).
 */
export function isOwnerOf(owner: string, eventId: string): boolean {
  const tag = owner.lastIndexOf('#');
  return owner === eventId || (tag >= 0 && owner.slice(0, tag) === eventId);
}

/** The key of an offer's decision unit. */
export function unitKeyOf(offer: Pick<InboxOffer, 'id' | 'shiftId'>): string {
  return offer.shiftId === undefined ? `${LONE_UNIT_PREFIX}${offer.id}` : `shift#${offer.shiftId}`;
}

/** The match response the marketplace shows once `action` took effect (review: none). */
export function responseFor(action: Decision['action']): MatchResponse | undefined {
  if (action === 'accept') return 'accepted';
  if (action === 'decline') return 'declined';
  return undefined;
}

/** The judged decision within a recorded one (an intent, or a decision being recorded). */
export function decisionOf(recorded: Decision): Decision {
  const decision: Decision = {
    action: recorded.action,
    rule: recorded.rule,
    reason: recorded.reason,
  };
  if (recorded.declineReasonCode !== undefined)
    decision.declineReasonCode = recorded.declineReasonCode;
  if (recorded.comment !== undefined) decision.comment = recorded.comment;
  if (recorded.explanation !== undefined) decision.explanation = recorded.explanation;
  return decision;
}

/**
 * Why nothing of the unit can be answered any more, read off its offers: answered (by us or a
 * person), else expired, closed or assigned elsewhere.
 */
export function resolutionOf(offers: readonly InboxOffer[]): {
  resolution: DecisionResolution;
  response?: MatchResponse;
} {
  const answered = offers.find((o) => o.match.response !== 'pending');
  if (answered !== undefined) return { resolution: 'answered', response: answered.match.response };
  const statuses = offers.map((o) => o.match.status);
  if (statuses.includes('expired')) return { resolution: 'expired' };
  if (statuses.includes('closed')) return { resolution: 'closed' };
  return { resolution: 'assigned-elsewhere' };
}
