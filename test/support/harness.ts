import { startLocalServer, type GatewayConfig, type LocalServer, type LocalServerOptions } from '../../src/index.js';
import { startScriptedGateway, type ScriptedGateway, type ScriptedGatewayOptions, type ScriptStep } from '../../src/testing/index.js';
import { TestClient, type Frame } from './ws-client.js';

export interface Harness {
  server: LocalServer;
  gateway: ScriptedGateway;
  connect(): Promise<TestClient>;
  /** Connects and creates a session, returning the client and the session id. */
  session(): Promise<{ client: TestClient; sessionId: string }>;
  close(): Promise<void>;
}

export const AGENT_ID = '11111111-1111-1111-1111-111111111111';

/** Boots the real server in-process against a scripted gateway on loopback. */
export async function startHarness(
  script: ScriptStep[],
  options: LocalServerOptions = {},
  gatewayConfig: Partial<GatewayConfig> = {},
  gatewayOptions: Omit<ScriptedGatewayOptions, 'script'> = {},
): Promise<Harness> {
  const gateway = await startScriptedGateway({ script, ...gatewayOptions });
  const server = await startLocalServer({
    ...options,
    config: {
      gateway: { baseUrl: gateway.url, apiKey: 'test-key', maxRetries: 2, idleTimeoutMs: 5000, ...gatewayConfig },
      ...options.config,
    },
  });
  const clients: TestClient[] = [];
  const connect = async () => {
    const client = await TestClient.connect(server.wsUrl);
    clients.push(client);
    return client;
  };
  return {
    server,
    gateway,
    connect,
    async session() {
      const client = await connect();
      const created = await client.request({ action: 'create_conversation_session', requestId: 'create', agentId: AGENT_ID, userName: 'Alice' });
      const sessionId = (created.data as { sessionId: string }).sessionId;
      return { client, sessionId };
    },
    async close() {
      for (const c of clients) c.ws.terminate();
      await server.close();
      await gateway.close();
    },
  };
}

export function tokensOf(frames: Frame[]): string {
  return frames
    .filter((f) => f.type === 'stream_token')
    .map((f) => f.token as string)
    .join('');
}
