#!/usr/bin/env node
/**
 * Builds the web application (web/ -> web/dist) with Vite when its sources changed since the
 * last build: `npm start` runs this first (prestart), so `npm ci && npm start` serves the SPA.
 * "Changed" is a hash of the sources and the build tool versions, written next to the build
 * (web/dist/.source-hash): a checkout's mtimes cannot fool it. `--force` always builds.
 * Concurrent callers (parallel browser test files) take a lock; the second one finds the build
 * fresh and returns.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WEB = join(ROOT, 'web');
const DIST = join(WEB, 'dist');
const STAMP = join(DIST, '.source-hash');
const INPUTS = ['index.html', 'vite.config.ts', 'tsconfig.json', 'src', 'public'];
const TOOLS = ['vite', '@vitejs/plugin-react', 'react', '@mantine/core'];

function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

/** A hash of every source file (path and content) and of the build tools' versions. */
export function sourceHash() {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap((i) => files(join(WEB, i)))) {
    h.update(relative(WEB, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  for (const t of TOOLS) {
    const pkg = join(ROOT, 'node_modules', t, 'package.json');
    h.update(`${t}@${existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')).version : 'missing'}\0`);
  }
  // Builds made before the build was pinned to production may hold React's development runtime.
  h.update('mode=production\0');
  return h.digest('hex');
}

function fresh(hash) {
  return existsSync(join(DIST, 'index.html')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash;
}

/** Builds unless the build is fresh; returns true when it built. */
export async function buildWeb({ force = false, quiet = false } = {}) {
  mkdirSync(WEB, { recursive: true });
  const release = await lockfile.lock(WEB, {
    lockfilePath: join(WEB, '.build.lock'),
    stale: 120_000,
    retries: { retries: 600, minTimeout: 200, maxTimeout: 500 },
  });
  try {
    const hash = sourceHash();
    if (!force && fresh(hash)) {
      if (!quiet) console.log('web: the build in web/dist is up to date');
      return false;
    }
    const started = Date.now();
    if (!quiet) console.log('web: building the web application (web/ -> web/dist) ...');
    // Always a production build: a caller's NODE_ENV (vitest sets `test`) would otherwise make
    // Vite bundle React's development runtime (jsxDEV, console.createTask per element), which
    // made the 10,000-line editor several times slower to open.
    process.env.NODE_ENV = 'production';
    const { build } = await import('vite');
    await build({
      configFile: join(WEB, 'vite.config.ts'),
      root: WEB,
      mode: 'production',
      logLevel: quiet ? 'error' : 'warn',
    });
    writeFileSync(STAMP, hash);
    if (!quiet) console.log(`web: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  } finally {
    await release();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = new Set(process.argv.slice(2));
  try {
    await buildWeb({ force: args.has('--force'), quiet: args.has('--quiet') });
  } catch (error) {
    console.error(`web: the build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
