/**
 * The planning grid: a headless, virtualised (@tanstack/react-virtual) table with our own
 * range layer. Range selection with mouse (drag, shift+click) and keyboard (shift+arrows),
 * copy as TSV, paste a block from Excel / Google Sheets, fill down / right, in-place editing,
 * frozen name columns, ARIA grid roles with each visible cell's text.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  type ClipboardEvent,
  type KeyboardEvent,
  memo,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { amountClass, formatAmount } from '../../lib/format.ts';
import {
  type CellChange,
  type ChangeResult,
  type Column,
  cellKey,
  cellValue,
  clear,
  fill,
  fromCents,
  type GridLine,
  inRange,
  isEditable,
  LINE_TYPES,
  normalise,
  type Pos,
  parseTsv,
  pasteBlock,
  rangeOf,
  type Totals,
  toTsv,
} from './model.ts';

export const ROW_HEIGHT = 32;

export interface RemoteCursor {
  userId: string;
  name: string;
  color: string;
  lineId: string;
  field: string;
}

export interface GridProps {
  lines: GridLine[];
  cols: Column[];
  /** Undefined while not every line is loaded: the totals rows say they are loading. */
  totals: Totals | undefined;
  readOnly: boolean;
  errors: ReadonlyMap<string, string>;
  remote: readonly RemoteCursor[];
  onChange(result: ChangeResult, label: string): void;
  onUndo(): void;
  onRedo(): void;
  onSelect(pos: Pos, line: GridLine | undefined, col: Column | undefined): void;
  onOpenComments?(line: GridLine): void;
  height: number;
}

const errorKey = (lineId: string, key: string) => `${lineId}|${key}`;

export { errorKey };

const isFrozen = (c: Column | undefined) => c?.kind === 'field' && Boolean(c.frozen);

function display(line: GridLine, col: Column): { text: string; className: string } {
  const v = cellValue(line, col);
  if (col.kind === 'field' && !col.numeric) return { text: v, className: '' };
  if (col.kind === 'field' && v === '') return { text: '', className: 'num' };
  return {
    text: formatAmount(v, { decimals: col.kind === 'field' && col.key === 'quantity' ? 4 : 2 }),
    className: amountClass(v),
  };
}

interface CellProps {
  line: GridLine;
  col: Column;
  r: number;
  c: number;
  left: number | undefined;
  selected: boolean;
  focused: boolean;
  error: string | undefined;
  remote: RemoteCursor | undefined;
}

const Cell = memo(function Cell({ line, col, r, c, left, selected, focused, error, remote }: CellProps) {
  const { text, className } = display(line, col);
  const classes = ['g-cell', className];
  if (selected) classes.push('g-selected');
  if (focused) classes.push('g-focus');
  if (error) classes.push('g-error');
  if (!isEditable(col)) classes.push('g-calc');
  if (left !== undefined) classes.push('g-frozen');
  return (
    <div
      role="gridcell"
      aria-colindex={c + 1}
      aria-selected={selected}
      aria-invalid={error ? true : undefined}
      aria-readonly={!isEditable(col) || undefined}
      data-r={r}
      data-c={c}
      title={error}
      className={classes.join(' ')}
      style={{
        width: col.width,
        ...(left !== undefined ? { left } : {}),
        ...(remote ? { boxShadow: `inset 0 0 0 2px ${remote.color}` } : {}),
      }}
    >
      {text}
      {remote && (
        <span className="g-remote-tag" style={{ background: remote.color }}>
          {remote.name}
        </span>
      )}
    </div>
  );
});

