/** Opaque cursors for keyset pagination over UUIDv7 ids (time-ordered, so stable). */
import { validate as isUuid } from 'uuid';
import { fieldError } from './errors.ts';

/** Encodes the last id of a page as a cursor. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** Decodes a cursor; a malformed one is a 400 on `query.cursor`. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id)) throw fieldError('query.cursor', 'invalid_cursor', 'cursor is not one this API returned');
  return id;
}

/** Splits a `limit + 1` result into a page and the next cursor. */
export function pageOf<T extends { id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
