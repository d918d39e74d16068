/**
 * One import request from start to answer: resolve its mapping, then run it now (small files)
 * or stage the bytes and queue a job (large ones, or when asked). The route only parses the
 * request and presents the outcome.
 */
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import type { FileFormat } from '../imports/index.ts';
import type { MappingService } from './actuals.saved-mappings.ts';
import { type ActualsService, INLINE_MAX_BYTES } from './actuals.service.ts';

/** What the client asked for, parsed from the query and headers. */
export interface ImportSubmission {
  batchKey: string;
  fileName: string | null;
  format: FileFormat;
  /** A mapping given inline (JSON) or by a saved mapping's name. */
  mapping: { json?: string | undefined; name?: string | undefined };
  /** Run as a job even when the file is small. */
  async: boolean;
}

export type ImportOutcome =
  | { kind: 'imported'; batch: Awaited<ReturnType<ActualsService['importNow']>> }
  | { kind: 'queued'; job: Awaited<ReturnType<ActualsService['enqueueImport']>>; uploadBytes: number };

/** Reads up to `max` bytes; says whether the body ended within them, and hands back the rest. */
export async function readHead(body: AsyncIterable<Buffer>, max: number) {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  while (size <= max) {
    const next = await it.next();
    if (next.done) return { head, ended: true, rest: [] as Buffer[] };
    head.push(next.value);
    size += next.value.length;
  }
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => it };
  return { head, ended: false, rest };
}

/** Up to INLINE_MAX_BYTES (and not `async`) imports now; anything larger becomes a job. */
export async function submitImport(
  services: { actuals: ActualsService; mappings: MappingService },
  ctx: TenantContext,
  body: AsyncIterable<Buffer>,
  s: ImportSubmission,
): Promise<ImportOutcome> {
  const { mapping, name } = await services.mappings.resolve(ctx, s.mapping);
  const request = {
    batchKey: s.batchKey,
    fileName: s.fileName,
    format: s.format,
    mapping,
    mappingName: name,
  };
  // Only the first MiB is buffered, to decide: the rest stays a stream into the staging table.
  const { head, ended, rest } = await readHead(body, INLINE_MAX_BYTES);
  if (ended && !s.async)
    return { kind: 'imported', batch: await services.actuals.importNow(ctx, head, request) };
  const upload = await services.actuals.stageUpload(ctx, head, rest);
  const job = await services.actuals.enqueueImport(ctx, upload, request);
  return { kind: 'queued', job, uploadBytes: upload.bytes };
}
