/**
 * Amounts as accounting systems write them: thousands separators, a declared decimal separator,
 * negatives in parentheses or with a trailing minus, currency symbols and ISO codes. Pure code:
 * every value is parsed as text into decimal.js, never through a JavaScript float.
 */
import { Decimal, MAX_AMOUNT } from '../../shared/money.ts';

export type DecimalSeparator = '.' | ',';

/** What was seen while reading one amount, summed into the import report. */
export type AmountFeature =
  | 'plain'
  | 'thousands_separator'
  | 'parentheses'
  | 'leading_minus'
  | 'trailing_minus'
  | 'currency_symbol'
  | 'currency_code'
  | 'numeric_cell'
  | 'rounded_numeric_cell';

export type AmountResult =
  | { ok: true; value: string; features: AmountFeature[]; currency?: string; grouping?: string }
  | { ok: false; code: string; message: string };

const SYMBOLS = '$€£¥₹₩₽₺₪';
const SYMBOL_PREFIX = new RegExp(`^(?:[A-Z]{1,2})?[${SYMBOLS}]\\s*`);
const SYMBOL_SUFFIX = new RegExp(`\\s*[${SYMBOLS}]$`);
const CODE_PREFIX = /^([A-Z]{3})\s*(?=[-+(\d.,$€£¥₹₩₽₺₪])/;
const CODE_SUFFIX = /(?<=[\d.,)\-\s])\s*([A-Z]{3})$/;
// Spaces of every width and apostrophes (Swiss 1'234.50) group thousands in either convention.
const SPACES = /[\u00a0\u2007\u202f]/g;

const fail = (code: string, message: string): AmountResult => ({ ok: false, code, message });

/** Reads an amount written as text; `decimal` says which separator is the decimal point. */
export function parseAmountText(raw: string, decimal: DecimalSeparator): AmountResult {
  let s = raw.replace(SPACES, ' ').trim();
  if (s === '') return fail('required', 'amount is blank');
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  const features: AmountFeature[] = [];
  let negative = false;
  let currency: string | undefined;
  const negate = (feature: AmountFeature) => {
    if (negative) return false;
    negative = true;
    features.push(feature);
    return true;
  };
  // Markers nest in any order ("(USD 1,234.56)", "USD (1,234.56)", "-$12", "1.234,56 €-"):
  // peel them off until only digits and separators remain.
  for (let pass = 0; pass < 6; pass++) {
    const before = s;
    const code = CODE_PREFIX.exec(s) ?? CODE_SUFFIX.exec(s);
    const symbol = code ? null : (SYMBOL_PREFIX.exec(s) ?? SYMBOL_SUFFIX.exec(s));
    const strip = (m: RegExpExecArray) => (m.index === 0 ? s.slice(m[0].length) : s.slice(0, m.index)).trim();
    if (s.startsWith('(') && s.endsWith(')')) {
      if (!negate('parentheses')) return fail('invalid_amount', `amount "${shown}" is negative twice`);
      s = s.slice(1, -1).trim();
    } else if (s.startsWith('-') || s.startsWith('−')) {
      if (!negate('leading_minus')) return fail('invalid_amount', `amount "${shown}" is negative twice`);
      s = s.slice(1).trim();
    } else if (s.endsWith('-') || s.endsWith('−')) {
      if (!negate('trailing_minus')) return fail('invalid_amount', `amount "${shown}" is negative twice`);
      s = s.slice(0, -1).trim();
    } else if (s.startsWith('+')) {
      s = s.slice(1).trim();
    } else if (code) {
      if (currency && currency !== code[1])
        return fail('invalid_amount', `amount "${shown}" names two currencies`);
      currency = code[1];
      features.push('currency_code');
      s = strip(code);
    } else if (symbol) {
      features.push('currency_symbol');
      s = strip(symbol);
    }
    if (s === before) break;
  }
  const number = readDigits(s, decimal);
  if (typeof number !== 'object') {
    return fail(
      'invalid_amount',
      number === 'decimals'
        ? `amount "${shown}" has more than 2 decimal places`
        : `amount "${shown}" is not an amount with "${decimal}" as the decimal separator${
            decimal === '.' && /\d,\d{1,2}$/.test(s) ? ' (set decimal_separator to "," for 1.234,56)' : ''
          }`,
    );
  }
  if (number.grouping) features.push('thousands_separator');
  if (features.length === 0) features.push('plain');
  const result = finish(negative ? number.value.neg() : number.value, features, shown, currency);
  return result.ok && number.grouping ? { ...result, grouping: number.grouping } : result;
}

/** Reads a numeric spreadsheet cell: the float's shortest text, rounded half-up to the cent. */
export function parseAmountNumber(value: number): AmountResult {
  if (!Number.isFinite(value)) return fail('invalid_amount', `amount ${value} is not a finite number`);
  const exact = new Decimal(String(value));
  const rounded = exact.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  // Spreadsheet cells are binary floats: 0.1+0.2 is stored as 0.30000000000000004.
  const features: AmountFeature[] = rounded.eq(exact) ? ['numeric_cell'] : ['rounded_numeric_cell'];
  return finish(rounded, features, String(value));
}

function finish(value: Decimal, features: AmountFeature[], shown: string, currency?: string): AmountResult {
  if (value.abs().gt(MAX_AMOUNT))
    return fail('out_of_range', `amount "${shown}" is beyond ±${MAX_AMOUNT.toFixed(2)}`);
  // -0.00 is 0.00.
  const text = value.isZero() ? '0.00' : value.toFixed(2);
  return currency ? { ok: true, value: text, features, currency } : { ok: true, value: text, features };
}

/** Digits with optional thousands grouping and decimals; a reason string when it is not one. */
function readDigits(s: string, decimal: DecimalSeparator): { value: Decimal; grouping?: string } | string {
  const parts = s.split(decimal);
  if (parts.length > 2) return 'invalid';
  const [intPart = '', frac] = parts;
  if (frac !== undefined && !/^\d{1,2}$/.test(frac)) return /^\d+$/.test(frac) ? 'decimals' : 'invalid';
  if (intPart === '' && frac === undefined) return 'invalid';
  let digits = intPart;
  let grouping: string | undefined;
  if (!/^\d*$/.test(intPart)) {
    // One grouping character, used consistently, every group of three digits.
    const thousands = decimal === '.' ? "[, ']" : "[. ']";
    const m = new RegExp(`^\\d{1,3}((${thousands})\\d{3})((\\2)\\d{3})*$`).exec(intPart);
    if (!m) return 'invalid';
    digits = intPart.replace(/\D/g, '');
    grouping = m[2];
  }
  const value = new Decimal(`${digits || '0'}.${frac ?? '0'}`);
  return grouping ? { value, grouping } : { value };
}
