/**
 * How the editor reads a budget: the budget (without its lines) and its period grid, which
 * carries every line field the grid shows with its version. A large budget comes in two steps:
 * the first screen of lines (`GET …/periods?limit=`, a few dozen milliseconds) is shown at
 * once, then every line (`GET …/periods`, about a second for 10,000 lines on PGlite) replaces
 * it. Until then the grid can be read and moved around in but not edited, and its totals are
 * not shown: they are only final with every line.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api, type Schemas, unwrap } from '../../api/client.ts';
import type { GridLine } from './model.ts';

const P = '/api/budgeting-forecasting';

/** Lines of the first screen: more than a tall window shows (plus the virtualiser's overscan). */
export const FIRST_PAGE_LINES = 200;

export interface EditorData {
  budget: Schemas['Budget'];
  periodStarts: string[];
  lines: GridLine[];
  /** The budget's number of lines (more than `lines` while only the first screen is loaded). */
  lineCount: number;
}

async function read(id: string, limit?: number): Promise<EditorData> {
  const [budget, grid] = await Promise.all([
    unwrap(api.GET(`${P}/budgets/{id}`, { params: { path: { id } } })),
    unwrap(
      api.GET(`${P}/budgets/{id}/periods`, {
        params: { path: { id }, query: limit === undefined ? {} : { limit } },
      }),
    ),
  ]);
  return {
    budget,
    periodStarts: grid.periods.map((p) => p.period_start),
    lines: grid.lines as GridLine[],
    lineCount: grid.line_count,
  };
}

/** The budget and every line of its grid (also the fresh lines a conflict dialog shows). */
export const loadBudget = (id: string): Promise<EditorData> => read(id);

export interface EditorLoad {
  /** Every line once loaded, else the first screen of them. */
  data: EditorData | undefined;
  /** Whether `data` holds every line: edits, totals and the live session wait for it. */
  complete: boolean;
  isPending: boolean;
  error: unknown;
  /** Reads every line again (lines added or removed by someone else). */
  reload(): void;
}

/**
 * The editor's data: the first screen of lines, then (only when the budget has more) all of
 * them, asked for once the first screen is in, so the two reads do not queue behind each other
 * on the server's database.
 */
export function useEditorLoad(budgetId: string): EditorLoad {
  const queryClient = useQueryClient();
  const first = useQuery({
    queryKey: ['budget-editor', budgetId, 'first-screen'],
    queryFn: () => read(budgetId, FIRST_PAGE_LINES),
    staleTime: Infinity,
  });
  const needsAll = Boolean(first.data && first.data.lineCount > first.data.lines.length);
  const all = useQuery({
    queryKey: ['budget-editor', budgetId],
    queryFn: () => loadBudget(budgetId),
    staleTime: Infinity,
    enabled: needsAll,
  });
  const data = all.data ?? first.data;
  const complete = Boolean(all.data) || Boolean(first.data && !needsAll);
  const reload = useCallback(
    // With the full read in use only it is read again; a small budget's first screen is all of it.
    () => void queryClient.invalidateQueries({ queryKey: ['budget-editor', budgetId], exact: needsAll }),
    [queryClient, budgetId, needsAll],
  );
  return {
    data,
    complete,
    isPending: first.isPending,
    error: first.error ?? all.error ?? undefined,
    reload,
  };
}
