import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { amountSchema, Decimal, decimalString, MAX_AMOUNT, sumAmounts, toMoney } from './money.ts';

/** The code the error handler reports for a failed parse: a custom rule's name or zod's code. */
function ruleOf(result: z.ZodSafeParseResult<unknown>): string | undefined {
  if (result.success) return undefined;
  const issue = result.error.issues[0] as { code: string; params?: { rule?: string } } | undefined;
  return issue?.code === 'custom' && issue.params?.rule ? issue.params.rule : issue?.code;
}

describe('amountSchema', () => {
  const amount = amountSchema('amount');

  it.each([
    ['0', '0.00'],
    ['0.1', '0.10'],
    [12.5, '12.50'],
    [0, '0.00'],
    ['999999999999.99', '999999999999.99'],
    ['  7.5  ', '7.50'],
    ['007.25', '7.25'],
  ])('accepts %j as %s', (input, expected) => {
    expect(amount.parse(input)).toBe(expected);
  });

  it.each([
    [1e21, 'invalid_decimal'],
    [Number.NaN, 'invalid_union'],
    [Number.POSITIVE_INFINITY, 'invalid_union'],
    ['1.001', 'too_many_decimals'],
    [0.1 + 0.2, 'too_many_decimals'],
    ['-0.01', 'too_small'],
    [-1, 'too_small'],
    ['1000000000000.00', 'too_big'],
    ['1,000', 'invalid_decimal'],
    ['', 'invalid_decimal'],
    [' ', 'invalid_decimal'],
    ['NaN', 'invalid_decimal'],
    ['Infinity', 'invalid_decimal'],
    ['1e5', 'invalid_decimal'],
    ['0x10', 'invalid_decimal'],
    ['.5', 'invalid_decimal'],
    ['5.', 'invalid_decimal'],
    ['+5', 'invalid_decimal'],
    ['١٢', 'invalid_decimal'],
  ])('rejects %j with rule %s', (input, rule) => {
    expect(ruleOf(amount.safeParse(input))).toBe(rule);
  });

  it.each([[null], [true], [[]], [{}], [undefined]])('rejects the non-decimal type %j', (input) => {
    const result = amount.safeParse(input);
    expect(result.success).toBe(false);
  });

  it('names the field in its messages', () => {
    const result = amountSchema('unit_cost').safeParse('abc');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('unit_cost');
  });
});

describe('decimalString', () => {
  const pct = decimalString({ scale: 2, min: new Decimal(0), max: new Decimal(100), label: 'pct' });
  const qty = decimalString({ scale: 4, label: 'quantity' });

  it('applies its own scale and bounds', () => {
    expect(pct.parse('100')).toBe('100.00');
    expect(ruleOf(pct.safeParse('100.01'))).toBe('too_big');
    expect(qty.parse('1.2345')).toBe('1.2345');
    expect(ruleOf(qty.safeParse('1.23456'))).toBe('too_many_decimals');
  });

  it('keeps digits a float would lose', () => {
    expect(qty.parse('12345678901234567890.1234')).toBe('12345678901234567890.1234');
  });
});

describe('sumAmounts and toMoney', () => {
  it('sums 0.1 + 0.2 to exactly 0.30', () => {
    expect(toMoney(sumAmounts(['0.1', '0.2']))).toBe('0.30');
    expect(sumAmounts(['0.10', '0.20']).eq('0.3')).toBe(true);
  });

  it('sums many cents without drift', () => {
    expect(toMoney(sumAmounts(Array.from({ length: 10_000 }, () => '0.01')))).toBe('100.00');
    expect(toMoney(sumAmounts([MAX_AMOUNT.toFixed(2), '0.01']))).toBe('1000000000000.00');
  });

  it('sums nothing to zero and rounds half-up', () => {
    expect(toMoney(sumAmounts([]))).toBe('0.00');
    expect(toMoney(new Decimal('0.005'))).toBe('0.01');
    expect(toMoney(new Decimal('2.675'))).toBe('2.68');
  });
});
