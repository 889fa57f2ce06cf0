import { describe, expect, it } from 'vitest';
import { BackplaneUnavailableError, buildBackplane, MemoryBackplane } from '../src/backplane/index.js';
import { silentBackplaneLogger } from '../src/backplane/backplane-logger.js';
import { ConfigError, loadConfig } from '../src/config/index.js';

const error = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    return err;
  }
  throw new Error('expected a ConfigError');
};

describe('backplane configuration', () => {
  it('defaults to memory and ignores bus URLs then', () => {
    expect(loadConfig({}).backplane).toEqual({ kind: 'memory' });
    expect(loadConfig({ SMOOTH_AGENT_BACKPLANE: ' Memory ', SMOOTH_AGENT_REDIS_URL: 'not a url' }).backplane).toEqual({ kind: 'memory' });
  });

  it('takes SMOOTH_AGENT_BACKPLANE_URL first, then the per-bus variable', () => {
    expect(loadConfig({ SMOOTH_AGENT_BACKPLANE: 'redis', SMOOTH_AGENT_REDIS_URL: 'redis://r:6379' }).backplane).toEqual({
      kind: 'redis',
      url: 'redis://r:6379',
      urlVariable: 'SMOOTH_AGENT_REDIS_URL',
    });
    expect(
      loadConfig({ SMOOTH_AGENT_BACKPLANE: 'valkey', SMOOTH_AGENT_BACKPLANE_URL: 'rediss://v:6380', SMOOTH_AGENT_REDIS_URL: 'redis://r:6379' }).backplane,
    ).toEqual({ kind: 'valkey', url: 'rediss://v:6380', urlVariable: 'SMOOTH_AGENT_BACKPLANE_URL' });
    expect(loadConfig({ SMOOTH_AGENT_BACKPLANE: 'nats', SMOOTH_AGENT_NATS_URL: 'nats://n:4222' }).backplane).toMatchObject({
      kind: 'nats',
      urlVariable: 'SMOOTH_AGENT_NATS_URL',
    });
  });

  it('names the variable for an unknown kind, a missing URL, a bad URL or the wrong scheme, without echoing the URL', () => {
    const unknown = error({ SMOOTH_AGENT_BACKPLANE: 'kafka' });
    expect(unknown).toBeInstanceOf(ConfigError);
    expect(unknown).toMatchObject({ variable: 'SMOOTH_AGENT_BACKPLANE', message: expect.stringContaining('memory, redis, valkey, nats') });
    expect(error({ SMOOTH_AGENT_BACKPLANE: 'nats', SMOOTH_AGENT_REDIS_URL: 'redis://r' })).toMatchObject({
      variable: 'SMOOTH_AGENT_BACKPLANE',
      message: expect.stringContaining('SMOOTH_AGENT_NATS_URL'),
    });
    const bad = error({ SMOOTH_AGENT_BACKPLANE: 'redis', SMOOTH_AGENT_BACKPLANE_URL: 'hunter2 is not a url' }) as Error;
    expect(bad).toMatchObject({ variable: 'SMOOTH_AGENT_BACKPLANE_URL' });
    expect(bad.message).not.toContain('hunter2');
    expect(error({ SMOOTH_AGENT_BACKPLANE: 'redis', SMOOTH_AGENT_BACKPLANE_URL: 'nats://:hunter2@n:4222' })).toMatchObject({
      variable: 'SMOOTH_AGENT_BACKPLANE_URL',
      message: expect.not.stringContaining('hunter2'),
    });
  });
});

describe('buildBackplane', () => {
  it('builds the memory backplane without touching the network', async () => {
    const backplane = await buildBackplane({ kind: 'memory' }, silentBackplaneLogger);
    expect(backplane).toBeInstanceOf(MemoryBackplane);
    await backplane.close();
  });

  // Port 1 on loopback refuses at once: a boot error, not a retry loop, and no password in the message.
  for (const [kind, url] of [
    ['redis', 'redis://:hunter2@127.0.0.1:1'],
    ['nats', 'nats://bob:hunter2@127.0.0.1:1'],
    ['nats', 'nats://hunter2@127.0.0.1:1'],
  ] as const) {
    it(`fails the boot clearly when ${kind} at ${url.replace('hunter2', '…')} cannot be reached`, async () => {
      const started = Date.now();
      const err = await buildBackplane({ kind, url, urlVariable: 'SMOOTH_AGENT_BACKPLANE_URL' }, silentBackplaneLogger).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BackplaneUnavailableError);
      const message = (err as Error).message;
      expect(message).toContain(`cannot connect to ${kind} at`);
      expect(message).toContain('127.0.0.1:1');
      expect(message).toContain('SMOOTH_AGENT_BACKPLANE_URL');
      expect(message).not.toContain('hunter2');
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  }
});
