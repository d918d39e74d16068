/** The Fastify instance type used by route modules (zod type provider). */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export const API_PREFIX = '/api/budgeting-forecasting';

/** The one error shape, for the OpenAPI document. */
export const errorResponse = z
  .object({
    message: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })),
    request_id: z.string(),
    current_version: z.number().int().optional(),
    updated_by: z
      .string()
      .nullable()
      .optional()
      .meta({ description: 'On a stale version: who changed it last (user id)' }),
    updated_at: z.string().nullable().optional().meta({ description: 'On a stale version: when (ISO 8601)' }),
  })
  .meta({ id: 'Error' });

/** Standard error responses for the OpenAPI document. */
export const errorResponses = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
  422: errorResponse,
};
