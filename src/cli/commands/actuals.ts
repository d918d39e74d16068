/**
 * `bf import-actuals FILE`: the API's import service, run directly against DATABASE_URL or the
 * embedded database; while a server holds the embedded database, through that server's API.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { applyModuleSettings } from '../../app/settings.ts';
import { loadConfig } from '../../config/env.ts';
import type { FileFormat } from '../../modules/actuals/index.ts';
import { ActualsService, ImportRejectedError, MappingService } from '../../modules/actuals/index.ts';
import { DataDirInUseError } from '../../platform/db/data-dir-lock.ts';
import { withFileAccess } from '../../platform/files/zip-limits.ts';
import { AppError } from '../../platform/http/errors.ts';
import { createPlatform, type Platform } from '../../platform/platform.ts';
import { type TenantContext, tenantIdFromKey } from '../../platform/tenancy/tenancy.ts';
import { importThroughServer, RemoteImportError } from './actuals-remote.ts';

interface Options {
  batch?: string;
  mapping?: string;
  tenant: string;
  user: string;
  format?: FileFormat;
}

function formatOf(file: string, given?: string): FileFormat {
  if (given === 'csv' || given === 'xlsx') return given;
  if (given) throw new Error(`--format must be csv or xlsx, not "${given}"`);
  const ext = extname(file).toLowerCase();
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.csv' || ext === '.txt') return 'csv';
  throw new Error(`cannot tell the format of ${basename(file)}: give --format csv or --format xlsx`);
}

/** Registers `bf import-actuals`. */
export function registerActualsCommands(program: Command): void {
  program
    .command('import-actuals')
    .description(
      'Import general-ledger actuals from a CSV or XLSX file (all or nothing; the same --batch replaces its batch)',
    )
    .argument('<file>', 'CSV or XLSX file')
    .option('--batch <key>', 'batch key (default: the file name)')
    .option('--mapping <name|file.json>', 'a saved mapping name, or a JSON file holding a mapping')
    .option('--tenant <tenant>', 'tenant id or slug', 'demo')
    .option('--user <user>', 'recorded as the importing user', 'cli')
    .option('--format <format>', 'csv or xlsx (default: from the extension)')
    .action(async (file: string, o: Options) => {
      if (!existsSync(file)) throw new Error(`no such file: ${file}`);
      const format = formatOf(file, o.format);
      const config = loadConfig();
      let platform: Platform | undefined;
      let server: string | undefined;
      try {
        platform = await createPlatform(config);
        applyModuleSettings(config);
      } catch (error) {
        // A server holds the embedded database: send the file to it (our HS256 tokens are not
        // accepted under OIDC, so there the lock's message stands).
        if (!(error instanceof DataDirInUseError && error.holder?.url && !config.oidc)) throw error;
        server = error.holder.url;
        process.stderr.write(
          `DATA_DIR is in use by the server at ${server} (pid ${error.holder.pid}): importing through its API\n`,
        );
      }
      const bar = new SingleBar({
        stream: process.stderr,
        format: 'importing {bar} {percentage}% | {value}/{total} bytes',
        noTTYOutput: true,
        notTTYSchedule: 1000,
        hideCursor: true,
      });
      try {
        const isFile = o.mapping?.toLowerCase().endsWith('.json') && existsSync(o.mapping);
        const batch = server
          ? await importThroughServer(
              server,
              config,
              {
                file,
                format,
                batchKey: o.batch ?? basename(file),
                fileName: basename(file),
                tenant: o.tenant,
                user: o.user,
                mapping: isFile
                  ? { json: readFileSync(o.mapping!, 'utf8') }
                  : o.mapping
                    ? { name: o.mapping }
                    : undefined,
              },
              bar,
            )
          : await importLocally(platform!, file, format, o, bar);
        bar.stop();
        const r = batch.report as {
          rows: { data: number; blank_skipped: number };
          totals: Record<string, string>;
          period_range: { from: string; to: string } | null;
          replaced: { row_count: number } | null;
        };
        const out = [
          `imported ${batch.row_count} rows into batch "${batch.batch_key}" (${batch.batch_id})${r.replaced ? `, replacing ${r.replaced.row_count} rows` : ''}`,
          `periods: ${r.period_range ? `${r.period_range.from.slice(0, 7)} … ${r.period_range.to.slice(0, 7)}` : 'none'}; blank rows skipped: ${r.rows.blank_skipped}`,
          ...Object.entries(r.totals).map(([c, v]) => `total ${c}: ${v}`),
          `report: GET /actuals/batches/${batch.batch_id}`,
        ];
        process.stdout.write(`${out.join('\n')}\n`);
      } catch (error) {
        bar.stop();
        if (
          error instanceof ImportRejectedError ||
          error instanceof AppError ||
          error instanceof RemoteImportError
        ) {
          const lines = [
            error.message,
            ...error.errors.map(
              (e) => `  ${e.message.startsWith('row ') ? e.message : `${e.path}: ${e.message}`}`,
            ),
          ];
          process.stderr.write(`${lines.join('\n')}\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      } finally {
        await platform?.close();
      }
    });
}

/** The import in this process, on the database it opened. */
async function importLocally(
  platform: Platform,
  file: string,
  format: FileFormat,
  o: Options,
  bar: SingleBar,
) {
  const tenantId = tenantIdFromKey(o.tenant);
  await platform.tenants.ensure(tenantId, o.tenant);
  const ctx: TenantContext = {
    tenantId,
    tenantKey: o.tenant,
    userId: o.user,
    roles: [],
    permissions: new Set(),
  };
  const db = platform.database.db;
  const isFile = o.mapping?.toLowerCase().endsWith('.json') && existsSync(o.mapping);
  const { mapping, name } = await new MappingService(db).resolve(
    ctx,
    isFile ? { json: readFileSync(o.mapping!, 'utf8') } : { name: o.mapping },
  );
  const size = statSync(file).size;
  bar.start(size, 0);
  const service = new ActualsService(db, platform.queue, platform.config);
  const batch = await withFileAccess(file, (access) =>
    service.importNow(
      ctx,
      // An XLSX is read through `access`; only a CSV is streamed.
      format === 'csv' ? createReadStream(file, { highWaterMark: 256 * 1024 }) : [],
      {
        batchKey: o.batch ?? basename(file),
        fileName: basename(file),
        format,
        mapping,
        mappingName: name,
        onBytes: (n) => bar.update(n),
      },
      access,
    ),
  );
  bar.update(size);
  return batch;
}
