import { startLocalServer, type LocalServer, type LocalServerOptions } from '../../../src/index.js';
import { startScriptedGateway, type ScriptedGateway, type ScriptStep } from '../../../src/testing/index.js';

/**
 * The real server with the widget routes on, its LLM a scripted gateway on loopback. `stop` and
 * `start` bring the server down and back up on the same port (the widget's URL does not change),
 * the way a deploy or a crash-and-restart looks from the browser.
 */
export class WidgetServer {
  private current: LocalServer | undefined;

  private constructor(
    readonly gateway: ScriptedGateway,
    private readonly options: LocalServerOptions,
    private port: number,
  ) {}

  static async start(script: ScriptStep[], options: LocalServerOptions = {}): Promise<WidgetServer> {
    const gateway = await startScriptedGateway({ script });
    const server = new WidgetServer(gateway, options, 0);
    await server.start();
    return server;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(overrides: LocalServerOptions = {}): Promise<void> {
    this.current = await startLocalServer({
      ...this.options,
      ...overrides,
      addr: `127.0.0.1:${this.port}`,
      serveWidget: true,
      config: {
        gateway: { baseUrl: this.gateway.url, apiKey: 'test-key', maxRetries: 0, idleTimeoutMs: 30_000 },
        // A restart in a test must not wait out in-flight turns for the production default.
        drainTimeoutMs: 500,
        ...this.options.config,
        ...overrides.config,
      },
    });
    this.port = this.current.port;
  }

  async stop(): Promise<void> {
    const server = this.current;
    this.current = undefined;
    await server?.close();
  }

  async close(): Promise<void> {
    await this.stop();
    await this.gateway.close();
  }
}
