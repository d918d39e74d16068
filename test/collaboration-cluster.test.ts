/**
 * Two server instances sharing one database and one pub/sub, with clients on both. With
 * DATABASE_URL and REDIS_URL each instance has its own PostgreSQL pool and its own Redis
 * connections (as two processes would); on PGlite they share the in-memory database and an
 * in-process pub/sub. Both run in the test process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app/app.ts';
import { loadConfig } from '../src/config/env.ts';
import { signToken } from '../src/platform/auth/jwt.ts';
import { openDatabase } from '../src/platform/db/client.ts';
import { API_PREFIX } from '../src/platform/http/types.ts';
import { createPlatform, type Platform } from '../src/platform/platform.ts';
import { createMemoryPubSub, type PubSub } from '../src/platform/pubsub/pubsub.ts';
import { budgetBody, lineBody, newTenant, TEST_SECRET } from './helpers/app.ts';
import { type Backend, backends, createTestDatabase, type TestDatabase } from './helpers/databases.ts';
import { join, type Msg, type TestSocket } from './helpers/ws-client.ts';

interface Instance {
  platform: Platform;
  app: Awaited<ReturnType<typeof buildApp>>['app'];
  base: string;
  call(
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<{ statusCode: number; json(): Msg }>;
}

describe.each(backends())('collaboration across two server instances on %s', (backend: Backend) => {
  let db: TestDatabase;
  const instances: Instance[] = [];
  const tenant = newTenant();
  const token = (user: string) =>
    signToken(TEST_SECRET, { sub: user, tenant_id: tenant, roles: ['planner'], permissions: [] }, 600);

  async function start(shared: PubSub | undefined, prefix: string): Promise<Instance> {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: mkdtempSync(joinPath(tmpdir(), 'bf-cluster-')),
      JWT_SECRET: TEST_SECRET,
      LOG_LEVEL: 'silent',
      ...(db.url ? { DATABASE_URL: db.url } : {}),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    });
    // Each PostgreSQL instance gets its own pool, as a separate process would.
    const database = db.url ? await openDatabase({ databaseUrl: db.url, poolSize: 4 }) : db.database;
    const platform = await createPlatform(config, {
      database,
      redisPrefix: prefix,
      ...(shared ? { pubsub: shared } : {}),
    });
    const { app } = await buildApp(platform);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    return {
      platform,
      app,
      base,
      call: async (method, path, tok, body) => {
        const res = await app.inject({
          method: method as 'GET',
          url: `${API_PREFIX}${path}`,
          headers: { authorization: `Bearer ${tok}` },
          ...(body !== undefined ? { payload: body as object } : {}),
        });
        return { statusCode: res.statusCode, json: () => res.json() as Msg };
      },
    };
  }

  beforeAll(async () => {
    db = await createTestDatabase(backend);
    const prefix = `bf-cluster-${randomBytes(4).toString('hex')}:`;
    const shared = process.env.REDIS_URL ? undefined : createMemoryPubSub();
    instances.push(await start(shared, prefix), await start(shared, prefix));
  });
  afterAll(async () => {
    for (const i of instances) {
      await i.app.close();
      await i.platform.close();
      if (db.url) await i.platform.database.close();
    }
    await db?.drop();
  });

  it('clients on both instances see the same changes in the same order', async () => {
    const [one, two] = instances as [Instance, Instance];
    const [alice, bob, carol] = await Promise.all([token('alice'), token('bob'), token('carol')]);
    // Lines 0-3 are edited over the sockets; line 4 only over REST, so its PUT's version is not
    // raced by the socket edits (a 409 there would leave one change fewer in the log).
    const lines = Array.from({ length: 5 }, (_, i) => lineBody({ line_name: `L${i}` }));
    const budgetId = (await one.call('POST', '/budgets', alice, budgetBody({ budget_lines: lines }))).json()
      .budget_id;
    const lineIds = (await two.call('GET', `/budgets/${budgetId}/lines`, bob))
      .json()
      .items.map((l: Msg) => l.line_id as string);
    const sessionId = (
      await one.call('POST', '/collaboration/sessions', alice, {
        session_name: 'Cluster',
        budget_id: budgetId,
        conflict_strategy: 'last_writer_wins',
      })
    ).json().session_id;
    for (const u of [bob, carol])
      await two.call('POST', `/collaboration/sessions/${sessionId}/join`, u, { role: 'editor' });

    const a = await join(one.base, sessionId, alice);
    const b = await join(two.base, sessionId, bob);
    const c = await join(two.base, sessionId, carol);
    expect((await a.nextOf('user_joined', (m) => m.user_id === 'carol')).user_id).toBe('carol');

    // Interleaved writers on both instances: sockets and REST.
    const N = 30;
    for (let i = 0; i < N; i++) {
      a.send({
        type: 'budget_line_edit',
        target_id: lineIds[i % 4],
        changes: { amount: `${i + 1}.01` },
        client_msg_id: `a${i}`,
      });
      b.send({
        type: 'budget_line_edit',
        target_id: lineIds[(i + 1) % 4],
        changes: { amount: `${i + 1}.02` },
        client_msg_id: `b${i}`,
      });
    }
    const restLine = (await one.call('GET', `/budgets/${budgetId}/lines`, alice))
      .json()
      .items.find((l: Msg) => l.line_id === lineIds[4]);
    const put = await two.call('PUT', `/budgets/${budgetId}/lines/${restLine.line_id}`, carol, {
      notes: 'rest',
      version: restLine.version,
    });
    expect(put.statusCode, JSON.stringify(put.json())).toBe(200);
    c.send({ type: 'comment_added', body: 'done?', client_msg_id: 'c0' });
    await a.nextOf('ack', (m) => m.client_msg_id === `a${N - 1}`);
    await b.nextOf('ack', (m) => m.client_msg_id === `b${N - 1}`);
    await c.nextOf('ack', (m) => m.client_msg_id === 'c0');

    const log = (
      await two.call('GET', `/collaboration/sessions/${sessionId}/changes?limit=1000`, carol)
    ).json();
    const last = log.last_sequence as number;
    const view = async (s: TestSocket) => {
      const isLast = (m: Msg) => m.sequence === last;
      // The last change may already have been taken (as an ack) by an earlier wait.
      if (!s.messages.some(isLast)) await s.next(isLast);
      return s.messages
        .filter((m) => typeof m.sequence === 'number')
        .map((m) => {
          const change = m.type === 'ack' ? m.change : m;
          return `${change.sequence}:${change.type}:${change.target_id}:${change.line?.amount ?? change.comment?.body}`;
        });
    };
    const expected = log.items.map(
      (m: Msg) => `${m.sequence}:${m.type}:${m.target_id}:${m.line?.amount ?? m.comment?.body}`,
    );
    expect(expected).toHaveLength(2 * N + 2);
    expect(await view(a)).toEqual(expected);
    expect(await view(b)).toEqual(expected);
    expect(await view(c)).toEqual(expected);
    for (const s of [a, b, c]) await s.close();
  });
});
