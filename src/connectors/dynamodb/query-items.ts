import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, unknown>;

/**
 * The items of a query, page after page, for as long as the caller keeps reading: a caller that
 * needs only the newest few stops early and the later pages are never fetched.
 */
export async function* queryItems(doc: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<Item> {
  let startKey: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await doc.send(new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    for (const item of page.Items ?? []) yield item;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** The domain record kept whole as JSON in `body`, as every item of the table does. */
export function bodyOf<T>(item: Item | undefined): T | undefined {
  return item && typeof item.body === 'string' ? (JSON.parse(item.body) as T) : undefined;
}
