import { describe, expect, it } from 'vitest';
import { resolveLineAmount } from './lines.domain.ts';

describe('resolveLineAmount', () => {
  it('uses the amount as given when there is no quantity or unit cost', () => {
    expect(resolveLineAmount({ amount: '12.34' })).toEqual({ amount: '12.34', errors: [] });
  });

  it.each([
    ['0.005', '1', '0.01'],
    ['0.004', '1', '0.00'],
    ['2.5', '10.01', '25.03'],
    ['3', '0.35', '1.05'],
    ['0.3333', '0.03', '0.01'],
    ['1.5', '0.01', '0.02'],
    ['0', '123.45', '0.00'],
  ])('computes %s x %s rounded half-up to the cent as %s', (quantity, unit_cost, expected) => {
    expect(resolveLineAmount({ quantity, unit_cost })).toEqual({ amount: expected, errors: [] });
  });

  it('accepts an amount equal to the rounded product', () => {
    expect(resolveLineAmount({ amount: '25.03', quantity: '2.5', unit_cost: '10.01' }).amount).toBe('25.03');
    expect(resolveLineAmount({ amount: '25.030', quantity: '2.5', unit_cost: '10.01' }).errors).toEqual([]);
  });

  it('refuses an amount that differs from the product, on the prefixed amount path', () => {
    const r = resolveLineAmount({ amount: '1.00', quantity: '2', unit_cost: '3.00' }, 'lines.4.');
    expect(r.amount).toBeUndefined();
    expect(r.errors).toEqual([expect.objectContaining({ path: 'lines.4.amount', code: 'amount_mismatch' })]);
  });

  it.each([
    [{ quantity: '2' }, 'unit_cost'],
    [{ unit_cost: '2.00' }, 'quantity'],
    [{ amount: '4.00', quantity: '2' }, 'unit_cost'],
  ])('requires both of quantity and unit cost: %j misses %s', (line, missing) => {
    const r = resolveLineAmount(line);
    expect(r.errors).toContainEqual(expect.objectContaining({ path: missing, code: 'required_with_pair' }));
    expect(r.amount).toBeUndefined();
  });

  it('requires an amount when neither the amount nor the pair is given', () => {
    for (const line of [{}, { amount: null }, { quantity: null, unit_cost: null }]) {
      expect(resolveLineAmount(line).errors).toEqual([
        expect.objectContaining({ path: 'amount', code: 'required' }),
      ]);
    }
  });

  it('refuses a product above 999,999,999,999.99 as too_big', () => {
    const r = resolveLineAmount({ quantity: '99999999999.9999', unit_cost: '999999999999.99' });
    expect(r.errors).toEqual([expect.objectContaining({ path: 'amount', code: 'too_big' })]);
    expect(resolveLineAmount({ quantity: '1', unit_cost: '999999999999.99' }).amount).toBe('999999999999.99');
    const justOver = resolveLineAmount({ quantity: '1.0001', unit_cost: '999999999999.99' });
    expect(justOver.errors[0]?.code).toBe('too_big');
  });

  it('requires allocation_percentage with the percentage method', () => {
    const r = resolveLineAmount({ amount: '1.00', allocation_method: 'percentage' }, 'budget_lines.0.');
    expect(r.errors).toEqual([
      expect.objectContaining({
        path: 'budget_lines.0.allocation_percentage',
        code: 'required_for_percentage_allocation',
      }),
    ]);
    const ok = resolveLineAmount({
      amount: '1.00',
      allocation_method: 'percentage',
      allocation_percentage: '0.00',
    });
    expect(ok.errors).toEqual([]);
  });

  it('reports every problem of a line at once', () => {
    const r = resolveLineAmount({ quantity: '1', allocation_method: 'percentage' });
    expect(r.errors.map((e) => `${e.path}:${e.code}`).sort()).toEqual([
      'allocation_percentage:required_for_percentage_allocation',
      'amount:required',
      'unit_cost:required_with_pair',
    ]);
  });
});
