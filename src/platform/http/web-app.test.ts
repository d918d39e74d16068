import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from './error-handler.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { API_PREFIX } from './types.ts';
import { webApp } from './web-app.ts';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

async function appOver(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandling(app);
  await registerSecurityHeaders(app);
  app.get('/health', async () => ({ status: 'ok' }));
  app.get(`${API_PREFIX}/budgets`, async () => ({ items: [] }));
  app.get(`${API_PREFIX}/budgets/:id`, async () => ({ one: true }));
  await app.register(webApp, { root });
  await app.ready();
  return app;
}

describe('the web application plugin over a build', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bf-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    app = await appOver(dir);
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / with no-cache and the CSP', async () => {
    const res = await app.inject({ method: 'GET', url: '/', headers: { accept: HTML } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toContain('<div id="root">');
  });

  it('serves hashed assets as immutable for a year and other files revalidated', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-type']).toMatch(/javascript/);
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers a browser navigation to a client-side route with index.html', async () => {
    for (const url of ['/budgets', '/budgets/0190f1a2-0000-7000-8000-000000000000?tab=lines']) {
      const res = await app.inject({ method: 'GET', url, headers: { accept: HTML } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<div id="root">');
    }
  });

  it('keeps the JSON 404 for API paths, service paths, missing files and non-HTML clients', async () => {
    for (const [url, accept] of [
      [`${API_PREFIX}/nope`, HTML],
      [`${API_PREFIX}/budgets/x/nope`, HTML],
      ['/docs/nope', HTML],
      ['/health/x', HTML],
      ['/metrics', HTML],
      ['/assets/missing-123.js', HTML],
      ['/budgets', 'application/json'],
      ['/nope', '*/*'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, headers: { accept } });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ code: 'route_not_found' });
    }
    // The API's own routes are untouched.
    const api = await app.inject({ method: 'GET', url: `${API_PREFIX}/budgets`, headers: { accept: HTML } });
    expect(api.json()).toEqual({ items: [] });
    expect(api.headers['cache-control']).toBe('no-store');
    // What the router answers itself (an over-long path parameter) is not swallowed by the fallback.
    const long = await app.inject({
      method: 'GET',
      url: `${API_PREFIX}/budgets/${'x'.repeat(500)}`,
      headers: { accept: HTML },
    });
    expect(long.statusCode).toBe(414);
  });
});

describe('the web application plugin without a build', () => {
  it('says how to build it instead of a blank page, and keeps JSON 404s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bf-web-empty-'));
    const app = await appOver(dir);
    try {
      const res = await app.inject({ method: 'GET', url: '/budgets', headers: { accept: HTML } });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build:web');
      const api = await app.inject({ method: 'GET', url: `${API_PREFIX}/nope`, headers: { accept: HTML } });
      expect(api.json()).toMatchObject({ code: 'route_not_found' });
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
