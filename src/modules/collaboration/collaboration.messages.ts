/** The WebSocket protocol's client messages (zod) and the close codes (docs/collaboration.md). */
import { z } from 'zod';
import { lineUpdateSchema } from '../lines/index.ts';

/** Fields of a line edit: the REST update's fields, without `version` (sent beside them). */
export const lineEditChanges = lineUpdateSchema
  .omit({ version: true })
  .refine((c) => Object.keys(c).length > 0, { message: 'changes must name at least one field' });

export type LineEditChanges = z.output<typeof lineEditChanges>;

const clientMsgId = z.string().min(1).max(100).optional();
const sequence = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('auth'),
    token: z.string().min(1).max(8192),
    last_sequence: sequence.optional(),
  }),
  z.strictObject({ type: z.literal('sync'), last_sequence: sequence }),
  z.strictObject({ type: z.literal('ping'), client_msg_id: clientMsgId }),
  z.strictObject({
    type: z.literal('budget_line_edit'),
    target_id: z.uuid(),
    changes: lineEditChanges,
    // The line's version the edit was made on; a stale one is a conflict.
    version: z.number().int().min(1).optional(),
    // The last sequence the client had applied (default: the last one this socket was sent).
    base_sequence: sequence.optional(),
    previous_values: z.record(z.string(), z.unknown()).optional(),
    client_msg_id: clientMsgId,
  }),
  z.strictObject({
    type: z.literal('comment_added'),
    body: z.string().trim().min(1).max(5000),
    line_id: z.uuid().optional(),
    client_msg_id: clientMsgId,
  }),
  z.strictObject({
    type: z.literal('cursor_position'),
    target_id: z.uuid().optional(),
    field: z.string().max(100).optional(),
    row: z.number().int().min(0).max(1_000_000).optional(),
    column: z.number().int().min(0).max(10_000).optional(),
  }),
  z.strictObject({
    type: z.literal('change_request'),
    target_id: z.uuid().optional(),
    description: z.string().trim().min(1).max(2000),
    proposed_changes: z.record(z.string().max(100), z.unknown()).optional(),
    client_msg_id: clientMsgId,
  }),
]);
export type ClientMessage = z.output<typeof clientMessage>;
export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/** Message types a client may send (an unknown one is refused with `unknown_message_type`). */
export const CLIENT_MESSAGE_TYPES = clientMessage.options.map((o) => o.shape.type.value);

/** Close codes: 4000-4999 are the application's own (RFC 6455). */
export const CLOSE = {
  idle: { code: 4000, reason: 'idle timeout' },
  unauthorized: { code: 4001, reason: 'unauthorized' },
  // Same code as unauthorized: the client logs in again; the reason tells it why.
  tokenExpired: { code: 4001, reason: 'token_expired' },
  forbidden: { code: 4003, reason: 'not a participant of this session' },
  notFound: { code: 4004, reason: 'session not found' },
  tooFarBehind: { code: 4008, reason: 'too far behind: reconnect with last_sequence' },
  scopeChanged: { code: 4009, reason: 'department scope changed: reload the budget and reconnect' },
  closed: { code: 4010, reason: 'session closed' },
  left: { code: 4011, reason: 'left the session' },
  tooManySockets: { code: 4012, reason: 'too many sockets for this user on this session' },
  tooManyUnauthenticated: { code: 4013, reason: 'too many unauthenticated sockets from this address' },
  rateLimited: { code: 4029, reason: 'rate_limited' },
  disabled: { code: 4503, reason: 'real-time collaboration is disabled' },
} as const;
