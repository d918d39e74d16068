/**
 * Domain events through the transactional outbox to a real RabbitMQ: every event of a scripted
 * session reaches a consumer bound to the topic exchange, exactly once after de-duplication by
 * message id, with the routing key, headers and body docs/events.md promises; also across a
 * relay restart (a relay stopped mid-stream, another one started) and across a broker restart
 * (a broker of the test's own, stopped and started again while events are written).
 */
import { randomBytes } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/platform/db/client.ts';
import { EVENT_TYPES, type EventType, eventJsonSchema } from '../src/platform/events/catalog.ts';
import { OutboxRelay } from '../src/platform/events/relay.ts';
import { tenantIdFromKey } from '../src/platform/tenancy/tenancy.ts';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from './helpers/app.ts';
import { type Backend, backends } from './helpers/databases.ts';
import {
  EventConsumer,
  rabbitServerMissing,
  sharedAmqpUrl,
  sharedBrokerMissing,
  TestRabbitServer,
} from './helpers/rabbitmq.ts';

const missing = await sharedBrokerMissing();
if (missing && process.env.CI === 'true')
  throw new Error(`CI=true: the relay tests must run, but ${missing}`);
const serverMissing = rabbitServerMissing();
if (serverMissing && process.env.CI === 'true')
  throw new Error(`CI=true: the broker-restart test must run, but ${serverMissing}`);

const ajv = new Ajv2020({ strict: false });
// ajv-formats is CommonJS: its default export is the plugin function under `default`.
(formats as unknown as { default: (a: Ajv2020) => void }).default(ajv);
const validators = new Map(EVENT_TYPES.map((t) => [t, ajv.compile(eventJsonSchema(t))]));

const exchangeName = () => `bf-test-events-${randomBytes(4).toString('hex')}`;

/** Every event id in the outbox of the test database, oldest first. */
async function outboxIds(t: TestApp): Promise<{ id: string; type: string; published: boolean }[]> {
  const rows = await queryRows<{ id: string; type: string; published_at: unknown }>(
    t.platform.database.db,
    sql`SELECT id, type, published_at FROM outbox_events ORDER BY id`,
  );
  return rows.map((r) => ({ id: r.id, type: r.type, published: r.published_at !== null }));
}

/** A scripted planning session: create, lines, edits, workflow, delete. Returns the budget id. */
async function session(t: TestApp, tenant: string, step = ''): Promise<string> {
  const planner = await t.token(tenant, { user: `planner${step}` });
  const approver = await t.token(tenant, { user: `approver${step}` });
  const created = await t.call('POST', '/budgets', planner, budgetBody({ budget_lines: [lineBody()] }));
  expect(created.statusCode).toBe(201);
  const id = created.json().budget_id as string;
  const bulk = await t.call('POST', `/budgets/${id}/lines/bulk`, planner, {
    mode: 'append',
    lines: [lineBody({ line_name: 'Rent' }), lineBody({ line_name: 'Travel' })],
  });
  expect(bulk.statusCode, bulk.body).toBeLessThan(300);
  const one = await t.call('POST', `/budgets/${id}/lines`, planner, lineBody({ line_name: 'Tools' }));
  expect(one.statusCode, one.body).toBe(201);
  const line = one.json();
  const edit = await t.call('PUT', `/budgets/${id}/lines/${line.line_id}`, planner, {
    amount: '1500.00',
    version: line.version,
  });
  expect(edit.statusCode, edit.body).toBe(200);
  const del = await t.call('DELETE', `/budgets/${id}/lines/${line.line_id}`, planner);
  expect(del.statusCode, del.body).toBe(200);
  let version = (await t.call('GET', `/budgets/${id}`, planner)).json().version as number;
  const patched = await t.call('PUT', `/budgets/${id}`, planner, { notes: 'first draft', version });
  expect(patched.statusCode, patched.body).toBe(200);
  version = patched.json().version;
  for (const [action, token] of [
    ['submit', planner],
    ['approve', approver],
    ['lock', approver],
    ['unlock', approver],
    ['archive', approver],
  ] as const) {
    const r = await t.call('POST', `/budgets/${id}/${action}`, token, { version });
    expect(r.statusCode, `${action}: ${r.body}`).toBe(200);
    version = r.json().version;
  }
  const other = await t.call('POST', '/budgets', planner, budgetBody());
  expect((await t.call('DELETE', `/budgets/${other.json().budget_id}`, planner)).statusCode).toBe(200);
  return id;
}

