/**
 * One dynalite (embedded DynamoDB) with the offer table, for an integration test file: started
 * before its tests, stopped after them. `raw()` is a DynamoDB client with cached middleware, as
 * the functions build it, and `documents()` the stores' documents on it
 * (lambdas/adapters/dynamo-documents.ts). `documentClient()` is lib-dynamodb's document client, on
 * a client of its own without that cache (it cannot share one), to seed and read items as a test
 * likes; `item(pk, sk)` reads one item through it as stored (consistently), keys included.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { cachedDynamoClient, Documents } from '../../lambdas/adapters/dynamo-documents';
import { createOfferTable, OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { EMULATOR_AWS, startDynalite, type RunningEmulator } from '../../sandbox/emulators';

export function useOfferTable(tableName: string): {
  documents: () => Documents;
  raw: () => DynamoDBClient;
  documentClient: () => DynamoDBDocumentClient;
  item: (pk: string, sk: string) => Promise<Record<string, unknown> | undefined>;
} {
  let dynalite: RunningEmulator | undefined;
  let raw: DynamoDBClient | undefined;
  let documents: Documents | undefined;
  let uncached: DynamoDBClient | undefined;
  let documentClient: DynamoDBDocumentClient | undefined;

  beforeAll(async () => {
    dynalite = await startDynalite();
    raw = cachedDynamoClient({ ...EMULATOR_AWS, endpoint: dynalite.endpoint });
    documents = new Documents(raw);
    uncached = new DynamoDBClient({ ...EMULATOR_AWS, endpoint: dynalite.endpoint });
    documentClient = DynamoDBDocumentClient.from(uncached);
    await createOfferTable(raw, tableName);
  });

  afterAll(async () => {
    raw?.destroy();
    uncached?.destroy();
    await dynalite?.stop();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('dynalite is not started yet: use it inside a test or a hook');
    return value;
  };
  const item = async (pk: string, sk: string) =>
    (
      await started(documentClient).send(
        new GetCommand({
          TableName: tableName,
          Key: { [OFFER_TABLE.partitionKey]: pk, [OFFER_TABLE.sortKey]: sk },
          ConsistentRead: true,
        }),
      )
    ).Item;
  return {
    documents: () => started(documents),
    raw: () => started(raw),
    documentClient: () => started(documentClient),
    item,
  };
}
