/** The audit module: the audit log's read and verify routes (every write module records through auditor()). */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { auditRoutes } from './audit.routes.ts';

export function auditModule({ deps }: ModuleContext): ModuleDefinition {
  return { name: 'audit', services: {}, routes: (api, auth) => auditRoutes(api, auth, deps.db) };
}
