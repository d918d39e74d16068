import { describe, expect, it } from 'vitest';
import {
  initialExpanded,
  type Member,
  rowProblem,
  searchHits,
  subtreeOf,
  treeMove,
  visibleMembers,
} from './tree.ts';

// CITY > OPS > (110, 120), CITY > FIN; depth first as the API lists them.
const m = (code: string, name: string, path: string[], children = 0): Member => ({
  dimension: 'department',
  code,
  name,
  parent_code: path.length > 1 ? path[path.length - 2]! : null,
  account_type: null,
  sort_order: 0,
  depth: path.length,
  path,
  children_count: children,
  version: 1,
  created_at: '2026-01-01T00:00:00Z',
  created_by: 'u',
  updated_at: null,
  updated_by: null,
});
const members = [
  m('CITY', 'City', ['CITY'], 2),
  m('OPS', 'Operations', ['CITY', 'OPS'], 2),
  m('110', 'Roads', ['CITY', 'OPS', '110']),
  m('120', 'Parks', ['CITY', 'OPS', '120']),
  m('FIN', 'Finance', ['CITY', 'FIN']),
];
const codes = (list: Member[]) => list.map((x) => x.code);

describe('the member tree', () => {
  it('shows the members whose ancestors are all open; a search shows the hits with their ancestors', () => {
    expect(codes(visibleMembers(members, new Set(['CITY'])))).toEqual(['CITY', 'OPS', 'FIN']);
    expect(codes(visibleMembers(members, new Set(['CITY', 'OPS'])))).toEqual([
      'CITY',
      'OPS',
      '110',
      '120',
      'FIN',
    ]);
    expect(codes(visibleMembers(members, new Set(), searchHits(members, 'park')))).toEqual([
      'CITY',
      'OPS',
      '120',
    ]);
    expect(searchHits(members, '  ')).toBeUndefined();
    expect([...initialExpanded(members)]).toEqual(['CITY', 'OPS']);
    expect(subtreeOf(members, 'OPS')).toEqual(['OPS', '110', '120']);
  });

  it('moves as the WAI-ARIA tree pattern says', () => {
    const open = new Set(['CITY', 'OPS']);
    const shown = visibleMembers(members, open);
    expect(treeMove(shown, 'OPS', 'ArrowDown', open)).toEqual({ focus: '110' });
    expect(treeMove(shown, 'OPS', 'ArrowUp', open)).toEqual({ focus: 'CITY' });
    expect(treeMove(shown, 'OPS', 'ArrowRight', open)).toEqual({ focus: '110' });
    expect(treeMove(shown, 'OPS', 'ArrowLeft', open)).toEqual({ collapse: 'OPS' });
    expect(treeMove(shown, '110', 'ArrowLeft', open)).toEqual({ focus: 'OPS' });
    expect(treeMove(shown, '110', 'ArrowRight', open)).toBeUndefined();
    expect(treeMove(shown, '120', 'End', open)).toEqual({ focus: 'FIN' });
    expect(treeMove(shown, 'FIN', 'Home', open)).toEqual({ focus: 'CITY' });
    const closed = new Set(['CITY']);
    expect(treeMove(visibleMembers(members, closed), 'OPS', 'ArrowRight', closed)).toEqual({ expand: 'OPS' });
    expect(treeMove(shown, 'FIN', '*', open)).toEqual({ expandSiblings: ['OPS'] });
    expect(treeMove(shown, undefined, 'ArrowDown', open)).toEqual({ focus: 'CITY' });
  });

  it('reads an import refusal as row, column and message', () => {
    expect(
      rowProblem({
        path: 'rows.3.parent_code',
        message: 'row 3: parent_code "NOPE" is not a member of this dimension (nor in the file)',
      }),
    ).toEqual({
      row: 3,
      column: 'parent_code',
      message: 'parent_code "NOPE" is not a member of this dimension (nor in the file)',
    });
    expect(rowProblem({ path: 'rows.4.name', message: 'row 4: name: name must not be empty' }).message).toBe(
      'name must not be empty',
    );
    expect(rowProblem({ path: 'file', message: 'the header row lacks name' })).toEqual({
      row: undefined,
      column: undefined,
      message: 'the header row lacks name',
    });
  });
});
