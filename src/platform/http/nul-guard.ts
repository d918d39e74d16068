/**
 * PostgreSQL text cannot hold U+0000, so a string containing it would fail in the database.
 * This hook refuses such requests up front, naming the field.
 */
import type { FastifyRequest } from 'fastify';
import { fieldError } from './errors.ts';

/** Path of the first string containing U+0000 in a parsed value, or undefined. Iterative: deep input is safe. */
export function findNul(root: unknown, prefix: string): string | undefined {
  const stack: [unknown, string][] = [[root, prefix]];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path || '(root)';
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], path ? `${path}.${i}` : String(i)]);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('\u0000')) return path ? `${path}.${k}` : k;
        stack.push([v, path ? `${path}.${k}` : k]);
      }
    }
  }
  return undefined;
}

/** preValidation hook: 400 for a NUL character anywhere in the body, query or path. */
export async function rejectNulCharacters(req: FastifyRequest): Promise<void> {
  // Only parsed JSON is walked: a raw upload's body is its request stream (a cyclic object graph).
  const b = req.body;
  const parsed =
    typeof b === 'string' || Array.isArray(b) || (b !== null && typeof b === 'object' && isPlain(b));
  const path =
    (parsed ? findNul(b, '') : undefined) ?? findNul(req.query, 'query') ?? findNul(req.params, 'params');
  if (path) throw fieldError(path, 'null_character', `${path} must not contain the NUL character (U+0000)`);
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
