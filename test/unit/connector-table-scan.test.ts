/**
 * Covers cli/connector/table-scan.ts: the offer table read page after page, each request starting
 * at the previous page's LastEvaluatedKey, expression values sent as AttributeValues, items given
 * back as plain values, `beforePage` told each page's number before it is read, and no further
 * page read once the caller stops.
 */
import type { ScanCommand, ScanCommandInput, ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { scanTable } from '../../cli/connector/table-scan';
import type { CommandContext } from '../../cli/connector/resources';

/** A context whose DynamoDB client answers Scans with `pages` in turn, recording each input. */
function contextWith(pages: ScanCommandOutput[]) {
  const sent: ScanCommandInput[] = [];
  const dynamo = {
    send: (command: ScanCommand) => {
      sent.push(command.input);
      const page = pages.at(sent.length - 1);
      if (page === undefined) throw new Error('read past the last page');
      return Promise.resolve(page);
    },
  };
  const ctx = {
    resources: { tableName: 'offers' },
    clients: { dynamo },
  } as unknown as CommandContext;
  return { ctx, sent };
}

const page = (pks: string[], last?: string): ScanCommandOutput => ({
  $metadata: {},
  Items: pks.map((pk) => ({ pk: { S: pk }, n: { N: '2' } })),
  ...(last === undefined ? {} : { LastEvaluatedKey: { pk: { S: last } } }),
});

const scan = {
  FilterExpression: 'begins_with(#pk, :prefix)',
  ExpressionAttributeNames: { '#pk': 'pk' },
  ExpressionAttributeValues: { ':prefix': 'OFFER#' },
};

describe('scanTable', () => {
  it('reads every page, each from where the last one ended, in plain values', async () => {
    const { ctx, sent } = contextWith([page(['a', 'b'], 'b'), page([], 'c'), page(['d'])]);
    const told: number[] = [];
    const items: unknown[] = [];
    for await (const found of scanTable(ctx, scan, (n) => told.push(n))) items.push(...found);

    expect(items).toEqual([
      { pk: 'a', n: 2 },
      { pk: 'b', n: 2 },
      { pk: 'd', n: 2 },
    ]);
    expect(told).toEqual([1, 2, 3]);
    expect(sent.map((input) => input.ExclusiveStartKey)).toEqual([
      undefined,
      { pk: { S: 'b' } },
      { pk: { S: 'c' } },
    ]);
    for (const input of sent) {
      expect(input.TableName).toBe('offers');
      expect(input.ExpressionAttributeValues).toEqual({ ':prefix': { S: 'OFFER#' } });
      expect(input.FilterExpression).toBe(scan.FilterExpression);
    }
  });

  it('reads no further page once the caller stops', async () => {
    const { ctx, sent } = contextWith([page(['a'], 'a'), page(['b'])]);
    for await (const found of scanTable(ctx, scan)) {
      expect(found).toEqual([{ pk: 'a', n: 2 }]);
      break;
    }
    expect(sent).toHaveLength(1);
  });
});
