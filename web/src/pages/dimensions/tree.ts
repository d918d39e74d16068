/**
 * The member tree as plain functions (no React): which members are visible given the expanded
 * ones and a search, where the arrow keys lead, and the CSV row errors of an import by row and
 * column. The API lists members depth first with `depth` and `path`, so the tree is that list
 * with the collapsed branches left out.
 */
import type { paths } from '../../api/client.ts';

type MembersAnswer =
  paths['/api/budgeting-forecasting/dimensions/{dimension}/members']['get']['responses'][200]['content']['application/json'];
/** One member as `GET /dimensions/:dimension/members` lists it (flat, depth first). */
export type Member = Extract<MembersAnswer, { items: unknown }>['items'][number];
export type Dimension = Member['dimension'];

/** Each dimension's tab label, and its words in a sentence (plural and singular). */
export const DIMENSIONS: { value: Dimension; label: string; plural: string; singular: string }[] = [
  { value: 'department', label: 'Departments', plural: 'departments', singular: 'department' },
  { value: 'cost_center', label: 'Cost centres', plural: 'cost centres', singular: 'cost centre' },
  { value: 'gl_account', label: 'GL accounts', plural: 'GL accounts', singular: 'GL account' },
  { value: 'fund', label: 'Funds', plural: 'funds', singular: 'fund' },
];

export const ACCOUNT_TYPES = ['revenue', 'expense', 'asset', 'liability', 'equity'] as const;

/** Trees up to this size open fully expanded; larger ones show their roots' children only. */
export const EXPAND_ALL_UP_TO = 300;

/** The codes expanded at first: every member with children (small trees) or only the roots. */
export function initialExpanded(members: readonly Member[]): Set<string> {
  const all = members.length <= EXPAND_ALL_UP_TO;
  return new Set(members.filter((m) => m.children_count > 0 && (all || m.depth === 1)).map((m) => m.code));
}

/** Codes matching `search` (code or name, case-insensitive) and their ancestors; undefined when no search. */
export function searchHits(members: readonly Member[], search: string): Set<string> | undefined {
  const q = search.trim().toLowerCase();
  if (!q) return undefined;
  const out = new Set<string>();
  for (const m of members)
    if (m.code.toLowerCase().includes(q) || m.name.toLowerCase().includes(q))
      for (const c of m.path) out.add(c);
  return out;
}

/**
 * The members shown, in order: those whose ancestors are all expanded (with a search: the hits
 * and their ancestors, every branch on the way open).
 */
export function visibleMembers(
  members: readonly Member[],
  expanded: ReadonlySet<string>,
  hits?: ReadonlySet<string>,
): Member[] {
  if (hits) return members.filter((m) => hits.has(m.code));
  return members.filter((m) => m.path.slice(0, -1).every((c) => expanded.has(c)));
}

/** Codes of `code`'s subtree (itself first), from the depth-first list. */
export function subtreeOf(members: readonly Member[], code: string): string[] {
  return members.filter((m) => m.path.includes(code)).map((m) => m.code);
}

export type TreeKey = 'ArrowDown' | 'ArrowUp' | 'ArrowRight' | 'ArrowLeft' | 'Home' | 'End' | '*';

/** What a key does on the focused member (WAI-ARIA tree pattern). */
export type TreeMove =
  | { focus: string }
  | { expand: string }
  | { collapse: string }
  | { expandSiblings: string[] }
  | undefined;

/** The effect of `key` on the member `current` among the `visible` ones. */
export function treeMove(
  visible: readonly Member[],
  current: string | undefined,
  key: TreeKey,
  expanded: ReadonlySet<string>,
): TreeMove {
  if (visible.length === 0) return undefined;
  const i = visible.findIndex((m) => m.code === current);
  const here = visible[i];
  if (!here) return { focus: visible[0]!.code };
  switch (key) {
    case 'ArrowDown':
      return i + 1 < visible.length ? { focus: visible[i + 1]!.code } : undefined;
    case 'ArrowUp':
      return i > 0 ? { focus: visible[i - 1]!.code } : undefined;
    case 'Home':
      return { focus: visible[0]!.code };
    case 'End':
      return { focus: visible[visible.length - 1]!.code };
    case 'ArrowRight':
      if (here.children_count === 0) return undefined;
      if (!expanded.has(here.code)) return { expand: here.code };
      return visible[i + 1]?.parent_code === here.code ? { focus: visible[i + 1]!.code } : undefined;
    case 'ArrowLeft':
      if (here.children_count > 0 && expanded.has(here.code)) return { collapse: here.code };
      return here.parent_code ? { focus: here.parent_code } : undefined;
    case '*':
      return {
        expandSiblings: visible
          .filter((m) => m.parent_code === here.parent_code && m.children_count > 0)
          .map((m) => m.code),
      };
  }
}

/** One problem of a refused CSV import, by file row (1 = the header) and column. */
export interface RowProblem {
  row: number | undefined;
  column: string | undefined;
  message: string;
}

/** `rows.5.parent_code` → row 5, column parent_code; `file` → no row; the message without its "row 5: ". */
export function rowProblem(problem: { path: string; message: string }): RowProblem {
  const m = /^rows\.(\d+)(?:\.(.+))?$/.exec(problem.path);
  return {
    row: m ? Number(m[1]) : undefined,
    column: m ? m[2] : undefined,
    message: problem.message.replace(/^row \d+: (?:[a-z_]+: )?/, ''),
  };
}
