/**
 * The offer table's setup on an emulator (sandbox, tests). The functions' adapters take the key names
 * from offer-table-keys.ts, not from here, so no function bundle carries CreateTable or its waiter.
 */
import {
  CreateTableCommand,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { OFFER_TABLE } from './offer-table-keys';

export { OFFER_TABLE };

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
