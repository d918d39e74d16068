/**
 * Verification of a tenant's audit hash chain (migrations/0018_audit_chain.sql builds it: the
 * trigger `audit_log_chain` chains every inserted row). The database recomputes each row's hash
 * with the same function the trigger used (`audit_row_hash`), so canonicalisation lives in one
 * place; this walks the rows in chain order and reports the first broken link.
 */
import { sql } from 'drizzle-orm';
import { type Db, type Queryable, queryRows } from '../../platform/db/client.ts';
import { withTenant } from '../../platform/tenancy/tenancy.ts';

/** The previous hash of a tenant's first audit row. */
export const GENESIS_HASH = '0'.repeat(64);

export type ChainProblem =
  /** The row's content no longer hashes to its stored row_hash (edited in place). */
  | 'row_hash_mismatch'
  /** The row's prev_hash is not the previous row's row_hash (a row removed, inserted or reordered). */
  | 'prev_hash_mismatch'
  /** The row's seq is not one more than the previous row's (a row removed or inserted). */
  | 'seq_mismatch'
  /** The chain head does not name the last row (rows removed from or appended to the end). */
  | 'head_mismatch';

export interface BrokenLink {
  /** The row where the chain breaks; null when the head names a row that is not there. */
  auditId: string | null;
  seq: number | null;
  problem: ChainProblem;
  expected: string;
  stored: string;
}

export interface ChainReport {
  tenantId: string;
  ok: boolean;
  rowsChecked: number;
  /** The head as stored: record it elsewhere to detect a rewrite of the whole chain later. */
  head: { seq: number; hash: string } | null;
  firstBroken: BrokenLink | null;
}

interface ChainRow {
  id: string;
  seq: string | number;
  prev_hash: string;
  row_hash: string;
  expected: string;
}

const PAGE = 2000;

/**
 * Checks the chain of the tenant whose transaction `tx` is (RLS shows only its rows). The head
 * and the highest seq are read in one statement (one snapshot); rows inserted later are past
 * the head and not examined, so verifying while the service writes gives no false alarm.
 */
export async function verifyChainIn(tx: Queryable, tenantId: string): Promise<ChainReport> {
  const [snap] = await queryRows<{ seq: string | null; head_hash: string | null; max_seq: string | null }>(
    tx,
    sql`SELECT h.seq::text AS seq, h.head_hash, (SELECT max(seq)::text FROM audit_log) AS max_seq
          FROM (SELECT 1) one LEFT JOIN audit_chain_heads h ON true`,
  );
  const head = snap?.seq != null ? { seq: Number(snap.seq), hash: snap.head_hash!.trim() } : null;
  const report = (rowsChecked: number, firstBroken: BrokenLink | null): ChainReport => ({
    tenantId,
    ok: firstBroken === null,
    rowsChecked,
    head,
    firstBroken,
  });
  const headSeq = head?.seq ?? 0;
  let expectedSeq = 1;
  let expectedPrev = GENESIS_HASH;
  let after: { seq: number; id: string } | null = null;
  let checked = 0;
  for (;;) {
    const rows: ChainRow[] = await queryRows<ChainRow>(
      tx,
      sql`SELECT a.id, a.seq, a.prev_hash, a.row_hash, audit_row_hash(a.prev_hash, a) AS expected
            FROM audit_log a
           WHERE a.seq <= ${headSeq}
             ${after ? sql`AND (a.seq, a.id) > (${after.seq}, ${after.id}::uuid)` : sql``}
           ORDER BY a.seq, a.id
           LIMIT ${PAGE}`,
    );
    for (const r of rows) {
      const seq = Number(r.seq);
      const link = (problem: ChainProblem, expected: string, stored: string): ChainReport =>
        report(checked, { auditId: r.id, seq, problem, expected, stored });
      if (seq !== expectedSeq) return link('seq_mismatch', String(expectedSeq), String(seq));
      const prev = r.prev_hash.trim();
      if (prev !== expectedPrev) return link('prev_hash_mismatch', expectedPrev, prev);
      const stored = r.row_hash.trim();
      if (stored !== r.expected) return link('row_hash_mismatch', r.expected, stored);
      checked++;
      expectedSeq = seq + 1;
      expectedPrev = stored;
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    after = { seq: Number(last.seq), id: last.id };
  }
  const lastSeq = expectedSeq - 1;
  const maxSeq = snap?.max_seq != null ? Number(snap.max_seq) : 0;
  const describe = (seq: number, hash: string) => `seq ${seq} ${hash}`;
  if (!head) {
    if (maxSeq === 0) return report(checked, null);
    return report(checked, {
      auditId: null,
      seq: null,
      problem: 'head_mismatch',
      expected: `a chain head for ${maxSeq} rows`,
      stored: 'no chain head',
    });
  }
  if (lastSeq !== head.seq || expectedPrev !== head.hash || maxSeq !== head.seq) {
    return report(checked, {
      auditId: null,
      seq: head.seq,
      problem: 'head_mismatch',
      expected: describe(head.seq, head.hash),
      stored: describe(Math.max(lastSeq, maxSeq), maxSeq > head.seq ? '(rows past the head)' : expectedPrev),
    });
  }
  return report(checked, null);
}

/** Verifies one tenant's chain in its own transaction (RLS applies). */
export function verifyAuditChain(db: Db, tenantId: string): Promise<ChainReport> {
  return withTenant(db, tenantId, (tx) => verifyChainIn(tx, tenantId));
}
