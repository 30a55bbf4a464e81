/**
 * The offer table's key schema, shared by the CDK stack, the DynamoDB adapters, the operator CLI and
 * the sandbox so the names are spelled once. No imports: the CDK app reads it without loading the
 * AWS SDK. One table holds offer items and event de-duplication items.
 */
export const OFFER_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL removes de-duplication items after it. */
  ttlAttribute: 'expiresAt',
  /** Partition key prefix of offer items (`OFFER#<offer id>`); IAM conditions on leading keys use it. */
  offerKeyPrefix: 'OFFER#',
} as const;
