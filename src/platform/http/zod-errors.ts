/** Turns zod issues from a service-side parse into the API's field errors (the edge does the same for requests). */
import type { z } from 'zod';
import type { FieldError } from './errors.ts';

/** Field errors of a failed safeParse, paths joined with dots under `prefix`. */
export function zodFieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: base ? `${base}.${key}` : key,
          code: 'unknown_field',
          message: `Unknown field "${key}" is not allowed`,
        });
      }
      continue;
    }
    const rule = issue.code === 'custom' ? (issue.params as { rule?: string } | undefined)?.rule : undefined;
    out.push({ path: base || '(root)', code: rule ?? issue.code, message: issue.message });
  }
  return out;
}
