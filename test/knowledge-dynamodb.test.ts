import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DeterministicEmbedder, EmbedderMismatchError, type AccessContext, type Knowledge } from '../src/knowledge/index.js';
import { DynamoKnowledge } from '../src/knowledge/dynamodb/dynamo-knowledge.js';
import { DynamoStorage, type DynamoTableAccess } from '../src/storage/dynamodb/dynamo-storage.js';
import { runKnowledgeContract } from './contracts/knowledge-contract.js';
import { DYNAMO_TEST_CREDENTIALS, startDynalite, whenAvailable, type LocalDynamo } from './storage-services.js';

const local = await startDynalite();
const storages: DynamoStorage[] = [];
afterAll(async () => {
  for (const s of storages) await s.close();
  if (!('unavailable' in local)) await local.close();
});

const offline = () => new DeterministicEmbedder({ tokens: 'terms' });
const anonymous = (organizationId: string): AccessContext => ({ organizationId, groups: [] });

whenAvailable('dynamodb (dynalite)', 'unavailable' in local ? local.unavailable : undefined, () => {
  const { endpoint } = local as LocalDynamo;
  async function table(name = `so-know-${randomUUID()}`): Promise<DynamoTableAccess> {
    const storage = await DynamoStorage.open({ table: name, endpoint, region: 'us-east-1', credentials: DYNAMO_TEST_CREDENTIALS });
    storages.push(storage);
    return storage.tableAccess;
  }

  // A new table per test: the contract expects an empty store each time.
  const tableOf = new WeakMap<Knowledge, DynamoTableAccess>();
  runKnowledgeContract(
    'dynamodb',
    async () => {
      const access = await table();
      const kb = await DynamoKnowledge.open(access, { embedder: offline() });
      tableOf.set(kb, access);
      return kb;
    },
    { reopenWith: async (kb, embedder) => DynamoKnowledge.open(tableOf.get(kb)!, { embedder }) },
  );

  describe('dynamodb knowledge', () => {
    it('a second replica sees the first one’s writes, updates and deletes on its next search', async () => {
      const access = await table();
      const a = await DynamoKnowledge.open(access, { embedder: offline() });
      const b = await DynamoKnowledge.open(access, { embedder: offline() });
      expect(await b.search('gannets', { access: anonymous('org'), limit: 3 })).toEqual([]);
      await a.upsert('org', [{ id: 'g', source: 'g', content: 'Gannets dive for fish.' }]);
      expect((await b.search('gannets', { access: anonymous('org'), limit: 3 }))[0]?.documentId).toBe('g');
      await a.upsert('org', [{ id: 'g', source: 'g', content: 'Gannets dive for fish.', acl: { public: false, users: ['u'], groups: [] } }]);
      expect(await b.search('gannets', { access: anonymous('org'), limit: 3 })).toEqual([]);
      expect(await a.delete('org', 'g')).toBe(true);
      expect(await b.search('gannets', { access: { organizationId: 'org', userId: 'u', groups: [] }, limit: 3 })).toEqual([]);
    });

    it('skips an organization without documents, and finds what another replica upserts after that, even racing it', async () => {
      const access = await table();
      const writer = await DynamoKnowledge.open(access, { embedder: offline() });
      const inner = offline();
      let queries = 0;
      const embedder = { id: inner.id, dimensions: inner.dimensions, embed: (texts: string[]) => ((queries += texts.length === 1 ? 1 : 0), inner.embed(texts)) };
      const reader = await DynamoKnowledge.open(access, { embedder });
      expect(await reader.search('ospreys fish', { access: anonymous('org'), limit: 3 })).toEqual([]);
      expect(await reader.search('ospreys fish', { access: anonymous('org'), limit: 3 })).toEqual([]);
      // Cut short before the query was embedded: nothing to rank.
      expect(queries).toBe(0);
      const racing = Array.from({ length: 8 }, () => reader.search('ospreys fish', { access: anonymous('org'), limit: 3 }));
      await writer.upsert('org', [{ id: 'osprey', source: 'osprey', content: 'Ospreys fish by diving feet first.' }]);
      await Promise.all(racing);
      expect((await reader.search('ospreys fish', { access: anonymous('org'), limit: 3 }))[0]?.documentId).toBe('osprey');
      expect(queries).toBeGreaterThan(0);
      expect(await writer.delete('org', 'osprey')).toBe(true);
      const before = queries;
      expect(await reader.search('ospreys fish', { access: anonymous('org'), limit: 3 })).toEqual([]);
      expect(queries).toBe(before);
    });

    it('stores a document larger than one item in parts and reads it back whole', async () => {
      const kb = await DynamoKnowledge.open(await table(), { embedder: offline() });
      const content = Array.from({ length: 9000 }, (_, i) => `Paragraph ${i} about albatross flight with 😀 emoji.`).join('\n\n');
      expect(Buffer.byteLength(content)).toBeGreaterThan(400_000);
      const [created] = await kb.upsert('org', [{ id: 'big', source: 'big', content }]);
      expect(created?.chunkCount).toBeGreaterThan(100);
      expect((await kb.get('org', 'big'))?.content).toBe(content);
      expect((await kb.list('org'))[0]?.content).toBe(content);
      const [again] = await kb.upsert('org', [{ id: 'big', source: 'big', content }]);
      expect(again?.outcome).toBe('unchanged');
      expect((await kb.search('paragraph 8999 albatross', { access: anonymous('org'), limit: 3 })).length).toBe(3);
    }, 60_000);

    it('racing replicas on one document leave one consistent generation of chunks', async () => {
      const access = await table();
      const replicas = await Promise.all([0, 1, 2].map(() => DynamoKnowledge.open(access, { embedder: offline() })));
      await replicas[0]!.upsert('org', [{ id: 'd', source: 'd', content: 'Original text about cormorants.' }]);
      await Promise.all(replicas.map((r, i) => r.upsert('org', [{ id: 'd', source: 'd', content: `Version ${i} about cormorants.` }])));
      const stored = await replicas[0]!.get('org', 'd');
      const hits = await replicas[1]!.search('cormorants', { access: anonymous('org'), limit: 5 });
      expect(hits.map((h) => h.text)).toEqual([stored?.content]);
    });

    it('refuses to open a table whose vectors were built by another embedder', async () => {
      const access = await table();
      await (await DynamoKnowledge.open(access, { embedder: offline() })).upsert('org', [{ id: 'x', source: 'x', content: 'Kestrels hover.' }]);
      await expect(DynamoKnowledge.open(access, { embedder: new DeterministicEmbedder({ dimensions: 64 }) })).rejects.toThrow(EmbedderMismatchError);
    });
  });
});
