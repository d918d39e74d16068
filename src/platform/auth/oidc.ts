/**
 * Tokens from an OIDC provider: keys from its JWKS (JWKS_URL, or the `jwks_uri` of the
 * discovery document at OIDC_ISSUER_URL/.well-known/openid-configuration, whose `issuer` is
 * then the expected `iss`), and our claims found where the provider puts them
 * (JWT_TENANT_CLAIM, JWT_ROLES_CLAIM, ... : a claim name or a dot path like realm_access.roles).
 */
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { AppConfig } from '../../config/env.ts';
import { AppError } from '../http/errors.ts';

/** A token with an unknown `kid` refetches the JWKS at once, but at most this often (key rotation). */
export const UNKNOWN_KID_REFETCH_MS = 10_000;
/** A failed discovery is retried at most this often: a down provider is not asked on every request. */
const DISCOVERY_RETRY_MS = 10_000;
const FETCH_TIMEOUT_MS = 5_000;

const discoverySchema = z.object({ issuer: z.string().min(1), jwks_uri: z.url() });

type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;
interface Provider {
  keys: RemoteKeys;
  issuer: string | undefined;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

/** Reads the discovery document; its issuer must be OIDC_ISSUER_URL (OpenID Connect Discovery 1.0, 4.3). */
async function discover(issuerUrl: string): Promise<{ issuer: string; jwksUri: string }> {
  const url = `${trimSlash(issuerUrl)}/.well-known/openid-configuration`;
  const fail = (why: string) =>
    new AppError(503, 'dependency_unavailable', `Identity provider unavailable: ${url}: ${why}`);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw fail(cause ?? (error instanceof Error ? error.message : String(error)));
  }
  if (res.status !== 200) throw fail(`HTTP ${res.status}`);
  const doc = discoverySchema.safeParse(await res.json().catch(() => undefined));
  if (!doc.success) throw fail('not a discovery document (issuer and jwks_uri required)');
  if (trimSlash(doc.data.issuer) !== trimSlash(issuerUrl))
    throw fail(`it names issuer ${doc.data.issuer}, not OIDC_ISSUER_URL`);
  return { issuer: doc.data.issuer, jwksUri: doc.data.jwks_uri };
}

/** Verifies OIDC tokens; returns their payload. */
export function createOidcVerifier(config: AppConfig): (token: string) => Promise<JWTPayload> {
  // jose refetches on an unknown kid only after `cooldownDuration` since the last fetch (30 s by
  // default): a key rotated just after a fetch would be refused for that long. We switch that
  // off and refetch ourselves on the first unknown kid, at most once per UNKNOWN_KID_REFETCH_MS
  // (so tokens with made-up kids cannot make us hammer the provider). cacheMaxAge keeps jose's
  // periodic refresh (10 min).
  const remote = (url: string) =>
    createRemoteJWKSet(new URL(url), {
      cooldownDuration: Number.MAX_SAFE_INTEGER,
      timeoutDuration: FETCH_TIMEOUT_MS,
    });
  let provider: Promise<Provider> | undefined;
  let failed: { at: number; error: unknown } | undefined;
  const resolveProvider = (): Promise<Provider> => {
    if (!config.OIDC_ISSUER_URL)
      return Promise.resolve({ keys: remote(config.JWKS_URL!), issuer: config.JWT_ISSUER });
    if (failed && Date.now() - failed.at < DISCOVERY_RETRY_MS) return Promise.reject(failed.error);
    provider ??= discover(config.OIDC_ISSUER_URL).then(
      (d) => ({ keys: remote(config.JWKS_URL ?? d.jwksUri), issuer: config.JWT_ISSUER ?? d.issuer }),
      (error: unknown) => {
        provider = undefined;
        failed = { at: Date.now(), error };
        throw error;
      },
    );
    return provider;
  };
  let lastRefetch = 0;
  return async (token) => {
    const { keys, issuer } = await resolveProvider();
    const verify = () =>
      jwtVerify(token, keys, {
        algorithms: ['RS256', 'ES256'],
        issuer,
        audience: config.JWT_AUDIENCE,
        requiredClaims: ['exp', 'sub'],
      });
    try {
      return (await verify()).payload;
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
      if (Date.now() - lastRefetch < UNKNOWN_KID_REFETCH_MS) throw error;
      lastRefetch = Date.now();
      await keys.reload();
      return (await verify()).payload;
    }
  };
}

/** The value at a claim name, or else at a dot path through nested objects (own properties only). */
export function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part))
      return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A list claim; a string is a space- or comma-separated list (as `scope` is). */
const asList = (v: unknown) => (typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v);

/** Our claims, read where the configured claim settings say; the names the settings give, for errors. */
export function mapOidcClaims(payload: JWTPayload, config: AppConfig) {
  const names: Record<string, string> = {
    tenant_id: config.JWT_TENANT_CLAIM,
    roles: config.JWT_ROLES_CLAIM,
    permissions: config.JWT_PERMISSIONS_CLAIM,
    email: config.JWT_EMAIL_CLAIM,
  };
  return {
    claims: {
      sub: payload.sub,
      tenant_id: claimAt(payload, config.JWT_TENANT_CLAIM),
      roles: asList(claimAt(payload, config.JWT_ROLES_CLAIM)),
      permissions: asList(claimAt(payload, config.JWT_PERMISSIONS_CLAIM)),
      email: claimAt(payload, config.JWT_EMAIL_CLAIM),
    },
    names,
  };
}