const SESSION_TYPES: EventType[] = [
  'budget.created',
  'lines.changed',
  'budget.updated',
  'budget.submitted',
  'budget.approved',
  'budget.locked',
  'budget.unlocked',
  'budget.archived',
  'budget.deleted',
];

describe.skipIf(Boolean(missing)).each(backends())('domain events to RabbitMQ on %s', (backend: Backend) => {
  let t: TestApp;
  let consumer: EventConsumer;
  const exchange = exchangeName();

  beforeAll(async () => {
    consumer = await EventConsumer.start(sharedAmqpUrl, exchange);
    t = await startTestApp(backend, {
      AMQP_URL: sharedAmqpUrl,
      EVENTS_EXCHANGE: exchange,
      EVENTS_POLL_MS: '200',
    });
  });
  afterAll(async () => {
    await t?.close();
    await consumer?.close();
  });

  it('delivers every event of a scripted session once after de-duplication, shaped as documented', async () => {
    const tenant = newTenant();
    const budgetId = await session(t, tenant);
    const outbox = await outboxIds(t);
    expect(new Set(outbox.map((e) => e.type))).toEqual(new Set(SESSION_TYPES));
    await consumer.waitFor(outbox.map((e) => e.id));
    // De-duplicated by message id, the consumer saw exactly the outbox: nothing lost, nothing extra.
    expect([...consumer.ids()].sort()).toEqual(outbox.map((e) => e.id).sort());
    const byId = new Map(consumer.messages.map((m) => [m.properties.messageId as string, m]));
    for (const e of outbox) {
      const m = byId.get(e.id)!;
      expect(m.fields.routingKey).toBe(e.type);
      expect(m.properties.deliveryMode).toBe(2);
      expect(m.properties.contentType).toBe('application/json');
      const body = JSON.parse(m.content.toString());
      expect(m.properties.headers?.['tenant-id']).toBe(tenantIdFromKey(tenant));
      expect(body.tenant_id).toBe(tenantIdFromKey(tenant));
      const validate = validators.get(e.type as EventType)!;
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
      expect(body.id).toBe(e.id);
    }
    // The session's story, in order, for the first budget.
    const mine = outbox
      .map((e) => JSON.parse(byId.get(e.id)!.content.toString()))
      .filter((b) => b.subject.id === budgetId)
      .map((b) => `${b.type}${b.type === 'lines.changed' ? `:${b.data.change}` : ''}`);
    expect(mine).toEqual([
      'budget.created',
      'lines.changed:added',
      'lines.changed:added',
      'lines.changed:updated',
      'lines.changed:deleted',
      'budget.updated',
      'budget.submitted',
      'budget.approved',
      'budget.locked',
      'budget.unlocked',
      'budget.archived',
    ]);
    // Marked published once confirmed.
    expect((await outboxIds(t)).every((e) => e.published)).toBe(true);
  });

  it('writes no event for a write that failed', async () => {
    const tenant = newTenant();
    const token = await t.token(tenant);
    const before = (await outboxIds(t)).length;
    const bad = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({ budget_lines: [lineBody({ amount: 'x' })] }),
    );
    expect(bad.statusCode).toBe(400);
    const created = await t.call('POST', '/budgets', token, budgetBody());
    const stale = await t.call('PUT', `/budgets/${created.json().budget_id}`, token, {
      notes: 'n',
      version: 99,
    });
    expect(stale.statusCode).toBe(409);
    expect((await outboxIds(t)).length).toBe(before + 1);
  });
});

