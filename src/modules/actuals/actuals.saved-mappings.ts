/** Saved column mappings: CRUD, and resolving the mapping an import uses. */
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../../platform/db/client.ts';
import { pgError } from '../../platform/db/errors.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/http/errors.ts';
import { zodFieldErrors } from '../../platform/http/zod-errors.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/index.ts';
import type { ImportTarget, Mapping } from '../imports/index.ts';
import { mappingSchema } from '../imports/index.ts';
import { presentMapping } from './actuals.presenter.ts';
import {
  deleteMapping,
  findMapping,
  findMappingByName,
  insertMapping,
  listMappings,
  updateMapping,
} from './actuals.repository.ts';
import type { MappingCreateInput } from './actuals.schema.ts';

const duplicate = (name: string) =>
  new ConflictError(
    'duplicate_mapping_name',
    'name',
    `A mapping named "${name}" already exists (names are compared case-insensitively)`,
  );

function rethrowDuplicate(error: unknown, name: string): never {
  if (pgError(error)?.code === '23505') throw duplicate(name);
  throw error;
}

export class MappingService {
  constructor(private readonly db: Db) {}

  /** The mapping of an import: inline JSON, a saved one by name, or the header-name default. */
  async resolve(
    ctx: TenantContext,
    given: { json?: string | undefined; name?: string | undefined },
    target: ImportTarget = 'actuals',
  ): Promise<{ mapping: Mapping; name: string | null }> {
    const resolved = await this.resolveAny(ctx, given, target);
    if (resolved.mapping.target !== target)
      throw new ValidationError([
        {
          path: given.name !== undefined ? 'query.mapping_name' : 'query.mapping.target',
          code: 'wrong_target',
          message: `the mapping is for a ${resolved.mapping.target} import; this is a ${target} import (set "target": "${target}")`,
        },
      ]);
    return resolved;
  }

  private async resolveAny(
    ctx: TenantContext,
    given: { json?: string | undefined; name?: string | undefined },
    target: ImportTarget,
  ): Promise<{ mapping: Mapping; name: string | null }> {
    if (given.json !== undefined && given.name !== undefined)
      throw new ValidationError([
        {
          path: 'query.mapping',
          code: 'conflicting_fields',
          message: 'give mapping or mapping_name, not both',
        },
      ]);
    if (given.name !== undefined) {
      const row = await withTenant(this.db, ctx, (tx) => findMappingByName(tx, given.name!));
      if (!row) throw new NotFoundError('Mapping', given.name, 'query.mapping_name');
      return { mapping: mappingSchema.parse(row.mapping), name: row.name };
    }
    let raw: unknown = { target };
    if (given.json !== undefined) {
      try {
        raw = JSON.parse(given.json);
        // An inline mapping is for the import it is sent to unless it says otherwise.
        if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && !('target' in raw))
          raw = { ...raw, target };
      } catch {
        throw new ValidationError([
          { path: 'query.mapping', code: 'invalid_json', message: 'mapping is not valid JSON' },
        ]);
      }
    }
    const parsed = mappingSchema.safeParse(raw);
    if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error, 'query.mapping'));
    return { mapping: parsed.data, name: null };
  }

  /** Saves a new mapping. */
  async create(ctx: TenantContext, input: MappingCreateInput) {
    return withTenant(this.db, ctx, async (tx) => {
      if (await findMappingByName(tx, input.name)) throw duplicate(input.name);
      const row = await insertMapping(tx, {
        tenantId: ctx.tenantId,
        id: uuidv7(),
        name: input.name,
        mapping: input.mapping,
        createdBy: ctx.userId,
      }).catch((e: unknown) => rethrowDuplicate(e, input.name));
      await recordAudit(tx, ctx, {
        action: 'create',
        entityType: 'import_mapping',
        entityId: row.id,
        after: input,
      });
      return presentMapping(row);
    });
  }

  /** Every saved mapping, by name. */
  async list(ctx: TenantContext) {
    const rows = await withTenant(this.db, ctx, (tx) => listMappings(tx));
    return { items: rows.map(presentMapping) };
  }

  /** One mapping (404 also for another tenant's). */
  async get(ctx: TenantContext, id: string) {
    const row = await withTenant(this.db, ctx, (tx) => findMapping(tx, id));
    if (!row) throw new NotFoundError('Mapping', id);
    return presentMapping(row);
  }

  /** Replaces a mapping's name and content. */
  async update(ctx: TenantContext, id: string, input: MappingCreateInput) {
    return withTenant(this.db, ctx, async (tx) => {
      const before = await findMapping(tx, id);
      if (!before) throw new NotFoundError('Mapping', id);
      const other = await findMappingByName(tx, input.name);
      if (other && other.id !== id) throw duplicate(input.name);
      const row = await updateMapping(tx, id, input).catch((e: unknown) => rethrowDuplicate(e, input.name));
      await recordAudit(tx, ctx, {
        action: 'update',
        entityType: 'import_mapping',
        entityId: id,
        before: { name: before.name, mapping: before.mapping },
        after: input,
      });
      return presentMapping(row!);
    });
  }

  /** Deletes a mapping; batches imported with it keep their own copy. */
  async remove(ctx: TenantContext, id: string): Promise<void> {
    await withTenant(this.db, ctx, async (tx) => {
      const before = await findMapping(tx, id);
      if (!before || !(await deleteMapping(tx, id))) throw new NotFoundError('Mapping', id);
      await recordAudit(tx, ctx, {
        action: 'delete',
        entityType: 'import_mapping',
        entityId: id,
        before: { name: before.name },
      });
    });
  }
}
