import { describe, expect, it } from 'vitest';
import { formatAmount, formatLocale, parseAmount, setFormatLocale } from './format.ts';

describe('amounts for finance users', () => {
  it('reads what Excel and Google Sheets paste in either convention', () => {
    setFormatLocale('en-US');
    expect(parseAmount('1,234.50')).toBe('1234.5');
    expect(parseAmount('(1 234,50)')).toBe('-1234.5');
    // One mark alone: the locale's decimal mark is a decimal mark, the other one groups thousands.
    expect(parseAmount('-€1.234')).toBe('-1.234');
    expect(parseAmount('1,234')).toBe('1234');
    setFormatLocale('de-DE');
    expect(parseAmount('-€1.234')).toBe('-1234');
    setFormatLocale('en-US');
    expect(parseAmount('12-')).toBe('-12');
    expect(parseAmount('')).toBe('');
    expect(parseAmount('abc')).toBeUndefined();
    expect(parseAmount('1.2.3,4,5')).toBeUndefined();
  });

  it('formats exactly with the locale’s separators and currency, never through a float', () => {
    setFormatLocale('en-US');
    expect(formatAmount('999999999999.99')).toBe('999,999,999,999.99');
    expect(formatAmount('-1234.5', { currency: 'USD' })).toBe('-$1,234.50');
    setFormatLocale('de-DE');
    expect(formatAmount('1234567.891')).toBe('1.234.567,89');
    setFormatLocale('en-US');
  });

  it('follows the tenant’s locale, and the browser’s again when the tenant has none', () => {
    const browser = formatLocale();
    setFormatLocale('de-DE');
    expect(formatLocale()).toBe('de-DE');
    setFormatLocale('not a locale');
    expect(formatLocale()).toBe('de-DE');
    setFormatLocale(null);
    expect(formatLocale()).toBe(browser);
  });
});
