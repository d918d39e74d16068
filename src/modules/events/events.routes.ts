/**
 * GET /events: the tenant's domain events from the transactional outbox, oldest first, whether
 * or not a relay has published them to RabbitMQ (docs/events.md). Without AMQP_URL this is how
 * another system reads them: nothing is lost.
 */
import { and, asc, eq, gt, gte } from 'drizzle-orm';
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import type { Db } from '../../platform/db/client.ts';
import { outboxEvents } from '../../platform/db/schema.ts';
import { EVENT_TYPES, eventEnvelope } from '../../platform/events/catalog.ts';
import { envelopeOf } from '../../platform/events/outbox.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { withTenant } from '../../platform/tenancy/tenancy.ts';
import { pageQuery } from '../../shared/validation.ts';

const query = z.strictObject({
  type: z.enum(EVENT_TYPES as [string, ...string[]]).optional(),
  subject_id: z.uuid().optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('events that occurred at or after this time'),
  after_id: z
    .uuid()
    .optional()
    .describe('events after this event id (to follow the feed from the last one seen)'),
  ...pageQuery,
});

const item = eventEnvelope.extend({
  published_at: z.string().nullable().describe('when RabbitMQ confirmed it; null if not (yet) published'),
});

/** Registers /events. */
export function eventRoutes(app: App, auth: Authenticator, db: Db): void {
  app.get(
    '/events',
    {
      onRequest: auth.require('audit:read'),
      schema: {
        tags: ['events'],
        summary: 'Domain events of the tenant, oldest first (filters, cursor pagination)',
        querystring: query,
        response: {
          200: z.object({ items: z.array(item), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const cursor = decodeCursor(q.cursor);
      const after = [cursor, q.after_id]
        .filter((v): v is string => v !== undefined)
        .sort()
        .at(-1);
      const rows = await withTenant(db, ctxOf(req), (tx) =>
        tx
          .select()
          .from(outboxEvents)
          .where(
            and(
              q.type ? eq(outboxEvents.type, q.type) : undefined,
              q.subject_id ? eq(outboxEvents.subjectId, q.subject_id) : undefined,
              q.since ? gte(outboxEvents.occurredAt, new Date(q.since)) : undefined,
              after ? gt(outboxEvents.id, after) : undefined,
            ),
          )
          .orderBy(asc(outboxEvents.id))
          .limit(q.limit + 1),
      );
      const page = pageOf(rows, q.limit);
      return {
        items: page.items.map((r) => ({
          ...envelopeOf(r),
          published_at: r.publishedAt ? r.publishedAt.toISOString() : null,
        })),
        next_cursor: page.nextCursor,
      };
    },
  );
}
