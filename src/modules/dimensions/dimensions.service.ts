/** Dimension members: list (flat or nested), create/update, delete (subtree), CSV import in one transaction. */

import type { Cache } from '../../platform/cache/cache.ts';
import type { Db, Tx } from '../../platform/db/client.ts';
import {
  BusinessRuleError,
  ConflictError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../../platform/http/errors.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.ts';
import { ScopeKeys } from '../../platform/tenancy/scope-keys.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/index.ts';
import type { ByteSource } from '../imports/index.ts';
import { RowErrors } from '../imports/index.ts';
import { accountTypeError, readMembersFile } from './dimensions.import.ts';
import {
  ancestorCodes,
  childCodes,
  deleteMembers,
  findMember,
  listMembers,
  memberParents,
  referenceCounts,
  subtreeCodes,
  upsertMembers,
} from './dimensions.repository.ts';
import type { Dimension, MemberPutBody, MemberView } from './dimensions.schema.ts';
import { checkTree, nest, parentsFirst } from './dimensions.tree.ts';

// Rows per INSERT of an import (parents first, so each statement finds its parents).
const UPSERT_CHUNK = 5_000;

const ENTITY = 'dimension_member';

export class DimensionService {
  private readonly scopeKeys: ScopeKeys;

  constructor(
    private readonly db: Db,
    cache: Cache,
    /** Tells open collaboration sockets that scopes may have changed (scope-keys.ts). */
    pubsub?: PubSub,
  ) {
    this.scopeKeys = new ScopeKeys(db, cache, pubsub);
  }

  /** A department scope covers its subtree: a change to the department tree may change scopes. */
  private scopesMayChange(tx: Tx, ctx: TenantContext, dimension: Dimension): void {
    if (dimension === 'department') this.scopeKeys.invalidateAfterCommit(tx, ctx.tenantId);
  }

  /** Every member of a dimension, depth first, with depth and path. */
  async list(ctx: TenantContext, dimension: Dimension) {
    const items = (await withTenant(this.db, ctx, (tx) => listMembers(tx, dimension))) as MemberView[];
    return { dimension, count: items.length, items };
  }

  /** The same members nested: roots with their children. */
  async tree(ctx: TenantContext, dimension: Dimension) {
    const { items } = await this.list(ctx, dimension);
    return { dimension, count: items.length, roots: nest(items) };
  }

  /** Creates or updates one member; `created` says which. Refuses unknown parents and cycles (422). */
  async put(ctx: TenantContext, dimension: Dimension, code: string, body: MemberPutBody) {
    const typeError = accountTypeError(dimension, body.account_type ?? null);
    if (typeError) throw new ValidationError([{ path: 'account_type', ...typeError }]);
    const parent = body.parent_code ?? null;
    if (parent === code)
      throw new BusinessRuleError('dimension_cycle', 'a member cannot be its own parent', 'parent_code');
    const created = await withTenant(this.db, ctx, async (tx) => {
      const before = await findMember(tx, dimension, code);
      if (body.version !== undefined) {
        if (!before) throw new NotFoundError(`${dimension} member`, code, 'params.code');
        if (before.version !== body.version)
          throw new VersionConflictError(`${dimension} member ${code}`, body.version, before.version);
      }
      if (parent !== null) {
        const up = await ancestorCodes(tx, dimension, parent);
        if (up.length === 0)
          throw new BusinessRuleError(
            'unknown_parent',
            `parent_code "${parent}" is not a member of ${dimension}`,
            'parent_code',
          );
        if (up.includes(code))
          throw new BusinessRuleError(
            'dimension_cycle',
            `parent_code makes a cycle: ${[code, ...up.slice(0, up.indexOf(code) + 1)].join(' → ')}`,
            'parent_code',
          );
      }
      const input = {
        code,
        name: body.name,
        parent_code: parent,
        account_type: body.account_type ?? null,
        sort_order: body.sort_order ?? 0,
      };
      await upsertMembers(tx, ctx, dimension, [input]);
      this.scopesMayChange(tx, ctx, dimension);
      await recordAudit(tx, ctx, {
        action: before ? `${ENTITY}.updated` : `${ENTITY}.created`,
        entityType: ENTITY,
        before: before ? { dimension, ...before } : null,
        after: { dimension, ...input },
      });
      return !before;
    });
    const member = (await this.list(ctx, dimension)).items.find((m) => m.code === code)!;
    return { created, member };
  }

  /**
   * Deletes a member: 409 naming its children unless `cascade` (then its whole subtree), and
   * 409 while live lines, budgets or actuals carry any of the codes deleted.
   */
  async remove(ctx: TenantContext, dimension: Dimension, code: string, cascade: boolean) {
    return withTenant(this.db, ctx, async (tx) => {
      const member = await findMember(tx, dimension, code);
      if (!member) throw new NotFoundError(`${dimension} member`, code, 'params.code');
      const children = await childCodes(tx, dimension, code);
      if (children.length && !cascade)
        throw new ConflictError(
          'member_has_children',
          'params.code',
          `${dimension} member ${code} has ${children.length} child member${children.length === 1 ? '' : 's'} (${children
            .slice(0, 20)
            .join(', ')}${children.length > 20 ? ', …' : ''}): delete them first or use ?cascade=true`,
          { children: children.slice(0, 1000) },
        );
      const codes = cascade ? await subtreeCodes(tx, dimension, code) : [code];
      const refs = await referenceCounts(tx, dimension, codes);
      if (refs.lines + refs.budgets + refs.actuals > 0)
        throw new ConflictError(
          'member_in_use',
          'params.code',
          `${dimension} member ${code}${codes.length > 1 ? ' (with its subtree)' : ''} is still referenced by ${refs.lines} budget line(s), ${refs.budgets} budget(s) and ${refs.actuals} actual(s): move them to another member first`,
          { references: refs },
        );
      await deleteMembers(tx, dimension, codes);
      this.scopesMayChange(tx, ctx, dimension);
      await recordAudit(tx, ctx, {
        action: `${ENTITY}.deleted`,
        entityType: ENTITY,
        before: { dimension, ...member, subtree: codes.length > 1 ? codes : undefined },
        after: null,
      });
      return { deleted: codes };
    });
  }

  /**
   * Imports members from CSV: the whole file is checked (rows, parents in the file or the tree,
   * in any order, no cycles) before one transaction writes it; a bad row stores nothing.
   */
  async importCsv(ctx: TenantContext, dimension: Dimension, bytes: ByteSource, dryRun: boolean) {
    const rows = await readMembersFile(dimension, bytes);
    return withTenant(this.db, ctx, async (tx) => {
      const existing = await memberParents(tx, dimension);
      const problems = checkTree(
        new Map([...existing].map(([code, [parent]]) => [code, parent])),
        rows.map((r) => ({ row: r.row, code: r.code, parent_code: r.parent_code ?? null })),
      );
      if (problems.length) {
        const errors = new RowErrors();
        for (const p of problems)
          errors.add(p.row, [
            { path: `rows.${p.row}.parent_code`, code: p.rule, message: `row ${p.row}: ${p.message}` },
          ]);
        errors.throwIfAny(rows.length);
      }
      const changed = rows.filter((r) => {
        const e = existing.get(r.code);
        return (
          !e ||
          e[0] !== (r.parent_code ?? null) ||
          e[1] !== r.name ||
          e[2] !== (r.account_type ?? null) ||
          e[3] !== (r.sort_order ?? 0)
        );
      });
      const created = changed.filter((r) => !existing.has(r.code)).length;
      const result = {
        dimension,
        rows: rows.length,
        created,
        updated: changed.length - created,
        unchanged: rows.length - changed.length,
        dry_run: dryRun,
      };
      if (dryRun) return result;
      const ordered = parentsFirst(changed);
      for (let i = 0; i < ordered.length; i += UPSERT_CHUNK)
        await upsertMembers(tx, ctx, dimension, ordered.slice(i, i + UPSERT_CHUNK));
      this.scopesMayChange(tx, ctx, dimension);
      await recordAudit(tx, ctx, {
        action: `${ENTITY}.imported`,
        entityType: ENTITY,
        after: { dimension, rows: result.rows, created: result.created, updated: result.updated },
      });
      return result;
    });
  }
}
