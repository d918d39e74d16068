/** `bf seed-sample`: creates the sample company's tenant (docs/sample-company.md) through the services. */
import type { Command } from 'commander';
import { buildApp } from '../../app/app.ts';
import { loadConfig } from '../../config/env.ts';
import { describeSample, parseAsOf, SAMPLE_TENANT, seedSample } from '../../modules/sample/index.ts';
import { createPlatform } from '../../platform/platform.ts';

interface Options {
  seed: string;
  tenant: string;
  asOf?: string;
}

/** Registers `bf seed-sample`. */
export function registerSampleCommand(program: Command): void {
  program
    .command('seed-sample')
    .description(
      'Create the sample company (tenant "sample"): users, two years of ledger actuals, budgets, a template, scenarios, FX rates',
    )
    .option('--seed <n>', 'random seed: the same seed gives the same figures', '42')
    .option('--tenant <tenant>', 'tenant slug to create it in', SAMPLE_TENANT)
    .option(
      '--as-of <YYYY-MM>',
      'last month with actuals; its year is the current plan (default: last month)',
    )
    .action(async (o: Options) => {
      const seed = Number(o.seed);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
        throw new Error(`--seed must be an integer from 0 to 4294967295; got "${o.seed}"`);
      if (o.asOf !== undefined) parseAsOf(o.asOf);
      // Jobs are not consumed here: the seeding calls the services directly.
      const config = loadConfig({ ...process.env, JOBS_IN_API: 'false' });
      // A running server holds the embedded database: that refusal (exit 2) says so.
      const platform = await createPlatform(config);
      const { app, services } = await buildApp(platform);
      try {
        const result = await seedSample(services, {
          seed,
          tenant: o.tenant,
          ...(o.asOf ? { asOf: o.asOf } : {}),
          onStep: (s) => process.stderr.write(`  ${s}\n`),
        });
        process.stdout.write(`${describeSample(result)}\n`);
      } finally {
        await app.close();
        await platform.close();
      }
    });
}
