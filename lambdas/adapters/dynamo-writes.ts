import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** Helpers shared by the DynamoDB stores' conditional writes. */

/** Whether a write was refused by its ConditionExpression (also across SDK copies, by name). */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error instanceof Error && error.name === 'ConditionalCheckFailedException');
}

/** A copy without undefined values: the document client rejects them unless configured not to. */
export function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
