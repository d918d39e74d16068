/**
 * Change hooks: services report each budget change inside their transaction (so a listener can
 * write durable rows, e.g. the collaboration change log, atomically with it) and get back what
 * to run after commit (publishing). Events therefore never announce a rolled-back write.
 */
import type { Tx } from '../db/client.ts';
import type { TenantContext } from '../tenancy/tenancy.ts';

export type BudgetChangeKind =
  | 'line_added'
  | 'lines_added'
  | 'lines_replaced'
  | 'line_updated'
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

/** What runs after the transaction commits. */
export type AfterCommit = () => void;

export interface ChangeListener {
  /** Called inside the writing transaction; may write rows; returns work for after commit. */
  record(tx: Tx, ctx: TenantContext, change: BudgetChange): Promise<AfterCommit | undefined>;
}

/** The listeners of one process's services. */
export class ChangeHooks {
  private readonly listeners: ChangeListener[] = [];

  /** Adds a listener (modules register at start). */
  add(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** Records a change with every listener inside tx; returns the after-commit work. */
  async record(tx: Tx, ctx: TenantContext, change: BudgetChange): Promise<AfterCommit[]> {
    const out: AfterCommit[] = [];
    for (const listener of this.listeners) {
      const after = await listener.record(tx, ctx, change);
      if (after) out.push(after);
    }
    return out;
  }
}

/** Runs after-commit work; a failing publisher never fails the committed write. */
export function runAfterCommit(work: readonly AfterCommit[]): void {
  for (const fn of work) {
    try {
      fn();
    } catch {
      // Subscribers catch up from the durable change log.
    }
  }
}
