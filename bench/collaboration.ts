/**
 * Collaboration benchmark on PostgreSQL (+ Redis for two instances); figures and same-run
 * ratios, no assertions. Sessions of 50 participants, 1 and 20 sessions at once, one editor per
 * session sending line edits at a steady rate; each edit's latency is the time until the last of
 * the other 49 participants has it. Compared with a bare `ws` server that only relays the same
 * number of messages of the same size to the same sockets. "Two processes" are two app
 * instances in this process with their own PostgreSQL pools and Redis connections, half of the
 * participants on each. Memory per connection: heap growth per open socket (server and client
 * sides, both in this process), ours vs bare.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { buildApp } from '../src/app/app.ts';
import { loadConfig } from '../src/config/env.ts';
import { signToken } from '../src/platform/auth/jwt.ts';
import { openDatabase } from '../src/platform/db/client.ts';
import { API_PREFIX } from '../src/platform/http/types.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { createTestDatabase } from '../test/helpers/databases.ts';

const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const PARTICIPANTS = Number(process.env.BENCH_COLLAB_PARTICIPANTS ?? 50);
// Offered load in edits per second across all sessions (BENCH_COLLAB_RATES, e.g. "400,2000").
const RATES = (process.env.BENCH_COLLAB_RATES ?? '400,2000').split(',').map(Number);
const SESSION_COUNTS = (process.env.BENCH_COLLAB_SESSIONS ?? '1,20').split(',').map(Number);
const INSTANCES = (process.env.BENCH_COLLAB_INSTANCES ?? '1,2').split(',').map(Number) as (1 | 2)[];
// Seconds of offered load per figure.
const SECONDS = Number(process.env.BENCH_COLLAB_SECONDS ?? 5);
let EDITS_PER_SESSION = 100;
let INTERVAL_MS = 50;

type Json = Record<string, unknown>;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

interface Result {
  p50: number;
  p99: number;
  editsPerSecond: number;
  /** CPU of this process (server and clients) per edit, ms. */
  cpuMs: number;
}

/** Delivers every message of a frame: a `changes` frame carries several. */
const each = (m: Json, f: (x: Json) => void) => {
  if (m.type === 'changes') for (const x of m.changes as Json[]) f(x);
  else f(m);
};

/** Opens a socket and resolves when it has received a message matching `ready`. */
function open(
  url: string,
  headers: Record<string, string>,
  onMessage: (m: Json, raw: string) => void,
  ready?: string,
) {
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const raw = data.toString();
      const m = JSON.parse(raw) as Json;
      if (ready && m.type === ready) resolve(ws);
      onMessage(m, raw);
    });
    if (!ready) ws.on('open', () => resolve(ws));
  });
}

/** Sends edits at a steady rate in every session and measures edit-to-everyone latency. */
async function drive(
  sessions: { editor: WebSocket; send: (i: number) => void }[],
  arrivals: Map<string, { sent: number; left: number }>,
  done: Promise<void>,
): Promise<Result> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // A steady schedule: late ticks send what is due, so the offered rate holds on a busy machine.
  let sent = 0;
  while (sent < EDITS_PER_SESSION) {
    const due = Math.min(EDITS_PER_SESSION, Math.floor((performance.now() - t0) / INTERVAL_MS) + 1);
    for (; sent < due; sent++) for (const s of sessions) s.send(sent);
    await new Promise((r) => setTimeout(r, Math.max(1, INTERVAL_MS / 2)));
  }
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const latencies = [...arrivals.values()].map((a) => a.left);
  return {
    p50: pct(latencies, 0.5),
    p99: pct(latencies, 0.99),
    editsPerSecond: (sessions.length * EDITS_PER_SESSION) / seconds,
    cpuMs: (cpu.user + cpu.system) / 1000 / (sessions.length * EDITS_PER_SESSION),
  };
}

