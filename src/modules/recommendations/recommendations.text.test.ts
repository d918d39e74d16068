import { describe, expect, it } from 'vitest';
import { groupAmounts } from './recommendations.engine.ts';

describe('amounts in recommendation texts', () => {
  it('get thousands separators; years, small amounts and percentages stay as they are', () => {
    expect(groupAmounts('Hold 1234567.89 in FY 2026; -12500.00, 999.00 and 12.50% of 1000000.00.')).toBe(
      'Hold 1,234,567.89 in FY 2026; -12,500.00, 999.00 and 12.50% of 1,000,000.00.',
    );
  });
});
