/** `npm run bench`: every benchmark of the service; figures and same-run ratios, never assertions. */
import { benchActualsImport } from './actuals.ts';
import { benchCore } from './core.ts';

await benchCore();
await benchActualsImport();
