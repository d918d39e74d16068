/**
 * The public surface of the audit module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export { type ChainReport, verifyAuditChain } from './audit.chain.ts';
export { auditModule } from './audit.module.ts';
export { auditor, recordAudit, recordAudits, recordAuditsOf, setAuditEnabled } from './audit.repository.ts';
export { presentChainReport } from './audit.routes.ts';
