/** The admin HTTP API as the console uses it: same origin, bearer token, JSON. */
export interface HandoffView {
  conversationId: string;
  state: 'bot' | 'waiting' | 'human' | 'closed';
  trigger: string | null;
  reason: string | null;
  requestedAt: string | null;
  waitSeconds: number;
  operator: { id: string; name: string } | null;
  visitorEmail: string | null;
  updatedAt: string;
}

export interface MessageView {
  id: string;
  direction: 'inbound' | 'outbound';
  text: string;
  sender: { type: string; name: string | null };
  createdAt: string;
}

export interface ConversationDetail {
  conversationId: string;
  handoff: HandoffView | null;
  messages: MessageView[];
  pendingApproval: { toolName: string; description: string; createdAt: string; expiresAt: string } | null;
  /** What each AI answer used, by message id. */
  notes: Array<{ messageId: string; citations: Array<{ id: string; title: string; url?: string; snippet: string }>; tools: Array<{ name: string; isError: boolean }> }>;
}

export interface Me {
  userId: string;
  orgId: string;
  role: 'admin' | 'curator' | 'basic';
  displayName?: string;
}

export interface DocumentSummary {
  id: string;
  title?: string;
  source: string;
  url?: string;
  chunks?: number;
  updatedAt?: string;
}

export interface SearchResult {
  rank: number;
  documentId: string;
  title?: string;
  source: string;
  text: string;
  score: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class AdminApi {
  constructor(private readonly token: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      json = {};
    }
    if (!res.ok) {
      const message = (json as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`;
      throw new ApiError(res.status, message);
    }
    return json as T;
  }

  me(): Promise<Me> {
    return this.call('GET', '/admin/me');
  }

  handoffs(): Promise<{ handoffs: HandoffView[]; availability: { available: boolean; reason: string | null; operatorsOnline: number } }> {
    return this.call('GET', '/admin/handoffs');
  }

  conversation(id: string): Promise<ConversationDetail> {
    return this.call('GET', `/admin/conversations/${encodeURIComponent(id)}/handoff`);
  }

  takeover(id: string): Promise<{ handoff: HandoffView; summary: string }> {
    return this.call('POST', `/admin/conversations/${encodeURIComponent(id)}/takeover`);
  }

  reply(id: string, text: string): Promise<{ message: MessageView }> {
    return this.call('POST', `/admin/conversations/${encodeURIComponent(id)}/messages`, { text });
  }

  handback(id: string): Promise<{ handoff: HandoffView }> {
    return this.call('POST', `/admin/conversations/${encodeURIComponent(id)}/handback`);
  }

  close(id: string): Promise<{ handoff: HandoffView }> {
    return this.call('POST', `/admin/conversations/${encodeURIComponent(id)}/close`);
  }

  documents(): Promise<{ documents: DocumentSummary[] }> {
    return this.call('GET', '/admin/knowledge/documents');
  }

  addDocuments(documents: Array<{ id: string; source: string; title: string; content: string }>): Promise<unknown> {
    return this.call('POST', '/admin/knowledge/documents', { documents });
  }

  search(query: string, as: { userId: string; groups: string[] } | undefined): Promise<{ results: SearchResult[] }> {
    return this.call('POST', '/admin/knowledge/search', { query, limit: 10, ...(as ? { as } : {}) });
  }
}
