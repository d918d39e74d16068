/**
 * The browser suite's harness: the real server process (test/e2e/server.ts, the `npm start`
 * entry point) serving the production build of web/ (built first when stale), and Debian's
 * Chromium driven by playwright-core, headless, with a fresh --user-data-dir per launch.
 * Under CI=true a missing Chromium fails the suite; elsewhere the suite is skipped and says why.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe } from 'vitest';
import { demoCredentials, type E2eServer, START_TIMEOUT_MS, startServer } from '../e2e/server.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/** Starting the server (PGlite's start under load) plus building the web app and Chromium. */
export const BROWSER_START_TIMEOUT_MS = START_TIMEOUT_MS + 120_000;

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Why the browser suite cannot run here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `Chromium not found at ${CHROMIUM_PATH} (install it with "apt-get install -y chromium" or set CHROMIUM_PATH)`;
}

/**
 * `describe` for browser tests: runs when Chromium is there; under CI=true a missing Chromium is
 * an error (the suite must run); elsewhere it is skipped with the reason printed.
 */
export function describeBrowser(name: string, body: () => void): void {
  const missing = chromiumMissing();
  if (missing && process.env.CI === 'true')
    throw new Error(`CI=true: the browser suite must run, but ${missing}`);
  if (missing) {
    process.stderr.write(`\n[browser tests skipped] ${name}: ${missing}\n`);
    describe.skip(name, body);
    return;
  }
  describe(name, body);
}

/** Builds web/ into web/dist when its sources changed (scripts/build-web.mjs; locked, so files may race). */
export function ensureWebBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 300_000,
  });
}

export interface BrowserRun {
  server: E2eServer;
  browser: Browser;
  /** The first context (the persistent one of the fresh user-data-dir). */
  context: BrowserContext;
  /** Another isolated context (another user, another tab group). */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

export interface BrowserRunOptions {
  env?: Record<string, string>;
  redisDb?: number;
  viewport?: { width: number; height: number };
}

/** Builds the web app if needed, starts the server (PGlite) and launches Chromium. */
export async function startBrowserRun(options: BrowserRunOptions = {}): Promise<BrowserRun> {
  ensureWebBuilt();
  const server = await startServer('pglite', { redisDb: options.redisDb ?? 15, env: options.env ?? {} });
  const userDataDir = mkdtempSync(join(tmpdir(), 'bf-chromium-'));
  const viewport = options.viewport ?? { width: 1366, height: 900 };
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
      baseURL: server.baseUrl,
      locale: 'en-US',
      timezoneId: 'UTC',
    });
  } catch (error) {
    await server.stop();
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const browser = context.browser()!;
  return {
    server,
    browser,
    context,
    newContext: () =>
      browser.newContext({ viewport, baseURL: server.baseUrl, locale: 'en-US', timezoneId: 'UTC' }),
    async close() {
      await context.close().catch(() => {});
      await server.stop();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the sign-in form as the given user (the demo admin by default). */
export async function signIn(
  page: Page,
  server: E2eServer,
  who?: { tenant: string; email: string; password: string },
): Promise<void> {
  const c = who ?? demoCredentials(server.dataDir);
  // Start signed out (the context may hold another session).
  await page.goto('/sign-in');
  await page.evaluate(() =>
    (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear(),
  );
  await page.goto('/sign-in');
  await page.getByLabel('Organisation').fill(c.tenant);
  await page.getByLabel('Email').fill(c.email);
  await page.locator('input[name=password]').fill(c.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('account-role').waitFor({ timeout: 30_000 });
}

/** Collects console errors and page errors, so a test can assert the app ran cleanly (e.g. under the CSP). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A failed request's message names no URL: its location does.
    const where = m.location().url;
    if (m.type() === 'error') errors.push(`console: ${m.text()}${where ? ` (${where})` : ''}`);
  });
  return errors;
}
