/** The `bf` command line: one sub-command per file in ./commands, each exporting `register`. */
import { Command } from 'commander';
import { ConfigError } from '../config/env.ts';
import { registerActualsCommands } from './commands/actuals.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerDimensionsCommands } from './commands/dimensions.ts';
import { registerForecast } from './commands/forecast.ts';
import { registerSampleCommand } from './commands/sample.ts';
import { registerServiceCommands } from './commands/service.ts';

const program = new Command('bf')
  .description('APG Budgeting & Forecasting: service, worker and operator commands')
  .showHelpAfterError();

registerServiceCommands(program);
registerForecast(program);
registerActualsCommands(program);
registerSampleCommand(program);
registerAuditCommands(program);
registerDimensionsCommands(program);

await program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`bf: ${error instanceof Error ? error.message : String(error)}\n`);
  // 2: a setting or the environment is wrong (bad variable, DATA_DIR held by a running server).
  process.exit(error instanceof ConfigError ? 2 : 1);
});
