import { createApp, type AppDeps } from './app.js';
import { defaultConfig, loadConfig, type Config } from './config/index.js';
import type { Tool } from './engine/index.js';
import { startServer } from './server/http-server.js';
import { silentLogger } from './server/logger.js';

export interface LocalServerOptions extends Omit<AppDeps, 'tools'> {
  /** `host:port`; port 0 picks a free one. Default 127.0.0.1:0. */
  addr?: string;
  seedKb?: boolean;
  tools?: readonly Tool[];
  /** Configuration overrides on top of the defaults (or of `env` when given). */
  config?: Partial<Config>;
  /** Read configuration from these variables instead of the built-in defaults. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Serve the chat widget (`GET /` and `GET /chat-widget.iife.js`); off unless asked for here, in
   * `config` or by SMOOTH_AGENT_SERVE_WIDGET in `env`. `{ token }` hands the host page a token.
   */
  serveWidget?: boolean | { token?: string };
}

export interface LocalServer {
  readonly addr: string;
  readonly port: number;
  readonly wsUrl: string;
  readonly httpUrl: string;
  close(): Promise<void>;
}

function parseAddr(addr: string): { bind: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(addr);
  if (!match?.[1] || !match[2]) throw new Error(`addr must look like host:port, got "${addr}"`);
  return { bind: match[1], port: Number(match[2]) };
}

function widgetOverrides(option: LocalServerOptions['serveWidget']): Partial<Config> {
  if (option === undefined) return {};
  if (typeof option === 'boolean') return { serveWidget: option };
  return { serveWidget: true, ...(option.token !== undefined ? { widgetToken: option.token } : {}) };
}

/** Starts the full server in this process, e.g. inside a host application or a test. */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const { addr = '127.0.0.1:0', seedKb, config: overrides, env, serveWidget, ...deps } = options;
  const base = env ? loadConfig(env) : defaultConfig();
  const config: Config = Object.freeze({
    ...base,
    ...overrides,
    ...parseAddr(addr),
    ...(seedKb !== undefined ? { seedKb } : {}),
    ...widgetOverrides(serveWidget),
  });
  const app = await createApp(config, { logger: deps.logger ?? silentLogger(), ...deps });
  const server = await startServer(app);
  return {
    addr: `${server.host}:${server.port}`,
    port: server.port,
    wsUrl: server.wsUrl,
    httpUrl: `http://${server.host}:${server.port}`,
    close: () => server.close(),
  };
}
