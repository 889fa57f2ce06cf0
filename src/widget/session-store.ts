/**
 * Remembers the visitor's session id across page loads, one per (server, agent), so a reload
 * restores the conversation. localStorage can be missing or throw (privacy modes, sandboxed
 * iframes, quota); the widget then still works, it just forgets on reload.
 */
export interface SessionStore {
  get(): string | undefined;
  set(sessionId: string): void;
  clear(): void;
}

const PREFIX = 'smooth-agent-chat:session:';

export function localSessionStore(server: string, agentId: string): SessionStore {
  const key = `${PREFIX}${server}|${agentId}`;
  let fallback: string | undefined;
  const storage = (): Storage | undefined => {
    try {
      return window.localStorage;
    } catch {
      return undefined;
    }
  };
  return {
    get() {
      try {
        return storage()?.getItem(key) ?? fallback;
      } catch {
        return fallback;
      }
    },
    set(sessionId) {
      fallback = sessionId;
      try {
        storage()?.setItem(key, sessionId);
      } catch {
        // Kept in memory only.
      }
    },
    clear() {
      fallback = undefined;
      try {
        storage()?.removeItem(key);
      } catch {
        // Nothing stored.
      }
    },
  };
}
