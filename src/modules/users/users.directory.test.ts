/**
 * GET /users: colleagues named by id elsewhere (updated_by, audit user_id, workflow actor) can be
 * named by email and display name; roles only for user managers; another tenant's users never.
 * And the tenant's display locale (PUT /settings locale) that the web interface formats in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';

const PASSWORD = 'correct horse battery staple';

describe.each(backends())('the user directory and display locale on %s', (backend) => {
  let t: TestApp;
  const tenant = newTenant();
  const other = newTenant();
  let ann = '';
  beforeAll(async () => {
    t = await startTestApp(backend);
    const users = t.services.users;
    ann = (
      await users.create(tenant, 'test', {
        email: 'ann@example.com',
        password: PASSWORD,
        roles: ['planner'],
        displayName: 'Ann Lee',
      })
    ).id;
    await users.create(tenant, 'test', { email: 'Bob@example.com', password: PASSWORD, roles: ['viewer'] });
    await users.create(other, 'test', { email: 'eve@example.com', password: PASSWORD, roles: ['admin'] });
  });
  afterAll(() => t?.close());

  it('lists the tenant’s users by email for any member, without roles unless they manage users', async () => {
    const viewer = await t.token(tenant, { roles: ['viewer'] });
    const res = await t.call('GET', '/users', viewer);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      { user_id: ann, email: 'ann@example.com', display_name: 'Ann Lee', is_active: true },
      { user_id: expect.any(String), email: 'Bob@example.com', display_name: null, is_active: true },
    ]);
    const admin = await t.token(tenant, { roles: ['admin'] });
    const managed = (await t.call('GET', '/users', admin)).json().items;
    expect(managed.map((u: { roles: string[] }) => u.roles)).toEqual([['planner'], ['viewer']]);
  });

  it('never lists another tenant’s users, and refuses a bad limit naming it', async () => {
    const outsider = await t.token(other, { roles: ['admin'] });
    const items = (await t.call('GET', '/users', outsider)).json().items;
    expect(items.map((u: { email: string }) => u.email)).toEqual(['eve@example.com']);
    const bad = await t.call('GET', '/users?limit=0', outsider);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({
      path: 'query.limit',
      message: 'limit must be a whole number 1-1000',
    });
    expect((await t.call('GET', '/users', undefined)).statusCode).toBe(401);
  });

  it('keeps a display locale in its canonical form, refuses an unknown one naming the field, and null resets it', async () => {
    const admin = await t.token(tenant, { roles: ['admin'] });
    expect((await t.call('GET', '/settings', admin)).json().locale).toBeNull();
    const set = await t.call('PUT', '/settings', admin, { locale: 'de-de' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().locale).toBe('de-DE');
    const viewer = await t.token(tenant, { roles: ['viewer'] });
    expect((await t.call('GET', '/settings', viewer)).json().locale).toBe('de-DE');
    for (const locale of ['not a locale', 'xx-QQ-1', 42]) {
      const bad = await t.call('PUT', '/settings', admin, { locale });
      expect(bad.statusCode, String(locale)).toBe(400);
      expect(bad.json().errors[0]).toMatchObject({
        path: 'locale',
        message: expect.stringContaining('BCP 47'),
      });
    }
    expect((await t.call('GET', '/settings', admin)).json().locale).toBe('de-DE');
    // The other settings are untouched by a locale change, and a locale by theirs.
    await t.call('PUT', '/settings', admin, { fiscal_year_start_month: 4 });
    expect((await t.call('GET', '/settings', admin)).json()).toMatchObject({
      locale: 'de-DE',
      fiscal_year_start_month: 4,
    });
    const reset = await t.call('PUT', '/settings', admin, { locale: null });
    expect(reset.json().locale).toBeNull();
    expect((await t.call('GET', '/settings', viewer)).json().locale).toBeNull();
    expect((await t.call('PUT', '/settings', viewer, { locale: 'fr-FR' })).statusCode).toBe(403);
  });
});
