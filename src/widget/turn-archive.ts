import type { Citation } from '../client/events.js';
import type { AnswerAnnotations, ToolStep } from './transcript.js';

/**
 * What a reload must not lose and the server's history does not carry: each answer's sources and
 * tool steps, and an approval still waiting for the visitor (the server keeps the turn parked; the
 * card is how the visitor answers it). Per session, in localStorage; when storage is unavailable
 * the widget still works, it just forgets on reload.
 */
export interface PendingApproval {
  requestId: string;
  toolId: string;
  description: string;
}

interface Archive {
  answers: Record<string, AnswerAnnotations>;
  pending?: PendingApproval;
}

/** Only the newest answers are kept: enough for the restored history page, bounded in size. */
const MAX_ANSWERS = 60;
const PREFIX = 'smooth-agent-chat:archive:';

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sanitizeCitations(value: unknown): Citation[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (c): c is Citation => isRecord(c) && typeof c.id === 'string' && typeof c.title === 'string' && typeof c.snippet === 'string' && typeof c.score === 'number',
  );
}

function sanitizeTools(value: unknown): ToolStep[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((t): t is ToolStep => isRecord(t) && typeof t.name === 'string' && (t.state === 'done' || t.state === 'failed' || t.state === 'running'))
    .map((t) => ({ name: t.name, state: t.state === 'running' ? 'done' : t.state }));
}

export class TurnArchive {
  private memory: Archive = { answers: {} };

  constructor(private readonly sessionKey: () => string | undefined) {}

  private key(): string | undefined {
    const session = this.sessionKey();
    return session === undefined ? undefined : `${PREFIX}${session}`;
  }

  private read(): Archive {
    const key = this.key();
    if (key === undefined) return this.memory;
    try {
      const raw = storage()?.getItem(key);
      if (!raw) return this.memory;
      // Whatever is stored may be old or tampered with: only well-formed entries come back.
      const parsed: unknown = JSON.parse(raw);
      if (!isRecord(parsed) || !isRecord(parsed.answers)) return this.memory;
      const answers: Record<string, AnswerAnnotations> = {};
      for (const [id, entry] of Object.entries(parsed.answers)) {
        if (isRecord(entry)) answers[id] = { citations: sanitizeCitations(entry.citations), tools: sanitizeTools(entry.tools) };
      }
      const p = parsed.pending;
      const pending =
        isRecord(p) && typeof p.requestId === 'string' && typeof p.toolId === 'string' && typeof p.description === 'string'
          ? { requestId: p.requestId, toolId: p.toolId, description: p.description }
          : undefined;
      this.memory = { answers, ...(pending ? { pending } : {}) };
      return this.memory;
    } catch {
      return this.memory;
    }
  }

  private write(archive: Archive): void {
    this.memory = archive;
    const key = this.key();
    if (key === undefined) return;
    try {
      storage()?.setItem(key, JSON.stringify(archive));
    } catch {
      // Quota or privacy mode: kept in memory only.
    }
  }

  annotations(messageId: string): AnswerAnnotations | undefined {
    return this.read().answers[messageId];
  }

  rememberAnswer(messageId: string, annotations: AnswerAnnotations): void {
    if (annotations.citations.length === 0 && annotations.tools.length === 0) return;
    const archive = this.read();
    const answers = { ...archive.answers, [messageId]: annotations };
    const ids = Object.keys(answers);
    for (const old of ids.slice(0, Math.max(0, ids.length - MAX_ANSWERS))) delete answers[old];
    this.write({ ...archive, answers });
  }

  get pending(): PendingApproval | undefined {
    return this.read().pending;
  }

  rememberPending(pending: PendingApproval | undefined): void {
    const { pending: _old, ...rest } = this.read();
    this.write(pending ? { ...rest, pending } : rest);
  }
}
