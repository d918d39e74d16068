/** REST routes of collaboration and the WebSocket endpoint. */
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { budgetParams } from '../budgets/index.ts';
import {
  changeResponse,
  changesQuery,
  commentCreateSchema,
  commentListQuery,
  commentResponse,
  conflictListQuery,
  conflictParams,
  conflictResolveSchema,
  conflictResponse,
  joinResponse,
  joinSchema,
  sessionCreateSchema,
  sessionListQuery,
  sessionParams,
  sessionResponse,
} from './collaboration.schema.ts';
import { SessionSocket, type SocketDeps } from './collaboration.socket.ts';

const tags = ['collaboration'];
const PERMISSION = 'collaboration:join';

/** Registers /collaboration/... and /budgets/:id/comments routes. */
export function collaborationRoutes(app: App, auth: Authenticator, deps: SocketDeps): void {
  const { sessions, edits } = deps;
  const pre = auth.require(PERMISSION);

  app.post(
    '/collaboration/sessions',
    {
      onRequest: pre,
      schema: {
        tags,
        summary: 'Create a collaboration session on a budget (its creator joins as owner)',
        body: sessionCreateSchema,
        response: { 201: sessionResponse, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await sessions.create(ctxOf(req), req.body)),
  );

  app.get(
    '/collaboration/sessions',
    {
      onRequest: pre,
      schema: {
        tags,
        summary: 'List sessions (active by default), newest first',
        querystring: sessionListQuery,
        response: {
          200: z.object({ items: z.array(sessionResponse), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => sessions.list(ctxOf(req), req.query),
  );

  app.get(
    '/collaboration/sessions/:id',
    {
      onRequest: pre,
      schema: {
        tags,
        summary: 'A session with its participants',
        params: sessionParams,
        response: { 200: sessionResponse, ...errorResponses },
      },
    },
    async (req) => sessions.get(ctxOf(req), req.params.id),
  );

  for (const path of ['/collaboration/sessions/:id/join', '/collaboration/join/:id']) {
    app.post(
      path,
      {
        onRequest: pre,
        schema: {
          tags,
          summary: 'Join a session (409 session_full at capacity); returns the other participants',
          params: sessionParams,
          body: joinSchema,
          response: { 200: joinResponse, ...errorResponses },
        },
      },
      async (req) => sessions.join(ctxOf(req), req.params.id, req.body),
    );
  }

  app.post(
    '/collaboration/sessions/:id/leave',
    {
      onRequest: pre,
      schema: {
        tags,
        summary: 'Leave a session (your sockets are closed)',
        params: sessionParams,
        response: { 200: z.object({ message: z.string(), session_id: z.uuid() }), ...errorResponses },
      },
    },
    async (req) => sessions.leave(ctxOf(req), req.params.id),
  );

  app.post(
    '/collaboration/sessions/:id/close',
    {
      onRequest: pre,
      schema: {
        tags,
        summary: 'Close a session (owner); every socket is told and closed',
        params: sessionParams,
        response: { 200: sessionResponse, ...errorResponses },
      },
    },
    async (req) => sessions.close(ctxOf(req), req.params.id),
  );

  app.get(
    '/collaboration/sessions/:id/changes',
    {
      onRequest: pre,
      schema: {
        tags,
        summary: 'The change log after a sequence, in order (what a reconnecting socket replays)',
        params: sessionParams,
        querystring: changesQuery,
        response: {
          200: z.object({
            items: z.array(changeResponse),
            last_sequence: z.number().int(),
            first_available_sequence: z.number().int(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => sessions.changes(ctxOf(req), req.params.id, req.query.after_sequence, req.query.limit),
  );

  app.get(
    '/collaboration/sessions/:id/conflicts',
    {
      onRequest: pre,
      schema: {
        tags,
        summary: 'Conflicts held for manual resolution',
        params: sessionParams,
        querystring: conflictListQuery,
        response: { 200: z.object({ items: z.array(conflictResponse) }), ...errorResponses },
      },
    },
    async (req) => edits.list(ctxOf(req), req.params.id, req.query.status),
  );

  app.post(
    '/collaboration/sessions/:id/conflicts/:conflictId/resolve',
    {
      onRequest: pre,
      schema: {
        tags,
        summary: 'Resolve a pending conflict (editor or owner): accept applies the proposed or given changes',
        params: conflictParams,
        body: conflictResolveSchema,
        response: { 200: conflictResponse, ...errorResponses },
      },
    },
    async (req) => edits.resolve(ctxOf(req), req.params.id, req.params.conflictId, req.body),
  );

  app.get(
    '/budgets/:id/comments',
    {
      onRequest: pre,
      schema: {
        tags,
        summary: "A budget's comments (optionally one line's), oldest first",
        params: budgetParams,
        querystring: commentListQuery,
        response: {
          200: z.object({ items: z.array(commentResponse), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => sessions.comments(ctxOf(req), req.params.id, req.query),
  );

  app.post(
    '/budgets/:id/comments',
    {
      onRequest: pre,
      schema: {
        tags,
        summary: 'Comment on a budget or a line; broadcast live to its active sessions',
        params: budgetParams,
        body: commentCreateSchema,
        response: { 201: commentResponse, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await sessions.addComment(ctxOf(req), req.params.id, req.body)),
  );

  app.get('/ws/collaboration/:sessionId', { websocket: true, schema: { hide: true } }, (socket, req) => {
    const { sessionId } = req.params as { sessionId: string };
    new SessionSocket(socket, req, sessionId, deps).start();
  });
}
