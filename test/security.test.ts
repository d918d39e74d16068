/** Attacks on tenant isolation and authentication: they must fail at the database or at the door. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/platform/db/client.ts';
import { pgError } from '../src/platform/db/errors.ts';
import { tenantIdFromKey, withTenant } from '../src/platform/tenancy/tenancy.ts';
import { budgetBody, lineBody, newTenant, startTestApp, TEST_SECRET, type TestApp } from './helpers/app.ts';
import { backends } from './helpers/databases.ts';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe.each(backends())('tenant isolation and auth attacks on %s', (backend) => {
  let t: TestApp;
  let tokenA: string;
  let tokenB: string;
  let budgetA: string;
  let lineA: string;
  const tenantA = newTenant();
  const tenantB = newTenant();

  beforeAll(async () => {
    t = await startTestApp(backend);
    tokenA = await t.token(tenantA);
    tokenB = await t.token(tenantB);
    const res = await t.call('POST', '/budgets', tokenA, budgetBody({ budget_lines: [lineBody()] }));
    budgetA = res.json().budget_id;
    lineA = (await t.call('GET', `/budgets/${budgetA}?include_lines=true`, tokenA)).json().budget_lines[0]
      .line_id;
  });
  afterAll(() => t?.close());

  it("answers 404 to tenant B for every read and write of tenant A's budget", async () => {
    const attempts = [
      ['GET', `/budgets/${budgetA}`, undefined],
      ['GET', `/budgets/${budgetA}?include_lines=true`, undefined],
      ['PUT', `/budgets/${budgetA}`, { notes: 'pwned', version: 1 }],
      ['DELETE', `/budgets/${budgetA}`, undefined],
      ['DELETE', `/budgets/${budgetA}?soft_delete=false`, undefined],
      ['GET', `/budgets/${budgetA}/lines`, undefined],
      ['POST', `/budgets/${budgetA}/lines`, lineBody()],
      ['POST', `/budgets/${budgetA}/lines/bulk`, { mode: 'replace', lines: [] }],
      ['PUT', `/budgets/${budgetA}/lines/${lineA}`, { amount: '1.00', version: 1 }],
      ['DELETE', `/budgets/${budgetA}/lines/${lineA}`, undefined],
    ] as const;
    for (const [method, path, body] of attempts) {
      const res = await t.call(method, path, tokenB, body);
      expect(res.statusCode, `${method} ${path}`).toBe(404);
    }
    const after = await t.call('GET', `/budgets/${budgetA}?include_lines=true`, tokenA);
    expect(after.json()).toMatchObject({ version: 1, notes: null });
    expect(after.json().budget_lines).toHaveLength(1);
    expect((await t.call('GET', '/budgets', tokenB)).json().items).toHaveLength(0);
    expect((await t.call('GET', '/audit', tokenB)).json().items).toHaveLength(0);
  });

  it("does not let tenant B attach a line of its own budget to A's line id", async () => {
    const own = (await t.call('POST', '/budgets', tokenB, budgetBody())).json().budget_id;
    const res = await t.call('PUT', `/budgets/${own}/lines/${lineA}`, tokenB, { amount: '1.00', version: 1 });
    expect(res.statusCode).toBe(404);
  });

  it('shows no rows to the app role when no tenant is set, and only its own rows when one is', async () => {
    const db = t.platform.database.db;
    const none = await db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL ROLE bf_app`);
      return queryRows<{ b: number; l: number; a: number; u: number; t: number }>(
        tx,
        sql`SELECT (SELECT count(*)::int FROM budgets) b, (SELECT count(*)::int FROM budget_lines) l,
                   (SELECT count(*)::int FROM audit_log) a, (SELECT count(*)::int FROM users) u,
                   (SELECT count(*)::int FROM tenants) t`,
      );
    });
    expect(none[0]).toEqual({ b: 0, l: 0, a: 0, u: 0, t: 0 });
    const asB = await withTenant(db, tenantIdFromKey(tenantB), (tx) =>
      queryRows<{ n: number }>(tx, sql`SELECT count(*)::int n FROM budgets WHERE id = ${budgetA}`),
    );
    expect(asB[0]!.n).toBe(0);
  });

  it('refuses, at the database, an insert of a row for another tenant', async () => {
    const db = t.platform.database.db;
    const attempt = withTenant(db, tenantIdFromKey(tenantB), (tx) =>
      tx.execute(sql`INSERT INTO audit_log (id, tenant_id, user_id, action, entity_type)
                     VALUES (gen_random_uuid(), ${tenantIdFromKey(tenantA)}, 'x', 'forged', 'budget')`),
    );
    await expect(attempt).rejects.toThrow();
  });

  it('refuses, at the database, an approved budget without an approver and a template id without version', async () => {
    const db = t.platform.database.db;
    const tid = tenantIdFromKey(tenantA);
    const constraintOf = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: unknown) => pgError(e)?.constraint,
      );
    expect(
      await constraintOf(
        withTenant(db, tid, (tx) =>
          tx.execute(sql`UPDATE budgets SET status = 'approved' WHERE id = ${budgetA}`),
        ),
      ),
    ).toBe('budgets_approved_has_approver');
    await withTenant(db, tid, (tx) =>
      tx
        .execute(
          sql`UPDATE budgets SET status = 'approved', approved_by = 'boss', approved_at = now() WHERE id = ${budgetA}`,
        )
        .then(() =>
          tx.execute(
            sql`UPDATE budgets SET status = 'draft', approved_by = NULL, approved_at = NULL WHERE id = ${budgetA}`,
          ),
        ),
    );
    expect(
      await constraintOf(
        withTenant(db, tid, (tx) =>
          tx.execute(sql`UPDATE budgets SET template_id = 'tpl' WHERE id = ${budgetA}`),
        ),
      ),
    ).toBe('budgets_template_version');
  });

  it('keeps the audit log append-only for the app role', async () => {
    const db = t.platform.database.db;
    const tid = tenantIdFromKey(tenantA);
    await expect(
      withTenant(db, tid, (tx) => tx.execute(sql`UPDATE audit_log SET action = 'tampered'`)),
    ).rejects.toThrow();
    await expect(withTenant(db, tid, (tx) => tx.execute(sql`DELETE FROM audit_log`))).rejects.toThrow();
    const res = await t.call('GET', `/audit?entity_id=${budgetA}`, tokenA);
    expect(res.json().items.map((e: { action: string }) => e.action)).toContain('budget.created');
  });

  it('ignores nothing silently: tenant_id, created_by, id and version in a create body are refused', async () => {
    const res = await t.call(
      'POST',
      '/budgets',
      tokenB,
      budgetBody({
        tenant_id: tenantIdFromKey(tenantA),
        created_by: 'admin',
        id: budgetA,
        budget_id: budgetA,
        version: 7,
        status: 'approved',
      }),
    );
    expect(res.statusCode).toBe(400);
    const paths = res
      .json()
      .errors.map((e: { path: string }) => e.path)
      .sort();
    expect(paths).toEqual(['budget_id', 'created_by', 'id', 'status', 'tenant_id', 'version']);
    expect((await t.call('GET', `/budgets/${budgetA}`, tokenA)).json().created_by).toBe('user-1');
    const upd = await t.call('PUT', `/budgets/${budgetA}`, tokenA, {
      tenant_id: tenantIdFromKey(tenantB),
      version: 1,
    });
    expect(upd.statusCode).toBe(400);
  });

  describe('tokens', () => {
    const payload = () => ({
      sub: 'mallory',
      tenant_id: tenantA,
      roles: ['admin'],
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const expect401 = async (token: string) => {
      const res = await t.call('GET', '/budgets', token);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('unauthorized');
    };

    it('refuses alg none', async () => {
      await expect401(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload())}.`);
    });

    it('refuses a token signed with another key', async () => {
      const forged = await new SignJWT(payload())
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(`${TEST_SECRET}x`));
      await expect401(forged);
    });

    it('refuses an RS256 token when the service expects its HS256 secret', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      await expect401(await new SignJWT(payload()).setProtectedHeader({ alg: 'RS256' }).sign(privateKey));
    });

    it('refuses an expired token', async () => {
      await expect401(await t.token(tenantA, { ttl: -60 }));
    });

    it('refuses a token without tenant_id, without sub or without exp', async () => {
      const key = new TextEncoder().encode(TEST_SECRET);
      const { tenant_id: _t, ...noTenant } = payload();
      await expect401(await new SignJWT(noTenant).setProtectedHeader({ alg: 'HS256' }).sign(key));
      const { sub: _s, ...noSub } = payload();
      await expect401(await new SignJWT(noSub).setProtectedHeader({ alg: 'HS256' }).sign(key));
      const { exp: _e, ...noExp } = payload();
      await expect401(await new SignJWT(noExp).setProtectedHeader({ alg: 'HS256' }).sign(key));
    });

    it('registers a tenant the service has not seen on its first valid token', async () => {
      const fresh = newTenant();
      const token = await t.token(fresh);
      const res = await t.call('POST', '/budgets', token, budgetBody());
      expect(res.statusCode).toBe(201);
      const me = await t.call('GET', '/auth/me', token);
      expect(me.json()).toMatchObject({ tenant_id: fresh, tenant_uuid: tenantIdFromKey(fresh) });
    });
  });
});

describe('OIDC tokens from a JWKS endpoint', () => {
  let t: TestApp;
  let server: Server;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  const issuer = 'https://id.example.test/';
  const audience = 'apg-bf';

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    t = await startTestApp('pglite', {
      JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
    });
  });
  afterAll(async () => {
    await t?.close();
    server?.close();
  });

  const sign = (claims: { iss?: string; aud?: string }) =>
    new SignJWT({ tenant_id: 'oidc-tenant', roles: ['viewer'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('alice')
      .setIssuer(claims.iss ?? issuer)
      .setAudience(claims.aud ?? audience)
      .setExpirationTime('5m')
      .sign(privateKey);

  it('accepts a token signed by the provider with the right issuer and audience', async () => {
    expect((await t.call('GET', '/budgets', await sign({}))).statusCode).toBe(200);
  });

  it('refuses a wrong issuer, a wrong audience, and our own HS256 tokens', async () => {
    expect((await t.call('GET', '/budgets', await sign({ iss: 'https://evil.test/' }))).statusCode).toBe(401);
    expect((await t.call('GET', '/budgets', await sign({ aud: 'other' }))).statusCode).toBe(401);
    expect((await t.call('GET', '/budgets', await t.token('oidc-tenant'))).statusCode).toBe(401);
  });
});
