/** Starts the HTTP service: config -> platform -> app -> listen, with graceful shutdown. */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { buildApp } from './app/app.ts';
import { type AppConfig, ConfigError, loadConfig, redactConfig } from './config/env.ts';
import { describeSample, type SampleServices, seedSample } from './modules/sample/index.ts';
import type { UserService } from './modules/users/index.ts';
import { API_PREFIX } from './platform/http/types.ts';
import { createPlatform, type Platform } from './platform/platform.ts';

export const DEMO_TENANT = 'demo';
export const DEMO_EMAIL = 'admin@demo.local';

/**
 * On an empty embedded database (and without OIDC), creates the demo tenant and admin, and says
 * how to log in. Returns whether it did (the database was new).
 */
export async function seedDemo(
  config: AppConfig,
  users: UserService,
  baseUrl: string,
  log: (msg: string) => void,
): Promise<boolean> {
  // With OIDC, people sign in through the identity provider: no local admin, no password login.
  if (config.DATABASE_URL || !config.SEED_DEMO || config.oidc) return false;
  if (await users.hasUsers(DEMO_TENANT)) return false;
  const password = randomBytes(12).toString('base64url');
  await users.create(DEMO_TENANT, 'system', {
    email: DEMO_EMAIL,
    password,
    roles: ['admin'],
    displayName: 'Demo admin',
  });
  const file = join(config.dataDir, 'demo-credentials.txt');
  if (!existsSync(file))
    writeFileSync(file, `tenant=${DEMO_TENANT}\nemail=${DEMO_EMAIL}\npassword=${password}\n`, {
      mode: 0o600,
    });
  log(
    [
      '',
      'Created the demo tenant and its admin (saved in ' + file + '):',
      `  tenant: ${DEMO_TENANT}   email: ${DEMO_EMAIL}   password: ${password}`,
      'Log in:',
      `  curl -s -X POST ${baseUrl}${API_PREFIX}/auth/login -H 'content-type: application/json' \\`,
      `    -d '{"tenant":"${DEMO_TENANT}","email":"${DEMO_EMAIL}","password":"${password}"}'`,
      '',
    ].join('\n'),
  );
  return true;
}

/** On the first start (the demo was just created), creates the sample company too; never fails the start. */
async function seedSampleOnStart(config: AppConfig, services: SampleServices, log: (msg: string) => void) {
  if (!config.SEED_SAMPLE) return;
  log('Creating the sample company (tenant "sample"; SEED_SAMPLE=false skips this)...');
  try {
    log(describeSample(await seedSample(services)));
  } catch (error) {
    log(`The sample company could not be created: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A configuration or start-up problem: one line on stderr, exit code 2 (documented in the README). */
function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** One line for the listen errors an operator can fix with PORT or HOST; undefined for others. */
function listenFailure(error: unknown, config: AppConfig): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  const port = config.PORT;
  if (code === 'EADDRINUSE')
    return `port ${port} is already in use (PORT=${port}): stop the other process or set PORT`;
  if (code === 'EACCES')
    return `port ${port} needs privileges this process lacks (PORT=${port}): use a port above 1023 or set PORT`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `cannot listen on HOST=${config.HOST}: not an address of this machine`;
  return undefined;
}

/** Fails fast when the port is taken, before the (slow) database start; listen() still decides. */
async function checkPortFree(config: AppConfig): Promise<void> {
  if (config.PORT === 0) return;
  const probe = createServer();
  const error = await new Promise<unknown>((resolve) => {
    probe.once('error', resolve);
    probe.listen({ host: config.HOST, port: config.PORT, exclusive: true }, () => resolve(undefined));
  });
  await new Promise((resolve) => probe.close(resolve));
  const message = error ? listenFailure(error, config) : undefined;
  if (message) fail(message);
}

/** The URL a client on this machine reaches the server at (a wildcard host becomes the loopback). */
function listeningUrl(address: ReturnType<Server['address']>, host: string): string {
  if (address && typeof address === 'object') {
    const a = address.address;
    const shown = a === '0.0.0.0' || a === '::' ? '127.0.0.1' : a.includes(':') ? `[${a}]` : a;
    return `http://${shown}:${address.port}`;
  }
  return `http://${host}`;
}

/** Runs the service until SIGINT/SIGTERM. */
export async function serve(overrides: Partial<Record<string, string>> = {}): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig({ ...process.env, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logger = {
    level: config.LOG_LEVEL,
    redact: { paths: ['req.headers.authorization', 'password', '*.password'], censor: '***' },
    ...(process.stdout.isTTY
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  };
  await checkPortFree(config);
  let platform: Platform;
  try {
    platform = await createPlatform(config);
  } catch (error) {
    // A bad DATABASE_URL, DATA_DIR held by another process: one line, no stack.
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const { app, services } = await buildApp(platform, logger);
  app.log.info({ config: redactConfig(config) }, 'configuration');
  if (process.env.ML_MODELS_PATH)
    app.log.warn(
      'ML_MODELS_PATH is not used: trained models are kept in the database (forecast_models.artifact), shared by every process',
    );
  app.log.info(
    `database: ${platform.database.kind === 'pglite' ? `embedded PGlite in ${config.pgliteDir}` : 'PostgreSQL'}; cache: ${config.REDIS_URL ? 'Redis' : 'in-process'}`,
  );
  // Listen before anything is printed for users: a busy port must not show the demo credentials first.
  try {
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (error) {
    const message = listenFailure(error, config);
    if (!message) throw error;
    await app.close().catch(() => {});
    await platform.close().catch(() => {});
    fail(message);
  }
  const url = listeningUrl(app.server.address(), config.HOST);
  platform.database.lock?.setUrl(url);
  // The one start-up line scripts wait for (the e2e helper parses it): keep its form stable.
  process.stdout.write(`listening on ${url}\n`);
  const say = (m: string) => process.stdout.write(`${m}\n`);
  if (await seedDemo(config, services.users, url, say)) await seedSampleOnStart(config, services, say);
  app.log.info(`API docs at ${url}/docs`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info(`${signal}: shutting down`);
    await app.close();
    await platform.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
