import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtVerifier } from './jwt-verifier.js';
import { AuthError } from './principal.js';
import { LocalTokenVerifier, NoneVerifier } from './simple-verifiers.js';

const secret = 'a-test-secret-of-decent-length-123456';
const key = new TextEncoder().encode(secret);
const now = () => Math.floor(Date.now() / 1000);

function sign(claims: Record<string, unknown>, options: { exp?: number; nbf?: number; iss?: string; aud?: string } = {}) {
  let jwt = new SignJWT({ org: 'org-1', role: 'basic', ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject('user-a');
  jwt = jwt.setExpirationTime(options.exp ?? now() + 600);
  if (options.nbf !== undefined) jwt = jwt.setNotBefore(options.nbf);
  if (options.iss) jwt = jwt.setIssuer(options.iss);
  if (options.aud) jwt = jwt.setAudience(options.aud);
  return jwt.sign(key);
}

async function refusal(verifier: JwtVerifier, token: string): Promise<AuthError> {
  try {
    await verifier.verify(token);
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('token was accepted');
}

describe('JwtVerifier (HS256)', () => {
  const verifier = new JwtVerifier({ hs256Secret: secret, issuer: 'https://idp.test', audience: 'smooth', clockToleranceSec: 5 });
  const good = (claims: Record<string, unknown> = {}, o: Parameters<typeof sign>[1] = {}) =>
    sign(claims, { iss: 'https://idp.test', aud: 'smooth', ...o });

  it('accepts a valid token and maps claims', async () => {
    const p = await verifier.verify(await good({ role: 'Curator', groups: ['vip', 3], name: 'Ann', email: 'a@x.test', org: undefined, org_id: 'org-9' }));
    expect(p).toEqual({ userId: 'user-a', organizationId: 'org-9', role: 'curator', groups: ['vip'], displayName: 'Ann', email: 'a@x.test' });
    expect((await verifier.verify(await good({ role: 'user' }))).role).toBe('basic');
  });

  it('refuses alg none, a wrong algorithm, a wrong key, expiry, not-before, issuer and audience', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'x', org: 'o', role: 'admin', exp: now() + 60, iss: 'https://idp.test', aud: 'smooth' })).toString('base64url');
    expect((await refusal(verifier, `${header}.${body}.`)).code).toBe('INVALID_TOKEN');

    const { privateKey } = await generateKeyPair('RS256');
    const rs = await new SignJWT({ org: 'o', role: 'admin' }).setProtectedHeader({ alg: 'RS256' }).setSubject('x').setExpirationTime('5m').setIssuer('https://idp.test').setAudience('smooth').sign(privateKey);
    expect((await refusal(verifier, rs)).message).toContain('algorithm');

    const otherKey = await new SignJWT({ org: 'o', role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('5m').setIssuer('https://idp.test').setAudience('smooth').sign(new TextEncoder().encode('another-secret-another-secret-xx'));
    expect((await refusal(verifier, otherKey)).message).toContain('signature');

    expect((await refusal(verifier, await good({}, { exp: now() - 60 }))).message).toContain('expired');
    expect((await refusal(verifier, await good({}, { nbf: now() + 120 }))).code).toBe('INVALID_TOKEN');
    expect((await refusal(verifier, await sign({}, { iss: 'https://evil.test', aud: 'smooth' }))).message).toContain('iss');
    expect((await refusal(verifier, await sign({}, { iss: 'https://idp.test', aud: 'other' }))).message).toContain('aud');
    expect((await refusal(verifier, 'not.a.jwt')).code).toBe('INVALID_TOKEN');
  });

  it('tolerates small clock skew', async () => {
    await expect(verifier.verify(await good({}, { exp: now() - 2 }))).resolves.toMatchObject({ userId: 'user-a' });
  });

  it('requires org and a known role', async () => {
    expect((await refusal(verifier, await good({ org: undefined }))).message).toContain("'org'");
    expect((await refusal(verifier, await good({ role: 'superuser' }))).code).toBe('MISSING_ROLE');
    expect((await refusal(verifier, await good({ role: undefined }))).code).toBe('MISSING_ROLE');
  });

  it('never puts the token in its error', async () => {
    const token = await good({}, { exp: now() - 600 });
    expect((await refusal(verifier, token)).message).not.toContain(token.slice(-20));
  });
});

describe('JwtVerifier (RS256 PEM and JWKS rotation)', () => {
  let jwks: { keys: JWK[] } = { keys: [] };
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const token = (privateKey: CryptoKeyLike, kid?: string) =>
    new SignJWT({ org: 'org-1', role: 'admin' })
      .setProtectedHeader({ alg: 'RS256', ...(kid ? { kid } : {}) })
      .setSubject('u')
      .setExpirationTime('5m')
      .sign(privateKey);
  type CryptoKeyLike = Parameters<SignJWT['sign']>[0];

  it('verifies with an RS256 public key PEM', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const verifier = new JwtVerifier({ rs256PublicKey: await exportSPKI(publicKey), clockToleranceSec: 0 });
    await expect(verifier.verify(await token(privateKey))).resolves.toMatchObject({ role: 'admin' });
  });

  it('picks up a rotated key (new kid) without a restart', async () => {
    const first = await generateKeyPair('RS256', { extractable: true });
    const second = await generateKeyPair('RS256', { extractable: true });
    jwks = { keys: [{ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
    const verifier = new JwtVerifier({ jwksUrl: url, clockToleranceSec: 0, jwksCooldownMs: 20 });
    await expect(verifier.verify(await token(first.privateKey, 'k1'))).resolves.toMatchObject({ userId: 'u' });
    await expect(verifier.verify(await token(second.privateKey, 'k2'))).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    const before = fetches;
    jwks = { keys: [jwks.keys[0]!, { ...(await exportJWK(second.publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' }] };
    // Past the cooldown, the same verifier refetches on first sight of the unknown kid.
    await new Promise((r) => setTimeout(r, 50));
    await expect(verifier.verify(await token(second.privateKey, 'k2'))).resolves.toMatchObject({ userId: 'u' });
    await expect(verifier.verify(await token(first.privateKey, 'k1'))).resolves.toBeDefined();
    expect(fetches).toBeGreaterThan(before);
  });
});

describe('simple verifiers', () => {
  it('local-token compares the shared secret', async () => {
    const v = new LocalTokenVerifier('s3cret', 'org-l');
    await expect(v.verify('s3cret')).resolves.toMatchObject({ userId: 'local', role: 'admin', organizationId: 'org-l' });
    await expect(v.verify('s3cret!')).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(v.verify('')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('none makes any token a dev admin', async () => {
    await expect(new NoneVerifier('dev').verify('anything')).resolves.toMatchObject({ role: 'admin', organizationId: 'dev' });
  });
});
