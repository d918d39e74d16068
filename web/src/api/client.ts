/**
 * The typed API client: openapi-fetch over the types generated from our OpenAPI document
 * (src/shared/api-types.ts, `npm run openapi:types`), so every path, parameter, body and
 * response here is the API's own. The bearer token is added to each request; a 401 ends the
 * session. `unwrap` turns openapi-fetch's `{ data, error }` into a value or a thrown ApiError.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '../../../src/shared/api-types.ts';
import { ApiError, type ApiErrorBody } from './errors.ts';

export type { components, paths };
export type Schemas = components['schemas'];
export { ApiError, describeField, explainError, fieldLabel } from './errors.ts';

/** The API's path prefix (src/platform/http/types.ts). */
export const API_PREFIX = '/api/budgeting-forecasting';

type TokenSource = () => string | undefined;
let tokenSource: TokenSource = () => undefined;
let onUnauthorized: () => void = () => {};

/** The session tells the client where the token is and what to do when it is refused. */
export function configureAuth(source: TokenSource, unauthorized: () => void): void {
  tokenSource = source;
  onUnauthorized = unauthorized;
}

/** The current token (for the collaboration WebSocket, which cannot send headers). */
export function currentToken(): string | undefined {
  return tokenSource();
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = tokenSource();
    if (token && !request.headers.has('authorization'))
      request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response, request }) {
    // A refused token ends the session; a failed login is not a session ending.
    if (response.status === 401 && !request.url.endsWith('/auth/login')) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths, 'application/json'>({ baseUrl: globalThis.location?.origin ?? '' });
api.use(auth);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a 2xx answer, or a thrown ApiError (status 0 when the server was not reached). */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (error) {
    throw new ApiError(0, {
      message: error instanceof Error ? error.message : 'The server cannot be reached',
      code: 'network_error',
    });
  }
  const { data, error, response } = result;
  if (error !== undefined || !response.ok) {
    const body =
      error && typeof error === 'object'
        ? (error as Partial<ApiErrorBody> & Record<string, unknown>)
        : { message: typeof error === 'string' && error ? error : response.statusText };
    throw new ApiError(response.status, body);
  }
  return data as T;
}