export function Grid(props: GridProps) {
  const { lines, cols, totals, readOnly, errors, remote, onChange, onUndo, onRedo, onSelect, height } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [anchor, setAnchor] = useState<Pos>({ r: 0, c: 0 });
  const [focus, setFocus] = useState<Pos>({ r: 0, c: 0 });
  const [editing, setEditing] = useState<{ value: string } | undefined>();
  const dragging = useRef(false);
  const range = rangeOf(anchor, focus);

  const lefts = useMemo(() => {
    const out: (number | undefined)[] = [];
    let x = 0;
    for (const col of cols) {
      out.push(col.kind === 'field' && col.frozen ? x : undefined);
      x += col.width;
    }
    return out;
  }, [cols]);
  const offsets = useMemo(() => {
    const out: number[] = [];
    let x = 0;
    for (const col of cols) {
      out.push(x);
      x += col.width;
    }
    return out;
  }, [cols]);
  const totalWidth = cols.reduce((s, c) => s + c.width, 0);
  const frozenWidth = cols.reduce((s, c) => s + (c.kind === 'field' && c.frozen ? c.width : 0), 0);

  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  const remoteByCell = useMemo(() => {
    const m = new Map<string, RemoteCursor>();
    for (const rc of remote) m.set(errorKey(rc.lineId, rc.field), rc);
    return m;
  }, [remote]);

  useEffect(() => {
    onSelect(focus, lines[focus.r], cols[focus.c]);
  }, [focus, lines, cols, onSelect]);

  const scrollTo = useCallback(
    (p: Pos) => {
      virtualizer.scrollToIndex(p.r, { align: 'auto' });
      const el = scrollRef.current;
      const col = cols[p.c];
      if (!el || !col || (col.kind === 'field' && col.frozen)) return;
      const x = offsets[p.c]!;
      if (x < el.scrollLeft + frozenWidth) el.scrollLeft = x - frozenWidth;
      else if (x + col.width > el.scrollLeft + el.clientWidth) {
        // Snap to a column boundary, so no column is left half hidden under the frozen ones.
        const need = x + col.width - el.clientWidth;
        const start = offsets.find((o, i) => i > 0 && !isFrozen(cols[i]) && o - frozenWidth >= need);
        el.scrollLeft = start !== undefined ? Math.min(start - frozenWidth, x - frozenWidth) : need;
      }
    },
    [virtualizer, cols, offsets, frozenWidth],
  );

  const move = useCallback(
    (to: Pos, extend: boolean) => {
      const p = {
        r: Math.max(0, Math.min(lines.length - 1, to.r)),
        c: Math.max(0, Math.min(cols.length - 1, to.c)),
      };
      setFocus(p);
      if (!extend) setAnchor(p);
      scrollTo(p);
    },
    [lines.length, cols.length, scrollTo],
  );

  const commitEdit = useCallback(
    (value: string, then?: Pos) => {
      setEditing(undefined);
      const line = lines[focus.r];
      const col = cols[focus.c];
      if (line && col && isEditable(col)) {
        const n = normalise(col, value);
        if ('error' in n)
          onChange({ changes: [], rejected: [{ r: focus.r, c: focus.c, message: n.error }] }, 'edit');
        else {
          const before = cellValue(line, col);
          if (before !== n.value)
            onChange(
              {
                changes: [{ lineId: line.line_id, key: cellKey(col), before, after: n.value }],
                rejected: [],
              },
              'edit',
            );
        }
      }
      if (then) move(then, false);
      scrollRef.current?.focus({ preventScroll: true });
    },
    [lines, cols, focus, onChange, move],
  );

  const startEdit = (initial?: string) => {
    if (readOnly) return;
    const line = lines[focus.r];
    const col = cols[focus.c];
    if (!line || !col || !isEditable(col)) return;
    setEditing({ value: initial ?? cellValue(line, col) });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (editing) return;
    const mod = e.ctrlKey || e.metaKey;
    const page = Math.max(1, Math.floor((height - ROW_HEIGHT * 2) / ROW_HEIGHT));
    const k = e.key;
    let handled = true;
    if (k === 'ArrowDown')
      move({ r: (mod ? lines.length : focus.r + 1) - (mod ? 1 : 0), c: focus.c }, e.shiftKey);
    else if (k === 'ArrowUp') move({ r: mod ? 0 : focus.r - 1, c: focus.c }, e.shiftKey);
    else if (k === 'ArrowRight') move({ r: focus.r, c: mod ? cols.length - 1 : focus.c + 1 }, e.shiftKey);
    else if (k === 'ArrowLeft') move({ r: focus.r, c: mod ? 0 : focus.c - 1 }, e.shiftKey);
    else if (k === 'PageDown') move({ r: focus.r + page, c: focus.c }, e.shiftKey);
    else if (k === 'PageUp') move({ r: focus.r - page, c: focus.c }, e.shiftKey);
    else if (k === 'Home') move({ r: mod ? 0 : focus.r, c: 0 }, e.shiftKey);
    else if (k === 'End') move({ r: mod ? lines.length - 1 : focus.r, c: cols.length - 1 }, e.shiftKey);
    else if (k === 'Tab') move({ r: focus.r, c: focus.c + (e.shiftKey ? -1 : 1) }, false);
    else if (k === 'Enter') {
      if (e.shiftKey) move({ r: focus.r - 1, c: focus.c }, false);
      else startEdit();
    } else if (k === 'F2') startEdit();
    else if (k === 'Escape') setAnchor(focus);
    else if ((k === 'Delete' || k === 'Backspace') && !readOnly) onChange(clear(lines, cols, range), 'clear');
    else if (mod && (k === 'z' || k === 'Z')) e.shiftKey ? onRedo() : onUndo();
    else if (mod && (k === 'y' || k === 'Y')) onRedo();
    else if (mod && (k === 'd' || k === 'D') && !readOnly)
      onChange(fill(lines, cols, range, 'down'), 'fill down');
    else if (mod && (k === 'r' || k === 'R') && !readOnly)
      onChange(fill(lines, cols, range, 'right'), 'fill right');
    else if (mod && (k === 'a' || k === 'A')) {
      setAnchor({ r: 0, c: 0 });
      setFocus({ r: lines.length - 1, c: cols.length - 1 });
    } else if (!mod && !e.altKey && k.length === 1 && !readOnly) startEdit(k);
    else handled = false;
    if (handled) e.preventDefault();
  };

  const onCopy = (e: ClipboardEvent<HTMLDivElement>) => {
    if (editing) return;
    e.clipboardData.setData('text/plain', toTsv(lines, cols, range));
    e.preventDefault();
  };
  const onPaste = (e: ClipboardEvent<HTMLDivElement>) => {
    if (editing || readOnly) return;
    const text = e.clipboardData.getData('text/plain');
    e.preventDefault();
    const result = pasteBlock(lines, cols, range, parseTsv(text));
    if (result.written) {
      setAnchor({ r: result.written.r0, c: result.written.c0 });
      setFocus({ r: result.written.r1, c: result.written.c1 });
    }
    onChange(result, 'paste');
  };

  useEffect(() => {
    const up = () => {
      dragging.current = false;
    };
    window.addEventListener('mouseup', up);
    return () => window.removeEventListener('mouseup', up);
  }, []);

  const posOf = (t: EventTarget): Pos | undefined => {
    const el = (t as HTMLElement).closest?.('[data-r]') as HTMLElement | null;
    if (!el) return undefined;
    return { r: Number(el.dataset.r), c: Number(el.dataset.c) };
  };

  const items = virtualizer.getVirtualItems();
  const headerRows = 1;
  const footer: { label: string; values: bigint[] | undefined; key: string }[] = [
    ...LINE_TYPES.map((t) => ({ label: `Total ${t}`, values: totals?.byType[t], key: t })),
    { label: 'Net result', values: totals?.net, key: 'net' },
  ];

  const footerCell = (values: bigint[] | undefined, col: Column, c: number, label: string) => {
    let text = '';
    let v: bigint | undefined;
    if (!values) text = col.kind === 'field' ? '' : '…';
    else if (col.kind === 'period') v = values[col.index] ?? 0n;
    else if (col.kind === 'quarter') v = values.slice(col.from, col.to + 1).reduce((s, x) => s + x, 0n);
    else if (col.kind === 'total') v = values.reduce((s, x) => s + x, 0n);
    if (v !== undefined) text = formatAmount(fromCents(v));
    const cls = `g-cell g-foot ${v !== undefined ? amountClass(fromCents(v)) : ''} ${lefts[c] !== undefined ? 'g-frozen' : ''}`;
    const style = { width: col.width, ...(lefts[c] !== undefined ? { left: lefts[c] } : {}) };
    if (c === 0)
      return (
        <div
          key={cellKey(col)}
          role="rowheader"
          aria-colindex={1}
          className={cls}
          style={style}
          title={label === 'Net result' ? 'Revenue − expense' : undefined}
        >
          {label}
        </div>
      );
    return (
      <div key={cellKey(col)} role="gridcell" aria-colindex={c + 1} className={cls} style={style}>
        {text}
      </div>
    );
  };

  return (
    <div
      ref={scrollRef}
      role="grid"
      aria-label="Budget lines by month"
      aria-rowcount={lines.length + headerRows + footer.length}
      aria-colcount={cols.length}
      aria-multiselectable
      aria-readonly={readOnly || undefined}
      tabIndex={0}
      className="g-root"
      style={{ height }}
      onKeyDown={onKeyDown}
      onCopy={onCopy}
      onPaste={onPaste}
      onMouseDown={(e) => {
        const p = posOf(e.target);
        if (!p || editing) return;
        if (e.shiftKey) setFocus(p);
        else {
          setAnchor(p);
          setFocus(p);
        }
        dragging.current = true;
      }}
      onMouseMove={(e) => {
        if (!dragging.current) return;
        const p = posOf(e.target);
        if (p && (p.r !== focus.r || p.c !== focus.c)) setFocus(p);
      }}
      onDoubleClick={(e) => {
        const p = posOf(e.target);
        if (p) startEdit();
      }}
    >
      <div role="rowgroup" className="g-head" style={{ width: totalWidth }}>
        <div role="row" aria-rowindex={1} className="g-row">
          {cols.map((col, c) => (
            <div
              key={cellKey(col)}
              role="columnheader"
              aria-colindex={c + 1}
              className={`g-cell g-hcell ${col.kind !== 'field' || col.numeric ? 'num' : ''} ${lefts[c] !== undefined ? 'g-frozen' : ''}`}
              style={{ width: col.width, ...(lefts[c] !== undefined ? { left: lefts[c] } : {}) }}
            >
              {col.label}
            </div>
          ))}
        </div>
      </div>
      <div
        role="rowgroup"
        style={{ height: virtualizer.getTotalSize(), width: totalWidth, position: 'relative' }}
      >
        {items.map((v) => {
          const line = lines[v.index]!;
          return (
            <div
              key={line.line_id}
              role="row"
              aria-rowindex={v.index + headerRows + 1}
              data-line-id={line.line_id}
              className="g-row g-body-row"
              style={{ transform: `translateY(${v.start}px)`, width: totalWidth }}
            >
              {cols.map((col, c) => {
                const isFocus = focus.r === v.index && focus.c === c;
                if (isFocus && editing)
                  return (
                    <div
                      key={cellKey(col)}
                      role="gridcell"
                      aria-colindex={c + 1}
                      className={`g-cell g-editing ${lefts[c] !== undefined ? 'g-frozen' : ''}`}
                      style={{ width: col.width, ...(lefts[c] !== undefined ? { left: lefts[c] } : {}) }}
                    >
                      <CellEditor
                        initial={editing.value}
                        numeric={col.kind === 'period' || (col.kind === 'field' && col.numeric)}
                        label={`${line.line_name}, ${col.label}`}
                        onCommit={(value, dir) =>
                          commitEdit(
                            value,
                            dir === 'down'
                              ? { r: focus.r + 1, c: focus.c }
                              : dir === 'right'
                                ? { r: focus.r, c: focus.c + 1 }
                                : dir === 'left'
                                  ? { r: focus.r, c: focus.c - 1 }
                                  : undefined,
                          )
                        }
                        onCancel={() => {
                          setEditing(undefined);
                          scrollRef.current?.focus({ preventScroll: true });
                        }}
                      />
                    </div>
                  );
                const key = cellKey(col);
                return (
                  <Cell
                    key={cellKey(col)}
                    line={line}
                    col={col}
                    r={v.index}
                    c={c}
                    left={lefts[c]}
                    selected={inRange(range, v.index, c)}
                    focused={isFocus}
                    error={errors.get(errorKey(line.line_id, key))}
                    remote={remoteByCell.get(errorKey(line.line_id, key))}
                  />
                );
              })}
            </div>
          );
        })}
      </div>
      <div
        role="rowgroup"
        className="g-foot-group"
        style={{ width: totalWidth }}
        aria-busy={totals ? undefined : true}
        title={totals ? undefined : 'Totals are shown once every line has loaded'}
        data-testid="grid-totals"
      >
        {footer.map((f, i) => (
          <div
            key={f.key}
            role="row"
            aria-rowindex={lines.length + headerRows + 1 + i}
            className="g-row"
            data-total={f.key}
          >
            {cols.map((col, c) => footerCell(f.values, col, c, f.label))}
          </div>
        ))}
      </div>
    </div>
  );
}

function CellEditor({
  initial,
  numeric,
  label,
  onCommit,
  onCancel,
}: {
  initial: string;
  numeric: boolean;
  label: string;
  onCommit(value: string, dir?: 'down' | 'right' | 'left'): void;
  onCancel(): void;
}) {
  const [value, setValue] = useState(initial);
  const done = useRef(false);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    const end = el.value.length;
    el.setSelectionRange(end, end);
  }, []);
  const finish = (dir?: 'down' | 'right' | 'left') => {
    if (done.current) return;
    done.current = true;
    onCommit(value, dir);
  };
  return (
    <input
      ref={ref}
      aria-label={label}
      className={`g-input ${numeric ? 'num' : ''}`}
      value={value}
      onChange={(e) => setValue(e.currentTarget.value)}
      onBlur={() => finish()}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter') {
          e.preventDefault();
          finish('down');
        } else if (e.key === 'Tab') {
          e.preventDefault();
          finish(e.shiftKey ? 'left' : 'right');
        } else if (e.key === 'Escape') {
          e.preventDefault();
          done.current = true;
          onCancel();
        }
      }}
    />
  );
}

export type { CellChange };
