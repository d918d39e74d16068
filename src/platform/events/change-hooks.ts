/**
 * Change hooks: services report each budget change inside their transaction (so a listener can
 * write durable rows, e.g. the collaboration change log, atomically with it); listeners defer
 * their publishing with `afterCommit`, so events never announce a rolled-back write.
 */
import type { Tx } from '../db/client.ts';
import type { TenantContext } from '../tenancy/tenancy.ts';

export type BudgetChangeKind =
  | 'line_added'
  | 'lines_added'
  | 'lines_replaced'
  | 'line_updated'
  | 'periods_updated'
  | 'line_deleted'
  | 'budget_updated'
  | 'budget_deleted';

/** One change of a budget or of its lines, as the service that made it saw it. */
export interface BudgetChange {
  budgetId: string;
  kind: BudgetChangeKind;
  targetType: 'budget' | 'budget_line';
  targetId: string;
  /** Wire-shaped state (presenter output) before and after; null when absent. */
  before: unknown;
  after: unknown;
}

export interface ChangeListener {
  /** The change kinds this listener handles (it is not called for others). */
  readonly handles: readonly BudgetChangeKind[];
  /**
   * Called inside the writing transaction; may write rows, and registers what must wait for
   * the commit (publishing) with `afterCommit(tx, ...)` from tenancy.ts.
   */
  record(tx: Tx, ctx: TenantContext, change: BudgetChange): Promise<void>;
  /** Several changes of one budget, in order, each with its actor (a batch); `record` each otherwise. */
  recordMany?(tx: Tx, changes: readonly ChangeOf[]): Promise<void>;
}

/** A change with the context of whoever made it (batches mix users and requests). */
export interface ChangeOf {
  ctx: TenantContext;
  change: BudgetChange;
}

/** Every change kind, for a listener that handles all of them. */
export const ALL_BUDGET_CHANGES: readonly BudgetChangeKind[] = [
  'line_added',
  'lines_added',
  'lines_replaced',
  'line_updated',
  'periods_updated',
  'line_deleted',
  'budget_updated',
  'budget_deleted',
];

/** The listeners of one process's services. */
export class ChangeHooks {
  private readonly listeners: ChangeListener[] = [];

  /** Adds a listener (modules register at start). */
  add(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** Records a change with every listener that handles its kind, inside tx. */
  async record(tx: Tx, ctx: TenantContext, change: BudgetChange): Promise<void> {
    for (const listener of this.listeners) {
      if (listener.handles.includes(change.kind)) await listener.record(tx, ctx, change);
    }
  }

  /** Records several changes, in order, with every listener (in bulk where it can). */
  async recordMany(tx: Tx, changes: readonly ChangeOf[]): Promise<void> {
    for (const listener of this.listeners) {
      const mine = changes.filter((c) => listener.handles.includes(c.change.kind));
      if (mine.length === 0) continue;
      if (listener.recordMany) await listener.recordMany(tx, mine);
      else for (const c of mine) await listener.record(tx, c.ctx, c.change);
    }
  }
}
