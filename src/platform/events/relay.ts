/**
 * The outbox relay: publishes unpublished `outbox_events` rows to a RabbitMQ topic exchange
 * (amqplib, confirm channel, persistent messages, routing key = event type, message id = event
 * id, header `tenant-id`) and marks them published once the broker has confirmed them.
 *
 * At least once: a row is marked only after its confirm, so a crash or a broker loss between
 * the publish and the mark sends it again; consumers de-duplicate by message id. Rows are
 * claimed with a short lease (`FOR UPDATE SKIP LOCKED`, then `lease_until`) so that several
 * relays (API processes, workers) share the work without holding a transaction open while they
 * wait for the broker. The relay reads every tenant's rows as the role `bf_relay`, whose own
 * policy spans tenants on this one table (migrations/0016_outbox_events.sql).
 *
 * It wakes on `outboxSignal` (after each commit that emitted events in this process) and polls
 * every `pollMs` for rows written by other processes; after a broker or database error it
 * reconnects with exponential backoff. docs/events.md "Relay", docs/operations.md.
 */
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../db/client.ts';
import { outboxSignal } from './outbox.ts';

export interface RelayOptions {
  url: string;
  /** The topic exchange (declared durable if absent). */
  exchange: string;
  /** Rows claimed and published per round. */
  batchSize?: number;
  /** Longest wait for rows written by another process. */
  pollMs?: number;
  /** How long a claimed row is reserved for this relay before another may take it. */
  leaseMs?: number;
  /** Longest wait for the broker's confirms of one batch. */
  confirmTimeoutMs?: number;
  /** Shown by RabbitMQ (`rabbitmqctl list_connections client_properties`). */
  connectionName?: string;
  /** Backoff after a failure: first and longest delay. */
  backoffMs?: { initial: number; max: number };
  /** Published events older than this many days are deleted (0 keeps them all). */
  retentionDays?: number;
  /** How often the relay purges them. */
  purgeEveryMs?: number;
  /** Called with one-line reports (connected, lost, published); default: JSON on stderr. */
  log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

interface ClaimedRow {
  tenant_id: string;
  id: string;
  type: string;
  occurred_at: string | Date;
  payload: unknown;
}

/**
 * Deletes events published more than `days` days ago, over all tenants, at most `limit` per call
 * (as bf_relay). Unpublished rows are never deleted: they are the relay's work. Returns the count.
 */
export async function purgePublishedEvents(db: Db, days: number, limit = 10_000): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT set_config('role', 'bf_relay', true)`);
    const rows = await queryRows<{ id: string }>(
      tx,
      sql`DELETE FROM outbox_events o USING (
            SELECT tenant_id, id FROM outbox_events
            WHERE published_at IS NOT NULL AND published_at < now() - make_interval(days => ${days})
            LIMIT ${limit}) d
          WHERE o.tenant_id = d.tenant_id AND o.id = d.id
          RETURNING o.id`,
    );
    return rows.length;
  });
}

/** Unpublished events over all tenants: how many, and the age of the oldest (metrics). */
export async function outboxLag(db: Db): Promise<{ unpublished: number; oldestSeconds: number }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT set_config('role', 'bf_relay', true)`);
    const [row] = await queryRows<{ n: number; age: number | null }>(
      tx,
      sql`SELECT count(*)::int AS n, extract(epoch FROM now() - min(occurred_at))::float8 AS age
          FROM outbox_events WHERE published_at IS NULL`,
    );
    return { unpublished: Number(row?.n ?? 0), oldestSeconds: Math.max(0, Number(row?.age ?? 0)) };
  });
}

