/**
 * The offer table read page by page in JavaScript values, for the commands that scan it (`status`,
 * and the offer-id prefix search). Expression values are converted as the stores convert theirs
 * (lambdas/adapters/dynamo-documents.ts), items as lib-dynamodb gives them back.
 */
import { type AttributeValue, ScanCommand, type ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';
import { type DocumentValues, toAttributes } from '../../lambdas/adapters/dynamo-documents';
import type { CommandContext } from './resources';

/** A Scan of the offer table with plain expression values (the table and paging are added here). */
export type TableScan = Omit<
  ScanCommandInput,
  'TableName' | 'ExpressionAttributeValues' | 'ExclusiveStartKey' | 'ScanFilter'
> & { ExpressionAttributeValues: DocumentValues };

/**
 * Each page's items, until the table is read through or the caller stops (breaking out of the
 * loop reads no further page). `beforePage` is called with the page's number (from 1) before it
 * is read.
 */
export async function* scanTable(
  ctx: CommandContext,
  scan: TableScan,
  beforePage: (page: number) => void = () => {},
): AsyncGenerator<Record<string, NativeAttributeValue>[]> {
  const input = {
    ...scan,
    TableName: ctx.resources.tableName,
    ExpressionAttributeValues: toAttributes(scan.ExpressionAttributeValues),
  };
  let start: Record<string, AttributeValue> | undefined;
  let page = 0;
  do {
    beforePage(++page);
    const result = await ctx.clients.dynamo.send(
      new ScanCommand(start === undefined ? input : { ...input, ExclusiveStartKey: start }),
    );
    yield (result.Items ?? []).map((item) => unmarshall(item));
    start = result.LastEvaluatedKey;
  } while (start !== undefined);
}
