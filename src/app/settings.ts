/**
 * Process-wide settings the modules obey, applied by every entry point before modules run.
 * Kept apart from modules.ts so that light CLI commands do not load every module.
 */
import type { AppConfig } from '../config/env.ts';
import { setAuditEnabled } from '../modules/audit/index.ts';

/** Applies AUDIT_ENABLED (audit rows on or off for this process). */
export function applyModuleSettings(config: AppConfig): void {
  setAuditEnabled(config.AUDIT_ENABLED);
}
