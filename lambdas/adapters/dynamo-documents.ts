/**
 * Items as plain JavaScript values on the low-level DynamoDB client: the three calls the stores
 * make (GetItem, UpdateItem, DeleteItem), taking and giving back what lib-dynamodb's GetCommand,
 * UpdateCommand and DeleteCommand do, so the stores read the same.
 *
 * Why not lib-dynamodb: a client built with `cacheMiddleware: true` resolves its middleware once
 * per command class and reuses it, which saves about a sixth of the CPU of each call. A
 * lib-dynamodb command's resolved handler sends the command it was resolved for, whatever command
 * is given later, so with that cache every call would send the first call's input (its document
 * client refuses such a client for that reason). Here the values are converted before the
 * low-level command is built, and nothing is kept per command.
 *
 * The conversion is lib-dynamodb's own, with its defaults, so the request bodies are the same byte
 * for byte: each value of `Key` and `ExpressionAttributeValues` goes through util-dynamodb's
 * `marshall` with `convertTopLevelContainer` (a top-level value that is undefined or a function
 * is left out, an undefined nested one is refused, empty strings and sets are not converted), and
 * `Item` and `Attributes` come back through `unmarshall` (numbers as numbers, not wrapped; string
 * and number sets as Sets). Errors, ConditionalCheckFailedException included, are the SDK's own,
 * untouched; nothing here reads the `Item` one may carry (lib-dynamodb does not convert it either).
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DeleteItemCommandInput,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  type GetItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, type marshallOptions, unmarshall } from '@aws-sdk/util-dynamodb';

/** An item, a key or a set of expression values, as JavaScript values. */
export type DocumentValues = Record<string, unknown>;

/** GetItem with a plain key. */
export type DocumentGet = Omit<GetItemCommandInput, 'Key'> & { Key: DocumentValues };

/** UpdateItem with a plain key and values (expressions only: no AttributeUpdates or Expected). */
export type DocumentUpdate = Omit<
  UpdateItemCommandInput,
  'Key' | 'ExpressionAttributeValues' | 'AttributeUpdates' | 'Expected'
> & { Key: DocumentValues; ExpressionAttributeValues?: DocumentValues };

/** DeleteItem with a plain key and values (expressions only: no Expected). */
export type DocumentDelete = Omit<
  DeleteItemCommandInput,
  'Key' | 'ExpressionAttributeValues' | 'Expected'
> & { Key: DocumentValues; ExpressionAttributeValues?: DocumentValues };

/** lib-dynamodb's marshalling options when none are given (DynamoDBDocumentClient.from(client)). */
const MARSHALL: marshallOptions = { convertTopLevelContainer: true };

/** Each value as an AttributeValue, as lib-dynamodb converts `Key` and `ExpressionAttributeValues`. */
export function toAttributes(values: DocumentValues): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || typeof value === 'function') continue;
    attributes[name] = marshall(value, MARSHALL) as AttributeValue;
  }
  return attributes;
}

/** An update's or delete's input with its key and expression values converted, the rest as given. */
function withAttributes<Input extends DocumentUpdate | DocumentDelete>(input: Input) {
  const values = input.ExpressionAttributeValues;
  return {
    ...input,
    Key: toAttributes(input.Key),
    ExpressionAttributeValues: values === undefined ? undefined : toAttributes(values),
  };
}

const fromAttributes = (attributes: Record<string, AttributeValue> | undefined) =>
  attributes === undefined ? undefined : unmarshall(attributes);

/**
 * GetItem, UpdateItem and DeleteItem on `client`, in JavaScript values. The input keeps its other
 * fields as they are; the output is the item (`Item`, `Attributes`) alone.
 */
export class Documents {
  constructor(readonly client: DynamoDBClient) {}

  async get(input: DocumentGet): Promise<{ Item?: DocumentValues }> {
    const { Item } = await this.client.send(
      new GetItemCommand({ ...input, Key: toAttributes(input.Key) }),
    );
    return { Item: fromAttributes(Item) };
  }

  async update(input: DocumentUpdate): Promise<{ Attributes?: DocumentValues }> {
    const { Attributes } = await this.client.send(new UpdateItemCommand(withAttributes(input)));
    return { Attributes: fromAttributes(Attributes) };
  }

  async delete(input: DocumentDelete): Promise<{ Attributes?: DocumentValues }> {
    const { Attributes } = await this.client.send(new DeleteItemCommand(withAttributes(input)));
    return { Attributes: fromAttributes(Attributes) };
  }
}

/**
 * A DynamoDB client that resolves its middleware once per command class (`cacheMiddleware`).
 * Give it no per-call options (`send(command, options)`): a call with options resolves the stack
 * afresh and drops the cache. lib-dynamodb's document client refuses it (above).
 */
export function cachedDynamoClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...config, cacheMiddleware: true });
}

/** The functions' documents: a cached client with the SDK's defaults (region etc. from Lambda). */
export function lambdaDocuments(): Documents {
  return new Documents(cachedDynamoClient());
}
