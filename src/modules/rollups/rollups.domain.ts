/**
 * Which roll-up node a line belongs to (docs/dimensions.md, "Roll-ups"): at `level` N, a line
 * whose member is at depth >= N goes to its ancestor at depth N; one whose member is above N (a
 * shorter branch) goes to that member itself; a line with no code, or a code that is no member,
 * goes to the `unassigned` node. With `node` X, the lines of X's subtree go to X's children (X's
 * own lines to a `direct` node); other lines are outside the roll-up. Every line lands in at most
 * one node, so the nodes add up to the total exactly.
 */
import { NotFoundError } from '../../platform/http/errors.ts';
import type { MemberRow } from '../dimensions/index.ts';

export interface RollupNode {
  code: string | null;
  name: string;
  kind: 'member' | 'direct' | 'unassigned';
  depth: number | null;
  path: string[];
}

export interface Assignment {
  nodes: RollupNode[];
  /** The node index of a line's code, or -1 when the line is outside the roll-up. */
  nodeOf(code: string | null): number;
  /** Codes seen that are not members. */
  unknown: Set<string>;
}

/** Builds the nodes of a level (or of a node's children) and the line-to-node function. */
export function assign(
  members: MemberRow[],
  sel: { level?: number | undefined; node?: string | undefined },
): Assignment {
  const byCode = new Map(members.map((m) => [m.code, m]));
  const nodes: RollupNode[] = [];
  const index = new Map<string, number>();
  const add = (m: MemberRow, kind: RollupNode['kind'] = 'member') => {
    index.set(kind === 'direct' ? `\u0000${m.code}` : m.code, nodes.length);
    nodes.push({ code: m.code, name: m.name, kind, depth: m.depth, path: m.path });
    return nodes.length - 1;
  };
  const unknown = new Set<string>();
  if (sel.node !== undefined) {
    const top = byCode.get(sel.node);
    if (!top) throw new NotFoundError('Dimension member', sel.node, 'query.node');
    for (const m of members) if (m.parent_code === top.code) add(m);
    const direct = add(top, 'direct');
    return {
      nodes,
      unknown,
      nodeOf(code) {
        const m = code === null ? undefined : byCode.get(code);
        if (!m) {
          if (code !== null) unknown.add(code);
          return -1;
        }
        if (m.code === top.code) return direct;
        const at = m.path.indexOf(top.code);
        return at < 0 ? -1 : index.get(m.path[at + 1]!)!;
      },
    };
  }
  const level = sel.level ?? 1;
  // The level's members, and leaves of shorter branches (ragged trees), in tree order.
  for (const m of members) if (m.depth === level || (m.depth < level && m.children_count === 0)) add(m);
  const unassigned = nodes.length;
  nodes.push({ code: null, name: 'Unassigned', kind: 'unassigned', depth: null, path: [] });
  return {
    nodes,
    unknown,
    nodeOf(code) {
      const m = code === null ? undefined : byCode.get(code);
      if (!m) {
        if (code !== null) unknown.add(code);
        return unassigned;
      }
      const target = m.depth >= level ? m.path[level - 1]! : m.code;
      // A member above the level that has children but carries lines itself: its own node.
      return index.get(target) ?? add(m);
    },
  };
}
