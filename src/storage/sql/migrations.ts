/**
 * The schema, as an append-only list. A released migration is never edited: a change is a new entry
 * with the next version. Postgres and PGlite run exactly these statements.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

const conversations: Migration = {
  version: 1,
  name: 'conversations, participants, messages, sessions, pending approvals',
  statements: [
    // seq breaks created_at ties in insertion order, so an admin listing pages stably.
    `CREATE TABLE conversations (
      id text PRIMARY KEY,
      seq bigserial NOT NULL,
      platform text NOT NULL,
      name text NOT NULL,
      organization_id text NOT NULL,
      idempotency_key text NOT NULL,
      metadata_json jsonb,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      UNIQUE (organization_id, idempotency_key)
    )`,
    `CREATE INDEX conversations_org_created ON conversations (organization_id, created_at DESC, seq DESC)`,
    `CREATE TABLE conversation_participants (
      id text PRIMARY KEY,
      conversation_id text NOT NULL,
      organization_id text NOT NULL,
      type text NOT NULL CHECK (type IN ('user', 'ai-agent', 'human-agent')),
      name text NOT NULL,
      email text,
      browser_fingerprint text,
      external_id text,
      internal_id text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    `CREATE INDEX conversation_participants_conv ON conversation_participants (conversation_id, created_at)`,
    `CREATE INDEX conversation_participants_external ON conversation_participants (conversation_id, external_id)`,
    // seq, not created_at, orders a conversation: clocks of two replicas may disagree, a sequence does not.
    `CREATE TABLE conversation_messages (
      id text PRIMARY KEY,
      seq bigserial NOT NULL UNIQUE,
      conversation_id text NOT NULL,
      organization_id text NOT NULL,
      direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
      content jsonb NOT NULL,
      from_ref jsonb,
      to_ref jsonb,
      created_at timestamptz NOT NULL
    )`,
    `CREATE INDEX conversation_messages_conv_seq ON conversation_messages (conversation_id, seq)`,
    `CREATE TABLE conversation_sessions (
      session_id text PRIMARY KEY,
      conversation_id text NOT NULL,
      organization_id text NOT NULL,
      agent_id text NOT NULL,
      agent_name text NOT NULL,
      user_participant_id text NOT NULL,
      agent_participant_id text NOT NULL,
      thread_id text NOT NULL,
      status text NOT NULL,
      owner_organization_id text NOT NULL,
      owner_user_id text,
      metadata jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    `CREATE INDEX conversation_sessions_conv ON conversation_sessions (conversation_id, created_at)`,
    // One parked tool call per session; the checkpoint rides in the same row so one DELETE takes both.
    `CREATE TABLE pending_approvals (
      session_id text PRIMARY KEY,
      request_id text NOT NULL,
      tool_call_id text NOT NULL,
      tool_name text NOT NULL,
      arguments text NOT NULL,
      checkpoint jsonb,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    )`,
  ],
};

const sessionState: Migration = {
  version: 2,
  name: 'session state (workflow step, verified, contact) and conversation titles',
  statements: [
    `ALTER TABLE conversation_sessions ADD COLUMN workflow_step_id text`,
    `ALTER TABLE conversation_sessions ADD COLUMN verified boolean`,
    `ALTER TABLE conversation_sessions ADD COLUMN contact jsonb`,
    `ALTER TABLE conversations ADD COLUMN title text`,
    `ALTER TABLE conversations ADD COLUMN client_supports jsonb`,
  ],
};

/**
 * Migrations are grouped in tracks with their own version numbers, so a store with its own schema
 * (the knowledge store, whose vector width comes from the configured embedder) can migrate on the
 * same database and ledger without renumbering anyone else's.
 */
export interface MigrationTrack {
  readonly track: string;
  readonly migrations: readonly Migration[];
}

/** Conversations, sessions and approvals. Document sets, connector configs, agent settings and indexing runs append here. */
export const CORE_MIGRATIONS: MigrationTrack = { track: 'core', migrations: [conversations, sessionState] };
