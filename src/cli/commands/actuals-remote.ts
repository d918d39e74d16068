/**
 * `bf import-actuals` while a server holds the embedded database: the file goes through that
 * server's API (POST /actuals/imports), with a short-lived token signed by the secret kept in
 * DATA_DIR, so that the server sees the rows at once and nobody opens the database twice.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { SingleBar } from 'cli-progress';
import type { AppConfig } from '../../config/env.ts';
import type { BatchView, FileFormat } from '../../modules/actuals/index.ts';
import { XLSX_TYPE } from '../../modules/actuals/index.ts';
import { resolveJwtSecret, signToken } from '../../platform/auth/jwt.ts';
import { API_PREFIX } from '../../platform/http/types.ts';

export interface RemoteImport {
  file: string;
  format: FileFormat;
  batchKey: string;
  fileName: string;
  tenant: string;
  user: string;
  /** A mapping as JSON, or the name of a saved one. */
  mapping: { json: string } | { name: string } | undefined;
}

/** A refusal by the server, as the local import reports it: message plus field errors. */
export class RemoteImportError extends Error {
  constructor(
    message: string,
    readonly errors: { path: string; message: string }[],
  ) {
    super(message);
  }
}

interface ErrorBody {
  message?: string;
  errors?: { path: string; message: string }[];
}

/** Uploads the file to the server at `baseUrl` and returns the batch it stored (waiting for a job). */
export async function importThroughServer(
  baseUrl: string,
  config: AppConfig,
  r: RemoteImport,
  bar: SingleBar,
): Promise<BatchView> {
  const token = await signToken(
    resolveJwtSecret(config),
    {
      sub: r.user,
      tenant_id: r.tenant,
      roles: [],
      permissions: ['actuals:write', 'actuals:read', 'jobs:read'],
    },
    3600,
    config,
  );
  const headers = { authorization: `Bearer ${token}` };
  const api = `${baseUrl}${API_PREFIX}`;
  const query = new URLSearchParams({ batch_key: r.batchKey, file_name: r.fileName, format: r.format });
  if (r.mapping && 'json' in r.mapping) query.set('mapping', r.mapping.json);
  if (r.mapping && 'name' in r.mapping) query.set('mapping_name', r.mapping.name);
  const size = statSync(r.file).size;
  const stream = createReadStream(r.file, { highWaterMark: 256 * 1024 });
  let sent = 0;
  stream.on('data', (chunk) => {
    sent += chunk.length;
    bar.update(sent);
  });
  bar.start(size, 0);
  const res = await fetch(`${api}/actuals/imports?${query}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': r.format === 'csv' ? 'text/csv' : XLSX_TYPE },
    body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
    duplex: 'half',
  } as RequestInit);
  bar.update(size);
  const body = (await res.json()) as BatchView & ErrorBody & { job_id?: string };
  if (res.status === 201) return body;
  if (res.status !== 202)
    throw new RemoteImportError(body.message ?? `HTTP ${res.status}`, body.errors ?? []);
  // Larger files run as a job on the server: follow it to the end.
  for (;;) {
    const job = (await (await fetch(`${api}/jobs/${String(body.job_id)}`, { headers })).json()) as {
      status: string;
      result?: BatchView;
      error?: string;
    };
    if (job.status === 'completed' && job.result) return job.result;
    if (job.status === 'failed') {
      const [message, ...rows] = (job.error ?? 'import failed').split('\n');
      throw new RemoteImportError(
        message!,
        rows.map((m) => ({ path: '', message: m })),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
