/**
 * Black-box: many lines' months in one request over real HTTP (`PUT /budgets/:id/periods`, the
 * grid's paste), held exactly by the period grid, refused as a whole with a path naming line and
 * month, and seen live by a collaborator's WebSocket as one change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from '../helpers/ws-client.ts';
import {
  createUserAndLogin,
  type E2eServer,
  e2eBackends,
  printOutputOnFailure,
  START_TIMEOUT_MS,
  startServer,
} from './server.ts';

const YEAR = String(new Date().getUTCFullYear() + 1);
const LINES = 200;

describe.each(e2eBackends())('bulk period amounts over HTTP on %s', (backend) => {
  let s: E2eServer;
  let planner: { userId: string; token: string };
  let budgetId: string;
  printOutputOnFailure(() => s);

  beforeAll(async () => {
    s = await startServer(backend, { redisDb: 7 });
    const admin = await s.token();
    planner = await createUserAndLogin(s, admin, ['planner']);
    const res = await s.call('POST', '/budgets', {
      token: planner.token,
      json: {
        budget_name: 'Pasted block',
        budget_type: 'annual',
        fiscal_year: YEAR,
        total_amount: '0.00',
        base_currency: 'USD',
        budget_lines: Array.from({ length: LINES }, (_, i) => ({
          line_name: `Line ${i}`,
          line_type: 'expense',
          category: 'ops',
          amount: '1200.00',
          line_order: i,
        })),
      },
    });
    expect(res.status, res.text).toBe(201);
    budgetId = res.json.budget_id;
  }, START_TIMEOUT_MS);
  afterAll(() => s?.stop());

  const grid = async () => {
    const res = await s.call('GET', `/budgets/${budgetId}/periods`, { token: planner.token });
    expect(res.status, res.text).toBe(200);
    return res.json as {
      lines: { line_id: string; version: number; amount: string; periods: string[] }[];
      total: string;
    };
  };
  const amountOf = (r: number, m: number) => `${r * 12 + m + 1}.${String(m).padStart(2, '0')}`;

  it('a 200 x 12 block is one request: the grid holds exactly those amounts and a collaborator sees it live', async () => {
    const session = await s.call('POST', '/collaboration/sessions', {
      token: planner.token,
      json: { session_name: 'Paste', budget_id: budgetId },
    });
    expect(session.status, session.text).toBe(201);
    const socket = await join(s.wsUrl, session.json.session_id, planner.token);
    try {
      const before = await grid();
      const res = await s.call('PUT', `/budgets/${budgetId}/periods`, {
        token: planner.token,
        json: {
          lines: before.lines.map((l, r) => ({
            line_id: l.line_id,
            version: l.version,
            periods: Array.from({ length: 12 }, (_, m) => ({ period_index: m, amount: amountOf(r, m) })),
          })),
        },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.json.updated).toBe(LINES);
      const after = await grid();
      after.lines.forEach((l, r) => {
        expect(l.periods).toEqual(Array.from({ length: 12 }, (_, m) => amountOf(r, m)));
        expect(l.version).toBe(before.lines[r]!.version + 1);
      });
      const live = await socket.nextOf('budget_periods_updated');
      expect(live.user_id).toBe(planner.userId);
      expect(live.lines).toHaveLength(LINES);
      expect(live.lines[7]).toMatchObject({
        line_id: after.lines[7]!.line_id,
        version: after.lines[7]!.version,
      });
      expect(live.lines[7].periods).toEqual(after.lines[7]!.periods);
    } finally {
      await socket.close();
    }
  });

  it('one bad month refuses the whole block with its path; nothing is written', async () => {
    const before = await grid();
    const res = await s.call('PUT', `/budgets/${budgetId}/periods`, {
      token: planner.token,
      json: {
        lines: before.lines.map((l, r) => ({
          line_id: l.line_id,
          version: l.version,
          periods: [{ period_index: 4, amount: r === 150 ? 'abc' : '1.00' }],
        })),
      },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.json.errors[0].path).toBe('lines.150.periods.0.amount');
    expect(await grid()).toEqual(before);
  });
});