/** Our gateway: `sessionCount` sessions of 50 participants over `instances` app instances. */
async function runOurs(
  sessionCount: number,
  instances: 1 | 2,
  dbUrl: string,
): Promise<Result & { perConnKb: number }> {
  const prefix = `bf-bench-${randomBytes(4).toString('hex')}:`;
  const apps = [];
  for (let k = 0; k < instances; k++) {
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: dbUrl,
      JWT_SECRET: SECRET,
      LOG_LEVEL: 'silent',
      DATA_DIR: mkdtempSync(joinPath(tmpdir(), 'bf-bench-')),
      DATABASE_POOL_SIZE: '30',
      COLLABORATION_SEND_QUEUE_BYTES: String(64 * 1024 * 1024),
      // The offered load of one editor may exceed the default per-socket message rate.
      COLLABORATION_SOCKET_MESSAGES_PER_SECOND: '10000',
      COLLABORATION_USER_MESSAGES_PER_SECOND: '10000',
    });
    const database = await openDatabase({ databaseUrl: dbUrl, poolSize: 30 });
    const platform = await createPlatform(config, { database, redisPrefix: prefix });
    const { app } = await buildApp(platform);
    await app.listen({ host: '127.0.0.1', port: 0 });
    apps.push({
      app,
      platform,
      database,
      base: `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    });
  }
  const [first] = apps;
  const tenant = `bench-${randomBytes(4).toString('hex')}`;
  const tok = (u: number) =>
    signToken(SECRET, { sub: `u${u}`, tenant_id: tenant, roles: ['planner'], permissions: [] }, 3600);
  const call = async (path: string, token: string, body: unknown) => {
    const res = await first!.app.inject({
      method: 'POST',
      url: `${API_PREFIX}${path}`,
      headers: { authorization: `Bearer ${token}` },
      payload: body as Json,
    });
    return res.json() as Json;
  };
  const tokens = await Promise.all(Array.from({ length: PARTICIPANTS }, (_, u) => tok(u)));
  const arrivals = new Map<string, { sent: number; left: number }>();
  let pending = sessionCount * EDITS_PER_SESSION;
  let finish!: () => void;
  const done = new Promise<void>((r) => {
    finish = r;
  });
  const sockets: WebSocket[] = [];
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const sessions = [];
  for (let s = 0; s < sessionCount; s++) {
    const budget = await call('/budgets', tokens[0]!, {
      budget_name: `Bench ${tenant} ${s}`,
      budget_type: 'annual',
      fiscal_year: String(new Date().getUTCFullYear() + 1),
      total_amount: '1000.00',
      base_currency: 'USD',
      budget_lines: [{ line_name: 'L', line_type: 'expense', category: 'c', amount: '1.00' }],
    });
    const lineId = (
      (
        await first!.app.inject({
          method: 'GET',
          url: `${API_PREFIX}/budgets/${budget.budget_id}/lines`,
          headers: { authorization: `Bearer ${tokens[0]}` },
        })
      ).json() as { items: Json[] }
    ).items[0]!.line_id as string;
    const session = await call('/collaboration/sessions', tokens[0]!, {
      session_name: 'Bench',
      budget_id: budget.budget_id,
      max_participants: PARTICIPANTS,
      conflict_strategy: 'last_writer_wins',
    });
    const sid = session.session_id as string;
    for (let u = 1; u < PARTICIPANTS; u++)
      await call(`/collaboration/sessions/${sid}/join`, tokens[u]!, { role: 'editor' });
    const members: WebSocket[] = [];
    for (let u = 0; u < PARTICIPANTS; u++) {
      const base = apps[u % instances]!.base;
      members.push(
        await open(
          `${base}${API_PREFIX}/ws/collaboration/${sid}?frames=batch`,
          { authorization: `Bearer ${tokens[u]}` },
          (frame) =>
            each(frame, (m) => {
              if (m.type !== 'budget_line_updated') return;
              const key = `${sid}:${(m.changes as Json).amount}`;
              const a = arrivals.get(key);
              if (!a) return;
              a.left -= 1;
              if (a.left === 0) {
                a.left = performance.now() - a.sent;
                if (--pending === 0) finish();
              }
            }),
          'welcome',
        ),
      );
    }
    sockets.push(...members);
    sessions.push({
      editor: members[0]!,
      send: (i: number) => {
        const amount = `${i + 100}.00`;
        arrivals.set(`${sid}:${amount}`, { sent: performance.now(), left: PARTICIPANTS - 1 });
        members[0]!.send(
          JSON.stringify({
            type: 'budget_line_edit',
            target_id: lineId,
            changes: { amount },
            client_msg_id: `e${i}`,
          }),
        );
      },
    });
  }
  globalThis.gc?.();
  const perConnKb = (process.memoryUsage().heapUsed - heapBefore) / sockets.length / 1024;
  const result = await drive(sessions, arrivals, done);
  for (const ws of sockets) ws.terminate();
  for (const a of apps) {
    await a.app.close();
    await a.platform.close();
    await a.database.close();
  }
  return { ...result, perConnKb };
}

/** A bare `ws` relay: the same sockets, messages of the same size, no auth, no database. */
async function runBare(sessionCount: number, payloadBytes: number): Promise<Result & { perConnKb: number }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' } as never);
  await new Promise((r) => wss.once('listening', r));
  const port = (wss as unknown as { address(): AddressInfo }).address().port;
  const rooms = new Map<string, Set<WebSocket>>();
  wss.on('connection', (ws: WebSocket, req: { url: string }) => {
    const room = req.url;
    if (!rooms.has(room)) rooms.set(room, new Set());
    rooms.get(room)!.add(ws);
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      const m = JSON.parse(text) as Json;
      const out = JSON.stringify({ ...m, type: 'budget_line_updated' });
      for (const peer of rooms.get(room)!) if (peer !== ws) peer.send(out);
      ws.send(JSON.stringify({ type: 'ack', client_msg_id: m.client_msg_id }));
    });
    ws.send('{"type":"welcome"}');
  });
  const arrivals = new Map<string, { sent: number; left: number }>();
  let pending = sessionCount * EDITS_PER_SESSION;
  let finish!: () => void;
  const done = new Promise<void>((r) => {
    finish = r;
  });
  const pad = 'x'.repeat(payloadBytes);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const sockets: WebSocket[] = [];
  const sessions = [];
  for (let s = 0; s < sessionCount; s++) {
    const members: WebSocket[] = [];
    for (let u = 0; u < PARTICIPANTS; u++) {
      members.push(
        await open(
          `ws://127.0.0.1:${port}/room${s}`,
          {},
          (m) => {
            if (m.type !== 'budget_line_updated') return;
            const a = arrivals.get(`${s}:${(m.changes as Json).amount}`);
            if (!a) return;
            a.left -= 1;
            if (a.left === 0) {
              a.left = performance.now() - a.sent;
              if (--pending === 0) finish();
            }
          },
          'welcome',
        ),
      );
    }
    sockets.push(...members);
    sessions.push({
      editor: members[0]!,
      send: (i: number) => {
        const amount = `${i + 100}.00`;
        arrivals.set(`${s}:${amount}`, { sent: performance.now(), left: PARTICIPANTS - 1 });
        members[0]!.send(JSON.stringify({ changes: { amount }, client_msg_id: `e${i}`, line: pad }));
      },
    });
  }
  globalThis.gc?.();
  const perConnKb = (process.memoryUsage().heapUsed - heapBefore) / sockets.length / 1024;
  const result = await drive(sessions, arrivals, done);
  for (const ws of sockets) ws.terminate();
  await new Promise((r) => wss.close(r));
  return { ...result, perConnKb };
}

