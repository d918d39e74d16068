/** REST routes of dimension trees: reading needs budgets:read, writing dimensions:manage (admins). */
import type { FastifyReply } from 'fastify';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { fieldError } from '../../platform/http/errors.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { rawUploadParser } from '../../platform/http/uploads.ts';
import {
  deleteMemberQuery,
  deleteMemberResponse,
  dimensionParams,
  importMembersQuery,
  importMembersResponse,
  memberParams,
  memberPutBody,
  memberResponse,
  membersQuery,
  membersResponse,
  memberTreeResponse,
} from './dimensions.schema.ts';
import type { DimensionService } from './dimensions.service.ts';

const tags = ['dimensions'];

/** Registers /dimensions/:dimension/members routes and the CSV import. */
export function dimensionRoutes(
  app: App,
  auth: Authenticator,
  dims: DimensionService,
  bodyLimit: number,
): void {
  app.get(
    '/dimensions/:dimension/members',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary:
          "A dimension's members depth first with depth (1 = root) and path; ?tree=true nests them (`roots` with `children`)",
        params: dimensionParams,
        querystring: membersQuery,
        response: { 200: membersResponse.or(memberTreeResponse), ...errorResponses },
      },
    },
    async (req) =>
      req.query.tree
        ? dims.tree(ctxOf(req), req.params.dimension)
        : dims.list(ctxOf(req), req.params.dimension),
  );

  app.put(
    '/dimensions/:dimension/members/:code',
    {
      onRequest: auth.require('dimensions:manage'),
      schema: {
        tags,
        summary:
          'Create (201) or update (200) a member; the parent must exist in the same dimension and make no cycle (422); send version to update only what you read (409)',
        params: memberParams,
        body: memberPutBody,
        response: { 200: memberResponse, 201: memberResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { created, member } = await dims.put(ctxOf(req), req.params.dimension, req.params.code, req.body);
      return (reply as FastifyReply).status(created ? 201 : 200).send(member);
    },
  );

  app.delete(
    '/dimensions/:dimension/members/:code',
    {
      onRequest: auth.require('dimensions:manage'),
      schema: {
        tags,
        summary:
          'Delete a member: 409 member_has_children naming them unless ?cascade=true (the whole subtree); 409 member_in_use while lines, budgets or actuals carry a code deleted',
        params: memberParams,
        querystring: deleteMemberQuery,
        response: { 200: deleteMemberResponse, ...errorResponses },
      },
    },
    async (req) => dims.remove(ctxOf(req), req.params.dimension, req.params.code, req.query.cascade),
  );

  app.register(async (scope) => {
    const api = scope as unknown as App;
    // Streamed, capped at the body limit (the uploads of actuals, lines and FX rates do the same).
    api.addContentTypeParser(['text/csv', 'application/octet-stream'], rawUploadParser(bodyLimit));
    api.post(
      '/dimensions/:dimension/import',
      {
        onRequest: auth.require('dimensions:manage'),
        schema: {
          tags,
          summary:
            'Import members from a CSV body (text/csv; columns code, name, parent_code, account_type[, sort_order]; parents may come after their children). The whole file is checked first and written in one transaction: a bad row stores nothing (422 naming row, column and rule, counting failed rows)',
          params: dimensionParams,
          querystring: importMembersQuery,
          consumes: ['text/csv', 'application/octet-stream'],
          response: { 200: importMembersResponse, ...errorResponses },
        },
      },
      async (req) => {
        const body = req.body as AsyncIterable<Buffer> | undefined;
        if (!body || typeof body[Symbol.asyncIterator] !== 'function')
          throw fieldError('body', 'required', 'send the CSV as a text/csv request body');
        return dims.importCsv(ctxOf(req), req.params.dimension, body, req.query.dry_run);
      },
    );
  });
}
