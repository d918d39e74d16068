/** CSV downloads of reports: asked for with ?format=csv or an Accept header preferring text/csv. */
import type { FastifyRequest } from 'fastify';

/** Whether the request asks for CSV (`format` wins over the Accept header). */
export function wantsCsv(req: FastifyRequest, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv';
  const accept = (req.headers.accept ?? '').toLowerCase();
  return accept.includes('text/csv') && !accept.includes('application/json');
}

/** One CSV cell: quoted when needed; text starting like a formula (=, +, -, @) is prefixed with '. */
export function csvCell(v: string | number | boolean | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  const safe = /^[=+\-@]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Rows to CSV text (CRLF line ends, as RFC 4180). */
export function toCsv(rows: (string | number | boolean | null | undefined)[][]): string {
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
