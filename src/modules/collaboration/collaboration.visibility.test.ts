import { describe, expect, it } from 'vitest';
import { visibleChange } from './collaboration.visibility.ts';

const base = { sequence: 7, session_id: 's', timestamp: '2026-12-02T00:00:00.000Z', user_id: 'u' };
const d10 = new Set(['D10', 'D11']);

describe('visibleChange', () => {
  it('gives an unrestricted recipient every change as it is', () => {
    const m = { ...base, type: 'budget_line_updated', line: { department_id: 'D20' } };
    expect(visibleChange(m, null)).toBe(m);
  });

  it('hides a line of another department behind a placeholder with the same sequence', () => {
    const m = { ...base, type: 'budget_line_added', target_id: 'l1', line: { department_id: 'D20' } };
    expect(visibleChange(m, d10)).toEqual({
      type: 'change_hidden',
      sequence: 7,
      session_id: 's',
      timestamp: base.timestamp,
    });
    const updated = { ...m, type: 'budget_line_updated' };
    expect(visibleChange(updated, d10)).toMatchObject({ type: 'change_hidden', target_id: 'l1' });
    const own = { ...m, line: { department_id: 'D11' } };
    expect(visibleChange(own, d10)).toBe(own);
  });

  it('keeps only the scope lines of a pasted block, and hides one with none of them', () => {
    const m = {
      ...base,
      type: 'budget_periods_updated',
      lines: [
        { line_id: 'a', department_id: 'D10' },
        { line_id: 'b', department_id: 'D20' },
        { line_id: 'c', department_id: null },
      ],
    };
    expect(visibleChange(m, d10)).toEqual({ ...m, lines: [{ line_id: 'a', department_id: 'D10' }] });
    expect(visibleChange(m, new Set(['D99'])).type).toBe('change_hidden');
  });

  it('shows budget-wide changes and budget comments, hides line comments and requests outside the scope', () => {
    for (const type of ['budget_updated', 'budget_deleted', 'budget_lines_changed']) {
      const m = { ...base, type };
      expect(visibleChange(m, d10)).toBe(m);
    }
    const onBudget = { ...base, type: 'comment_added', comment: { line_id: null, body: 'x' } };
    expect(visibleChange(onBudget, d10)).toBe(onBudget);
    const onLine = { ...onBudget, comment: { line_id: 'l', body: 'x' }, department_id: 'D20' };
    expect(visibleChange(onLine, d10).type).toBe('change_hidden');
    const request = { ...base, type: 'change_request', target_type: 'budget_line', department_id: 'D10' };
    expect(visibleChange(request, d10)).toBe(request);
    expect(visibleChange({ ...request, target_type: 'budget', department_id: undefined }, d10).type).toBe(
      'change_request',
    );
  });

  it('fails closed: an unknown type, or a line change naming no department, is hidden', () => {
    expect(visibleChange({ ...base, type: 'something_new', secret: 1 }, d10).type).toBe('change_hidden');
    expect(visibleChange({ ...base, type: 'budget_line_updated', line: {} }, d10).type).toBe('change_hidden');
    expect(visibleChange({ ...base, type: 'conflict_resolved', department_id: null }, d10).type).toBe(
      'change_hidden',
    );
  });
});
