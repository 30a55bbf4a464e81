import type { RecordedDecision } from '../core/ports';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Documents } from './dynamo-documents';

/** Helpers shared by the DynamoDB stores' conditional writes. */

/** Whether a write was refused by its ConditionExpression (also across SDK copies, by name). */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/**
 * Drops a list attribute's oldest entries beyond `max`, once an append left `length` of them. The
 * trim is conditional on that length: a concurrent append makes it a no-op, and the next append
 * trims.
 */
export async function trimOldest(
  client: Documents,
  target: { tableName: string; key: Record<string, string>; attribute: string },
  length: number,
  max: number,
): Promise<void> {
  if (length <= max) return;
  const drop = Array.from({ length: length - max }, (_, i) => `#list[${i}]`);
  await client
    .update({
      TableName: target.tableName,
      Key: target.key,
      UpdateExpression: `REMOVE ${drop.join(', ')}`,
      ConditionExpression: 'size(#list) = :length',
      ExpressionAttributeNames: { '#list': target.attribute },
      ExpressionAttributeValues: { ':length': length },
    })
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/** A copy without undefined values: the document client rejects them unless configured not to. */
export function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The condition on an `intended` decision write: no settled decision is there, or it is a dry
 * run's, or it is the one an operator's replay judged again (`replacesEventId`). Both stores (offer
 * and unit) use it.
 */
export function intendedCondition(decision: RecordedDecision): string {
  const base =
    'attribute_not_exists(#decision) OR (#decision.#state <> :applied AND #decision.#state <> :resolved) OR #decision.#dryRun = :true';
  return decision.replacesEventId === undefined
    ? base
    : `${base} OR #decision.#eventId = :replaces`;
}

export function intendedNames(decision: RecordedDecision): Record<string, string> {
  const names: Record<string, string> = {
    '#decision': 'decision',
    '#state': 'state',
    '#dryRun': 'dryRun',
  };
  if (decision.replacesEventId !== undefined) names['#eventId'] = 'eventId';
  return names;
}

export function intendedValues(decision: RecordedDecision): Record<string, unknown> {
  const values: Record<string, unknown> = {
    ':applied': 'applied',
    ':resolved': 'resolved',
    ':true': true,
  };
  if (decision.replacesEventId !== undefined) values[':replaces'] = decision.replacesEventId;
  return values;
}
