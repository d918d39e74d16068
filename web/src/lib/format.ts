/**
 * Numbers for finance users: amounts are decimal strings on the wire and decimal.js here (never
 * a float), shown with the locale's thousands separators, a fixed number of decimals, the
 * currency when asked, and a minus sign that the `num-negative` class colours the same way on
 * every screen. Cells are right aligned (`num` class, tabular figures). `parseAmount` reads what
 * a user types or pastes from Excel / Google Sheets: "1,234.50", "(1 234,50)", "-€1.234", "12%".
 */
import Decimal from 'decimal.js';

export { Decimal };

const browserLocale: string = (typeof navigator !== 'undefined' && navigator.language) || 'en-US';
let locale: string = browserLocale;

/** The locale numbers and dates are shown in (the tenant's, when it has one; else the browser's). */
export function formatLocale(): string {
  return locale;
}

/**
 * Sets the display locale (the tenant's `locale` setting); none: the browser's own. Invalid
 * tags are ignored.
 */
export function setFormatLocale(tag: string | null | undefined): void {
  const next = tag || browserLocale;
  try {
    new Intl.NumberFormat(next);
    locale = next;
    formatters.clear();
  } catch {
    // keep the current one
  }
}

const formatters = new Map<string, Intl.NumberFormat>();
function formatter(decimals: number, currency?: string, compact = false): Intl.NumberFormat {
  const key = `${decimals}|${currency ?? ''}|${compact}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      minimumFractionDigits: compact ? 0 : decimals,
      maximumFractionDigits: decimals,
      useGrouping: true,
      ...(currency ? { style: 'currency', currency, currencyDisplay: 'narrowSymbol' } : {}),
      ...(compact ? { notation: 'compact' } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

export type AmountLike = string | number | Decimal | null | undefined;

function toDecimal(value: AmountLike): Decimal | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  try {
    return value instanceof Decimal ? value : new Decimal(value);
  } catch {
    return undefined;
  }
}

export interface AmountFormat {
  /** ISO 4217 code: shows the currency symbol. */
  currency?: string;
  /** Decimals shown (default 2). */
  decimals?: number;
  /** 1.2M instead of 1,200,000.00 (charts, tiles). */
  compact?: boolean;
  /** Text for an empty value (default ""). */
  empty?: string;
}

/** "1,234,567.00" / "-€1,234.50" in the current locale; exact (the decimal string is formatted, not a float). */
export function formatAmount(value: AmountLike, options: AmountFormat = {}): string {
  const d = toDecimal(value);
  if (!d) return options.empty ?? '';
  const decimals = options.decimals ?? 2;
  const rounded = d.toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP);
  const f = formatter(decimals, options.currency, options.compact);
  // Intl formats a decimal string exactly (no float round trip); -0 shows as 0.
  const text = rounded.isZero() ? '0' : rounded.toFixed(decimals);
  return f.format(text as Intl.StringNumericLiteral);
}

/** A percentage: 0.125 → "12.5%". */
export function formatPercent(value: AmountLike, decimals = 1): string {
  const d = toDecimal(value);
  if (!d) return '';
  return new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(d.toFixed(decimals + 2) as Intl.StringNumericLiteral);
}

export function isNegative(value: AmountLike): boolean {
  const d = toDecimal(value);
  if (!d) return false;
  return d.isNegative() && !d.isZero();
}

/** The class names of a numeric cell: right aligned, tabular figures, negatives coloured. */
export function amountClass(value: AmountLike): string {
  return isNegative(value) ? 'num num-negative' : 'num';
}

/** Sums decimal strings exactly. */
export function sum(values: Iterable<AmountLike>): Decimal {
  let total = new Decimal(0);
  for (const v of values) {
    const d = toDecimal(v);
    if (d) total = total.plus(d);
  }
  return total;
}

function separators(): { group: string; decimal: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  return {
    group: parts.find((p) => p.type === 'group')?.value ?? ',',
    decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
  };
}

/**
 * Reads an amount as typed or pasted: thousands separators (",", ".", spaces, apostrophes),
 * either decimal mark, parentheses or a trailing minus for negatives, currency symbols and
 * codes, a "%" (divided by 100 only when `percent` is set). Returns a canonical decimal string
 * ("-1234.5") or undefined when the text is not a number. An empty cell is "".
 */
export function parseAmount(text: string, { percent = false } = {}): string | undefined {
  let s = text.trim().replace(/[\u00a0\u202f\u2009]/g, ' ');
  if (s === '') return '';
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  // Unicode minus and dashes are minus signs too.
  s = s.replace(/[\u2212\u2013\u2014]/g, '-');
  if (s.endsWith('-')) {
    negative = !negative;
    s = s.slice(0, -1).trim();
  }
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1).trim();
  } else if (s.startsWith('+')) s = s.slice(1).trim();
  let isPercent = false;
  if (s.endsWith('%')) {
    isPercent = true;
    s = s.slice(0, -1).trim();
  }
  // Currency symbols and ISO codes before or after the number.
  s = s.replace(/^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$/g, '').replace(/[$€£¥₹₩₽₺₪₫฿₴₦₱¢]/gu, '');
  s = s.trim();
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1).trim();
  }
  s = s.replace(/[ '’]/g, '');
  if (!/^[0-9.,]+$/.test(s) || !/[0-9]/.test(s)) return undefined;
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  let decimalMark: string | undefined;
  if (lastDot >= 0 && lastComma >= 0) decimalMark = lastDot > lastComma ? '.' : ',';
  else if (lastDot >= 0 || lastComma >= 0) {
    const mark = lastDot >= 0 ? '.' : ',';
    const count = s.split(mark).length - 1;
    const after = s.length - s.lastIndexOf(mark) - 1;
    if (count > 1) decimalMark = undefined;
    else if (mark === separators().decimal) decimalMark = mark;
    else decimalMark = after === 3 ? undefined : mark;
  }
  const groupMark = decimalMark === '.' ? ',' : decimalMark === ',' ? '.' : undefined;
  let intPart = s;
  let fracPart = '';
  if (decimalMark) {
    const at = s.lastIndexOf(decimalMark);
    intPart = s.slice(0, at);
    fracPart = s.slice(at + 1);
    if (fracPart.includes('.') || fracPart.includes(',')) return undefined;
  }
  intPart = groupMark ? intPart.split(groupMark).join('') : intPart.replace(/[.,]/g, '');
  if (!/^[0-9]*$/.test(intPart) || (intPart === '' && fracPart === '')) return undefined;
  let d = new Decimal(`${intPart || '0'}${fracPart ? `.${fracPart}` : ''}`);
  if (isPercent && percent) d = d.dividedBy(100);
  if (negative) d = d.negated();
  return d.isZero() ? '0' : d.toFixed();
}

/** "14:05" in the current locale. */
export function formatTime(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(d);
}

/** "1 Dec 2026, 14:05" in the current locale. */
export function formatDateTime(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** "1 Dec 2026" in the current locale. */
export function formatDate(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso.length === 10 ? `${iso}T00:00:00` : iso) : iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(d);
}
