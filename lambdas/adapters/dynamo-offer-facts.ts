import type { OfferFacts, SeenEvent } from '../core/ports';

/**
 * The pieces of an UpdateItem on an offer item: its SET actions, names and values, and the
 * condition that guards them. Built here so that an offer's facts, its seen event and a settled
 * decision can go in one write (one round trip, one write's worth of capacity) instead of one each.
 */
export interface OfferUpdate {
  sets: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
  /** Conditions, all of which must hold (joined with AND). */
  conditions: string[];
}

/** The offer facts the store keeps, in item attribute names equal to OfferRecord's. */
export const FACT_FIELDS = [
  'shiftId',
  'careType',
  'offerType',
  'lastEventName',
  'lastEventAt',
  'matchResponse',
  'matchStatus',
  'assignment',
  'referral',
  'reconciler',
] as const;

/**
 * Writes the facts given (only those: an event that knows just its name must not erase facts),
 * with the guard of recordOfferFacts: an intended assignment never replaces an applied one.
 */
export function factsUpdate(record: OfferFacts): OfferUpdate {
  const update: OfferUpdate = {
    // No offerId attribute: the key holds it (`OFFER#<id>`), and every byte counts (see
    // dynamo-decision-item.ts).
    sets: ['updatedAt = :updatedAt', 'createdAt = if_not_exists(createdAt, :updatedAt)'],
    names: {},
    values: { ':updatedAt': record.updatedAt },
    conditions: [],
  };
  for (const field of FACT_FIELDS) {
    const value = record[field];
    if (value === undefined) continue;
    update.names[`#${field}`] = field;
    update.values[`:${field}`] = value;
    update.sets.push(`#${field} = :${field}`);
  }
  if (guardsAssignment(record)) {
    update.names['#state'] = 'state';
    update.values[':applied'] = 'applied';
    update.conditions.push('(attribute_not_exists(#assignment) OR #assignment.#state <> :applied)');
  }
  return update;
}

/** Whether writing these facts is refused over an applied assignment (see factsUpdate). */
export function guardsAssignment(record: OfferFacts): boolean {
  return record.assignment?.state === 'intended';
}

/**
 * The update plus the event appended to the offer's `events`, unless it is the last one appended
 * (a retried write): then the condition fails, and the caller writes the update alone.
 */
export function withSeenEvent(update: OfferUpdate, seen: SeenEvent): OfferUpdate {
  return {
    sets: [
      ...update.sets,
      '#events = list_append(if_not_exists(#events, :noEvents), :seenEvent)',
      'lastSeenEventId = :seenEventId',
    ],
    names: { ...update.names, '#events': 'events' },
    values: {
      ...update.values,
      ':noEvents': [],
      ':seenEvent': [{ name: seen.name, at: seen.at, eventId: seen.eventId }],
      ':seenEventId': seen.eventId,
    },
    conditions: [
      ...update.conditions,
      '(attribute_not_exists(lastSeenEventId) OR lastSeenEventId <> :seenEventId)',
    ],
  };
}

/** The UpdateCommand input fields of an update (the table and key are the caller's). */
export function updateInput(update: OfferUpdate): {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  return {
    UpdateExpression: `SET ${update.sets.join(', ')}`,
    ...(update.conditions.length > 0
      ? { ConditionExpression: update.conditions.join(' AND ') }
      : {}),
    ...(Object.keys(update.names).length > 0 ? { ExpressionAttributeNames: update.names } : {}),
    ExpressionAttributeValues: update.values,
  };
}
