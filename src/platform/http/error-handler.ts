/** Maps every error to the one response shape; nothing a client sends can produce a 500. */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { v7 as uuidv7 } from 'uuid';
import { isDatabaseUnavailable, pgError } from '../db/errors.ts';
import { isRedisUnavailable } from '../redis/redis.ts';
import { AppError, DependencyUnavailableError, type FieldError } from './errors.ts';

interface ZodIssueParams {
  keys?: string[];
  params?: { rule?: string };
  [key: string]: unknown;
}

const CONTEXT_PREFIX: ReadonlyMap<string, string> = new Map([
  ['body', ''],
  ['querystring', 'query.'],
  ['params', 'params.'],
  ['headers', 'headers.'],
]);

function toFieldErrors(error: FastifyError): FieldError[] {
  const prefix = CONTEXT_PREFIX.get(error.validationContext ?? 'body') ?? '';
  const out: FieldError[] = [];
  for (const v of error.validation ?? []) {
    const base = v.instancePath.split('/').filter(Boolean).join('.');
    const params = v.params as ZodIssueParams;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(params.keys)) {
      for (const key of params.keys) {
        const path = `${prefix}${base ? `${base}.` : ''}${key}`;
        out.push({ path, code: 'unknown_field', message: `Unknown field "${key}" is not allowed` });
      }
      continue;
    }
    // Custom rules name themselves (e.g. too_many_decimals); zod's own codes are used as they are.
    const code = v.keyword === 'custom' && params.params?.rule ? params.params.rule : v.keyword;
    out.push({ path: `${prefix}${base}` || '(root)', code, message: v.message ?? 'invalid' });
  }
  return out;
}

function send(reply: FastifyReply, req: FastifyRequest, status: number, body: Record<string, unknown>) {
  // The request's remaining log lines ("request completed") carry the error code.
  reply.log = reply.log.child({ error_code: body.code });
  return reply.status(status).send({ ...body, request_id: req.id });
}

/**
 * Fastify's router errors (a malformed URL escape, an over-long path parameter) skip the error
 * handler; this option gives them the one shape too.
 */
export function frameworkErrors(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const code = (error.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
  const message = error.message;
  reply.header('x-request-id', req.id);
  return send(reply, req, error.statusCode ?? 400, {
    message,
    code,
    errors: [{ path: '(url)', code, message }],
  });
}

/** What Node's HTTP parser refuses before Fastify sees a request, in the one error shape. */
const CLIENT_ERRORS: Record<string, { status: number; code: string; path: string; message: string }> = {
  HPE_INVALID_METHOD: {
    status: 400,
    code: 'unknown_method',
    path: '(method)',
    message: 'Unknown HTTP method: use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    path: '(headers)',
    message: 'The request headers are larger than the server accepts',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    path: '(request)',
    message: 'The request was not received in time',
  },
};

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refuses (an unknown method such
 * as `curl -X FOO`, malformed framing, oversized headers) never reaches the router; answer it in
 * the one error shape instead of Fastify's default body, then close the connection.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ''];
  const { status, code, path, message } = known ?? {
    status: 400,
    code: 'malformed_request',
    path: '(request)',
    message: `Malformed HTTP request (${error.code ?? 'parse error'})`,
  };
  const requestId = uuidv7();
  const body = JSON.stringify({ message, code, errors: [{ path, code, message }], request_id: requestId });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(error);
}

/** Installs the error and not-found handlers on the app. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((rawError: FastifyError, req, reply) => {
    // Redis or PostgreSQL unreachable (the one place that maps it): 503 naming it, never a 500.
    const dependency =
      rawError instanceof AppError
        ? undefined
        : isRedisUnavailable(rawError)
          ? 'Redis'
          : isDatabaseUnavailable(rawError)
            ? 'PostgreSQL'
            : undefined;
    const error: FastifyError = dependency
      ? (new DependencyUnavailableError(dependency, 'this request') as unknown as FastifyError)
      : rawError;
    if (dependency) req.log.warn({ err: rawError }, `${dependency} unavailable: answered 503`);
    if (error instanceof DependencyUnavailableError)
      reply.header('retry-after', String(error.retryAfterSeconds));
    if (error instanceof AppError) {
      return send(reply, req, error.status, {
        message: error.message,
        code: error.code,
        errors: error.errors,
        ...error.extra,
      });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      return send(reply, req, 400, {
        message: 'Request validation failed',
        code: 'validation_failed',
        errors: toFieldErrors(error),
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, bad content type, ...
      // @fastify/rate-limit's error carries no code of its own.
      const code =
        status === 429
          ? 'rate_limited'
          : (error.code ?? 'bad_request').replace(/^FST_ERR_(CTP_)?/, '').toLowerCase();
      const path = status === 413 || status === 415 || code.includes('json') ? 'body' : '(request)';
      return send(reply, req, status, {
        message: error.message,
        code,
        errors: [{ path, code, message: error.message }],
      });
    }
    // Backstop: a database data exception (class 22) or constraint violation (class 23) that
    // slipped past validation is the client's input, not a server fault.
    const pe = pgError(error);
    if (pe && (pe.code.startsWith('22') || pe.code.startsWith('23'))) {
      req.log.warn({ err: error }, 'database rejected input that passed validation');
      const status = pe.code === '23505' ? 409 : 400;
      const code = pe.code === '23505' ? 'duplicate' : 'invalid_data';
      const message = pe.constraint
        ? `The database refused the data (rule ${pe.constraint})`
        : 'The database refused the data';
      return send(reply, req, status, {
        message,
        code,
        errors: [{ path: pe.constraint ?? '(body)', code, message }],
      });
    }
    // A row-level security WITH CHECK refusal: the application never writes another tenant's
    // rows, so this is a write outside the user's department scope (docs/department-scope.md).
    if (pe?.code === '42501' && /row-level security/.test(pe.message ?? '')) {
      const message =
        'The row is outside your department scope: department_id must be one of your departments';
      return send(reply, req, 403, {
        message,
        code: 'department_scope',
        errors: [{ path: 'department_id', code: 'department_scope', message }],
      });
    }
    req.log.error({ err: error }, 'unhandled error');
    return send(reply, req, 500, { message: 'Internal server error', code: 'internal_error', errors: [] });
  });

  app.setNotFoundHandler((req, reply) => {
    const message = `Route ${req.method} ${req.url.split('?')[0]} not found`;
    return send(reply, req, 404, {
      message,
      code: 'route_not_found',
      errors: [{ path: '(url)', code: 'route_not_found', message }],
    });
  });
}
