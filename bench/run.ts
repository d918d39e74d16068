/** `npm run bench`: every benchmark of the service; figures and same-run ratios, never assertions. */
import { benchCore } from './core.ts';

await benchCore();
