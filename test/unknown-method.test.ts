/**
 * Requests Node's HTTP parser refuses before Fastify's router (an unknown method such as
 * `curl -X FOO`) answer in the one error shape, over a real socket: `fetch` cannot send them.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { listen } from './helpers/ws-client.ts';

/** Sends raw bytes and returns the raw response once the server closes or ends it. */
function raw(port: number, request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body });
    });
    socket.write(request);
  });
}

describe('requests the HTTP parser refuses', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp('pglite', { REDIS_URL: '' });
    port = Number(new URL((await listen(t)).replace(/^ws:/, 'http:')).port);
  });
  afterAll(() => t?.close());

  it('answers an unknown method (FOO) with 400 unknown_method in the one error shape', async () => {
    const res = await raw(port, 'FOO /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.headers).toMatch(/content-type: application\/json/i);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({
      code: 'unknown_method',
      errors: [{ path: '(method)', code: 'unknown_method' }],
    });
    expect(body.message).toMatch(/Unknown HTTP method/);
    expect(typeof body.request_id).toBe('string');
  });

  it('answers a method Node knows but no route has (PROPFIND) with 404 route_not_found', async () => {
    const res = await raw(port, 'PROPFIND /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'route_not_found' });
  });

  it('answers malformed framing in the one shape too', async () => {
    const res = await raw(port, 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      code: 'malformed_request',
      errors: [{ path: '(request)' }],
    });
  });
});
