import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { assertBuilt, runCli } from '../restart-cli.js';

// Finding 3: settings that passed loadConfig and then crashed later with a stack trace.
describe('settings that used to crash at boot', () => {
  it.each([
    ['SMOOTH_AGENT_BIND', 'not an ip!'],
    ['SMOOTH_AGENT_BIND', '300.1.1.1 '],
    ['SMOOTH_AGENT_BIND', 'host_with_underscore'],
    ['SMOOTH_AGENT_LOG_LEVEL', 'bogus'],
    ['SMOOTH_AGENT_LOG_LEVEL', 'warning'],
    ['AUTH_JWT_RS256_PUBLIC_KEY', 'garbage'],
    ['AUTH_JWT_JWKS_URL', 'not a url'],
  ])('%s=%j is a ConfigError naming it', (name, value) => {
    const load = () => loadConfig({ [name]: value, AUTH_MODE: name.startsWith('AUTH_') ? 'jwt' : undefined });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`^${name}: `));
  });

  it('accepts IPv4, IPv6 (bracketed or not), host names and every pino level', () => {
    expect(loadConfig({ SMOOTH_AGENT_BIND: '0.0.0.0' }).bind).toBe('0.0.0.0');
    expect(loadConfig({ SMOOTH_AGENT_BIND: '::' }).bind).toBe('::');
    expect(loadConfig({ SMOOTH_AGENT_BIND: '[::1]' }).bind).toBe('::1');
    expect(loadConfig({ SMOOTH_AGENT_BIND: 'localhost' }).bind).toBe('localhost');
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      expect(loadConfig({ SMOOTH_AGENT_LOG_LEVEL: level.toUpperCase() }).logLevel).toBe(level);
    }
  });

  it.each([
    ['SMOOTH_AGENT_BIND', 'not an ip!'],
    ['SMOOTH_AGENT_LOG_LEVEL', 'bogus'],
  ])('serve with %s=%j exits 2 with one line naming the variable, no stack', async (name, value) => {
    assertBuilt();
    const result = await runCli(['serve'], { [name]: value });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid configuration: ${name}:`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
