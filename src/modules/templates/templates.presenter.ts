/** Shapes template and version rows for the wire (snake_case, ISO times; content as stored). */
import type { TemplateContent, TemplateRow, VersionRow, VersionSummaryRow } from './templates.repository.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A template; with `content` (its current version) the defaults and lines are included. */
export function presentTemplate(t: TemplateRow, content: TemplateContent | { lineCount: number }) {
  const full = 'lines' in content;
  return {
    template_id: t.id,
    name: t.name,
    description: t.description,
    budget_type: t.budgetType,
    current_version: t.currentVersion,
    version: t.version,
    defaults: full ? content.defaults : {},
    line_count: full ? content.lines.length : content.lineCount,
    ...(full ? { lines: content.lines } : {}),
    created_at: t.createdAt.toISOString(),
    created_by: t.createdBy,
    updated_at: iso(t.updatedAt),
    updated_by: t.updatedBy,
  };
}
export type TemplateView = ReturnType<typeof presentTemplate>;

/** A version without its lines, for lists. */
export function presentVersionSummary(v: VersionSummaryRow) {
  return {
    template_id: v.templateId,
    version: v.version,
    name: v.name,
    line_count: v.lineCount,
    comment: v.comment,
    created_at: v.createdAt.toISOString(),
    created_by: v.createdBy,
  };
}

/** One version with everything it holds. */
export function presentVersion(v: VersionRow) {
  const c = v.content as TemplateContent;
  return {
    template_id: v.templateId,
    version: v.version,
    name: c.name,
    description: c.description,
    line_count: c.lines.length,
    defaults: c.defaults,
    lines: c.lines,
    comment: v.comment,
    created_at: v.createdAt.toISOString(),
    created_by: v.createdBy,
  };
}
