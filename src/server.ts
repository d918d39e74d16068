/** Starts the HTTP service: config -> platform -> app -> listen, with graceful shutdown. */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppConfig, ConfigError, loadConfig, redactConfig } from './config/env.ts';
import type { UserService } from './modules/users/users.service.ts';
import { buildApp } from './platform/http/app.ts';
import { API_PREFIX } from './platform/http/types.ts';
import { createPlatform } from './platform/platform.ts';

export const DEMO_TENANT = 'demo';
export const DEMO_EMAIL = 'admin@demo.local';

/** On an empty embedded database, creates the demo tenant and admin, and says how to log in. */
async function seedDemo(config: AppConfig, users: UserService, log: (msg: string) => void) {
  if (config.DATABASE_URL || !config.SEED_DEMO) return;
  if (await users.hasUsers(DEMO_TENANT)) return;
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
      `  curl -s -X POST http://localhost:${config.PORT}${API_PREFIX}/auth/login -H 'content-type: application/json' \\`,
      `    -d '{"tenant":"${DEMO_TENANT}","email":"${DEMO_EMAIL}","password":"${password}"}'`,
      '',
    ].join('\n'),
  );
}

/** Runs the service until SIGINT/SIGTERM. */
export async function serve(overrides: Partial<Record<string, string>> = {}): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig({ ...process.env, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = {
    level: config.LOG_LEVEL,
    redact: { paths: ['req.headers.authorization', 'password', '*.password'], censor: '***' },
    ...(process.stdout.isTTY
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  };
  const platform = await createPlatform(config);
  const { app, services } = await buildApp(platform, logger);
  app.log.info({ config: redactConfig(config) }, 'configuration');
  app.log.info(
    `database: ${platform.database.kind === 'pglite' ? `embedded PGlite in ${config.pgliteDir}` : 'PostgreSQL'}; cache: ${config.REDIS_URL ? 'Redis' : 'in-process'}`,
  );
  await seedDemo(config, services.users, (m) => process.stdout.write(`${m}\n`));
  await app.listen({ host: config.HOST, port: config.PORT });
  app.log.info(`API docs at http://localhost:${config.PORT}/docs`);

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
