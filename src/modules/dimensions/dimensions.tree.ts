/** Pure tree rules: parents exist, no cycles, parents written before children, nesting for ?tree=true. */
import type { MemberNode, MemberView } from './dimensions.schema.ts';

/** A member being written, with the file row it came from (0 for a PUT). */
export interface IncomingMember {
  row: number;
  code: string;
  parent_code: string | null;
}

/** A problem with one incoming member's parent: unknown, or a cycle through the given codes. */
export interface TreeProblem {
  row: number;
  code: string;
  rule: 'unknown_parent' | 'dimension_cycle';
  message: string;
}

/**
 * Checks the tree that results from writing `incoming` over `existing` (code -> parent code):
 * every parent is a member (existing or incoming, in any order), and following parents from any
 * incoming member reaches a root. Iterative and memoised: a 10,000-member file is linear.
 */
export function checkTree(
  existing: ReadonlyMap<string, string | null>,
  incoming: IncomingMember[],
): TreeProblem[] {
  const parent = new Map(existing);
  for (const m of incoming) parent.set(m.code, m.parent_code);
  const problems: TreeProblem[] = [];
  // 1: reaches a root; 2: on a cycle (or leads to one).
  const state = new Map<string, 1 | 2>();
  for (const m of incoming) {
    if (m.parent_code !== null && !parent.has(m.parent_code)) {
      problems.push({
        row: m.row,
        code: m.code,
        rule: 'unknown_parent',
        message: `parent_code "${m.parent_code}" is not a member of this dimension (nor in the file)`,
      });
      state.set(m.code, 1);
    }
  }
  for (const m of incoming) {
    if (state.has(m.code)) continue;
    const trail: string[] = [];
    const onTrail = new Set<string>();
    let at: string | null = m.code;
    let outcome: 1 | 2 = 1;
    while (at !== null) {
      const known = state.get(at);
      if (known) {
        outcome = known;
        break;
      }
      if (onTrail.has(at)) {
        outcome = 2;
        const loop = trail.slice(trail.indexOf(at));
        problems.push({
          row: m.row,
          code: m.code,
          rule: 'dimension_cycle',
          message: `parent_code makes a cycle: ${[...loop, at].join(' → ')}`,
        });
        break;
      }
      trail.push(at);
      onTrail.add(at);
      at = parent.get(at) ?? null;
    }
    for (const c of trail) state.set(c, outcome);
  }
  return problems;
}

/** Orders members so that each comes after its parent when both are in the list (stable otherwise). */
export function parentsFirst<T extends { code: string; parent_code?: string | null | undefined }>(
  members: T[],
): T[] {
  const byCode = new Map(members.map((m) => [m.code, m]));
  const done = new Set<string>();
  const out: T[] = [];
  for (const m of members) {
    const chain: T[] = [];
    let at: T | undefined = m;
    while (at && !done.has(at.code)) {
      chain.push(at);
      done.add(at.code);
      at = at.parent_code ? byCode.get(at.parent_code) : undefined;
    }
    out.push(...chain.reverse());
  }
  return out;
}

/** Nests a depth-first flat list (each member before its children) into roots with children. */
export function nest(items: MemberView[]): MemberNode[] {
  const roots: MemberNode[] = [];
  const byCode = new Map<string, MemberNode>();
  for (const item of items) {
    const node: MemberNode = { ...item, children: [] };
    byCode.set(item.code, node);
    const parent = item.parent_code ? byCode.get(item.parent_code) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}
