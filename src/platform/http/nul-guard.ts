/**
 * PostgreSQL text cannot hold U+0000, so a string containing it would fail in the database.
 * Such requests are refused up front, naming the field: the query and path here, the JSON body
 * in its parser (json-body.ts). Only parsed values are walked, never a request stream.
 */
import type { FastifyRequest } from 'fastify';
import { fieldError, type ValidationError } from './errors.ts';

/** Path of the first string containing U+0000 in a parsed value, or undefined. Iterative: deep input is safe. */
export function findNul(root: unknown, prefix: string): string | undefined {
  const stack: [unknown, string][] = [[root, prefix]];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path || '(root)';
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], path ? `${path}.${i}` : String(i)]);
    } else if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('\u0000')) return path ? `${path}.${k}` : k;
        stack.push([v, path ? `${path}.${k}` : k]);
      }
    }
  }
  return undefined;
}

/** Only JSON-shaped objects are walked: a stream, Buffer or any class instance never is. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The 400 for a NUL character at `path`. */
export function nulError(path: string): ValidationError {
  return fieldError(path, 'null_character', `${path} must not contain the NUL character (U+0000)`);
}

/** preValidation hook: 400 for a NUL character in the query or path (the JSON body is checked when parsed). */
export async function rejectNulCharacters(req: FastifyRequest): Promise<void> {
  const path = findNul(req.query, 'query') ?? findNul(req.params, 'params');
  if (path) throw nulError(path);
}
