/**
 * A dimension's members as an ARIA tree (`role="tree"`, one `treeitem` per member with
 * `aria-level`, `aria-expanded`, `aria-setsize`/`aria-posinset`): code, name, account type and
 * child count in columns. One item is in the tab order (roving tabindex); the arrow keys move,
 * Right/Left open and close a branch or go to the first child / the parent, Home/End, `*` opens
 * the siblings; selection follows focus. Clicking the chevron opens or closes a branch.
 */
import { Badge, Text } from '@mantine/core';
import { type KeyboardEvent, useEffect, useMemo, useRef } from 'react';
import { type Member, type TreeKey, treeMove } from './tree.ts';

const KEYS = new Set<string>(['ArrowDown', 'ArrowUp', 'ArrowRight', 'ArrowLeft', 'Home', 'End', '*']);

export function MemberTree({
  label,
  members,
  visible,
  expanded,
  onExpandedChange,
  selected,
  onSelect,
  showAccountType,
}: {
  label: string;
  /** Every member (for the set sizes and positions among siblings). */
  members: readonly Member[];
  /** The members shown, in order. */
  visible: readonly Member[];
  expanded: ReadonlySet<string>;
  onExpandedChange: (next: Set<string>) => void;
  selected: string | undefined;
  onSelect: (code: string) => void;
  showAccountType: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const focusNext = useRef(false);
  // Position among siblings, for aria-posinset / aria-setsize.
  const siblings = useMemo(() => {
    const count = new Map<string | null, number>();
    const pos = new Map<string, number>();
    for (const m of members) {
      const n = (count.get(m.parent_code) ?? 0) + 1;
      count.set(m.parent_code, n);
      pos.set(m.code, n);
    }
    return { count, pos };
  }, [members]);
  const current = visible.some((m) => m.code === selected) ? selected : visible[0]?.code;

  // After a key moved the selection, focus follows it (a click focuses by itself).
  useEffect(() => {
    if (!focusNext.current) return;
    focusNext.current = false;
    ref.current?.querySelector<HTMLElement>('[role=treeitem][tabindex="0"]')?.focus();
  });

  const toggle = (code: string) => {
    const next = new Set(expanded);
    if (next.has(code)) next.delete(code);
    else next.add(code);
    onExpandedChange(next);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!KEYS.has(e.key)) return;
    e.preventDefault();
    const move = treeMove(visible, current, e.key as TreeKey, expanded);
    if (!move) return;
    if ('focus' in move) {
      focusNext.current = true;
      onSelect(move.focus);
    } else if ('expand' in move) onExpandedChange(new Set([...expanded, move.expand]));
    else if ('collapse' in move) {
      const next = new Set(expanded);
      next.delete(move.collapse);
      onExpandedChange(next);
    } else onExpandedChange(new Set([...expanded, ...move.expandSiblings]));
  };

  return (
    <div className="dim-tree-wrap">
      <div className={`dim-tree-head${showAccountType ? ' dim-row-typed' : ''}`} aria-hidden="true">
        <span>Code</span>
        <span>Name</span>
        {showAccountType && <span>Account type</span>}
        <span className="num">Children</span>
      </div>
      <div
        ref={ref}
        role="tree"
        aria-label={label}
        tabIndex={-1}
        className="dim-tree"
        data-testid="member-tree"
        onKeyDown={onKeyDown}
      >
        {visible.map((m) => {
          const open = expanded.has(m.code);
          const isSelected = m.code === current;
          return (
            <div
              key={m.code}
              role="treeitem"
              aria-level={m.depth}
              aria-setsize={siblings.count.get(m.parent_code)}
              aria-posinset={siblings.pos.get(m.code)}
              aria-expanded={m.children_count > 0 ? open : undefined}
              aria-selected={isSelected}
              tabIndex={isSelected ? 0 : -1}
              data-code={m.code}
              className={`dim-row${showAccountType ? ' dim-row-typed' : ''}`}
              onClick={() => onSelect(m.code)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  if (m.children_count > 0) toggle(m.code);
                }
              }}
            >
              <span className="dim-code" style={{ paddingLeft: (m.depth - 1) * 18 }}>
                {m.children_count > 0 ? (
                  <span
                    className="dim-chevron"
                    aria-hidden="true"
                    data-open={open}
                    onClick={(e) => {
                      e.stopPropagation();
                      onSelect(m.code);
                      toggle(m.code);
                    }}
                  >
                    ▸
                  </span>
                ) : (
                  <span className="dim-chevron" aria-hidden="true" />
                )}
                <Text span fw={600} size="sm" ff="monospace">
                  {m.code}
                </Text>
              </span>
              <Text span size="sm" truncate>
                {m.name}
              </Text>
              {showAccountType && (
                <span>
                  {m.account_type && (
                    <Badge size="sm" variant="light" color={TYPE_COLORS[m.account_type]}>
                      {m.account_type}
                    </Badge>
                  )}
                </span>
              )}
              <Text span size="sm" c="dimmed" className="num">
                {m.children_count > 0 ? (
                  <>
                    {m.children_count}
                    <span className="visually-hidden"> {m.children_count === 1 ? 'child' : 'children'}</span>
                  </>
                ) : (
                  ''
                )}
              </Text>
            </div>
          );
        })}
      </div>
    </div>
  );
}

const TYPE_COLORS: Record<string, string> = {
  revenue: 'teal',
  expense: 'orange',
  asset: 'blue',
  liability: 'grape',
  equity: 'gray',
};
