/** A generated general-ledger CSV (the actuals benchmark's and the upload tests' file). */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export const LEDGER_HEADER =
  'Period,GL Account,Department,Cost Centre,Category,Amount,Currency,Description\n';

/** The fields of ledger row i (amount as a decimal string). */
export function ledgerRow(i: number) {
  const month = String((i % 12) + 1).padStart(2, '0');
  const amount = `${(i % 9_973) + 1}.${String(i % 100).padStart(2, '0')}`;
  return { month, gl: `6${String(i % 300).padStart(3, '0')}`, dept: `D${i % 12}`, cc: `CC${i % 40}`, amount };
}

/** Line i of the CSV; accounting-style amounts: thousands separators and negatives in parentheses. */
export function ledgerLine(i: number): string {
  const r = ledgerRow(i);
  const [units, cents] = r.amount.split('.');
  const shown = i % 7 === 0 ? `"(${Number(units).toLocaleString('en-US')}.${cents})"` : r.amount;
  return `2026-${r.month},${r.gl},${r.dept},${r.cc},opex,${shown},USD,ledger line ${i}\n`;
}

/** The whole CSV of `rows` data rows in memory. */
export function ledgerCsv(rows: number): Buffer {
  const parts = [LEDGER_HEADER];
  for (let i = 0; i < rows; i++) parts.push(ledgerLine(i));
  return Buffer.from(parts.join(''));
}

/** Writes the CSV of `rows` data rows to `path`. */
export async function writeLedger(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(LEDGER_HEADER);
  for (let i = 0; i < rows; i++) if (!out.write(ledgerLine(i))) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}
