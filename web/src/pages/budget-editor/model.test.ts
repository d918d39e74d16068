import { describe, expect, it } from 'vitest';
import {
  applyChanges,
  columnsFor,
  fill,
  fromCents,
  type GridLine,
  parseTsv,
  pasteBlock,
  toCents,
  toTsv,
  totalsOf,
} from './model.ts';

const starts = Array.from({ length: 12 }, (_, i) => `2027-${String(i + 1).padStart(2, '0')}-01`);
const cols = columnsFor(starts, 'en-US');
const firstMonth = cols.findIndex((c) => c.kind === 'period');
const line = (id: string, type: GridLine['line_type'], periods: string[]): GridLine => ({
  line_id: id,
  version: 1,
  line_name: id,
  line_type: type,
  category: 'c',
  gl_account_id: null,
  department_id: null,
  cost_center_id: null,
  quantity: null,
  unit_cost: null,
  spread_method: 'even',
  amount: '0.00',
  periods,
  updated_by: null,
  updated_at: null,
});
const zeros = () => Array.from({ length: 12 }, () => '0.00');

describe('the grid model', () => {
  it('keeps money exact in cents, beyond what a float holds', () => {
    expect(toCents('999999999999.99')).toBe(99999999999999n);
    expect(fromCents(toCents('0.1') + toCents('0.2'))).toBe('0.30');
    expect(fromCents(toCents('-5.5'))).toBe('-5.50');
  });

  it('pastes a TSV block from Excel onto the months (skipping calculated columns) and reads separators', () => {
    const lines = [line('a', 'expense', zeros()), line('b', 'revenue', zeros())];
    const block = parseTsv('1,234.50\t2\r\n(3.00)\t4\r\n');
    const res = pasteBlock(lines, cols, { r0: 0, c0: firstMonth, r1: 0, c1: firstMonth }, block);
    expect(res.rejected).toEqual([]);
    const next = applyChanges(lines, res.changes, 'after');
    expect(next[0]!.periods.slice(0, 2)).toEqual(['1234.5', '2']);
    expect(next[1]!.periods.slice(0, 2)).toEqual(['-3', '4']);
    expect(next[0]!.amount).toBe('1236.50');
    const totals = totalsOf(next, 12);
    expect(fromCents(totals.net[0]!)).toBe('-1237.50');
    // Undo restores exactly what was there.
    expect(applyChanges(next, res.changes, 'before').map((l) => l.periods)).toEqual(
      lines.map((l) => l.periods),
    );
  });

  it('refuses text that is not an amount (shown, not sent) and copies a range as TSV', () => {
    const lines = [line('a', 'expense', zeros())];
    const res = pasteBlock(lines, cols, { r0: 0, c0: firstMonth, r1: 0, c1: firstMonth }, [['abc', '5']]);
    expect(res.rejected).toHaveLength(1);
    expect(res.changes).toHaveLength(1);
    expect(toTsv(lines, cols, { r0: 0, c0: firstMonth, r1: 0, c1: firstMonth + 1 })).toBe('0.00\t0.00');
  });

  it('fills down the top row of a range', () => {
    const lines = [line('a', 'expense', ['7.00', ...zeros().slice(1)]), line('b', 'expense', zeros())];
    const res = fill(lines, cols, { r0: 0, c0: firstMonth, r1: 1, c1: firstMonth }, 'down');
    expect(res.changes).toEqual([{ lineId: 'b', key: 'periods.0', before: '0.00', after: '7' }]);
  });
});
