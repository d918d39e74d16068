/** Edits queued for a session are written in batches: one transaction, n changes, one frame per peer. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { join, listen, type Msg } from '../../../test/helpers/ws-client.ts';

describe.each(backends())('collaboration edit batches on %s', (backend) => {
  let t: TestApp;
  let base: string;
  const tenant = newTenant();
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    t = await startTestApp(backend, {
      COLLABORATION_SOCKET_MESSAGES_PER_SECOND: '1000',
      COLLABORATION_USER_MESSAGES_PER_SECOND: '1000',
    });
    base = await listen(t);
    alice = await t.token(tenant, { user: 'alice', roles: ['admin'] });
    bob = await t.token(tenant, { user: 'bob', roles: ['planner'] });
  });
  afterAll(() => t?.close());

  it('60 edits sent at once: acks with every sequence, changes frames to a peer that asked, lines, periods, audit exact', async () => {
    const b0 = await t.call(
      'POST',
      '/budgets',
      alice,
      budgetBody({ budget_lines: [lineBody({ line_name: 'A' }), lineBody({ line_name: 'B' })] }),
    );
    const budgetId = b0.json().budget_id as string;
    const full = (await t.call('GET', `/budgets/${budgetId}?include_lines=true`, alice)).json();
    const lineIds = full.budget_lines.map((l: { line_id: string }) => l.line_id) as string[];
    const versions = full.budget_lines.map((l: { version: number }) => l.version) as number[];
    const s = await t.call('POST', '/collaboration/sessions', alice, {
      session_name: 'Batch',
      budget_id: budgetId,
      conflict_strategy: 'last_writer_wins',
    });
    const sessionId = s.json().session_id as string;
    await t.call('POST', `/collaboration/sessions/${sessionId}/join`, bob, { role: 'editor' });
    const a = await join(base, sessionId, alice);
    const b = await join(base, sessionId, bob, '?frames=batch');
    const plain = await join(base, sessionId, bob);
    const n = 60;
    for (let i = 1; i <= n; i++)
      a.send({
        type: 'budget_line_edit',
        target_id: lineIds[i % 2],
        changes: { amount: `${i}.10` },
        client_msg_id: `m${i}`,
      });
    // One invalid edit in the middle of the stream is refused alone (nothing of it applied).
    a.send({
      type: 'budget_line_edit',
      target_id: lineIds[0],
      changes: { amount: '-5.00' },
      client_msg_id: 'bad',
    });
    const acks: Msg[] = [];
    for (let i = 1; i <= n; i++) acks.push(await a.nextOf('ack', (m) => m.client_msg_id === `m${i}`));
    expect(acks.map((m) => m.sequence)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const bad = await a.nextOf('edit_error', (m) => m.client_msg_id === 'bad');
    expect(bad.errors[0].path).toBe('amount');
    // The peer that asked for batch frames gets the n changes in order, in fewer frames.
    const flat: Msg[] = [];
    const frames: Msg[] = [];
    while (flat.length < n) {
      const m = await b.next((x) => x.type === 'changes' || x.type === 'budget_line_updated');
      frames.push(m);
      flat.push(...(m.type === 'changes' ? m.changes : [m]));
    }
    expect(flat.map((m) => m.sequence)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(frames.length).toBeLessThan(n);
    expect(frames.some((m) => m.type === 'changes' && m.changes.length > 1)).toBe(true);
    // A client that did not ask keeps one frame per change.
    for (let i = 1; i <= n; i++) await plain.nextOf('budget_line_updated', (m) => m.sequence === i);
    expect(plain.all('changes')).toHaveLength(0);
    // Each broadcast line is the line after that edit; the last one is the stored line.
    const seen = [0, 0];
    for (const [k, m] of flat.entries()) {
      const j = (k + 1) % 2;
      seen[j]! += 1;
      expect(m.line.amount).toBe(`${k + 1}.10`);
      expect(m.version).toBe(versions[j]! + seen[j]!);
    }
    const grid = (await t.call('GET', `/budgets/${budgetId}/periods`, alice)).json();
    const stored = (await t.call('GET', `/budgets/${budgetId}/lines`, alice)).json().items;
    for (const [j, id] of lineIds.entries()) {
      const line = stored.find((l: Msg) => l.line_id === id);
      expect(flat.filter((m) => m.target_id === id).at(-1)!.line).toEqual(line);
      const row = grid.lines.find((l: Msg) => l.line_id === id);
      const last = j === 0 ? n : n - 1;
      expect(line.amount).toBe(`${last}.10`);
      expect(line.version).toBe(versions[j]! + n / 2);
      expect(row.periods).toHaveLength(12);
      const cents = row.periods.reduce((sum: bigint, p: string) => sum + BigInt(p.replace('.', '')), 0n);
      expect(cents).toBe(BigInt(last * 100 + 10));
      const audit = (
        await t.call('GET', `/audit?entity_id=${id}&action=budget_line.updated&limit=100`, alice)
      ).json();
      expect(audit.items).toHaveLength(n / 2);
    }
    expect((await t.call('GET', '/audit/verify', alice)).json().ok).toBe(true);
    await a.close();
    await b.close();
    await plain.close();
  });
});
