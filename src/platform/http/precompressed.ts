/**
 * JSON bodies compressed once and sent many times. The compress plugin (app.ts) gzips every
 * response on the way out; for a large body that is read often (a 10,000-line budget is 4.8 MB
 * of JSON, ~50 ms of gzip) a cache can keep the gzip beside the JSON and send it as it is: the
 * plugin leaves a response that already names its content-encoding alone.
 */
import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';

const gzipAsync = promisify(gzipCallback);
const gunzipAsync = promisify(gunzipCallback);

/** A JSON body: its text, or its gzip (kept compressed, sent as it is). */
export type JsonBody = { json: string; gzip?: undefined } | { gzip: Buffer; json?: undefined };

/** Bodies from this size on are worth keeping compressed (smaller ones cost more to look up). */
export const PRECOMPRESS_MIN_BYTES = 64 * 1024;

/** The level the compress plugin uses (app.ts), so both paths send the same size. */
export const GZIP_LEVEL = 4;

/** Gzip off the event loop (zlib's thread pool). */
export function gzipText(text: string): Promise<Buffer> {
  return gzipAsync(text, { level: GZIP_LEVEL });
}

/** The text of a gzipped body (for a client that does not take gzip). */
export async function gunzipText(gzipped: Buffer): Promise<string> {
  return (await gunzipAsync(gzipped)).toString('utf8');
}

/** Whether the client takes gzip, by the same negotiation the compress plugin applies. */
export function acceptsGzip(req: FastifyRequest): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string' || header === '') return false;
  // As the plugin does: `*` and `x-gzip` mean gzip.
  const normalised = header.toLowerCase().replace(/\*|x-gzip/g, 'gzip');
  return negotiate(normalised, ['gzip', 'identity']) === 'gzip';
}

/** Sends a JSON body with the right headers (a gzip one only to a client that takes gzip). */
export function sendJson(reply: FastifyReply, body: JsonBody): FastifyReply {
  reply.type('application/json; charset=utf-8');
  if (body.gzip === undefined) return reply.send(body.json);
  return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(body.gzip);
}
