/**
 * Bearer tokens: HS256 with JWT_SECRET (tokens we sign: login, `bf token`), or RS256/ES256
 * from an OIDC provider (JWKS_URL or OIDC_ISSUER_URL, oidc.ts) with issuer and audience checks
 * and configurable claim names. jose rejects `alg: none`, wrong keys and expired tokens; we add
 * the claims this service needs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { AppConfig } from '../../config/env.ts';
import { AppError, UnauthorizedError } from '../http/errors.ts';
import { createOidcVerifier, mapOidcClaims } from './oidc.ts';

const claimsSchema = z.object({
  sub: z.string().min(1).max(255),
  tenant_id: z.string().min(1).max(255),
  roles: z.array(z.string().max(100)).max(100).default([]),
  permissions: z.array(z.string().max(100)).max(500).default([]),
  email: z.string().max(320).optional(),
});
export type TokenClaims = z.output<typeof claimsSchema>;

/** The HS256 secret: JWT_SECRET, or one generated once and kept in DATA_DIR (embedded mode). */
export function resolveJwtSecret(config: AppConfig): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export interface TokenVerifier {
  verify(token: string): Promise<TokenClaims>;
}

/** Builds the verifier for the configured key source. */
export function createTokenVerifier(config: AppConfig, secret: string): TokenVerifier {
  const key = new TextEncoder().encode(secret);
  const oidc = config.oidc ? createOidcVerifier(config) : undefined;
  // Signature checks cost ~150 us each; a token that verified once stays valid until its exp,
  // so verified claims are remembered (at most 5 minutes, never past exp).
  const verified = new LRUCache<string, { claims: TokenClaims; exp: number }>({ max: 20_000 });
  return {
    async verify(token) {
      const hit = verified.get(token);
      if (hit && hit.exp * 1000 > Date.now()) return hit.claims;
      let payload: JWTPayload;
      try {
        if (oidc) {
          payload = await oidc(token);
        } else {
          ({ payload } = await jwtVerify(token, key, {
            algorithms: ['HS256'],
            requiredClaims: ['exp', 'sub'],
            ...(config.JWT_ISSUER ? { issuer: config.JWT_ISSUER } : {}),
            ...(config.JWT_AUDIENCE ? { audience: config.JWT_AUDIENCE } : {}),
          }));
        }
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof joseErrors.JWTExpired) throw new UnauthorizedError('Token has expired');
        // Which claim failed (e.g. 'unexpected "iss" claim value'): the caller can fix that.
        if (error instanceof joseErrors.JWTClaimValidationFailed)
          throw new UnauthorizedError(`Invalid token: ${error.message}`);
        if (error instanceof joseErrors.JOSEError)
          throw new UnauthorizedError(`Invalid token: ${error.code}`);
        throw new UnauthorizedError('Invalid token');
      }
      // OIDC tokens carry our claims where the provider puts them; ours carry them by name.
      const mapped: { claims: unknown; names: Record<string, string> } = oidc
        ? mapOidcClaims(payload, config)
        : { claims: payload, names: {} };
      const claims = claimsSchema.safeParse(mapped.claims);
      if (!claims.success) {
        const issue = claims.error.issues[0];
        const [head, ...rest] = (issue?.path ?? []).map(String);
        const name = [(head && mapped.names[head]) ?? head, ...rest].join('.');
        throw new UnauthorizedError(`Invalid token: claim ${name} ${issue?.message ?? ''}`.trim());
      }
      const exp = payload.exp!;
      const ttl = Math.min(exp * 1000 - Date.now(), 5 * 60_000);
      if (ttl > 0) verified.set(token, { claims: claims.data, exp }, { ttl });
      return claims.data;
    },
  };
}

/** Signs an HS256 token for the given claims. */
export async function signToken(secret: string, claims: TokenClaims, ttlSeconds: number, config?: AppConfig) {
  let jwt = new SignJWT({
    tenant_id: claims.tenant_id,
    roles: claims.roles,
    permissions: claims.permissions,
    ...(claims.email ? { email: claims.email } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
  if (config?.JWT_ISSUER) jwt = jwt.setIssuer(config.JWT_ISSUER);
  if (config?.JWT_AUDIENCE) jwt = jwt.setAudience(config.JWT_AUDIENCE);
  return jwt.sign(new TextEncoder().encode(secret));
}
