/**
 * The JSON body parser. Fastify's default refuses an empty body outright (400 empty_json_body),
 * yet many clients send `content-type: application/json` on every request, DELETE and GET
 * included. Here an empty body is `undefined` where the route takes none; a route that needs
 * one gets a 400 naming `body`. The parsed value is checked for U+0000 here, so that no hook
 * ever walks anything but parsed JSON (an upload's body is a stream, never walked).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fieldError } from './errors.ts';
import { findNul, nulError } from './nul-guard.ts';

interface SafeParser {
  safeParse(value: unknown): { success: boolean };
}

/** Whether the route's body schema accepts no body at all (no schema, or an optional one). */
function acceptsNoBody(req: FastifyRequest): boolean {
  const schema = req.routeOptions.schema?.body as Partial<SafeParser> | undefined;
  if (schema === undefined) return true;
  return typeof schema.safeParse === 'function' && schema.safeParse(undefined).success;
}

/** Replaces the app's application/json parser (same size limit and prototype-poisoning rules). */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, text, done) => {
    const body = text as string;
    if (body.length === 0) {
      if (acceptsNoBody(req)) return done(null, undefined);
      return done(fieldError('body', 'required', 'This request needs a JSON body; the body was empty'));
    }
    parseJson(req, body, (error, value) => {
      if (error) return done(error);
      const path = findNul(value, '');
      done(path ? nulError(path) : null, path ? undefined : value);
    });
  });
}
