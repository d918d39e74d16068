/**
 * Every setting of the service in one zod schema, read once from the environment (and an
 * optional `.env` file). A bad value stops start-up with a message naming the variable.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
      message: 'must be one of true, false, 1, 0, yes, no, on, off',
    })
    .default(fallback ? 'true' : 'false')
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int({ message: 'must be a whole number' })
    .min(min)
    .max(max)
    .default(fallback);

const url = (protocols: RegExp, example: string) =>
  z
    .string()
    .refine((v) => URL.canParse(v) && protocols.test(new URL(v).protocol), {
      message: `must be a URL like ${example}`,
    })
    .optional();

const claimPath = (fallback: string) =>
  z
    .string()
    .regex(/^[^.\s]+(\.[^.\s]+)*$/, {
      message: 'must be a claim name or a dot path like realm_access.roles',
    })
    .default(fallback);

/** Names of settings whose values are secrets: never logged. */
export const SECRET_SETTINGS = [
  'JWT_SECRET',
  'DATABASE_URL',
  'REDIS_URL',
  'AMQP_URL',
  'LLM_API_KEY',
  'S3_SECRET_ACCESS_KEY',
] as const;

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(3000, 0, 65535),
  DATA_DIR: z.string().min(1).default('./.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: url(/^postgres(ql)?:$/, 'postgres://user@host:5432/db'),
  DATABASE_POOL_SIZE: int(20, 1, 1000),
  // Longest wait for a new PostgreSQL connection; then the request answers 503 (docs/operations.md).
  DATABASE_CONNECT_TIMEOUT_MS: int(3000, 100, 60_000),
  REDIS_URL: url(/^rediss?:$/, 'redis://127.0.0.1:6379'),
  // Longest wait for a Redis connection or reply; then the feature degrades (docs/operations.md).
  REDIS_TIMEOUT_MS: int(1000, 50, 60_000),
  // Namespace of every Redis key (cache, pub/sub, rate limits): several deployments can share one Redis.
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be 1-64 letters, digits or _.:-' })
    .default('bf:'),
  AMQP_URL: url(/^amqps?:$/, 'amqp://guest:guest@127.0.0.1:5672'),
  // Domain events (docs/events.md): the topic exchange the outbox relay publishes to, whether
  // this process runs a relay (with AMQP_URL; several relays share the work), and how often it
  // looks for events written by other processes.
  EVENTS_EXCHANGE: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,127}$/, { message: 'must be 1-127 letters, digits or _.:-' })
    .default('apg.budgeting'),
  EVENTS_RELAY: bool(true),
  EVENTS_POLL_MS: int(1000, 10, 60_000),
  // How long a relay's claim on a batch lasts: a relay killed mid-publish delays its batch this long.
  EVENTS_LEASE_MS: int(30_000, 1000, 600_000),
  // With AMQP_URL, the relay deletes events published more than this many days ago (0: never).
  // Without a broker nothing is deleted: the outbox is GET /events's store (docs/events.md).
  EVENTS_RETENTION_DAYS: int(7, 0, 3650),

  JWT_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  JWKS_URL: url(/^https?:$/, 'https://auth.example.com/.well-known/jwks.json'),
  /** OIDC issuer: its discovery document names the JWKS (jwks_uri) and the expected `iss`. */
  OIDC_ISSUER_URL: url(/^https?:$/, 'https://auth.example.com/realms/apg'),
  /** The web application's public client at the OIDC provider: enables "Sign in with your identity provider". */
  OIDC_CLIENT_ID: z.string().min(1).max(255).optional(),
  OIDC_SCOPE: z.string().min(1).max(1000).default('openid profile email'),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  // Where OIDC tokens carry our claims: a claim name, or a dot path into nested objects.
  JWT_TENANT_CLAIM: claimPath('tenant_id'),
  JWT_ROLES_CLAIM: claimPath('roles'),
  JWT_PERMISSIONS_CLAIM: claimPath('permissions'),
  JWT_EMAIL_CLAIM: claimPath('email'),
  JWT_TTL_SECONDS: int(3600, 60, 60 * 60 * 24 * 30),
  LOGIN_RATE_LIMIT_PER_MINUTE: int(10, 1, 10_000),

  BODY_LIMIT_BYTES: int(8 * 1024 * 1024, 1024, 512 * 1024 * 1024),
  // Bearer token GET /metrics requires; unset means /metrics is open (keep it off the public network).
  METRICS_TOKEN: z.string().min(16).optional(),
  // How long an Idempotency-Key's response is kept for retries (docs/api.md "Idempotency keys").
  IDEMPOTENCY_TTL_HOURS: int(24, 1, 24 * 30),
  // Raw-body uploads (docs/api.md "Uploads"): actuals files are streamed and staged, never held whole.
  ACTUALS_MAX_UPLOAD_BYTES: int(512 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024),
  // Where stored documents' bytes live (docs/storage.md): the database (embedded default) or
  // any S3-compatible object store. Metadata and tenant isolation stay in the database.
  STORAGE: z.enum(['db', 's3']).default('db'),
  S3_ENDPOINT: url(/^https?:$/, 'http://127.0.0.1:9000'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
      message: 'must be an S3 bucket name (3-63 lowercase letters, digits, . or -)',
    })
    .optional(),
  S3_REGION: z.string().min(1).max(64).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  // Path-style URLs (endpoint/bucket/key): what MinIO and most self-hosted servers need.
  S3_FORCE_PATH_STYLE: bool(false),
  // XLSX zip-bomb limits, checked before a spreadsheet library reads the file.
  XLSX_MAX_ENTRIES: int(1_000, 10, 1_000_000),
  XLSX_MAX_INFLATED_BYTES: int(256 * 1024 * 1024, 1024 * 1024, 16 * 1024 * 1024 * 1024),
  XLSX_MAX_IN_MEMORY_BYTES: int(32 * 1024 * 1024, 64 * 1024, 4 * 1024 * 1024 * 1024),
  CACHE_ENABLED: bool(true),
  CACHE_TTL_SECONDS: int(3600, 1, 60 * 60 * 24 * 30),
  AUDIT_ENABLED: bool(true),
  ML_ENABLED: bool(true),
  AI_RECOMMENDATIONS_ENABLED: bool(true),
  REAL_TIME_COLLABORATION_ENABLED: bool(true),
  MAX_BUDGET_LINES: int(10_000, 1, 1_000_000),
  MAX_COLLABORATION_PARTICIPANTS: int(50, 1, 10_000),
  // Real-time collaboration (docs/collaboration.md).
  COLLABORATION_CONFLICT_WINDOW_SECONDS: int(60, 0, 86_400),
  /** Changes kept per session; 0 keeps all (the guide trims to 1,000). */
  COLLABORATION_CHANGE_RETENTION: int(0, 0, 1_000_000_000),
  COLLABORATION_MAX_MESSAGE_BYTES: int(64 * 1024, 1024, 16 * 1024 * 1024),
  COLLABORATION_IDLE_TIMEOUT_SECONDS: int(120, 2, 86_400),
  COLLABORATION_AUTH_TIMEOUT_SECONDS: int(10, 1, 300),
  /** Bytes queued for one slow socket before it is told to catch up and disconnected. */
  COLLABORATION_SEND_QUEUE_BYTES: int(1024 * 1024, 1024, 1024 * 1024 * 1024),
  // Abuse limits of the collaboration socket (per process; docs/collaboration.md "Limits").
  /** Messages per second one socket may send (bursts of twice that). */
  COLLABORATION_SOCKET_MESSAGES_PER_SECOND: int(50, 1, 100_000),
  /** Message bytes per second one socket may send (bursts of twice that, at least one message). */
  COLLABORATION_SOCKET_BYTES_PER_SECOND: int(256 * 1024, 1024, 1024 * 1024 * 1024),
  /** Messages per second one user may send over all their sockets (bursts of twice that). */
  COLLABORATION_USER_MESSAGES_PER_SECOND: int(100, 1, 100_000),
  /** Stored messages (comments, change requests) per minute one user may send (bursts of half that). */
  COLLABORATION_USER_WRITES_PER_MINUTE: int(120, 1, 1_000_000),
  /** Refused messages (rate limited) a socket may send, recovering one per second, before it is closed 4029. */
  COLLABORATION_RATE_LIMIT_STRIKES: int(20, 1, 100_000),
  /** Comments and change requests one session's change log may hold from sockets. */
  COLLABORATION_SESSION_MAX_REQUESTS: int(5000, 1, 100_000_000),
  /** Bytes of comments and change requests one session's change log may hold from sockets. */
  COLLABORATION_SESSION_MAX_REQUEST_BYTES: int(16 * 1024 * 1024, 1024, 1024 * 1024 * 1024 * 64),
  /** Open sockets one user may hold on one session (per process). */
  COLLABORATION_MAX_SOCKETS_PER_USER: int(5, 1, 10_000),
  /** Sockets not yet authenticated one client address may hold (per process). */
  COLLABORATION_MAX_UNAUTHENTICATED_PER_ADDRESS: int(10, 1, 100_000),
  FORECASTING_ALGORITHMS: z
    .string()
    .default('random_forest,gradient_boosting,neural_network')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  SEED_DEMO: bool(true),
  // With SEED_DEMO: the first start also creates the sample company (tenant "sample").
  SEED_SAMPLE: bool(true),
  // Optional narrative of recommendation bundles by an OpenAI-compatible endpoint (off when unset).
  LLM_BASE_URL: url(/^https?:$/, 'https://api.openai.com/v1'),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_MODEL: z.string().min(1).max(200).optional(),
  LLM_TIMEOUT_MS: int(20_000, 100, 300_000),

  JOB_CONCURRENCY: int(2, 1, 64),
  // The guide retries after 60 s x 2^retries.
  JOB_RETRY_BASE_MS: int(60_000, 1, 24 * 60 * 60 * 1000),
  // Whether API processes also run jobs (false: only `bf worker` processes do).
  JOBS_IN_API: bool(true),
  // BullMQ: a job whose process died is retried once its lock is this old (stalled-job check).
  JOB_STALL_TIMEOUT_MS: int(10_000, 500, 10 * 60 * 1000),
  JOB_QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/)
    .default('bf-jobs'),
});

