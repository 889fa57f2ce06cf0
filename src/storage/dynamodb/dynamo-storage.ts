import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Storage } from '../storage.js';
import type {
  ApprovalMatch,
  Conversation,
  ConversationPage,
  ConversationPatch,
  ConversationQuery,
  Message,
  MessagePage,
  MessageQuery,
  Participant,
  PendingApproval,
  Session,
  SessionPatch,
} from '../types.js';
import { applySessionPatch } from '../session-patch.js';
import { GSI1, gsi, keys, type ItemKey } from './keys.js';
import { ensureTable } from './table.js';

export interface DynamoStorageOptions {
  table: string;
  /** Default: the SDK's own resolution (AWS_REGION, profile). */
  region?: string;
  /** A DynamoDB-compatible endpoint, e.g. a local one. */
  endpoint?: string;
  /** Default: the SDK's credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Create the table when it does not exist (default true). */
  createTable?: boolean;
}

type Item = Record<string, unknown>;

/** A document client and the single table it addresses. */
export interface DynamoTableAccess {
  doc: DynamoDBDocumentClient;
  table: string;
}

/** The domain record is kept whole as JSON in `body`; key attributes exist only for addressing. */
function body<T>(item: Item | undefined): T | undefined {
  return item && typeof item.body === 'string' ? (JSON.parse(item.body) as T) : undefined;
}

/**
 * DynamoDB refuses items over 400 KB, and a parked turn's checkpoint (the whole conversation the model
 * saw, tool results included) can be larger. Past this many bytes the body is kept in part items.
 */
const INLINE_BODY_BYTES = 350_000;
/** UTF-16 code units per part: at most 3 UTF-8 bytes each, so a part stays near 300 KB. */
const PART_CODE_UNITS = 100_000;

