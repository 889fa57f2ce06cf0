import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, unknown>;
export type Key = { pk: string; sk: string };

/** DynamoDB's BatchWriteItem limit. */
const BATCH = 25;

/**
 * Puts and deletes in batches of 25, re-sending whatever DynamoDB reports as unprocessed (throttling)
 * with a growing pause, until all of it is written.
 */
export async function batchWrite(doc: DynamoDBDocumentClient, table: string, writes: Array<{ put: Item } | { delete: Key }>): Promise<void> {
  for (let start = 0; start < writes.length; start += BATCH) {
    let requests = writes.slice(start, start + BATCH).map((w) => ('put' in w ? { PutRequest: { Item: w.put } } : { DeleteRequest: { Key: w.delete } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
      const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}

/** Every item of `partition` whose sort key starts with `prefix`, read consistently, page by page. */
export async function* queryPrefix(
  doc: DynamoDBDocumentClient,
  table: string,
  partition: string,
  prefix: string,
  /** Only these attributes (saves read capacity when large ones are not needed). */
  attributes?: readonly string[],
): AsyncGenerator<Item> {
  const projection = attributes && {
    ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name])),
  };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
        ConsistentRead: true,
        ...projection,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    yield* page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}
