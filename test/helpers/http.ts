/** Real HTTP against a test app listening on a random port: fetch, not inject. */
import type { AddressInfo } from 'node:net';
import { API_PREFIX } from '../../src/platform/http/types.ts';
import type { TestApp } from './app.ts';

/** The base http:// URL of the app, listening on 127.0.0.1 and port 0 if it is not yet. */
export async function httpBase(t: TestApp): Promise<string> {
  if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are free-form JSON
  body: any;
  bytes: Buffer;
}

/** One request under the API prefix with an optional bearer token and JSON body. */
export async function http(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const res = await fetch(
    `${base}${path.startsWith('/docs') || path.startsWith('/health') ? '' : API_PREFIX}${path}`,
    {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    },
  );
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  const parsed =
    type.includes('json') && bytes.length ? JSON.parse(bytes.toString('utf8')) : bytes.toString('utf8');
  return { status: res.status, headers: res.headers, body: parsed, bytes };
}
