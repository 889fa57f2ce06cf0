import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoTableAccess } from '../../storage/dynamodb/dynamo-storage.js';
import { assertSameEmbeddingSpace, embeddingSpaceOf, type Embedder, type EmbeddingSpace } from '../embedder.js';
import { knowledgeKeys } from './knowledge-keys.js';

/** The space the table's vectors were built in, if any vector was ever stored. */
export async function readEmbeddingSpace({ doc, table }: DynamoTableAccess): Promise<EmbeddingSpace | undefined> {
  const { Item } = await doc.send(new GetCommand({ TableName: table, Key: knowledgeKeys.space, ConsistentRead: true }));
  return Item ? { embedderId: String(Item.embedderId), dimensions: Number(Item.dimensions) } : undefined;
}

/**
 * Records `embedder`'s space before its first vectors are written; the first writer wins, and a
 * replica configured differently gets `EmbedderMismatchError` instead of mixing spaces.
 */
export async function recordEmbeddingSpace(access: DynamoTableAccess, embedder: Embedder): Promise<void> {
  const space = embeddingSpaceOf(embedder);
  try {
    await access.doc.send(
      new PutCommand({
        TableName: access.table,
        Item: { ...knowledgeKeys.space, entity: 'knowledge-space', ...space },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    assertSameEmbeddingSpace(await readEmbeddingSpace(access), embedder);
  }
}
