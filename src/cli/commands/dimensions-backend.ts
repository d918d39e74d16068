/**
 * Where `bf dimensions` does its work, as `bf import-actuals` does: the dimensions service run
 * directly against DATABASE_URL or the embedded database; while a server holds the embedded
 * database, that server's API (a short-lived token signed with the secret kept in DATA_DIR), so
 * the server sees the change at once and nobody opens the database twice. Both answer with the
 * API's shapes and refuse with an AppError (status, code, field errors, extra body fields).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { applyModuleSettings } from '../../app/settings.ts';
import { type AppConfig, loadConfig } from '../../config/env.ts';
import { type Dimension, DimensionService } from '../../modules/dimensions/index.ts';
import { resolveJwtSecret, signToken } from '../../platform/auth/jwt.ts';
import { DataDirInUseError } from '../../platform/db/data-dir-lock.ts';
import { AppError, type FieldError } from '../../platform/http/errors.ts';
import { API_PREFIX } from '../../platform/http/types.ts';
import { createPlatform, type Platform } from '../../platform/platform.ts';
import { type TenantContext, tenantIdFromKey } from '../../platform/tenancy/tenancy.ts';

export type MemberList = Awaited<ReturnType<DimensionService['list']>>;
export type MemberTree = Awaited<ReturnType<DimensionService['tree']>>;
export type MemberNode = MemberTree['roots'][number];
export type PutBody = Parameters<DimensionService['put']>[3];
export type PutResult = Awaited<ReturnType<DimensionService['put']>>;
export type ImportResult = Awaited<ReturnType<DimensionService['importCsv']>>;

/** The four operations of the CLI, in this process or through a running server. */
export interface DimensionsBackend {
  list(dimension: Dimension): Promise<MemberList>;
  tree(dimension: Dimension): Promise<MemberTree>;
  put(dimension: Dimension, code: string, body: PutBody): Promise<PutResult>;
  remove(dimension: Dimension, code: string, cascade: boolean): Promise<{ deleted: string[] }>;
  importCsv(dimension: Dimension, file: string, dryRun: boolean): Promise<ImportResult>;
  close(): Promise<void>;
}

export interface Who {
  tenant: string;
  user: string;
}

/** Opens the database (or finds the server holding it) for `who`. */
export async function openBackend(who: Who): Promise<DimensionsBackend> {
  const config = loadConfig({ ...process.env, JOBS_IN_API: 'false' });
  let platform: Platform;
  try {
    platform = await createPlatform(config);
    applyModuleSettings(config);
  } catch (error) {
    // Our HS256 tokens are not accepted under OIDC: there the lock's message stands (exit 2).
    if (!(error instanceof DataDirInUseError && error.holder?.url && !config.oidc)) throw error;
    process.stderr.write(
      `DATA_DIR is in use by the server at ${error.holder.url} (pid ${error.holder.pid}): working through its API\n`,
    );
    return remoteBackend(error.holder.url, config, who);
  }
  return localBackend(platform, who);
}

function localBackend(platform: Platform, who: Who): DimensionsBackend {
  const tenantId = tenantIdFromKey(who.tenant);
  const ctx: TenantContext = {
    tenantId,
    tenantKey: who.tenant,
    userId: who.user,
    roles: [],
    permissions: new Set(),
  };
  const service = new DimensionService(platform.database.db, platform.cache);
  // Writes register the tenant (as the import of actuals does); reads of an unknown one find nothing.
  const ensured = () => platform.tenants.ensure(tenantId, who.tenant);
  return {
    list: (d) => service.list(ctx, d),
    tree: (d) => service.tree(ctx, d),
    put: async (d, code, body) => {
      await ensured();
      return service.put(ctx, d, code, body);
    },
    remove: (d, code, cascade) => service.remove(ctx, d, code, cascade),
    importCsv: async (d, file, dryRun) => {
      await ensured();
      return service.importCsv(ctx, d, createReadStream(file, { highWaterMark: 256 * 1024 }), dryRun);
    },
    close: () => platform.close(),
  };
}

interface ErrorBody {
  message?: string;
  code?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

async function remoteBackend(baseUrl: string, config: AppConfig, who: Who): Promise<DimensionsBackend> {
  const token = await signToken(
    resolveJwtSecret(config),
    { sub: who.user, tenant_id: who.tenant, roles: [], permissions: ['budgets:read', 'dimensions:manage'] },
    3600,
    config,
  );
  const call = async <T>(
    method: string,
    path: string,
    body?: { json: unknown } | { csv: string },
  ): Promise<{ status: number; body: T }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body && 'json' in body) headers['content-type'] = 'application/json';
    if (body && 'csv' in body) headers['content-type'] = 'text/csv';
    const res = await fetch(`${baseUrl}${API_PREFIX}${path}`, {
      method,
      headers,
      ...(body ? { body: 'json' in body ? JSON.stringify(body.json) : body.csv } : {}),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { message: text };
    }
    if (!res.ok) {
      const { message, code, errors, ...extra } = parsed as ErrorBody;
      throw new AppError(
        res.status,
        code ?? `http_${res.status}`,
        message ?? `HTTP ${res.status}`,
        errors ?? [],
        extra,
      );
    }
    return { status: res.status, body: parsed as T };
  };
  const member = (d: Dimension, code: string) => `/dimensions/${d}/members/${encodeURIComponent(code)}`;
  return {
    list: async (d) => (await call<MemberList>('GET', `/dimensions/${d}/members`)).body,
    tree: async (d) => (await call<MemberTree>('GET', `/dimensions/${d}/members?tree=true`)).body,
    put: async (d, code, body) => {
      const r = await call<PutResult['member']>('PUT', member(d, code), { json: body });
      return { created: r.status === 201, member: r.body };
    },
    remove: async (d, code, cascade) =>
      (await call<{ deleted: string[] }>('DELETE', `${member(d, code)}${cascade ? '?cascade=true' : ''}`))
        .body,
    importCsv: async (d, file, dryRun) =>
      (
        await call<ImportResult>('POST', `/dimensions/${d}/import?dry_run=${dryRun}`, {
          csv: readFileSync(file, 'utf8'),
        })
      ).body,
    close: async () => {},
  };
}
