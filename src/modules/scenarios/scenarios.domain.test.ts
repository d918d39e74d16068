import { describe, expect, it } from 'vitest';
import { applyAdjustments, type CalcLine, distributeCents } from './scenarios.domain.ts';
import type { Adjustment } from './scenarios.schema.ts';

const line = (amount: string, over: Partial<CalcLine> = {}): CalcLine => ({
  id: `l-${amount}`,
  lineType: 'expense',
  category: 'people',
  departmentId: null,
  glAccountId: null,
  amount,
  periods: null,
  ...over,
});
const pct = (value: string, over: Partial<Adjustment> = {}): Adjustment =>
  ({ kind: 'percent', value, filter: {}, ...over }) as Adjustment;
const abs = (value: string, over: Partial<Adjustment> = {}): Adjustment =>
  ({ kind: 'absolute', value, filter: {}, ...over }) as Adjustment;
const months = (amounts: string[]) =>
  amounts.map((amount, index) => ({ index, start: `2027-${String(index + 1).padStart(2, '0')}-01`, amount }));

describe('scenario arithmetic', () => {
  it('rounds a percent change half-up to the cent, once per line', () => {
    const [a, b, c] = applyAdjustments([line('0.05'), line('33.33'), line('0.01')], [pct('10')]);
    expect(a!.amount.toFixed(2)).toBe('0.06'); // 0.005 -> 0.01
    expect(b!.amount.toFixed(2)).toBe('36.66'); // 3.333 -> 3.33
    expect(c!.amount.toFixed(2)).toBe('0.01'); // 0.001 -> 0.00
  });

  it('compounds adjustments in order and clamps a line at zero', () => {
    const [a] = applyAdjustments([line('100.00')], [pct('-50'), abs('-10.00')]);
    expect(a!.amount.toFixed(2)).toBe('40.00');
    const [b] = applyAdjustments([line('100.00')], [abs('-150.00'), pct('10')]);
    expect(b!.amount.toFixed(2)).toBe('0.00');
    expect(b!.clamped).toBe(true);
  });

  it('scales a contra line by its magnitude and clamps it at zero from above', () => {
    const contra = { ...line('-100.00'), isContra: true };
    const [a] = applyAdjustments([contra], [pct('10')]);
    expect(a!.amount.toFixed(2)).toBe('-110.00');
    expect(a!.clamped).toBe(false);
    const [b] = applyAdjustments([contra], [abs('150.00')]);
    expect(b!.amount.toFixed(2)).toBe('0.00');
    expect(b!.clamped).toBe(true);
  });

  it('applies only to lines matching every filter field', () => {
    const lines = [
      line('100.00', { id: 'a', departmentId: 'ops', glAccountId: '6000' }),
      line('100.00', { id: 'b', departmentId: 'ops', glAccountId: '7000' }),
      line('100.00', { id: 'c', lineType: 'revenue', departmentId: 'ops', glAccountId: '6000' }),
    ];
    const out = applyAdjustments(lines, [
      pct('5', { filter: { line_type: 'expense', gl_account_id: '6000' } }),
    ]);
    expect(out.map((o) => o.amount.toFixed(2))).toEqual(['105.00', '100.00', '100.00']);
  });

  it('keeps per-period amounts summing exactly to the line from from_period on', () => {
    const l = line('100.00', { periods: months([...Array(4).fill('8.34'), ...Array(8).fill('8.33')]) });
    const [out] = applyAdjustments([l], [pct('7.5', { from_period: '2027-07' })]);
    const periods = out!.periods!.map((p) => p.toFixed(2));
    expect(periods.slice(0, 6)).toEqual(['8.34', '8.34', '8.34', '8.34', '8.33', '8.33']);
    expect(periods.slice(6)).toEqual(['8.96', '8.96', '8.96', '8.95', '8.95', '8.95']);
    const total = out!.periods!.reduce((s, p) => s.plus(p), out!.amount.minus(out!.amount));
    expect(total.toFixed(2)).toBe(out!.amount.toFixed(2));
    // 6 x 8.33 = 49.98; 7.5% = 3.7485 -> 3.75
    expect(out!.amount.toFixed(2)).toBe('103.75');
  });

  it('accepts a period index for from_period and spreads an absolute change evenly over zero periods', () => {
    const l = line('0.00', { periods: months(['0.00', '0.00', '0.00', '0.00']) });
    const [out] = applyAdjustments([l], [abs('1.00', { from_period: 1 })]);
    expect(out!.periods!.map((p) => p.toFixed(2))).toEqual(['0.00', '0.34', '0.33', '0.33']);
  });

  it('distributes cents exactly, never taking a cell below zero', () => {
    expect(distributeCents(-100n, [1n, 1n, 98n])).toEqual([-1n, -1n, -98n]);
    expect(distributeCents(10n, [1n, 1n, 1n])).toEqual([4n, 3n, 3n]);
    expect(distributeCents(-3n, [1n, 1n, 1n, 0n])).toEqual([-1n, -1n, -1n, 0n]);
  });
});
