import {
  CreateTableCommand,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/**
 * The offer table's key schema, shared by the CDK stack, the DynamoDB adapter and the sandbox so
 * the names are spelled once. One table holds offer items and event de-duplication items.
 */
export const OFFER_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL removes de-duplication items after it. */
  ttlAttribute: 'expiresAt',
  /** Partition key prefix of offer items (`OFFER#<offer id>`); IAM conditions on leading keys use it. */
  offerKeyPrefix: 'OFFER#',
} as const;

/** Creates the table on an emulator (sandbox, tests); in AWS the CDK stack owns it. */
export async function createOfferTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: OFFER_TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: OFFER_TABLE.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: OFFER_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: OFFER_TABLE.sortKey, KeyType: 'RANGE' },
      ],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
}
