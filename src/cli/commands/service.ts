/** `bf serve`, `bf migrate`, `bf token`, `bf user create`: operating the service. */
import type { Command } from 'commander';
import { applyModuleSettings } from '../../app/settings.ts';
import { loadConfig } from '../../config/env.ts';
import { UserService } from '../../modules/users/index.ts';
import { resolveJwtSecret, signToken } from '../../platform/auth/jwt.ts';
import { PERMISSIONS, ROLE_NAMES, ROLES } from '../../platform/auth/permissions.ts';
import { openDatabase } from '../../platform/db/client.ts';
import { migrateDatabase } from '../../platform/db/migrate.ts';
import { createPlatform } from '../../platform/platform.ts';

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Registers the service commands. */
export function registerServiceCommands(program: Command): void {
  program
    .command('serve')
    .description('Run the HTTP service (same as npm start)')
    .option('-p, --port <port>', 'port (PORT)')
    .action(async (o: { port?: string }) => {
      const { serve } = await import('../../server.ts');
      await serve(o.port ? { PORT: o.port } : {});
    });

  program
    .command('worker')
    .description('Run background jobs only (no HTTP); with REDIS_URL any number of workers share the queue')
    .action(async () => {
      const config = loadConfig({ ...process.env, JOBS_IN_API: 'true' });
      const platform = await createPlatform(config);
      const { startWorker } = await import('../../app/worker.ts');
      const worker = await startWorker(platform);
      process.stdout.write(
        `worker consuming ${config.REDIS_URL ? `BullMQ queue "${config.JOB_QUEUE_NAME}"` : 'the in-process queue'} with concurrency ${config.JOB_CONCURRENCY}\n`,
      );
      const stop = async () => {
        await worker.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
    });

  program
    .command('migrate')
    .description('Apply database migrations to DATABASE_URL (or the embedded database in DATA_DIR)')
    .action(async () => {
      const config = loadConfig();
      const db = await openDatabase({
        databaseUrl: config.DATABASE_URL,
        pgliteDir: config.pgliteDir,
        poolSize: 2,
      });
      try {
        await migrateDatabase(db);
        process.stdout.write(
          `migrations applied to ${db.kind === 'postgres' ? 'PostgreSQL' : config.pgliteDir}\n`,
        );
      } finally {
        await db.close();
      }
    });

  program
    .command('token')
    .description('Print a signed HS256 token for scripts (uses JWT_SECRET, or the one kept in DATA_DIR)')
    .requiredOption('--tenant <tenant>', 'tenant id or slug (tenant_id claim)')
    .requiredOption('--user <user>', 'user id (sub claim)')
    .option('--roles <roles>', `comma-separated roles: ${ROLE_NAMES.join(', ')}`, list, [] as string[])
    .option(
      '--permissions <permissions>',
      'comma-separated permissions (e.g. budgets:read,budgets:write)',
      list,
      [] as string[],
    )
    .option('--email <email>', 'email claim')
    .option('--ttl <seconds>', 'lifetime in seconds', '3600')
    .action(
      async (o: {
        tenant: string;
        user: string;
        roles: string[];
        permissions: string[];
        email?: string;
        ttl: string;
      }) => {
        const config = loadConfig();
        for (const r of o.roles)
          if (!ROLES.has(r))
            throw new Error(`--roles: unknown role "${r}" (known: ${ROLE_NAMES.join(', ')})`);
        const known = new Set<string>([...PERMISSIONS, 'can_approve_budgets']);
        for (const p of o.permissions)
          if (!known.has(p))
            throw new Error(`--permissions: unknown permission "${p}" (known: ${PERMISSIONS.join(', ')})`);
        const ttl = Number(o.ttl);
        if (!Number.isInteger(ttl) || ttl < 1)
          throw new Error('--ttl must be a positive whole number of seconds');
        const roles = o.roles.length || o.permissions.length ? o.roles : ['admin'];
        const token = await signToken(
          resolveJwtSecret(config),
          { sub: o.user, tenant_id: o.tenant, roles, permissions: o.permissions, email: o.email },
          ttl,
          config,
        );
        process.stdout.write(`${token}\n`);
      },
    );

  program
    .command('user')
    .description('Manage local users')
    .command('create')
    .description('Create a user with a password (argon2id) in a tenant')
    .requiredOption('--tenant <tenant>', 'tenant id or slug')
    .requiredOption('--email <email>', 'email')
    .requiredOption('--password <password>', 'password (at least 12 characters)')
    .option('--roles <roles>', 'comma-separated roles', list, ['planner'] as string[])
    .action(async (o: { tenant: string; email: string; password: string; roles: string[] }) => {
      if (o.password.length < 12) throw new Error('--password must be at least 12 characters');
      const platform = await createPlatform(loadConfig());
      applyModuleSettings(platform.config);
      try {
        const users = new UserService(
          platform.database.db,
          platform.config,
          platform.jwtSecret,
          platform.tenants,
        );
        const u = await users.create(o.tenant, 'cli', {
          email: o.email,
          password: o.password,
          roles: o.roles,
        });
        process.stdout.write(
          `created user ${u.id} (${u.email}) in tenant ${o.tenant} with roles ${u.roles.join(', ')}\n`,
        );
      } finally {
        await platform.close();
      }
    });
}