export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private wake: (() => void) | undefined;
  private readonly onSignal = () => this.wake?.();
  private failures = 0;
  private lastPurge = 0;
  /** Events this relay has published (tests, logs). */
  published = 0;
  private readonly o: Required<Omit<RelayOptions, 'log'>> & Pick<RelayOptions, 'log'>;

  constructor(
    private readonly db: Db,
    options: RelayOptions,
  ) {
    this.o = {
      batchSize: 100,
      pollMs: 1000,
      leaseMs: 30_000,
      confirmTimeoutMs: 10_000,
      connectionName: `bf-relay-${process.pid}`,
      backoffMs: { initial: 100, max: 10_000 },
      retentionDays: 7,
      purgeEveryMs: 60 * 60 * 1000,
      ...options,
    };
  }

  /** Starts relaying in the background (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    outboxSignal.on('written', this.onSignal);
    this.loop = this.run();
  }

  /** Stops after the round in progress; closes the broker connection. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    outboxSignal.off('written', this.onSignal);
    this.wake?.();
    await this.loop;
    await this.disconnect();
  }

  private async run(): Promise<void> {
    let pending = false;
    // A signal during a round must not be lost: it starts the next round at once.
    const signalled = () => {
      pending = true;
    };
    outboxSignal.on('written', signalled);
    try {
      while (this.running) {
        let full = false;
        try {
          const channel = await this.ensureChannel();
          pending = false;
          full = (await this.round(channel)) === this.o.batchSize;
          this.failures = 0;
        } catch (error) {
          await this.disconnect();
          this.failures += 1;
          const delay = this.backoff();
          this.report('warn', 'outbox relay failed; retrying', {
            err: error instanceof Error ? error.message : String(error),
            retry_in_ms: delay,
          });
          await this.sleep(delay);
          continue;
        }
        await this.purgeIfDue();
        if (!full && !pending) await this.sleep(this.o.pollMs);
      }
    } finally {
      outboxSignal.off('written', signalled);
    }
  }

  /** Purges published events past their retention, at most every purgeEveryMs; a failure waits for the next. */
  private async purgeIfDue(): Promise<void> {
    if (this.o.retentionDays <= 0 || Date.now() - this.lastPurge < this.o.purgeEveryMs) return;
    this.lastPurge = Date.now();
    try {
      const n = await purgePublishedEvents(this.db, this.o.retentionDays);
      if (n > 0)
        this.report('info', 'outbox relay purged published events', {
          purged: n,
          retention_days: this.o.retentionDays,
        });
    } catch (error) {
      this.report('warn', 'outbox purge failed', {
        err: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** One round: claim a batch, publish it, wait for the confirms, mark it published. */
  private async round(channel: ConfirmChannel): Promise<number> {
    const rows = await this.claim();
    if (rows.length === 0) return 0;
    try {
      for (const r of rows) {
        const occurred = new Date(r.occurred_at);
        channel.publish(this.o.exchange, r.type, Buffer.from(JSON.stringify(r.payload)), {
          persistent: true,
          messageId: r.id,
          type: r.type,
          contentType: 'application/json',
          timestamp: Math.floor(occurred.getTime() / 1000),
          appId: 'apg-budgeting-forecasting',
          headers: { 'tenant-id': r.tenant_id },
        });
      }
      await this.withTimeout(channel.waitForConfirms(), this.o.confirmTimeoutMs, 'broker confirms');
    } catch (error) {
      // Not confirmed: release the lease so that the next round (any relay) sends them again.
      await this.release(rows, error).catch(() => {});
      throw error;
    }
    await this.markPublished(rows);
    this.published += rows.length;
    return rows.length;
  }

  private claim(): Promise<ClaimedRow[]> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT set_config('role', 'bf_relay', true)`);
      const rows = await queryRows<ClaimedRow>(
        tx,
        sql`UPDATE outbox_events o
            SET lease_until = now() + make_interval(secs => ${this.o.leaseMs / 1000}), attempts = o.attempts + 1
            FROM (SELECT tenant_id, id FROM outbox_events
                  WHERE published_at IS NULL AND (lease_until IS NULL OR lease_until < now())
                  ORDER BY occurred_at, id
                  LIMIT ${this.o.batchSize}
                  FOR UPDATE SKIP LOCKED) c
            WHERE o.tenant_id = c.tenant_id AND o.id = c.id
            RETURNING o.tenant_id, o.id, o.type, o.occurred_at, o.payload`,
      );
      // RETURNING has no order: publish oldest first (UUIDv7 ids are time-ordered).
      return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    });
  }

  private markPublished(rows: ClaimedRow[]): Promise<void> {
    return this.asRelay(
      sql`UPDATE outbox_events SET published_at = now(), lease_until = NULL, last_error = NULL
          WHERE (tenant_id, id) IN (${this.keys(rows)})`,
    );
  }

  private release(rows: ClaimedRow[], error: unknown): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    return this.asRelay(
      sql`UPDATE outbox_events SET lease_until = NULL, last_error = ${message}
          WHERE (tenant_id, id) IN (${this.keys(rows)}) AND published_at IS NULL`,
    );
  }

  private keys(rows: ClaimedRow[]) {
    return sql.join(
      rows.map((r) => sql`(${r.tenant_id}::uuid, ${r.id}::uuid)`),
      sql`, `,
    );
  }

  private async asRelay(statement: ReturnType<typeof sql>): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT set_config('role', 'bf_relay', true)`);
      await tx.execute(statement);
    });
  }

  private async ensureChannel(): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    const connection = await amqp.connect(this.o.url, {
      clientProperties: { connection_name: this.o.connectionName },
      timeout: 5000,
    });
    // A lost connection ends the channel; the loop's next round connects again.
    const lost = (why: unknown) => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      this.channel = undefined;
      if (this.running)
        this.report('warn', 'outbox relay lost the broker', {
          err: why instanceof Error ? why.message : String(why ?? 'closed'),
        });
      this.wake?.();
    };
    connection.on('error', lost);
    connection.on('close', lost);
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => {});
    await channel.assertExchange(this.o.exchange, 'topic', { durable: true });
    this.connection = connection;
    this.channel = channel;
    this.report('info', 'outbox relay connected', { exchange: this.o.exchange });
    return channel;
  }

  private async disconnect(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    await connection?.close().catch(() => {});
  }

  private backoff(): number {
    const { initial, max } = this.o.backoffMs;
    const base = Math.min(max, initial * 2 ** Math.min(this.failures - 1, 20));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /** Waits ms, or less when woken (a new event, a lost broker, stop). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  private report(level: 'info' | 'warn', msg: string, fields: Record<string, unknown> = {}): void {
    if (this.o.log) {
      this.o.log(level, msg, fields);
      return;
    }
    // pino's shape (30 = info, 40 = warn), as the after-commit effects report.
    process.stderr.write(
      `${JSON.stringify({ level: level === 'info' ? 30 : 40, time: Date.now(), msg, ...fields })}\n`,
    );
  }
}
