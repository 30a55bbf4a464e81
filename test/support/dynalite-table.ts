/**
 * One dynalite (embedded DynamoDB) with the offer table, for an integration test file: started
 * before its tests, stopped after them. `documents()` is the real AWS SDK document client on it;
 * `item(pk, sk)` reads one item as stored (consistently), keys included.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createOfferTable, OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { EMULATOR_AWS, startDynalite, type RunningEmulator } from '../../sandbox/emulators';

export function useOfferTable(tableName: string): {
  documents: () => DynamoDBDocumentClient;
  raw: () => DynamoDBClient;
  item: (pk: string, sk: string) => Promise<Record<string, unknown> | undefined>;
} {
  let dynalite: RunningEmulator | undefined;
  let raw: DynamoDBClient | undefined;
  let documents: DynamoDBDocumentClient | undefined;

  beforeAll(async () => {
    dynalite = await startDynalite();
    raw = new DynamoDBClient({ ...EMULATOR_AWS, endpoint: dynalite.endpoint });
    documents = DynamoDBDocumentClient.from(raw);
    await createOfferTable(raw, tableName);
  });

  afterAll(async () => {
    raw?.destroy();
    await dynalite?.stop();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('dynalite is not started yet: use it inside a test or a hook');
    return value;
  };
  const item = async (pk: string, sk: string) =>
    (
      await started(documents).send(
        new GetCommand({
          TableName: tableName,
          Key: { [OFFER_TABLE.partitionKey]: pk, [OFFER_TABLE.sortKey]: sk },
          ConsistentRead: true,
        }),
      )
    ).Item;
  return { documents: () => started(documents), raw: () => started(raw), item };
}
