import { describe, expect, it } from 'vitest';
import {
  budgetRange,
  fiscalYearStart,
  PeriodRuleError,
  periodStarts,
  spreadByWeights,
  spreadEven,
  spreadLine,
  sumMoney,
} from './periods.domain.ts';

const sumsTo = (parts: string[], amount: string) => expect(sumMoney(parts)).toBe(amount);

describe('fiscal years are named by the calendar year they end in', () => {
  it('FY2027 starting in April is April 2026 - March 2027', () => {
    expect(fiscalYearStart('2027', 4)).toEqual({ year: 2026, month: 4 });
    const range = budgetRange({ budgetType: 'annual', fiscalYear: '2027', fiscalYearStartMonth: 4 });
    expect(range).toEqual({ periodStart: '2026-04-01', periodEnd: '2027-03-31' });
    const starts = periodStarts(range);
    expect(starts).toHaveLength(12);
    expect(starts[0]).toBe('2026-04-01');
    expect(starts[11]).toBe('2027-03-01');
  });

  it('FY2027 starting in January is the calendar year 2027', () => {
    expect(budgetRange({ budgetType: 'annual', fiscalYear: '2027', fiscalYearStartMonth: 1 })).toEqual({
      periodStart: '2027-01-01',
      periodEnd: '2027-12-31',
    });
  });

  it('a fiscal year starting in December begins in the previous December', () => {
    const r = budgetRange({ budgetType: 'annual', fiscalYear: '2028', fiscalYearStartMonth: 12 });
    expect(r).toEqual({ periodStart: '2027-12-01', periodEnd: '2028-11-30' });
  });

  it('quarterly is 3 months and monthly 1, from the fiscal year start or a given month', () => {
    expect(budgetRange({ budgetType: 'quarterly', fiscalYear: '2027', fiscalYearStartMonth: 7 })).toEqual({
      periodStart: '2026-07-01',
      periodEnd: '2026-09-30',
    });
    expect(
      budgetRange({
        budgetType: 'quarterly',
        fiscalYear: '2027',
        fiscalYearStartMonth: 1,
        periodStart: '2027-11-15',
      }),
    ).toEqual({ periodStart: '2027-11-01', periodEnd: '2028-01-31' });
    expect(
      budgetRange({
        budgetType: 'monthly',
        fiscalYear: '2028',
        fiscalYearStartMonth: 1,
        periodStart: '2028-02-01',
      }),
    ).toEqual({ periodStart: '2028-02-01', periodEnd: '2028-02-29' });
  });

  it('project and rolling budgets use their dates, month granularity, at most 120 months', () => {
    const r = budgetRange({
      budgetType: 'project',
      fiscalYear: '2027',
      fiscalYearStartMonth: 1,
      periodStart: '2027-03-15',
      periodEnd: '2027-06-10',
    });
    expect(periodStarts(r)).toEqual(['2027-03-01', '2027-04-01', '2027-05-01', '2027-06-01']);
    const ten = budgetRange({
      budgetType: 'rolling',
      fiscalYear: '2027',
      fiscalYearStartMonth: 1,
      periodStart: '2027-01-01',
      periodEnd: '2036-12-31',
    });
    expect(periodStarts(ten)).toHaveLength(120);
  });

  it.each([
    ['project without dates', { budgetType: 'project' as const }, 'period_start', 'required'],
    [
      'end before start',
      { budgetType: 'rolling' as const, periodStart: '2027-05-01', periodEnd: '2027-04-30' },
      'period_end',
      'before_start',
    ],
    [
      'more than 120 months',
      { budgetType: 'project' as const, periodStart: '2027-01-01', periodEnd: '2037-01-01' },
      'period_end',
      'too_many_periods',
    ],
    [
      'annual with a start',
      { budgetType: 'annual' as const, periodStart: '2027-01-01' },
      'period_start',
      'derived_field',
    ],
    [
      'monthly with a wrong end',
      { budgetType: 'monthly' as const, periodEnd: '2027-03-31' },
      'period_end',
      'derived_field',
    ],
  ])('refuses %s', (_name, input, field, code) => {
    try {
      budgetRange({ fiscalYear: '2027', fiscalYearStartMonth: 1, ...input });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PeriodRuleError);
      expect((e as PeriodRuleError).field).toBe(field);
      expect((e as PeriodRuleError).code).toBe(code);
    }
  });
});

