/**
 * kill -9 of the real server while it writes a 10,000-line budget (one transaction: the budget,
 * its lines and their 120,000 monthly periods): after a restart on the same database the budget
 * exists with all of it or not at all, and the restarted server serves and writes as usual.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eServer, printOutputOnFailure } from '../e2e/server.ts';
import { budgetBody } from '../helpers/app.ts';
import {
  type FaultEnv,
  faultToken,
  ownerQuery,
  startFaultServer,
  untilStatementRuns,
} from '../helpers/faults.ts';
import { pgClusterMissing, TestPgCluster } from '../helpers/pg-cluster.ts';

const missing = pgClusterMissing();
if (missing && process.env.CI === 'true')
  throw new Error(`CI=true: the server-crash fault tests must run, but ${missing}`);
if (missing) console.warn(`skipping the server-crash fault tests: ${missing}`);

const LINES = 10_000;
const DB = 'bf_kill_budget';

/** 10,000 lines, each spread evenly over the 12 months by the service. */
function bigBudget(name: string) {
  return budgetBody({
    budget_name: name,
    total_amount: '99999999.00',
    budget_lines: Array.from({ length: LINES }, (_, i) => ({
      line_name: `Line ${i}`,
      line_type: 'expense',
      category: `cat-${i % 40}`,
      amount: `${1200 + (i % 500)}.00`,
    })),
  });
}

describe.skipIf(missing)('the server killed with SIGKILL during a 10,000-line budget create', () => {
  let cluster: TestPgCluster;
  let env: FaultEnv;
  let server: E2eServer | undefined;
  printOutputOnFailure(() => server);

  beforeAll(async () => {
    cluster = await TestPgCluster.start();
    env = {
      DATABASE_URL: await cluster.createDatabase(DB),
      JWT_SECRET: `faults-${randomBytes(24).toString('hex')}`,
      JOB_QUEUE_NAME: `bf-faults-${randomBytes(4).toString('hex')}`,
      BODY_LIMIT_BYTES: String(32 * 1024 * 1024),
    };
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await cluster?.destroy();
  });

  it('leaves no budget, line or period behind, and the restarted server creates it whole', async () => {
    const first = await startFaultServer(env);
    server = first;
    const token = await faultToken(env, `faults-${randomBytes(4).toString('hex')}`);
    const name = `Killed mid-create ${randomBytes(3).toString('hex')}`;
    const body = bigBudget(name);
    let answered: string | undefined;
    const request = first
      .call('POST', '/budgets', { token, json: body, timeoutMs: 60_000 })
      .then((r) => {
        answered = `answered ${r.status} ${r.text.slice(0, 300)}`;
        return { answered };
      })
      .catch((error: Error) => ({ cut: error.message }));
    // In flight: the transaction is writing lines or periods, and has not committed.
    await untilStatementRuns(cluster, DB, 'insert into budget_(lines|periods)', () => answered);
    await first.kill('SIGKILL');
    // The client saw the connection drop, not an answer: the crash was mid-write.
    expect(await request).toHaveProperty('cut');

    const count = async () =>
      (
        await ownerQuery<{ budgets: number; lines: number; periods: number }>(
          env.DATABASE_URL,
          `SELECT (SELECT count(*)::int FROM budgets WHERE budget_name = $1) AS budgets,
                  (SELECT count(*)::int FROM budget_lines l JOIN budgets b ON b.tenant_id = l.tenant_id AND b.id = l.budget_id WHERE b.budget_name = $1) AS lines,
                  (SELECT count(*)::int FROM budget_periods p JOIN budgets b ON b.tenant_id = p.tenant_id AND b.id = p.budget_id WHERE b.budget_name = $1) AS periods`,
          [name],
        )
      )[0]!;
    // PostgreSQL rolled the transaction back when the connection died: nothing of it remains.
    expect(await count()).toEqual({ budgets: 0, lines: 0, periods: 0 });
    const orphans = await ownerQuery<{ n: number }>(
      env.DATABASE_URL,
      `SELECT count(*)::int AS n FROM budget_lines l
        WHERE NOT EXISTS (SELECT 1 FROM budgets b WHERE b.tenant_id = l.tenant_id AND b.id = l.budget_id)`,
    );
    expect(orphans[0]!.n).toBe(0);

    // The successor on the same database: the client's retry creates the whole budget.
    server = await startFaultServer(env);
    const retry = await server.call('POST', '/budgets', { token, json: body, timeoutMs: 60_000 });
    expect(retry.status, retry.text.slice(0, 500)).toBe(201);
    expect(retry.json.totals.line_count).toBe(LINES);
    expect(await count()).toEqual({ budgets: 1, lines: LINES, periods: LINES * 12 });
    const list = await server.call('GET', `/budgets?text=${encodeURIComponent(name)}`, { token });
    expect(list.json.data ?? list.json.items ?? list.json).toHaveLength(1);
  }, 180_000);
});
