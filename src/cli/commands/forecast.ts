import type { Command } from 'commander';

/** Registers `bf forecast` (batch forecasting of series files). */
export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description('Forecast a file of series (not implemented yet)')
    .action(() => {
      throw new Error('bf forecast is not implemented yet');
    });
}