/** Runs the collaboration benchmark and prints its table. */
export async function benchCollaboration(): Promise<void> {
  if (!process.env.DATABASE_URL) process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
  if (!process.env.REDIS_URL) process.env.REDIS_URL = 'redis://127.0.0.1:6379';
  const testDb = await createTestDatabase('postgres', 4);
  // A budget_line_updated message is about this large (the whole line travels with it).
  const payloadBytes = 900;
  const rows: string[] = [];
  const f = (r: Result) => `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}`;
  try {
    for (const sessionCount of SESSION_COUNTS) {
      for (const rate of RATES) {
        // `rate` edits/s offered across the sessions, one editor each.
        INTERVAL_MS = (1000 * sessionCount) / rate;
        EDITS_PER_SESSION = Math.max(10, Math.round((rate * SECONDS) / sessionCount));
        const bare = await runBare(sessionCount, payloadBytes);
        for (const instances of INSTANCES) {
          const ours = await runOurs(sessionCount, instances, testDb.url!);
          rows.push(
            `| ${sessionCount} × ${PARTICIPANTS} | ${instances} | ${rate} | ${ours.editsPerSecond.toFixed(0)} | ${f(ours)} | ${ours.cpuMs.toFixed(2)} | ${bare.editsPerSecond.toFixed(0)} | ${f(bare)} | ${bare.cpuMs.toFixed(2)} | ${(ours.p50 / bare.p50).toFixed(1)}× / ${(ours.p99 / bare.p99).toFixed(1)}× |`,
          );
          console.error(rows.at(-1));
        }
      }
    }
  } finally {
    await testDb.drop();
  }
  console.log(
    `\nCollaboration: ${SECONDS} s of offered load per figure, one editor per session, latency = until all ${PARTICIPANTS - 1} others have the edit (ms); CPU = this process (server and clients) per edit`,
  );
  console.log(
    '| sessions | instances | offered/s | handled/s | ours p50 / p99 | ours CPU ms/edit | bare handled/s | bare p50 / p99 | bare CPU ms/edit | ratio p50 / p99 |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCollaboration();
