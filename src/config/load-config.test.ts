import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

describe('loadConfig', () => {
  it('has working defaults with no environment at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ bind: '127.0.0.1', port: 8787, maxIterations: 20, maxTokens: 8192, storage: 'memory', authMode: 'disabled' });
    expect(config.gateway.apiKey).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses lists, flags and trims the gateway URL', () => {
    const config = loadConfig({
      SMOOTH_AGENT_CONFIRM_TOOLS: 'delete, refund ,,',
      SMOOTH_AGENT_SEED_KB: '1',
      SMOOAI_GATEWAY_URL: 'http://127.0.0.1:9/v1/',
      SMOOAI_GATEWAY_KEY: 'sk-secret',
      AUTH_MODE: 'none',
    });
    expect(config.confirmToolPatterns).toEqual(['delete', 'refund']);
    expect(config.seedKb).toBe(true);
    expect(config.gateway.baseUrl).toBe('http://127.0.0.1:9/v1');
    expect(config.authMode).toBe('none');
  });

  it.each([
    ['SMOOTH_AGENT_PORT', 'eighty'],
    ['SMOOTH_AGENT_PORT', '70000'],
    ['SMOOTH_AGENT_MAX_ITERATIONS', '0'],
    ['SMOOTH_AGENT_STORAGE', 'postgres'],
    ['AUTH_MODE', 'jwt'],
    ['SMOOAI_GATEWAY_URL', 'not a url'],
    ['SMOOTH_AGENT_SEED_KB', 'maybe'],
    ['SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE', 'sometimes'],
    ['SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE_TIMEOUT_MS', '50'],
    ['SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE_TIMEOUT_MS', '3s'],
  ])('rejects %s=%s with an error naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  it('keeps the retrieval query rewrite off unless asked, on the turn\'s model, with a short timeout', () => {
    expect(loadConfig({}).retrieval.queryRewrite).toEqual({ enabled: false, timeoutMs: 3000 });
    const on = loadConfig({
      SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE: 'true',
      SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE_MODEL: ' small-model ',
      SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE_TIMEOUT_MS: '1500',
    });
    expect(on.retrieval.queryRewrite).toEqual({ enabled: true, model: 'small-model', timeoutMs: 1500 });
  });

  it('never echoes the gateway key in errors', () => {
    try {
      loadConfig({ SMOOAI_GATEWAY_KEY: 'sk-very-secret', SMOOTH_AGENT_PORT: 'x' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('sk-very-secret');
    }
  });
});