/** Splits text into parts without cutting a surrogate pair (a lone half would not survive UTF-8). */
function splitParts(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + PART_CODE_UNITS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

/** Storage on DynamoDB, one table for everything (see keys.ts for the layout). */
export class DynamoStorage implements Storage {
  private constructor(
    private readonly client: DynamoDBClient,
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  static async open(options: DynamoStorageOptions): Promise<DynamoStorage> {
    const client = new DynamoDBClient({
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    try {
      if (options.createTable !== false) await ensureTable(client, options.table);
    } catch (err) {
      client.destroy();
      throw err;
    }
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    return new DynamoStorage(client, doc, options.table);
  }

  /**
   * The client and table under this storage, for stores that keep their records in the same table
   * (knowledge, agent settings) instead of opening a second client.
   */
  get tableAccess(): DynamoTableAccess {
    return { doc: this.doc, table: this.table };
  }

  private async getItem(key: ItemKey): Promise<Item | undefined> {
    // Consistent: a session created a moment ago by another replica must be found.
    return (await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item;
  }

  private async putIfAbsent(item: Item): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  private conversationItem(c: Conversation): Item {
    return { ...keys.conversation(c.id), ...gsi.conversationByOrg(c.organizationId, c.createdAt, c.id), entity: 'conversation', body: JSON.stringify(c) };
  }

  /**
   * Idempotent without transactions: first claim `(org, key)` → id with a conditional put, then write
   * the record. A claim whose record is missing (its writer died in between) is completed by whoever
   * finds it, under the claimed id, so every caller ends up with the same conversation.
   */
  async createConversation(c: Conversation): Promise<Conversation> {
    const claim = keys.idempotency(c.organizationId, c.idempotencyKey);
    if (await this.putIfAbsent({ ...claim, entity: 'idempotency', conversationId: c.id })) {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: this.conversationItem(c) }));
      return structuredClone(c);
    }
    const claimedId = (await this.getItem(claim))?.conversationId;
    if (typeof claimedId !== 'string') throw new Error(`idempotency claim for "${c.idempotencyKey}" has no conversation id`);
    const existing = await this.getConversation(claimedId);
    if (existing) return existing;
    const completed: Conversation = { ...structuredClone(c), id: claimedId };
    if (await this.putIfAbsent(this.conversationItem(completed))) return completed;
    const raced = await this.getConversation(claimedId);
    if (!raced) throw new Error(`conversation ${claimedId} vanished while completing its creation`);
    return raced;
  }

  async getConversation(id: string): Promise<Conversation | undefined> {
    return body<Conversation>(await this.getItem(keys.conversation(id)));
  }

  /** Every item of one GSI partition whose sort key starts with `prefix`, in the given order. */
  private async *indexItems(partition: { gsi1pk: string; prefix: string }, newestFirst: boolean): AsyncGenerator<Item> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
          ExpressionAttributeValues: { ':pk': partition.gsi1pk, ':prefix': partition.prefix },
          ScanIndexForward: !newestFirst,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      yield* page.Items ?? [];
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /** Admin listing: offset paging walks the organization's index partition (newest first, ties by id). */
  async listConversations(query: ConversationQuery): Promise<ConversationPage> {
    let owned: Set<string> | undefined;
    if (query.userExternalId !== undefined) {
      owned = new Set();
      for await (const item of this.indexItems(gsi.participantsOfExternalUser(query.organizationId, query.userExternalId), false)) {
        const participant = body<Participant>(item);
        if (participant?.type === 'user') owned.add(participant.conversationId);
      }
    }
    const conversations: Conversation[] = [];
    let skipped = 0;
    for await (const item of this.indexItems(gsi.conversationsOfOrg(query.organizationId), true)) {
      const conversation = body<Conversation>(item);
      if (!conversation || (owned && !owned.has(conversation.id))) continue;
      if (skipped < query.offset) {
        skipped++;
        continue;
      }
      conversations.push(conversation);
      if (conversations.length > query.limit) break;
    }
    const page = conversations.slice(0, query.limit);
    return { conversations: page, nextOffset: conversations.length > query.limit ? query.offset + page.length : null };
  }

  /**
   * Read, change, write back only if the item is still what was read: an optimistic transaction on one
   * item, retried when another writer got there first, so concurrent patches never lose each other.
   */
  private async updateBody<T>(key: ItemKey, change: (current: T) => T): Promise<T | undefined> {
    for (let attempt = 0; ; attempt++) {
      const item = await this.getItem(key);
      const current = body<T>(item);
      if (!item || current === undefined) return undefined;
      const next = change(current);
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...item, body: JSON.stringify(next) },
            ConditionExpression: '#body = :old',
            ExpressionAttributeNames: { '#body': 'body' },
            ExpressionAttributeValues: { ':old': item.body },
          }),
        );
        return next;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException) || attempt >= 20) throw err;
      }
    }
  }

  async updateConversation(id: string, patch: ConversationPatch): Promise<Conversation | undefined> {
    const now = new Date().toISOString();
    return this.updateBody<Conversation>(keys.conversation(id), (c) => ({
      ...c,
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.clientSupports !== undefined ? { clientSupports: [...patch.clientSupports] } : {}),
      updatedAt: now,
    }));
  }

  async countMessages(conversationId: string): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.conversationPartition(conversationId), ':prefix': keys.messagePrefix },
          Select: 'COUNT',
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async hasUserParticipant(organizationId: string, conversationId: string, userExternalId: string): Promise<boolean> {
    // The user's participants, across their conversations: one index partition, usually small.
    for await (const item of this.indexItems(gsi.participantsOfExternalUser(organizationId, userExternalId), false)) {
      const participant = body<Participant>(item);
      if (participant?.type === 'user' && participant.conversationId === conversationId) return true;
    }
    return false;
  }

  async addParticipant(p: Participant): Promise<Participant> {
    const item = {
      ...keys.participant(p.id),
      // Sparse index: only participants known by an external user id can be looked up that way.
      ...(p.externalId !== undefined ? gsi.participantByExternalUser(p.organizationId, p.externalId, p.createdAt, p.id) : {}),
      entity: 'participant',
      body: JSON.stringify(p),
    };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
    return structuredClone(p);
  }

  async getParticipant(id: string): Promise<Participant | undefined> {
    return body<Participant>(await this.getItem(keys.participant(id)));
  }

  async appendMessage(m: Message): Promise<Message> {
    // A per-conversation counter orders messages; a gap left by a failed write is harmless.
    const counter = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.sequence(m.conversationId),
        UpdateExpression: 'ADD #seq :one',
        ExpressionAttributeNames: { '#seq': 'seq' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const seq = Number(counter.Attributes?.seq);
    const item = { ...keys.message(m.conversationId, seq, m.id), ...gsi.messageById(m.id), entity: 'message', seq, body: JSON.stringify(m) };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
    return structuredClone(m);
  }

  /** The key of the cursor message within the conversation, or undefined for an unknown cursor. */
  private async cursorKey(conversationId: string, cursor: string): Promise<ItemKey | undefined> {
    const found = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :id',
        ExpressionAttributeValues: { ':id': gsi.messageById(cursor).gsi1pk },
        Limit: 1,
      }),
    );
    const item = found.Items?.[0];
    const expected = keys.conversationPartition(conversationId);
    return item && item.pk === expected && typeof item.sk === 'string' ? { pk: expected, sk: item.sk } : undefined;
  }

  async listMessages(query: MessageQuery): Promise<MessagePage> {
    const want = query.limit + 1;
    let start = query.cursor === undefined ? undefined : await this.cursorKey(query.conversationId, query.cursor);
    const items: Item[] = [];
    // A query page stops at 1 MB, possibly short of Limit: keep reading until enough or the end.
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.conversationPartition(query.conversationId), ':prefix': keys.messagePrefix },
          ScanIndexForward: query.order === 'asc',
          ConsistentRead: true,
          Limit: want - items.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey as ItemKey | undefined;
    } while (start && items.length < want);
    const messages = items.slice(0, query.limit).flatMap((item) => body<Message>(item) ?? []);
    const last = messages[messages.length - 1];
    return { messages, nextCursor: items.length > query.limit && last ? last.id : null };
  }

  async createSession(s: Session): Promise<Session> {
    const item = { ...keys.session(s.sessionId), ...gsi.sessionByConversation(s.conversationId, s.createdAt, s.sessionId), entity: 'session', body: JSON.stringify(s) };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
    return structuredClone(s);
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    return body<Session>(await this.getItem(keys.session(sessionId)));
  }

  async updateSession(sessionId: string, patch: SessionPatch): Promise<Session | undefined> {
    const now = new Date().toISOString();
    return this.updateBody<Session>(keys.session(sessionId), (s) => applySessionPatch(s, patch, now));
  }

  async putPendingApproval(a: PendingApproval): Promise<void> {
    const text = JSON.stringify(a);
    const head = { ...keys.approval(a.sessionId), entity: 'approval', requestId: a.requestId, toolCallId: a.toolCallId };
    let item: Item;
    if (Buffer.byteLength(text) <= INLINE_BODY_BYTES) {
      item = { ...head, body: text };
    } else {
      // Parts first, under a fresh id, then the head that points at them: a reader never sees a head
      // whose parts are not all written.
      const partsId = randomUUID();
      const parts = splitParts(text);
      for (const [index, data] of parts.entries()) {
        await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.approvalPart(a.sessionId, partsId, index), entity: 'approval-part', data } }));
      }
      item = { ...head, partsId, parts: parts.length };
    }
    const replaced = await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ReturnValues: 'ALL_OLD' }));
    await this.deleteParts(a.sessionId, replaced.Attributes);
  }

  async getPendingApproval(sessionId: string): Promise<PendingApproval | undefined> {
    return this.approvalBody(sessionId, await this.getItem(keys.approval(sessionId)));
  }

  async takePendingApproval(sessionId: string, match?: ApprovalMatch): Promise<PendingApproval | undefined> {
    // DynamoDB serializes writes to one item: of two deletes only one sees the old value. The head is
    // the record; its parts are read after it is taken and then removed.
    let taken: Item | undefined;
    try {
      const deleted = await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.approval(sessionId),
          ReturnValues: 'ALL_OLD',
          ...(match
            ? {
                ConditionExpression: 'requestId = :r AND toolCallId = :t',
                ExpressionAttributeValues: { ':r': match.requestId, ':t': match.toolCallId },
              }
            : {}),
        }),
      );
      taken = deleted.Attributes;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
    const approval = await this.approvalBody(sessionId, taken);
    await this.deleteParts(sessionId, taken);
    return approval;
  }

  private async approvalBody(sessionId: string, head: Item | undefined): Promise<PendingApproval | undefined> {
    if (!head) return undefined;
    if (typeof head.partsId !== 'string') return body<PendingApproval>(head);
    const prefix = keys.approvalPartPrefix(sessionId, head.partsId);
    const pieces: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': prefix.pk, ':prefix': prefix.skPrefix },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const part of page.Items ?? []) pieces.push(String(part.data));
      start = page.LastEvaluatedKey;
    } while (start);
    // Replaced meanwhile and its parts already removed: the record is gone as far as this read goes.
    if (pieces.length !== head.parts) return undefined;
    return JSON.parse(pieces.join('')) as PendingApproval;
  }

  private async deleteParts(sessionId: string, head: Item | undefined): Promise<void> {
    if (!head || typeof head.partsId !== 'string' || typeof head.parts !== 'number') return;
    for (let index = 0; index < head.parts; index++) {
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: keys.approvalPart(sessionId, head.partsId, index) }));
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
