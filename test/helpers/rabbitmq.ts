/**
 * RabbitMQ for tests: the machine's broker (AMQP_URL, default guest@127.0.0.1:5672) for
 * consumers, and a broker of the test's own (`rabbitmq-server` from the machine, on random
 * ports, its own node name and data directory) that a test may stop and start again: never
 * the shared one.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { freePort } from './redis-server.ts';

export const sharedAmqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Why the shared broker cannot be used, or undefined when it answers. */
export async function sharedBrokerMissing(): Promise<string | undefined> {
  try {
    const c = await amqp.connect(sharedAmqpUrl, { timeout: 3000 });
    await c.close();
    return undefined;
  } catch (error) {
    return `RabbitMQ at ${sharedAmqpUrl.replace(/\/\/[^@]*@/, '//')} does not answer (${(error as Error).message})`;
  }
}

/** A consumer bound to every routing key of an exchange: collects messages, acks them. */
export class EventConsumer {
  readonly messages: ConsumeMessage[] = [];
  private connection: ChannelModel | undefined;
  private channel: Channel | undefined;

  private constructor(
    private readonly url: string,
    private readonly exchange: string,
    /** A durable queue (survives a broker restart) or an exclusive one when undefined. */
    private readonly queue: string | undefined,
  ) {}

  static async start(url: string, exchange: string, durableQueue?: string): Promise<EventConsumer> {
    const c = new EventConsumer(url, exchange, durableQueue);
    await c.connect();
    return c;
  }

  /** (Re)connects, declares the exchange and the queue, binds `#` and consumes. */
  async connect(): Promise<void> {
    this.connection = await amqp.connect(this.url, { timeout: 3000 });
    this.connection.on('error', () => {});
    this.channel = await this.connection.createChannel();
    this.channel.on('error', () => {});
    await this.channel.assertExchange(this.exchange, 'topic', { durable: true });
    const q = this.queue
      ? await this.channel.assertQueue(this.queue, { durable: true })
      : await this.channel.assertQueue('', { exclusive: true });
    await this.channel.bindQueue(q.queue, this.exchange, '#');
    const channel = this.channel;
    await channel.consume(q.queue, (m) => {
      if (!m) return;
      this.messages.push(m);
      channel.ack(m);
    });
  }

  /** Message ids received, de-duplicated. */
  ids(): Set<string> {
    return new Set(this.messages.map((m) => m.properties.messageId as string));
  }

  /** Waits until every one of `ids` was received (a condition, not a fixed sleep). */
  async waitFor(ids: Iterable<string>, timeoutMs = 30_000): Promise<void> {
    const want = [...ids];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.ids();
      const missing = want.filter((id) => !got.has(id));
      if (missing.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${missing.length} of ${want.length} events not received, e.g. ${missing[0]}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    await this.connection?.close().catch(() => {});
    this.connection = undefined;
  }
}

/** Why an own broker cannot be started here, or undefined when `rabbitmq-server` is installed. */
export function rabbitServerMissing(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v rabbitmq-server && command -v rabbitmqctl'], {
    encoding: 'utf8',
  });
  return r.status === 0 ? undefined : 'rabbitmq-server is not installed (apt-get install rabbitmq-server)';
}

// The scripts behind /usr/sbin's wrappers, which switch to the rabbitmq user; these run as us.
const bin = (name: string) => {
  const lib = `/usr/lib/rabbitmq/bin/${name}`;
  return spawnSync('test', ['-x', lib]).status === 0 ? lib : name;
};

/**
 * A broker of the test's own: random AMQP and distribution ports, node `bf<random>@localhost`,
 * data, logs and Erlang cookie in a temporary directory, no plugins (no management listener).
 */
export class TestRabbitServer {
  private child: ChildProcess | undefined;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly port: number,
    distPort: number,
    readonly node: string,
    private readonly dir: string,
  ) {
    writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
    this.env = {
      ...process.env,
      HOME: dir,
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_NODENAME: node,
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
      RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    };
  }

  static async start(): Promise<TestRabbitServer> {
    const dir = mkdtempSync(join(tmpdir(), 'bf-rabbit-'));
    const port = await freePort();
    let dist = await freePort();
    while (dist === port) dist = await freePort();
    const server = new TestRabbitServer(port, dist, `bf${Date.now().toString(36)}@localhost`, dir);
    await server.restart();
    return server;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  /** Starts the node again (same ports, same data: durable queues and persistent messages survive). */
  async restart(timeoutMs = 120_000): Promise<void> {
    this.child = spawn(bin('rabbitmq-server'), [], { env: this.env, stdio: 'ignore', detached: true });
    const child = this.child;
    process.once('exit', () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    });
    // Ready when it accepts an AMQP login (a condition polled, not a fixed sleep).
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const c = await amqp.connect(this.url, { timeout: 1000 });
        await c.close();
        return;
      } catch (error) {
        if (child.exitCode !== null) throw new Error(`rabbitmq-server exited with ${child.exitCode}`);
        if (Date.now() > deadline)
          throw new Error(`rabbitmq-server did not start: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Stops the node (`rabbitmqctl stop`) and waits for its process to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    spawnSync(bin('rabbitmqctl'), ['-n', this.node, 'stop'], {
      env: this.env,
      stdio: 'ignore',
      timeout: 60_000,
    });
    await exited;
    this.child = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => {});
    const child = this.child;
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
