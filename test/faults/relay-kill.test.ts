/**
 * kill -9 of the real server while its outbox relay holds a claimed, unconfirmed batch (rows
 * leased, not yet marked published): after a restart on the same database every event reaches
 * a consumer of the topic exchange (RabbitMQ: the machine's broker, an exchange of this file's
 * own), none lost; duplicates are allowed (at-least-once) and removed by message id.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eServer, printOutputOnFailure, until } from '../e2e/server.ts';
import { budgetBody, lineBody } from '../helpers/app.ts';
import { type FaultEnv, faultToken, ownerQuery, startFaultServer } from '../helpers/faults.ts';
import { pgClusterMissing, TestPgCluster } from '../helpers/pg-cluster.ts';
import { EventConsumer, sharedAmqpUrl, sharedBrokerMissing } from '../helpers/rabbitmq.ts';

const missing = pgClusterMissing() ?? (await sharedBrokerMissing());
if (missing && process.env.CI === 'true')
  throw new Error(`CI=true: the relay-crash fault test must run, but ${missing}`);
if (missing) console.warn(`skipping the relay-crash fault test: ${missing}`);

describe.skipIf(missing)('the server killed with SIGKILL while its relay publishes', () => {
  let cluster: TestPgCluster;
  let consumer: EventConsumer;
  let env: FaultEnv;
  let server: E2eServer | undefined;
  printOutputOnFailure(() => server);

  beforeAll(async () => {
    const exchange = `bf-test-faults-${randomBytes(4).toString('hex')}`;
    [cluster, consumer] = await Promise.all([
      TestPgCluster.start(),
      EventConsumer.start(sharedAmqpUrl, exchange),
    ]);
    env = {
      DATABASE_URL: await cluster.createDatabase('bf_kill_relay'),
      JWT_SECRET: `faults-${randomBytes(24).toString('hex')}`,
      JOB_QUEUE_NAME: `bf-faults-${randomBytes(4).toString('hex')}`,
      AMQP_URL: sharedAmqpUrl,
      EVENTS_EXCHANGE: exchange,
      // The successor re-sends the dead relay's batch once its lease lapses.
      EVENTS_LEASE_MS: '2000',
    };
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await consumer?.close();
    await cluster?.destroy();
  });

  // Statements still running on the server's connections. One waiting for a lock is left out:
  // its holder is frozen too, so it cannot finish (or change the outbox) while the process is
  // stopped, and waiting for it would wait forever (seen once in CI as a 240 s timeout).
  const IN_FLIGHT = `SELECT pid FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'
       AND wait_event_type IS DISTINCT FROM 'Lock'`;
  const outbox = () =>
    ownerQuery<{ id: string; published: boolean; leased: boolean }>(
      env.DATABASE_URL,
      `SELECT id, published_at IS NOT NULL AS published, (published_at IS NULL AND lease_until > now()) AS leased
         FROM outbox_events ORDER BY id`,
    );

  it('loses no event: the restarted relay publishes the batch the dead one had claimed', async () => {
    const token = await faultToken(env, `faults-${randomBytes(4).toString('hex')}`);
    const first = await startFaultServer(env);
    server = first;
    // Writers keep the relay busy; the test kills the server the moment a batch is claimed
    // (leased) and not yet confirmed: mid-publish.
    let writing = true;
    const writers = Array.from({ length: 4 }, async () => {
      while (writing)
        await first
          .call('POST', '/budgets', { token, json: budgetBody({ budget_lines: [lineBody(), lineBody()] }) })
          .catch(() => undefined);
    });
    // The relay claims and confirms a batch within milliseconds, so a kill on sight can land
    // after the confirmation. Freeze the process instead, look at the outbox while nothing in
    // the server moves, and kill only when a claimed batch is still unconfirmed.
    const deadline = Date.now() + 60_000;
    const unconfirmed = async () => (await outbox()).filter((e) => e.leased).length;
    let claimed = 0;
    while (claimed === 0 && Date.now() < deadline) {
      if ((await unconfirmed()) === 0) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      first.pause(true);
      // A statement the frozen server had already sent (its confirmation, say) still finishes:
      // wait until none of its connections is running one, then the outbox holds still.
      const settle = Date.now() + 5_000;
      let settled = false;
      while (!settled && Date.now() < settle) {
        settled = (await ownerQuery(env.DATABASE_URL, IN_FLIGHT)).length === 0;
        if (!settled) await new Promise((r) => setTimeout(r, 2));
      }
      // Not settled: let it run again and look at the next claimed batch.
      claimed = settled ? await unconfirmed() : 0;
      if (claimed === 0) first.pause(false);
    }
    await first.kill('SIGKILL');
    writing = false;
    await Promise.all(writers);
    expect(claimed, 'a claimed, unconfirmed batch was seen before the kill').toBeGreaterThan(0);
    const left = await outbox();
    expect(left.filter((e) => !e.published).length).toBeGreaterThan(0);

    server = await startFaultServer(env);
    const all = left.map((e) => e.id);
    await consumer.waitFor(all, 45_000);
    expect([...consumer.ids()].sort()).toEqual(all.sort());
    // The relay marks a batch published after the broker confirms it, so the consumer can have
    // every message a moment before the last mark commits: wait for the marks, do not race them.
    await until('every outbox row marked published', async () =>
      (await outbox()).every((e) => e.published) ? true : undefined,
    );
  }, 240_000);
});