describe('spreading sums to the cent, remainder to the largest remainder then earliest period', () => {
  it('0.01 over 12 months puts the cent in the first month', () => {
    const parts = spreadEven('0.01', 12);
    expect(parts[0]).toBe('0.01');
    expect(parts.slice(1).every((p) => p === '0.00')).toBe(true);
    sumsTo(parts, '0.01');
  });

  it('100.00 over 3 months is 33.34 / 33.33 / 33.33', () => {
    expect(spreadEven('100.00', 3)).toEqual(['33.34', '33.33', '33.33']);
  });

  it('999,999,999,999.99 over 12 months is exact (no float on the way)', () => {
    const parts = spreadEven('999999999999.99', 12);
    // 99,999,999,999,999 cents / 12 = 8,333,333,333,333 rem 3: the first three months get a cent more.
    expect(parts.slice(0, 3)).toEqual(['83333333333.34', '83333333333.34', '83333333333.34']);
    expect(parts[3]).toBe('83333333333.33');
    sumsTo(parts, '999999999999.99');
  });

  it('0.00 spreads as zeros and 1200.00 evenly as 100.00', () => {
    expect(spreadEven('0.00', 4)).toEqual(['0.00', '0.00', '0.00', '0.00']);
    expect(new Set(spreadEven('1200.00', 12))).toEqual(new Set(['100.00']));
  });

  it('weights need not sum to 1: they are proportions', () => {
    expect(spreadByWeights('100.00', ['1', '1', '2'])).toEqual(['25.00', '25.00', '50.00']);
    expect(spreadByWeights('100.00', ['0.2', '0.2', '0.2'])).toEqual(['33.34', '33.33', '33.33']);
    expect(spreadByWeights('10.00', ['3', '0', '7'])).toEqual(['3.00', '0.00', '7.00']);
  });

  it('gives leftover cents to the largest remainders, not blindly to the first', () => {
    // Exact shares 0.333.., 0.666..: floors 0 and 0 cents out of 1 -> the larger remainder (second) wins.
    expect(spreadByWeights('0.01', ['1', '2'])).toEqual(['0.00', '0.01']);
    // 0.05 by 1:1:1:1:1:1:... with ties -> earliest.
    expect(spreadByWeights('0.05', Array(12).fill('1'))).toEqual([
      ...Array(5).fill('0.01'),
      ...Array(7).fill('0.00'),
    ]);
  });

  it('awkward amounts and profiles always sum exactly', () => {
    const profiles = [
      ['0.1', '0.2', '0.3', '0.05', '0.15', '0.2', '0.333333', '0.1', '0.9', '0.000001', '1', '7'],
      Array(12).fill('0.083333'),
      ['1', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '1'],
    ];
    for (const amount of ['0.01', '0.11', '1.00', '12345.67', '999999999999.99', '333.33']) {
      for (const p of profiles) sumsTo(spreadByWeights(amount, p), amount);
      for (const n of [1, 2, 3, 7, 12, 120]) sumsTo(spreadEven(amount, n), amount);
    }
  });

  it('refuses negative weights and all-zero weights for a non-zero amount', () => {
    expect(() => spreadByWeights('1.00', ['1', '-1'])).toThrow(/negative/);
    expect(() => spreadByWeights('1.00', ['0', '0'])).toThrow(/zero/);
    expect(spreadByWeights('0.00', ['0', '0'])).toEqual(['0.00', '0.00']);
  });
});

describe('spreadLine follows the line spread method', () => {
  it('seasonal needs one weight per period', () => {
    expect(() =>
      spreadLine({ amount: '1.00', spreadMethod: 'seasonal', spreadProfile: ['1', '2'] }, 3),
    ).toThrow(/one weight per period/);
    expect(
      spreadLine({ amount: '3.00', spreadMethod: 'seasonal', spreadProfile: ['1', '1', '1'] }, 3),
    ).toEqual(['1.00', '1.00', '1.00']);
  });

  it('last_year spreads by last year and refuses when there were no actuals', () => {
    const lastYear = ['10.00', '30.00', '60.00'];
    expect(
      spreadLine({ amount: '200.00', spreadMethod: 'last_year', spreadProfile: null, lastYear }, 3),
    ).toEqual(['20.00', '60.00', '120.00']);
    expect(() =>
      spreadLine(
        { amount: '1.00', spreadMethod: 'last_year', spreadProfile: null, lastYear: ['0', '0', '0'] },
        3,
      ),
    ).toThrow(/No actuals last year/);
  });

  it('manual keeps the shape of the current periods for a new amount, even when there are none', () => {
    const previous = ['10.00', '0.00', '30.00'];
    expect(spreadLine({ amount: '80.00', spreadMethod: 'manual', spreadProfile: null, previous }, 3)).toEqual(
      ['20.00', '0.00', '60.00'],
    );
    expect(spreadLine({ amount: '3.00', spreadMethod: 'manual', spreadProfile: null }, 3)).toEqual([
      '1.00',
      '1.00',
      '1.00',
    ]);
  });

  it('spreads a negative amount as its magnitude, negated: same cents, exact sum', () => {
    expect(spreadEven('-100.00', 3)).toEqual(['-33.34', '-33.33', '-33.33']);
    expect(spreadByWeights('-0.05', ['1', '1', '3'])).toEqual(['-0.01', '-0.01', '-0.03']);
    expect(
      spreadLine(
        { amount: '-10.00', spreadMethod: 'manual', spreadProfile: null, previous: ['-1', '-3'] },
        2,
      ),
    ).toEqual(['-2.50', '-7.50']);
  });
});
