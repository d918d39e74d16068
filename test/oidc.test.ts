/**
 * OIDC against a real (local) provider: an HTTP server in this test serves a discovery
 * document and a JWKS, and signs tokens the way Keycloak does (roles under realm_access.roles,
 * the tenant in a nested claim, permissions as a space-separated string). Issuer discovery,
 * claim mapping, key rotation picked up at once, rate-limited refetches, no password login.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/server.ts';
import { budgetBody, startTestApp, type TestApp } from './helpers/app.ts';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** A tiny identity provider: discovery document + JWKS, with key rotation and fetch counts. */
class LocalProvider {
  server: Server = createServer((req, res) => this.handle(req.url ?? '', res));
  issuer = '';
  /** Served in the discovery document; another value makes it lie about its issuer. */
  advertisedIssuer: string | undefined;
  jwks: JWK[] = [];
  jwksFetches = 0;

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/realms/apg`;
  }

  private handle(url: string, res: ServerResponse) {
    res.setHeader('content-type', 'application/json');
    if (url === '/realms/apg/.well-known/openid-configuration') {
      res.end(
        JSON.stringify({
          issuer: this.advertisedIssuer ?? this.issuer,
          jwks_uri: `${this.issuer}/protocol/openid-connect/certs`,
          authorization_endpoint: `${this.issuer}/protocol/openid-connect/auth`,
        }),
      );
      return;
    }
    if (url === '/realms/apg/protocol/openid-connect/certs') {
      this.jwksFetches++;
      res.end(JSON.stringify({ keys: this.jwks }));
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  }

  /** A new signing key with a new kid; the JWKS then serves only it (the old one retired). */
  async rotate(kid: string): Promise<Key> {
    const pair = await generateKeyPair('RS256');
    this.jwks = [{ ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' }];
    return pair.privateKey;
  }
}

const audience = 'apg-bf';
const provider = new LocalProvider();
let t: TestApp;
let key: Key;

/** A Keycloak-shaped access token. */
function sign(
  signingKey: Key,
  kid: string,
  o: { roles?: unknown; iss?: string; tenant?: string | null; scope?: string } = {},
) {
  return new SignJWT({
    org: o.tenant === null ? {} : { tenant: o.tenant ?? 'acme-oidc' },
    realm_access: { roles: o.roles ?? ['planner', 'offline_access', 'uma_authorization'] },
    scope: o.scope ?? 'openid profile audit:read',
    email: 'alice@acme.test',
  })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setSubject('alice')
    .setIssuer(o.iss ?? provider.issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime('5m')
    .sign(signingKey);
}

beforeAll(async () => {
  await provider.start();
  key = await provider.rotate('k1');
  t = await startTestApp('pglite', {
    OIDC_ISSUER_URL: provider.issuer,
    JWT_AUDIENCE: audience,
    JWT_TENANT_CLAIM: 'org.tenant',
    JWT_ROLES_CLAIM: 'realm_access.roles',
    JWT_PERMISSIONS_CLAIM: 'scope',
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
  provider.server.close();
});

describe('OIDC with issuer discovery and claim mapping', () => {
  it('finds the JWKS through discovery and reads tenant, roles and permissions where the settings say', async () => {
    const me = await t.call('GET', '/auth/me', await sign(key, 'k1'));
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user_id: 'alice',
      tenant_id: 'acme-oidc',
      email: 'alice@acme.test',
      roles: ['planner', 'offline_access', 'uma_authorization'],
    });
    expect(me.json().permissions).toEqual(expect.arrayContaining(['budgets:write', 'audit:read']));
    expect(me.json().permissions).not.toContain('budgets:approve');
    // The nested role decides what the token may do.
    expect((await t.call('POST', '/budgets', await sign(key, 'k1'), budgetBody())).statusCode).toBe(201);
    const viewer = await sign(key, 'k1', { roles: ['viewer'], scope: 'openid' });
    expect((await t.call('POST', '/budgets', viewer, budgetBody())).statusCode).toBe(403);
  });

  it('names no browser client without OIDC_CLIENT_ID, and says password login is off', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/budgeting-forecasting/auth/config' });
    expect(res.json()).toEqual({ password_login: false, oidc: null });
  });

  it('refuses a token from another issuer than the discovered one', async () => {
    const res = await t.call(
      'GET',
      '/budgets',
      await sign(key, 'k1', { iss: 'http://127.0.0.1:1/realms/evil' }),
    );
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toContain('iss');
  });

  it('names the configured claim when a token lacks it', async () => {
    const res = await t.call('GET', '/budgets', await sign(key, 'k1', { tenant: null }));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/^Invalid token: claim org\.tenant /);
  });

  it('accepts a token signed with a rotated key (new kid) at once; made-up kids refetch at most once per 10 s', async () => {
    const before = provider.jwksFetches;
    const next = await provider.rotate('k2');
    const res = await t.call('GET', '/budgets', await sign(next, 'k2'));
    expect(res.statusCode).toBe(200);
    expect(provider.jwksFetches).toBe(before + 1);
    // An unknown kid right after that refetch: refused without asking the provider again.
    const stranger = await generateKeyPair('RS256');
    const forged = await sign(stranger.privateKey, 'k-unknown');
    expect((await t.call('GET', '/budgets', forged)).statusCode).toBe(401);
    expect((await t.call('GET', '/budgets', forged)).statusCode).toBe(401);
    expect(provider.jwksFetches).toBe(before + 1);
    // The retired key no longer verifies (its kid is gone from the JWKS).
    expect((await t.call('GET', '/budgets', await sign(key, 'k1'))).statusCode).toBe(401);
  });

  it('disables password login and does not create the demo admin', async () => {
    const login = await t.call('POST', '/auth/login', undefined, {
      tenant: 'demo',
      email: 'admin@demo.local',
      password: 'whatever-password',
    });
    expect(login.statusCode).toBe(422);
    expect(login.json().code).toBe('login_disabled');
    const printed: string[] = [];
    await seedDemo(t.config, t.services.users, 'http://127.0.0.1:1', (m) => printed.push(m));
    expect(printed).toEqual([]);
    expect(await t.services.users.hasUsers('demo')).toBe(false);
  });

  it('a discovery document naming another issuer is refused: 503 dependency_unavailable, no token accepted', async () => {
    provider.advertisedIssuer = 'http://127.0.0.1:1/realms/other';
    const other = await startTestApp(
      'pglite',
      { OIDC_ISSUER_URL: provider.issuer, JWT_AUDIENCE: audience, JWT_TENANT_CLAIM: 'org.tenant' },
      t.testDb,
    );
    try {
      const res = await other.call('GET', '/budgets', await sign(key, 'k1'));
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'dependency_unavailable' });
      expect(res.json().message).toContain('not OIDC_ISSUER_URL');
    } finally {
      provider.advertisedIssuer = undefined;
      await other.close();
    }
  });
});