export type Env = z.output<typeof envSchema>;

/** The resolved configuration of one process. */
export interface AppConfig extends Env {
  /** Absolute path of the data directory. */
  dataDir: string;
  /** Where the embedded PGlite database lives when DATABASE_URL is not set. */
  pgliteDir: string;
  /** Tokens come from an OIDC provider (JWKS_URL or OIDC_ISSUER_URL): no password login, no demo admin. */
  oidc: boolean;
}

/** Thrown when a setting is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses settings from `source` (default: process.env plus `.env`), throwing ConfigError. */
export function loadConfig(source?: Record<string, string | undefined>): AppConfig {
  let input = source;
  if (!input) {
    if (existsSync('.env')) loadDotenv({ path: '.env', quiet: true });
    input = process.env;
  }
  // Empty strings mean "unset": `FOO= npm start` must not fail a URL check.
  const cleaned = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  if (env.JWKS_URL && !env.OIDC_ISSUER_URL && (!env.JWT_ISSUER || !env.JWT_AUDIENCE)) {
    throw new ConfigError(
      'Invalid configuration:\n  JWT_ISSUER, JWT_AUDIENCE: both are required when JWKS_URL is set (OIDC tokens are checked against them)',
    );
  }
  if (env.OIDC_ISSUER_URL && !env.JWT_AUDIENCE) {
    throw new ConfigError(
      'Invalid configuration:\n  JWT_AUDIENCE: required when OIDC_ISSUER_URL is set (OIDC tokens are checked against it)',
    );
  }
  if (env.OIDC_CLIENT_ID && !env.OIDC_ISSUER_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  OIDC_CLIENT_ID: requires OIDC_ISSUER_URL (the browser finds the authorization and token endpoints by discovery)',
    );
  }
  if (env.STORAGE === 's3' && !env.S3_BUCKET) {
    throw new ConfigError('Invalid configuration:\n  S3_BUCKET: required when STORAGE=s3');
  }
  if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError(
      'Invalid configuration:\n  S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both or neither (neither: the AWS default credential chain)',
    );
  }
  const dataDir = resolve(env.DATA_DIR);
  return {
    ...env,
    dataDir,
    pgliteDir: resolve(dataDir, 'pglite'),
    oidc: Boolean(env.JWKS_URL || env.OIDC_ISSUER_URL),
  };
}

/** A copy of the configuration that is safe to log: secrets masked. */
export function redactConfig(config: AppConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const key of SECRET_SETTINGS) {
    const value = out[key];
    if (typeof value !== 'string') continue;
    if (URL.canParse(value) && key !== 'JWT_SECRET') {
      out[key] = redactUrl(value);
    } else {
      out[key] = '***';
    }
  }
  return out;
}

/** A URL with its password (also a `?password=` parameter, as libpq takes it) masked. */
export function redactUrl(value: string): string {
  if (!URL.canParse(value)) return '***';
  const u = new URL(value);
  if (u.password) u.password = '***';
  for (const name of [...u.searchParams.keys()]) {
    if (/pass/i.test(name)) u.searchParams.set(name, '***');
  }
  return u.toString();
}
