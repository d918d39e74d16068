/**
 * Raw-body uploads (CSV, XLSX, octet-stream): the body stays a stream, capped at a route's
 * limit — refused up front from content-length, or as soon as a chunked body passes the limit —
 * and never buffered whole. An error answered while the body is still unread closes the
 * connection, so that Node does not drain a huge upload just to keep the socket alive.
 */
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/** 413 naming the limit. */
export class BodyTooLargeError extends AppError {
  override name = 'BodyTooLargeError';
  constructor(limit: number) {
    const message = `The request body is larger than ${limit} bytes`;
    super(413, 'body_too_large', message, [{ path: 'body', code: 'body_too_large', message }], {
      limit_bytes: limit,
    });
  }
}

/** Yields the body's chunks, throwing BodyTooLargeError once more than `limit` bytes arrive. */
export async function* limitedBody(body: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    yield chunk;
  }
}

/**
 * A content-type parser that hands the body on as a capped byte stream: 413 at once when
 * content-length already says too much (nothing is read), otherwise counted as it streams.
 */
export function rawUploadParser(limit: number) {
  return (req: FastifyRequest, payload: Readable, done: (err: Error | null, body?: unknown) => void) => {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > limit) return done(new BodyTooLargeError(limit));
    done(null, limitedBody(payload, limit));
  };
}

/** Whether the request announced a body (content-length > 0, or chunked). */
function hasBody(req: FastifyRequest): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * onSend hook: a reply sent before the request body was read (401 from the onRequest hook,
 * 413 from content-length, a 400 before the upload is consumed) says `connection: close`.
 * Node then ends the socket after the reply instead of reading the rest of the body.
 */
export async function closeIfBodyUnread(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!req.raw.complete && hasBody(req)) reply.header('connection', 'close');
}
