/** `npm run bench`: every benchmark of the service; figures and same-run ratios, never assertions. */
import { benchActualsImport } from './actuals.ts';
import { benchAuditChain } from './audit-chain.ts';
import { benchCollaboration } from './collaboration.ts';
import { benchCore } from './core.ts';
import { benchLoad } from './load.ts';
import { benchRedisOutage } from './redis-outage.ts';
import { benchUploads } from './uploads.ts';
import { benchVariance } from './variance.ts';
import { benchWeb } from './web.ts';

await benchCore();
await benchActualsImport();
await benchUploads();
await benchVariance();
await benchCollaboration();
await benchRedisOutage();
await benchAuditChain();
await benchWeb();
// Last: `npm run bench -- --soak` adds the 5-minute soak (docs/operations.md "Load suite").
await benchLoad();