describe.skipIf(Boolean(missing))('a relay stopped mid-stream and another started', () => {
  let t: TestApp;
  let consumer: EventConsumer;
  const exchange = exchangeName();

  beforeAll(async () => {
    consumer = await EventConsumer.start(sharedAmqpUrl, exchange);
    // The app relays nothing itself: the test runs its relays by hand.
    t = await startTestApp(backends().at(-1)!, { AMQP_URL: sharedAmqpUrl, EVENTS_RELAY: 'false' });
  });
  afterAll(async () => {
    await t?.close();
    await consumer?.close();
  });

  it('loses no event: the second relay publishes what the first had not', async () => {
    const tenant = newTenant();
    for (let i = 0; i < 3; i++) await session(t, tenant, String(i));
    const all = await outboxIds(t);
    expect(all.length).toBeGreaterThan(30);
    const first = new OutboxRelay(t.platform.database.db, {
      url: sharedAmqpUrl,
      exchange,
      batchSize: 4,
      pollMs: 50,
      connectionName: 'bf-test-relay-1',
      log: () => {},
    });
    first.start();
    const deadline = Date.now() + 30_000;
    while (first.published < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await first.stop();
    const afterFirst = await outboxIds(t);
    const left = afterFirst.filter((e) => !e.published).length;
    expect(first.published).toBeGreaterThanOrEqual(8);
    expect(left).toBeGreaterThan(0);
    // More events while no relay runs.
    const budgetId = await session(t, tenant, 'x');
    const second = new OutboxRelay(t.platform.database.db, {
      url: sharedAmqpUrl,
      exchange,
      batchSize: 4,
      pollMs: 50,
      connectionName: 'bf-test-relay-2',
      log: () => {},
    });
    second.start();
    const outbox = await outboxIds(t);
    try {
      await consumer.waitFor(outbox.map((e) => e.id));
    } finally {
      await second.stop();
    }
    expect([...consumer.ids()].sort()).toEqual(outbox.map((e) => e.id).sort());
    expect((await outboxIds(t)).every((e) => e.published)).toBe(true);
    expect(outbox.length).toBeGreaterThan(all.length);
    expect(budgetId).toBeTruthy();
  });
});

describe.skipIf(Boolean(missing || serverMissing))('a broker restart while events are written', () => {
  let t: TestApp;
  let broker: TestRabbitServer;
  let consumer: EventConsumer;
  let relay: OutboxRelay;
  const exchange = exchangeName();
  const lost: string[] = [];

  beforeAll(async () => {
    broker = await TestRabbitServer.start();
    // A durable queue: what the broker accepted before it stopped is still there after.
    consumer = await EventConsumer.start(broker.url, exchange, 'bf-test-durable');
    t = await startTestApp(backends().at(-1)!, { AMQP_URL: broker.url, EVENTS_RELAY: 'false' });
    relay = new OutboxRelay(t.platform.database.db, {
      url: broker.url,
      exchange,
      pollMs: 50,
      backoffMs: { initial: 50, max: 500 },
      log: (_level, msg) => {
        if (msg === 'outbox relay lost the broker') lost.push(msg);
      },
    });
    relay.start();
  }, 180_000);
  afterAll(async () => {
    await relay?.stop();
    await t?.close();
    await consumer?.close();
    await broker?.destroy();
  }, 120_000);

  it('publishes every event once the broker is back, and the relay reconnects by itself', async () => {
    const tenant = newTenant();
    await session(t, tenant, 'a');
    await consumer.waitFor((await outboxIds(t)).map((e) => e.id));
    await consumer.close();
    await broker.stop();
    // Written while the broker is down: they wait in the outbox, the writes still succeed.
    await session(t, tenant, 'b');
    const waiting = (await outboxIds(t)).filter((e) => !e.published);
    expect(waiting.length).toBeGreaterThan(10);
    await broker.restart();
    await consumer.connect();
    const outbox = await outboxIds(t);
    await consumer.waitFor(
      outbox.map((e) => e.id),
      60_000,
    );
    expect([...consumer.ids()].sort()).toEqual(outbox.map((e) => e.id).sort());
    expect(lost.length).toBeGreaterThan(0);
    const deadline = Date.now() + 10_000;
    while (!(await outboxIds(t)).every((e) => e.published) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect((await outboxIds(t)).every((e) => e.published)).toBe(true);
  }, 180_000);
});
