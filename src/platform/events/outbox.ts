/**
 * The transactional outbox: `emit(tx, ctx, event)` writes a domain event in the same transaction
 * as the change it announces, so an event exists if and only if its change committed. After the
 * commit it nudges this process's relays (src/platform/events/relay.ts), which publish to
 * RabbitMQ; without a broker the rows stay readable over GET /events. docs/events.md.
 */
import { EventEmitter } from 'node:events';
import { eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../db/client.ts';
import { outboxEvents } from '../db/schema.ts';
import { afterCommit, type TenantContext } from '../tenancy/tenancy.ts';
import { EVENT_CATALOG, type EventData, type EventEnvelope, type EventType } from './catalog.ts';

export type OutboxRow = typeof outboxEvents.$inferSelect;

/** What a service says happened; the envelope's id, version, tenant, actor and time are added here. */
export interface DomainEvent<T extends EventType = EventType> {
  type: T;
  /** The id of what the event is about (its kind comes from the catalogue). */
  subjectId: string;
  data: EventData<T>;
  /**
   * Makes the emission idempotent: a second emit with the same key (a retried job re-running its
   * transaction) writes nothing and returns the first event's id. Attempt-independent, e.g. `job:<id>`.
   */
  dedupeKey?: string;
}

/** Emits "written" after each commit that wrote events (the relays of this process listen). */
export const outboxSignal = new EventEmitter();
outboxSignal.setMaxListeners(0);

// Transactions that already nudge the relays once after their commit.
const nudged = new WeakSet<Tx>();

/**
 * Writes the event to the outbox inside `tx` (a withTenant transaction). Its data is checked
 * against the catalogue's schema: an event that breaks its own contract is a programming error
 * and rolls the change back rather than publishing something consumers cannot read.
 */
export async function emit<T extends EventType>(
  tx: Tx,
  ctx: Pick<TenantContext, 'tenantId' | 'userId'>,
  event: DomainEvent<T>,
): Promise<string> {
  const def = EVENT_CATALOG[event.type];
  const data = def.data.parse(event.data) as Record<string, unknown>;
  const id = uuidv7();
  const occurredAt = new Date();
  const envelope: EventEnvelope = {
    id,
    type: event.type,
    version: def.version,
    tenant_id: ctx.tenantId,
    occurred_at: occurredAt.toISOString(),
    actor: { user_id: ctx.userId },
    subject: { type: def.subject, id: event.subjectId },
    data,
  };
  const written = await tx
    .insert(outboxEvents)
    .values({
      tenantId: ctx.tenantId,
      id,
      type: event.type,
      version: def.version,
      occurredAt,
      actorId: ctx.userId,
      subjectType: def.subject,
      subjectId: event.subjectId,
      payload: envelope,
      dedupeKey: event.dedupeKey ?? null,
    })
    .onConflictDoNothing({ target: [outboxEvents.tenantId, outboxEvents.dedupeKey] })
    .returning({ id: outboxEvents.id });
  if (written.length === 0) {
    // Already emitted under this key (only a non-null key can clash): the first event stands.
    const [first] = await tx
      .select({ id: outboxEvents.id })
      .from(outboxEvents)
      .where(eq(outboxEvents.dedupeKey, event.dedupeKey ?? ''));
    return first!.id;
  }
  if (!nudged.has(tx)) {
    nudged.add(tx);
    afterCommit(tx, () => void outboxSignal.emit('written'));
  }
  return id;
}

/**
 * Writes several events of several actors in one statement (a batch of live edits), each
 * checked against the catalogue like `emit`. Returns their ids in order.
 */
export async function emitMany(
  tx: Tx,
  tenantId: string,
  events: (DomainEvent & { ctx: Pick<TenantContext, 'userId'> })[],
): Promise<string[]> {
  if (events.length === 0) return [];
  const rows = events.map((event) => {
    const def = EVENT_CATALOG[event.type];
    const data = def.data.parse(event.data) as Record<string, unknown>;
    const id = uuidv7();
    const occurredAt = new Date().toISOString();
    const envelope: EventEnvelope = {
      id,
      type: event.type,
      version: def.version,
      tenant_id: tenantId,
      occurred_at: occurredAt,
      actor: { user_id: event.ctx.userId },
      subject: { type: def.subject, id: event.subjectId },
      data,
    };
    return {
      id,
      ty: event.type,
      v: def.version,
      at: occurredAt,
      u: event.ctx.userId,
      st: def.subject,
      s: event.subjectId,
      p: envelope,
    };
  });
  await tx.execute(sql`
    INSERT INTO outbox_events (tenant_id, id, type, version, occurred_at, actor_id, subject_type, subject_id, payload)
    SELECT ${tenantId}::uuid, x.id, x.ty, x.v, x.at, x.u, x.st, x.s, x.p
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS x(id uuid, ty text, v smallint, at timestamptz, u text, st text, s uuid, p jsonb)
    ORDER BY x.id`);
  if (!nudged.has(tx)) {
    nudged.add(tx);
    afterCommit(tx, () => void outboxSignal.emit('written'));
  }
  return rows.map((r) => r.id);
}

/** The envelope of a stored event, as published and as GET /events shows it. */
export function envelopeOf(row: OutboxRow): EventEnvelope {
  return row.payload as EventEnvelope;
}
