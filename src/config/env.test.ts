import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from './env.ts';

const SECRET = 'a-jwt-secret-that-is-long-enough-0123456789';

/** The ConfigError thrown by loading `env`, or a failure if none is thrown. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      DATA_DIR: './.data',
      MAX_BUDGET_LINES: 10_000,
      MAX_COLLABORATION_PARTICIPANTS: 50,
      CACHE_ENABLED: true,
      CACHE_TTL_SECONDS: 3600,
      AUDIT_ENABLED: true,
      ML_ENABLED: true,
      AI_RECOMMENDATIONS_ENABLED: true,
      REAL_TIME_COLLABORATION_ENABLED: true,
      LOGIN_RATE_LIMIT_PER_MINUTE: 10,
    });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.dataDir).toBe(resolve('./.data'));
    expect(c.pgliteDir).toBe(resolve('./.data/pglite'));
  });

  it('parses numbers and feature flags from strings and treats empty strings as unset', () => {
    const c = loadConfig({
      PORT: '8080',
      MAX_BUDGET_LINES: '5',
      ML_ENABLED: 'off',
      CACHE_ENABLED: '0',
      HOST: '',
    });
    expect(c.PORT).toBe(8080);
    expect(c.MAX_BUDGET_LINES).toBe(5);
    expect(c.ML_ENABLED).toBe(false);
    expect(c.CACHE_ENABLED).toBe(false);
    expect(c.HOST).toBe('0.0.0.0');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://u@h/db'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['JWT_SECRET', 'short'],
    ['MAX_BUDGET_LINES', '0'],
    ['CACHE_ENABLED', 'maybe'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%j with a ConfigError naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.message).toContain(name);
  });

  it('names every bad variable at once', () => {
    const error = configError({ PORT: 'x', JWT_SECRET: 'short' });
    expect(error.message).toContain('PORT');
    expect(error.message).toContain('JWT_SECRET');
  });

  it('does not echo the value of a bad secret', () => {
    const error = configError({ JWT_SECRET: 'hunter2-secret' });
    expect(error.message).not.toContain('hunter2-secret');
  });

  it('requires JWT_ISSUER and JWT_AUDIENCE with JWKS_URL', () => {
    const jwks = 'https://auth.example.com/.well-known/jwks.json';
    expect(configError({ JWKS_URL: jwks }).message).toMatch(/JWT_ISSUER/);
    expect(configError({ JWKS_URL: jwks, JWT_ISSUER: 'https://auth.example.com' }).message).toMatch(
      /JWT_AUDIENCE/,
    );
    const ok = loadConfig({ JWKS_URL: jwks, JWT_ISSUER: 'https://auth.example.com', JWT_AUDIENCE: 'bf' });
    expect(ok.JWKS_URL).toBe(jwks);
  });
});

describe('OIDC settings', () => {
  it('requires JWT_AUDIENCE with OIDC_ISSUER_URL (the issuer comes from discovery)', () => {
    const issuer = 'https://auth.example.com/realms/apg';
    expect(configError({ OIDC_ISSUER_URL: issuer }).message).toMatch(/JWT_AUDIENCE/);
    const ok = loadConfig({ OIDC_ISSUER_URL: issuer, JWT_AUDIENCE: 'bf' });
    expect(ok.oidc).toBe(true);
    expect(loadConfig({}).oidc).toBe(false);
  });

  it('requires OIDC_ISSUER_URL with OIDC_CLIENT_ID (the browser finds the endpoints by discovery)', () => {
    expect(configError({ OIDC_CLIENT_ID: 'bf-web' }).message).toMatch(
      /OIDC_CLIENT_ID: requires OIDC_ISSUER_URL/,
    );
    const ok = loadConfig({
      OIDC_ISSUER_URL: 'https://auth.example.com',
      JWT_AUDIENCE: 'bf',
      OIDC_CLIENT_ID: 'bf-web',
    });
    expect(ok.OIDC_SCOPE).toBe('openid profile email');
  });

  it('takes claim names and dot paths for the claim settings, and refuses empty path segments', () => {
    const c = loadConfig({ JWT_ROLES_CLAIM: 'realm_access.roles', JWT_TENANT_CLAIM: 'https://acme/tenant' });
    expect(c).toMatchObject({
      JWT_ROLES_CLAIM: 'realm_access.roles',
      JWT_TENANT_CLAIM: 'https://acme/tenant',
      JWT_PERMISSIONS_CLAIM: 'permissions',
      JWT_EMAIL_CLAIM: 'email',
    });
    expect(configError({ JWT_ROLES_CLAIM: 'realm_access..roles' }).message).toContain('JWT_ROLES_CLAIM');
  });
});

describe('redactConfig', () => {
  it('masks JWT_SECRET and the passwords in DATABASE_URL and REDIS_URL', () => {
    const c = loadConfig({
      JWT_SECRET: SECRET,
      DATABASE_URL: 'postgres://app:pg-pass-4711@db.example.com:5432/bf',
      REDIS_URL: 'redis://:redis-pass-0815@cache.example.com:6379/0',
    });
    const out = redactConfig(c);
    const text = JSON.stringify(out);
    for (const secret of [SECRET, 'pg-pass-4711', 'redis-pass-0815']) expect(text).not.toContain(secret);
    expect(out.JWT_SECRET).toBe('***');
    // Host and user stay visible: they are what an operator needs to debug a connection.
    expect(out.DATABASE_URL).toContain('db.example.com');
    expect(out.DATABASE_URL).toContain('app');
    expect(out.REDIS_URL).toContain('cache.example.com');
    expect(c.JWT_SECRET).toBe(SECRET);
  });

  it('masks a password given as a query parameter of DATABASE_URL', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://app@db.example.com/bf?password=query-pass-42&sslmode=require',
    });
    const text = JSON.stringify(redactConfig(c));
    expect(text).not.toContain('query-pass-42');
    expect(text).toContain('sslmode=require');
  });

  it('leaves a configuration without secrets unchanged', () => {
    const c = loadConfig({});
    expect(redactConfig(c)).toEqual({ ...c });
  });
});
