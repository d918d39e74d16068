import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { API_PREFIX } from '../../platform/http/types.ts';

const PASSWORD = 'correct horse battery staple';

describe.each(backends())('password login on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let email: string;
  let userId: string;
  let clients = 0;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    email = `planner-${tenant}@example.com`;
    userId = (
      await t.services.users.create(tenant, 'test', { email, password: PASSWORD, roles: ['planner'] })
    ).id;
  });
  afterAll(() => t?.close());

  /** A fresh client address, so that tests do not share the login rate limit. */
  const newClient = () => `10.0.${Math.floor(++clients / 250)}.${clients % 250}`;
  const login = (body: Record<string, unknown>, remoteAddress = newClient()) =>
    t.app.inject({ method: 'POST', url: `${API_PREFIX}/auth/login`, payload: body, remoteAddress });

  it('returns a bearer token for the right password that works on the API', async () => {
    const res = await login({ tenant, email, password: PASSWORD });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: t.config.JWT_TTL_SECONDS,
      user: { user_id: userId, email, roles: ['planner'], tenant_id: tenant },
    });
    const token = body.access_token as string;
    expect((await t.call('GET', '/budgets', token)).statusCode).toBe(200);
    const created = await t.call('POST', '/budgets', token, budgetBody());
    expect(created.statusCode).toBe(201);
    expect(created.json().created_by).toBe(userId);
    const me = (await t.call('GET', '/auth/me', token)).json();
    expect(me).toMatchObject({ user_id: userId, tenant_id: tenant, email, roles: ['planner'] });
    expect(me.permissions).not.toContain('budgets:hard_delete');
  });

  it('tells the web app how to sign in without a token: password login, no identity provider', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/budgeting-forecasting/auth/config' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ password_login: true, oidc: null });
  });

  it('matches the email case-insensitively', async () => {
    expect((await login({ tenant, email: email.toUpperCase(), password: PASSWORD })).statusCode).toBe(200);
  });

  it('answers a wrong password, an unknown email and an unknown tenant with the same 401', async () => {
    const answers: LightMyRequestResponse[] = [
      await login({ tenant, email, password: `${PASSWORD}!` }),
      await login({ tenant, email, password: PASSWORD.toUpperCase() }),
      await login({ tenant, email: `nobody-${tenant}@example.com`, password: PASSWORD }),
      await login({ tenant: newTenant(), email, password: PASSWORD }),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({
        code: 'unauthorized',
        message: 'Invalid tenant, email or password',
      });
      expect(res.json().access_token).toBeUndefined();
    }
    const bodies = answers.map((r) => {
      const { request_id: _id, ...rest } = r.json();
      return rest;
    });
    for (const b of bodies) expect(b).toEqual(bodies[0]);
  });

  it('refuses a malformed login body with 400 field errors', async () => {
    const res = await login({ tenant, email: 'not-an-email', password: '' });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['email', 'password']);
    expect((await login({ tenant, email, password: PASSWORD, roles: ['admin'] })).statusCode).toBe(400);
  });

  it('answers the 11th attempt within a minute from one client with 429, other clients unaffected', async () => {
    const client = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await login({ tenant, email, password: 'wrong' }, client)).statusCode);
    expect(statuses).toEqual(Array(10).fill(401));
    const limited = await login({ tenant, email, password: PASSWORD }, client);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({
      message: expect.any(String),
      code: 'rate_limited',
      errors: [{ path: '(request)', code: 'rate_limited', message: expect.any(String) }],
      request_id: limited.headers['x-request-id'],
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().access_token).toBeUndefined();
    expect((await login({ tenant, email, password: PASSWORD })).statusCode).toBe(200);
  });
});

describe('login rate limit setting', () => {
  let t: TestApp;
  let tenant: string;

  beforeAll(async () => {
    t = await startTestApp('pglite', { LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    tenant = newTenant();
    await t.services.users.create(tenant, 'test', {
      email: 'a@example.com',
      password: PASSWORD,
      roles: ['viewer'],
    });
  });
  afterAll(() => t?.close());

  it('follows LOGIN_RATE_LIMIT_PER_MINUTE: the 4th attempt gets 429 even with the right password', async () => {
    const attempt = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: `${API_PREFIX}/auth/login`,
        payload: { tenant, email: 'a@example.com', password },
        remoteAddress: '192.0.2.7',
      });
    expect((await attempt(PASSWORD)).statusCode).toBe(200);
    expect((await attempt('wrong')).statusCode).toBe(401);
    expect((await attempt('wrong')).statusCode).toBe(401);
    expect((await attempt(PASSWORD)).statusCode).toBe(429);
  });

  it('does not rate-limit other routes', async () => {
    const token = await t.token(tenant);
    for (let i = 0; i < 6; i++) expect((await t.call('GET', '/budgets', token)).statusCode).toBe(200);
  });
});
