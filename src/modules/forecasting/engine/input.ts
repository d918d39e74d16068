/** Validation of a series file (../shared/data/README.md format) with errors naming series and field. */
import { monthIndex, type SeriesInput } from './forecast.ts';

/** A validated series with the horizon to forecast. */
export interface SeriesTask extends SeriesInput {
  horizon: number;
}

/** Thrown for a malformed series file; the message names the series and the field. */
export class SeriesFileError extends Error {
  override name = 'SeriesFileError';
}

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v));

/**
 * Validates the parsed JSON of a series file. Reads only id, freq, start, horizon and train:
 * `test` is never touched, so a forecast cannot depend on it.
 */
export function parseSeriesFile(data: unknown, horizonOverride?: number): SeriesTask[] {
  if (!Array.isArray(data)) throw new SeriesFileError('the series file must hold a JSON array of series');
  return data.map((raw: unknown, i) => {
    const where = (id?: unknown) =>
      `series[${i}]${typeof id === 'string' || typeof id === 'number' ? ` (id ${show(String(id))})` : ''}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new SeriesFileError(`${where()}: must be an object`);
    const s = raw as Record<string, unknown>;
    const id = s['id'];
    if (typeof id !== 'string' && typeof id !== 'number')
      throw new SeriesFileError(`${where()}: id must be a string or a number`);
    const at = where(id);
    const train = s['train'];
    if (!Array.isArray(train)) throw new SeriesFileError(`${at}: train must be an array of finite numbers`);
    const bad = train.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0)
      throw new SeriesFileError(
        `${at}: train must be an array of finite numbers; item ${bad} is ${show(train[bad])}`,
      );
    if (train.length < 3)
      throw new SeriesFileError(`${at}: train must have at least 3 values, it has ${train.length}`);
    const freq = s['freq'] ?? 12;
    if (typeof freq !== 'number' || !Number.isInteger(freq) || freq < 1)
      throw new SeriesFileError(`${at}: freq must be a positive integer; it is ${show(freq)}`);
    const start = s['start'];
    if (start !== undefined && (typeof start !== 'string' || !/^\d{4}-\d{2}/.test(start)))
      throw new SeriesFileError(`${at}: start must be a "YYYY-MM" string; it is ${show(start)}`);
    const h = horizonOverride ?? s['horizon'];
    if (h === undefined)
      throw new SeriesFileError(`${at}: horizon is missing (give it in the file or with --horizon)`);
    if (typeof h !== 'number' || !Number.isInteger(h) || h < 1 || h > 1000)
      throw new SeriesFileError(`${at}: horizon must be an integer from 1 to 1000; it is ${show(h)}`);
    const horizon: number = h;
    return { id: String(id), train: train as number[], period: freq, startIndex: monthIndex(start), horizon };
  });
}
