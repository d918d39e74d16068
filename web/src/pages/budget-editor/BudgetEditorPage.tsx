/**
 * The budget editor: the lines × months grid with quarter and full-year columns, totals by line
 * type and period and the net result, saving each changed line through the API (months with
 * PUT …/lines/:lineId/periods, line fields with PUT …/lines/:lineId), errors shown on the cell
 * their `path` names, undo / redo, optimistic-lock conflicts explained, an offline queue, and
 * live collaboration (presence, others' cursors and edits, comments).
 */
import {
  Alert,
  Anchor,
  Avatar,
  Badge,
  Button,
  Drawer,
  Group,
  Kbd,
  Modal,
  Popover,
  Skeleton,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
  Tooltip,
} from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, api, explainError, type Schemas, unwrap } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { formatDateTime, formatLocale, formatTime } from '../../lib/format.ts';
import { useCan } from '../../lib/permissions.tsx';
import { useUserNames } from '../../lib/users.ts';
import { colorOf, type RemoteLineUpdate, type SessionConflict, useCollaboration } from './collab.ts';
import { errorKey, Grid, type RemoteCursor } from './Grid.tsx';
import { loadBudget, useEditorLoad } from './load.ts';
import {
  applyChanges,
  type CellChange,
  type ChangeResult,
  type Column,
  cellKey,
  columnsFor,
  type GridLine,
  type Pos,
  totalsOf,
} from './model.ts';

const P = '/api/budgeting-forecasting';
const EDITABLE = new Set(['draft', 'rejected']);
const CONCURRENCY = 6;

type Budget = Schemas['Budget'];

interface Pending {
  fields: Map<string, string>;
  periods: Map<number, string>;
}

interface Conflict {
  line: GridLine;
  mine: Pending;
  by: string;
  at: string | null;
  /** Further lines of the same save that were changed too (a pasted block). */
  more: { line: GridLine; mine: Pending }[];
}

/** Lines per bulk periods request (a pasted block): one transaction each. */
const BULK_LINES = 2000;

export default function BudgetEditorPage() {
  const { budgetId = '' } = useParams();
  const can = useCan();
  const { me } = useSession();
  const userName = useUserNames();
  const load = useEditorLoad(budgetId);
  const { complete } = load;

  const [lines, setLinesState] = useState<GridLine[]>([]);
  const linesRef = useRef<GridLine[]>([]);
  const setLines = useCallback((f: (l: GridLine[]) => GridLine[]) => {
    linesRef.current = f(linesRef.current);
    setLinesState(linesRef.current);
  }, []);
  const [budget, setBudget] = useState<Budget>();
  const [errors, setErrors] = useState(new Map<string, string>());
  const [saving, setSaving] = useState(0);
  const [queued, setQueued] = useState(0);
  const [offline, setOffline] = useState(false);
  const [conflict, setConflict] = useState<Conflict>();
  const [sessionConflict, setSessionConflict] = useState<SessionConflict>();
  const [commentsFor, setCommentsFor] = useState<GridLine>();
  const [focusInfo, setFocusInfo] = useState<{ line?: GridLine; col?: Column }>({});
  const undo = useRef<{ changes: CellChange[]; label: string }[]>([]);
  const redo = useRef<{ changes: CellChange[]; label: string }[]>([]);
  const pending = useRef(new Map<string, Pending>());
  const inFlight = useRef(new Set<string>());

  // The first screen of lines, then every line (nothing is edited before: see load.ts).
  useEffect(() => {
    if (!load.data) return;
    linesRef.current = load.data.lines;
    setLinesState(load.data.lines);
    setBudget(load.data.budget);
  }, [load.data]);

  const periodStarts = load.data?.periodStarts;
  const cols = useMemo(() => columnsFor(periodStarts ?? [], formatLocale()), [periodStarts]);
  const periodCount = periodStarts?.length ?? 0;
  // Totals are only final with every line: none while the first screen is all there is.
  const totals = useMemo(
    () => (complete ? totalsOf(lines, periodCount) : undefined),
    [complete, lines, periodCount],
  );
  const mayEdit = Boolean(budget && EDITABLE.has(budget.status) && can('budgets:write'));
  const editable = mayEdit && complete;
  const currency = budget?.base_currency;

  const setCellErrors = useCallback((lineId: string, keys: string[], entries: [string, string][]) => {
    setErrors((prev) => {
      const next = new Map(prev);
      for (const k of keys) next.delete(errorKey(lineId, k));
      for (const [k, m] of entries) next.set(errorKey(lineId, k), m);
      return next;
    });
  }, []);

  const countPending = useCallback(() => {
    let n = 0;
    for (const p of pending.current.values()) n += p.fields.size + p.periods.size;
    setQueued(n);
  }, []);

  // ---- saving ----
  const saveLine = useCallback(
    async (lineId: string): Promise<'done' | 'retry'> => {
      const work = pending.current.get(lineId);
      if (!work) return 'done';
      pending.current.delete(lineId);
      const line = linesRef.current.find((l) => l.line_id === lineId);
      if (!line) return 'done';
      const sentKeys = [...work.fields.keys(), ...[...work.periods.keys()].map((i) => `periods.${i}`)];
      let version = line.version;
      try {
        if (work.fields.size) {
          const body: Record<string, unknown> = { version };
          for (const [k, v] of work.fields) body[k] = v === '' && k !== 'line_name' ? null : v;
          const saved = await unwrap(
            api.PUT(`${P}/budgets/{id}/lines/{lineId}`, {
              params: { path: { id: budgetId, lineId } },
              body: body as { version: number },
            }),
          );
          version = saved.version;
          setLines((ls) =>
            ls.map((l) =>
              l.line_id === lineId
                ? {
                    ...l,
                    version,
                    updated_by: saved.updated_by,
                    updated_at: saved.updated_at,
                    spread_method: saved.spread_method,
                  }
                : l,
            ),
          );
        }
        if (work.periods.size) {
          const sent = [...work.periods.entries()].map(([period_index, amount]) => ({
            period_index,
            amount,
          }));
          const saved = await unwrap(
            api.PUT(`${P}/budgets/{id}/lines/{lineId}/periods`, {
              params: { path: { id: budgetId, lineId } },
              body: { version, periods: sent },
            }),
          );
          version = saved.version;
          setLines((ls) =>
            ls.map((l) =>
              l.line_id === lineId
                ? {
                    ...l,
                    version,
                    amount: saved.amount,
                    spread_method: saved.spread_method,
                    updated_by: me?.user_id ?? l.updated_by,
                    updated_at: new Date().toISOString(),
                  }
                : l,
            ),
          );
        }
        setCellErrors(lineId, sentKeys, []);
        return 'done';
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (e.status === 0 || e.status >= 500 || e.status === 429) {
          // Not saved: put it back in front of anything newer and retry when we are back.
          const again = pending.current.get(lineId);
          for (const [k, v] of work.fields) if (!again?.fields.has(k)) (again ?? work).fields.set(k, v);
          for (const [k, v] of work.periods) if (!again?.periods.has(k)) (again ?? work).periods.set(k, v);
          pending.current.set(lineId, again ?? work);
          return 'retry';
        }
        if (e.code === 'version_conflict') {
          // The 409 says who and when; the fresh line is for "reload their version".
          const fresh = await loadBudget(budgetId).catch(() => undefined);
          const now = fresh?.lines.find((l) => l.line_id === lineId) ?? line;
          const by = typeof e.body.updated_by === 'string' ? e.body.updated_by : now.updated_by;
          const at = typeof e.body.updated_at === 'string' ? e.body.updated_at : now.updated_at;
          setConflict({ line: now, mine: work, by: by ?? 'another user', at, more: [] });
          // (the dialog shows the name when the user is in the session)
          return 'done';
        }
        // Validation and business rules: on the cell the path names (or the line's name cell).
        const entries: [string, string][] = [];
        const sentPeriods = [...work.periods.keys()];
        for (const fe of e.errors) {
          const m = /^periods\.(\d+)/.exec(fe.path);
          if (m) entries.push([`periods.${sentPeriods[Number(m[1])] ?? m[1]}`, fe.message]);
          else if (fe.path === 'periods')
            for (const i of sentPeriods) entries.push([`periods.${i}`, fe.message]);
          else if (work.fields.has(fe.path.split('.')[0]!))
            entries.push([fe.path.split('.')[0]!, fe.message]);
          else entries.push([sentKeys[0] ?? 'line_name', fe.message]);
        }
        if (entries.length === 0) entries.push([sentKeys[0] ?? 'line_name', explainError(e).message]);
        setCellErrors(lineId, sentKeys, entries);
        notifications.show({
          color: 'red',
          title: explainError(e).title,
          message: `${line.line_name}: ${entries[0]![1]}`,
        });
        return 'done';
      }
    },
    [budgetId, me, setLines, setCellErrors],
  );

  /**
   * Saves the months of many lines in one request (`PUT /budgets/:id/periods`, one transaction):
   * a pasted block or a fill. All or nothing on the server, so on a field error the refused
   * lines keep their error and the others are queued again; on a conflict every stale line is
   * explained and the others are queued again.
   */
  const saveBulk = useCallback(
    async (lineIds: string[]): Promise<'done' | 'retry'> => {
      const batch: { line: GridLine; work: Pending }[] = [];
      for (const id of lineIds) {
        const work = pending.current.get(id);
        const line = linesRef.current.find((l) => l.line_id === id);
        pending.current.delete(id);
        if (work && line) batch.push({ line, work });
      }
      if (batch.length === 0) return 'done';
      const sentPeriods = batch.map(({ work }) => [...work.periods.keys()]);
      const requeue = (items: typeof batch) => {
        for (const { line, work } of items) {
          const again = pending.current.get(line.line_id);
          if (again) for (const [k, v] of work.periods) if (!again.periods.has(k)) again.periods.set(k, v);
          pending.current.set(line.line_id, again ?? work);
        }
      };
      try {
        const saved = await unwrap(
          api.PUT(`${P}/budgets/{id}/periods`, {
            params: { path: { id: budgetId } },
            body: {
              lines: batch.map(({ line, work }) => ({
                line_id: line.line_id,
                version: line.version,
                periods: [...work.periods.entries()].map(([period_index, amount]) => ({
                  period_index,
                  amount,
                })),
              })),
            },
          }),
        );
        const byId = new Map(saved.lines.map((l) => [l.line_id, l]));
        setLines((ls) =>
          ls.map((l) => {
            const s = byId.get(l.line_id);
            return s
              ? {
                  ...l,
                  version: s.version,
                  amount: s.amount,
                  spread_method: s.spread_method,
                  updated_by: me?.user_id ?? l.updated_by,
                  updated_at: s.updated_at,
                }
              : l;
          }),
        );
        setErrors((prev) => {
          if (prev.size === 0) return prev;
          const next = new Map(prev);
          batch.forEach(({ line }, i) => {
            for (const p of sentPeriods[i]!) next.delete(errorKey(line.line_id, `periods.${p}`));
          });
          return next;
        });
        return 'done';
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (e.status === 0 || e.status >= 500 || e.status === 429) {
          requeue(batch);
          return 'retry';
        }
        // Which lines of the batch the errors name (`lines.N…`).
        const named = new Map<number, { path: string; message: string }[]>();
        for (const fe of e.errors) {
          const m = /^lines\.(\d+)(?:\.(.*))?$/.exec(fe.path);
          if (!m) continue;
          const list = named.get(Number(m[1])) ?? [];
          list.push({ path: m[2] ?? '', message: fe.message });
          named.set(Number(m[1]), list);
        }
        if (named.size === 0) {
          notifications.show({
            color: 'red',
            title: explainError(e).title,
            message: explainError(e).message,
          });
          return 'done';
        }
        requeue(batch.filter((_, i) => !named.has(i)));
        if (e.code === 'version_conflict') {
          const fresh = await loadBudget(budgetId).catch(() => undefined);
          const stale = [...named.keys()].map((i) => {
            const { line, work } = batch[i]!;
            return { line: fresh?.lines.find((l) => l.line_id === line.line_id) ?? line, mine: work };
          });
          const [first, ...more] = stale;
          if (first)
            setConflict({
              line: first.line,
              mine: first.mine,
              by: first.line.updated_by ?? 'another user',
              at: first.line.updated_at,
              more,
            });
          return 'done';
        }
        // Field errors on the cell each path names (lines.N.periods.M.amount → that month).
        for (const [i, list] of named) {
          const { line } = batch[i]!;
          const entries: [string, string][] = list.map(({ path, message }) => {
            const m = /^periods\.(\d+)/.exec(path);
            const month = m ? sentPeriods[i]![Number(m[1])] : undefined;
            return [month !== undefined ? `periods.${month}` : `periods.${sentPeriods[i]![0] ?? 0}`, message];
          });
          setCellErrors(
            line.line_id,
            sentPeriods[i]!.map((p) => `periods.${p}`),
            entries,
          );
        }
        const [i0, list0] = [...named.entries()][0]!;
        notifications.show({
          color: 'red',
          title: explainError(e).title,
          message: `${batch[i0]!.line.line_name}: ${list0[0]!.message}${named.size > 1 ? ` (and ${named.size - 1} more lines)` : ''}`,
        });
        return 'done';
      }
    },
    [budgetId, me, setLines, setCellErrors],
  );

  const retryTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const flush = useCallback(async () => {
    const ids = [...pending.current.keys()].filter((id) => !inFlight.current.has(id));
    if (ids.length === 0) return;
    setSaving((n) => n + 1);
    let failed = false;
    // Months only, on more than one line: one bulk request per BULK_LINES lines.
    const monthsOnly = ids.filter((id) => pending.current.get(id)?.fields.size === 0);
    const bulk = monthsOnly.length > 1 ? monthsOnly : [];
    const bulkSet = new Set(bulk);
    const rest = ids.filter((id) => !bulkSet.has(id));
    for (const id of bulk) inFlight.current.add(id);
    const bulkDone = (async () => {
      for (let i = 0; i < bulk.length && !failed; i += BULK_LINES) {
        const chunk = bulk.slice(i, i + BULK_LINES);
        try {
          if ((await saveBulk(chunk)) === 'retry') failed = true;
        } finally {
          for (const id of chunk) inFlight.current.delete(id);
        }
      }
      for (const id of bulk) inFlight.current.delete(id);
    })();
    const next = async (): Promise<void> => {
      const id = rest.shift();
      if (!id) return;
      inFlight.current.add(id);
      try {
        if ((await saveLine(id)) === 'retry') failed = true;
      } finally {
        inFlight.current.delete(id);
      }
      if (!failed) return next();
    };
    await Promise.all([bulkDone, ...Array.from({ length: CONCURRENCY }, next)]);
    setSaving((n) => n - 1);
    setOffline(failed);
    countPending();
    if (failed) {
      clearTimeout(retryTimer.current);
      retryTimer.current = setTimeout(() => void flush(), 2000);
    } else if ([...pending.current.keys()].some((id) => !inFlight.current.has(id))) void flush();
  }, [saveLine, saveBulk, countPending]);

  useEffect(() => {
    const online = () => void flush();
    window.addEventListener('online', online);
    const leave = (e: BeforeUnloadEvent) => {
      if (pending.current.size) e.preventDefault();
    };
    window.addEventListener('beforeunload', leave);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('beforeunload', leave);
      clearTimeout(retryTimer.current);
    };
  }, [flush]);

  const enqueue = useCallback(
    (changes: readonly CellChange[], use: 'before' | 'after') => {
      for (const ch of changes) {
        const p = pending.current.get(ch.lineId) ?? { fields: new Map(), periods: new Map() };
        if (ch.key.startsWith('periods.')) p.periods.set(Number(ch.key.slice(8)), ch[use]);
        else p.fields.set(ch.key, ch[use]);
        pending.current.set(ch.lineId, p);
      }
      countPending();
      void flush();
    },
    [flush, countPending],
  );

  const onChange = useCallback(
    (result: ChangeResult, label: string) => {
      if (result.rejected.length) {
        const first = result.rejected[0]!;
        const line = linesRef.current[first.r];
        const col = cols[first.c];
        if (line && col)
          setCellErrors(
            line.line_id,
            [],
            result.rejected.map((x) => [cellKey(cols[x.c]!), x.message]),
          );
        notifications.show({
          color: 'orange',
          title: `${result.rejected.length} value${result.rejected.length > 1 ? 's' : ''} not accepted`,
          message: first.message,
        });
      }
      if (!editable || result.changes.length === 0) return;
      setLines((ls) => applyChanges(ls, result.changes, 'after'));
      undo.current.push({ changes: result.changes, label });
      if (undo.current.length > 200) undo.current.shift();
      redo.current = [];
      enqueue(result.changes, 'after');
    },
    [editable, cols, setLines, enqueue, setCellErrors],
  );

  const onUndo = useCallback(() => {
    const op = undo.current.pop();
    if (!op || !editable) return;
    redo.current.push(op);
    setLines((ls) => applyChanges(ls, op.changes, 'before'));
    enqueue(op.changes, 'before');
    notifications.show({ message: `Undone: ${op.label}`, autoClose: 1500 });
  }, [editable, setLines, enqueue]);
  const onRedo = useCallback(() => {
    const op = redo.current.pop();
    if (!op || !editable) return;
    undo.current.push(op);
    setLines((ls) => applyChanges(ls, op.changes, 'after'));
    enqueue(op.changes, 'after');
  }, [editable, setLines, enqueue]);

  // ---- collaboration ----
  const reload = load.reload;
  const [comments, setComments] = useState<Record<string, unknown>[]>([]);
  // Joined once every line is loaded: a remote edit never lands on the first screen only.
  const sessionName = complete ? budget?.budget_name : undefined;
  const collab = useCollaboration(budgetId, sessionName, can('budgets:write'), {
    onLinesUpdated: (us: RemoteLineUpdate[]) => {
      const byId = new Map(us.map((u) => [u.target_id, u]));
      setLines((ls) =>
        ls.map((l) => {
          const u = byId.get(l.line_id);
          if (!u) return l;
          const remoteVersion = typeof u.line.version === 'number' ? u.line.version : undefined;
          if (remoteVersion !== undefined && remoteVersion <= l.version) return l;
          const mine = pending.current.get(l.line_id);
          const next: GridLine = { ...l, version: remoteVersion ?? l.version };
          for (const k of [
            'line_name',
            'line_type',
            'category',
            'gl_account_id',
            'department_id',
            'cost_center_id',
            'quantity',
            'unit_cost',
            'spread_method',
            'amount',
          ] as const) {
            if (k in u.line && !mine?.fields.has(k))
              (next as unknown as Record<string, unknown>)[k] = u.line[k];
          }
          const periods = u.line.periods;
          if (Array.isArray(periods))
            next.periods = periods.map((p, i) => (mine?.periods.has(i) ? l.periods[i]! : String(p)));
          next.updated_by = u.user_id;
          next.updated_at = u.timestamp;
          return next;
        }),
      );
    },
    onReload: reload,
    onComment: (c) => setComments((cs) => (cs.some((x) => x.comment_id === c.comment_id) ? cs : [...cs, c])),
    onBudgetUpdated: (b) => {
      if (b && typeof b === 'object' && 'budget_id' in b)
        setBudget((old) => ({ ...(old as Budget), ...(b as Partial<Budget>) }));
    },
    // Never swallowed: the session's conflict is explained like a save's.
    onConflict: setSessionConflict,
  });

  const remote: RemoteCursor[] = useMemo(
    () =>
      [...collab.cursors.entries()]
        .filter(([userId]) => userId !== collab.me)
        .map(([userId, c]) => ({
          userId,
          name: c.name,
          color: colorOf(userId),
          lineId: c.lineId,
          field: c.field,
        })),
    [collab.cursors, collab.me],
  );

  const lastCursor = useRef('');
  const onSelect = useCallback(
    (pos: Pos, line: GridLine | undefined, col: Column | undefined) => {
      setFocusInfo({ line, col });
      if (!line || !col) return;
      const key = `${line.line_id}|${cellKey(col)}`;
      if (key === lastCursor.current) return;
      lastCursor.current = key;
      collab.sendCursor(line.line_id, cellKey(col), pos.r, pos.c);
    },
    [collab],
  );

  const { ref: sizeRef, height: areaHeight } = useElementSize();

  if (load.isPending)
    return (
      <Stack>
        <Skeleton height={32} width="40%" />
        <Skeleton height={480} />
      </Stack>
    );
  if (load.error)
    return (
      <Alert color="red" title={explainError(load.error).title}>
        {explainError(load.error).message}{' '}
        <Anchor component={Link} to="/budgets">
          Back to budgets
        </Anchor>
      </Alert>
    );

  const focusError =
    focusInfo.line && focusInfo.col
      ? errors.get(errorKey(focusInfo.line.line_id, cellKey(focusInfo.col)))
      : undefined;
  const online = collab.participants.filter((p) => p.online);
  const nameOf = (userId: string | null) => {
    if (!userId) return '—';
    if (userId === me?.user_id) return 'you';
    const p = collab.participants.find((x) => x.user_id === userId);
    return p?.user_name ?? userName(userId);
  };

  return (
    <Stack gap="xs" h="calc(100dvh - 56px - 2 * var(--mantine-spacing-md))">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Stack gap={0}>
          <Group gap="xs">
            <Anchor component={Link} to="/budgets" size="sm">
              Budgets
            </Anchor>
            <Text size="sm" c="dimmed">
              /
            </Text>
          </Group>
          <Group gap="sm">
            <Title order={1} size="h3" data-testid="budget-title">
              {budget?.budget_name}
            </Title>
            <Badge variant="light">{budget?.status.replace('_', ' ')}</Badge>
            <Text size="sm" c="dimmed">
              FY {budget?.fiscal_year} · {currency} ·{' '}
              {(complete ? lines.length : (load.data?.lineCount ?? 0)).toLocaleString(formatLocale())} lines
            </Text>
          </Group>
        </Stack>
        <Group gap="sm" wrap="nowrap" style={{ flexShrink: 0 }}>
          <Tooltip.Group>
            <Avatar.Group spacing="sm" data-testid="presence">
              {online.map((p) => (
                <Tooltip
                  key={p.user_id}
                  label={`${p.user_name ?? p.user_id} (${p.role})${p.user_id === collab.me ? ' — you' : ''}`}
                >
                  <Avatar
                    size="sm"
                    radius="xl"
                    color={colorOf(p.user_id)}
                    variant="filled"
                    data-user={p.user_id}
                  >
                    {(p.user_name ?? p.user_id).slice(0, 2).toUpperCase()}
                  </Avatar>
                </Tooltip>
              ))}
            </Avatar.Group>
          </Tooltip.Group>
          {!complete && (
            <Badge color="gray" variant="light" data-testid="grid-loading">
              loading lines — {lines.length.toLocaleString(formatLocale())} of{' '}
              {(load.data?.lineCount ?? 0).toLocaleString(formatLocale())}
            </Badge>
          )}
          <SaveState
            saving={saving > 0}
            queued={queued}
            offline={offline || collab.status === 'offline'}
            live={collab.status}
          />
          <ShortcutHelp />
          {focusInfo.line && (
            <Button
              variant="default"
              size="xs"
              onClick={() => setCommentsFor(focusInfo.line)}
              data-testid="open-comments"
            >
              Comments
            </Button>
          )}
        </Group>
      </Group>
      {!mayEdit && budget && (
        <Alert color="gray" p="xs" data-testid="read-only">
          {!can('budgets:write')
            ? 'You can view this budget; your role does not include editing.'
            : `This budget is ${budget.status.replace('_', ' ')}: only draft or rejected budgets can be edited.`}
        </Alert>
      )}
      <div ref={sizeRef} style={{ flex: 1, minHeight: 200 }}>
        {areaHeight > 0 && (
          <Grid
            lines={lines}
            cols={cols}
            totals={totals}
            readOnly={!editable}
            errors={errors}
            remote={remote}
            onChange={onChange}
            onUndo={onUndo}
            onRedo={onRedo}
            onSelect={onSelect}
            height={areaHeight}
          />
        )}
      </div>
      <Group justify="space-between" gap="xs" mih={24}>
        <Text size="xs" c={focusError ? 'red' : 'dimmed'} data-testid="cell-status" role="status">
          {focusError
            ? `${focusInfo.line?.line_name}, ${focusInfo.col?.label}: ${focusError}`
            : focusInfo.line
              ? `${focusInfo.line.line_name} · last changed by ${nameOf(focusInfo.line.updated_by)}${focusInfo.line.updated_at ? ` at ${formatDateTime(focusInfo.line.updated_at)}` : ''}`
              : ''}
        </Text>
        <Text size="xs" c="dimmed">
          Amounts in {currency}
        </Text>
      </Group>

      <Modal
        opened={Boolean(conflict)}
        onClose={() => setConflict(undefined)}
        title="Someone else changed this line"
        data-testid="conflict"
      >
        {conflict && (
          <Stack>
            <Text>
              “{conflict.line.line_name}” was changed by <b>{nameOf(conflict.by)}</b>
              {conflict.at ? ` at ${formatTime(conflict.at)}` : ''} after you loaded it
              {conflict.more.length
                ? `, and ${conflict.more.length.toLocaleString(formatLocale())} more line${conflict.more.length > 1 ? 's' : ''} of the same change were changed too`
                : ''}
              . Your change {conflict.more.length ? 'to these lines ' : ''}was not saved.
            </Text>
            <Group justify="flex-end">
              <Button
                variant="default"
                onClick={() => {
                  const theirs = new Map(
                    [conflict, ...conflict.more].map((c) => [c.line.line_id, c.line] as const),
                  );
                  setLines((ls) => ls.map((l) => theirs.get(l.line_id) ?? l));
                  setConflict(undefined);
                }}
              >
                Reload their version
              </Button>
              <Button
                onClick={() => {
                  const all = [conflict, ...conflict.more];
                  const versions = new Map(all.map((c) => [c.line.line_id, c.line.version] as const));
                  setLines((ls) =>
                    ls.map((l) => {
                      const v = versions.get(l.line_id);
                      return v === undefined ? l : { ...l, version: v };
                    }),
                  );
                  for (const c of all) pending.current.set(c.line.line_id, c.mine);
                  setConflict(undefined);
                  void flush();
                }}
              >
                Keep mine
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <Modal
        opened={Boolean(sessionConflict)}
        onClose={() => setSessionConflict(undefined)}
        title="Conflicting changes in the live session"
        data-testid="session-conflict"
      >
        {sessionConflict &&
          (() => {
            const line = linesRef.current.find((l) => l.line_id === sessionConflict.target_id);
            const last = sessionConflict.conflicting_edits?.at(-1);
            const outcome: Record<string, string> = {
              pending: 'The change waits for an editor or the owner to resolve it.',
              rejected: 'The later change was refused.',
              last_writer_wins: 'The later change was applied over it.',
            };
            return (
              <Stack>
                <Text>
                  “{line?.line_name ?? 'A line'}” was changed by <b>{nameOf(last?.user_id ?? null)}</b>
                  {last ? ` at ${formatTime(last.timestamp)}` : ''}
                  {sessionConflict.user_id ? (
                    <>
                      {' '}
                      while <b>{nameOf(sessionConflict.user_id)}</b> was changing it too
                    </>
                  ) : null}
                  . {outcome[sessionConflict.resolution] ?? ''}
                </Text>
                <Group justify="flex-end">
                  <Button
                    variant="default"
                    onClick={() => {
                      setSessionConflict(undefined);
                      reload();
                    }}
                  >
                    Reload
                  </Button>
                  <Button onClick={() => setSessionConflict(undefined)}>Keep mine</Button>
                </Group>
              </Stack>
            );
          })()}
      </Modal>
      <CommentsDrawer
        budgetId={budgetId}
        line={commentsFor}
        live={comments}
        onClose={() => setCommentsFor(undefined)}
        send={(lineId, body) => collab.sendComment(lineId, body)}
        liveConnected={collab.status === 'live'}
      />
    </Stack>
  );
}

function SaveState({
  saving,
  queued,
  offline,
  live,
}: {
  saving: boolean;
  queued: number;
  offline: boolean;
  live: string;
}) {
  if (offline)
    return (
      <Badge color="orange" variant="filled" data-testid="save-state">
        offline — {queued} change{queued === 1 ? '' : 's'} queued
      </Badge>
    );
  if (saving || queued)
    return (
      <Badge color="blue" variant="light" data-testid="save-state">
        saving…
      </Badge>
    );
  return (
    <Badge color={live === 'live' ? 'green' : 'gray'} variant="light" data-testid="save-state">
      {live === 'live' ? 'all changes saved · live' : 'all changes saved'}
    </Badge>
  );
}

const SHORTCUTS: [string, string][] = [
  ['Arrows, Tab, Home/End, PgUp/PgDn', 'move'],
  ['Shift + arrows / Shift + click / drag', 'select a range'],
  ['Enter, F2 or type', 'edit the cell'],
  ['Enter / Tab / Esc (editing)', 'save and move down / right, cancel'],
  ['Ctrl + C / Ctrl + V', 'copy as TSV / paste from Excel or Sheets'],
  ['Ctrl + D / Ctrl + R', 'fill down / right'],
  ['Delete', 'clear the range (months to 0)'],
  ['Ctrl + Z / Ctrl + Y', 'undo / redo'],
  ['Ctrl + A', 'select all'],
];

function ShortcutHelp() {
  return (
    <Popover position="bottom-end" withArrow>
      <Popover.Target>
        <Button variant="subtle" size="xs" aria-label="Keyboard shortcuts">
          Shortcuts
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Table>
          <Table.Tbody>
            {SHORTCUTS.map(([k, what]) => (
              <Table.Tr key={k}>
                <Table.Td>
                  <Kbd size="xs">{k}</Kbd>
                </Table.Td>
                <Table.Td>{what}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Popover.Dropdown>
    </Popover>
  );
}

function CommentsDrawer({
  budgetId,
  line,
  live,
  onClose,
  send,
  liveConnected,
}: {
  budgetId: string;
  line: GridLine | undefined;
  live: Record<string, unknown>[];
  onClose(): void;
  send(lineId: string, body: string): void;
  liveConnected: boolean;
}) {
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const list = useQuery({
    queryKey: ['comments', budgetId, line?.line_id],
    enabled: Boolean(line),
    queryFn: () =>
      unwrap(
        api.GET(`${P}/budgets/{id}/comments`, {
          params: { path: { id: budgetId }, query: { line_id: line!.line_id } },
        }),
      ),
  });
  const items = useMemo(() => {
    const fetched = (list.data?.items ?? []) as unknown as Record<string, unknown>[];
    const ids = new Set(fetched.map((c) => c.comment_id));
    return [...fetched, ...live.filter((c) => c.line_id === line?.line_id && !ids.has(c.comment_id))];
  }, [list.data, live, line]);
  const post = async () => {
    if (!line || !body.trim()) return;
    setBusy(true);
    try {
      if (liveConnected) send(line.line_id, body.trim());
      else
        await unwrap(
          api.POST(`${P}/budgets/{id}/comments`, {
            params: { path: { id: budgetId } },
            body: { body: body.trim(), line_id: line.line_id },
          }),
        );
      setBody('');
      void list.refetch();
    } catch (e) {
      notifications.show({ color: 'red', title: explainError(e).title, message: explainError(e).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Drawer
      opened={Boolean(line)}
      onClose={onClose}
      position="right"
      title={line ? `Comments · ${line.line_name}` : ''}
    >
      <Stack>
        {items.length === 0 && <Text c="dimmed">No comments on this line yet.</Text>}
        {items.map((c) => (
          <Stack key={String(c.comment_id)} gap={2}>
            <Text size="xs" c="dimmed">
              {String(c.user_name ?? c.user_id)} · {c.created_at ? formatDateTime(String(c.created_at)) : ''}
            </Text>
            <Text size="sm">{String(c.body)}</Text>
          </Stack>
        ))}
        <Textarea
          label="Add a comment"
          value={body}
          onChange={(e) => setBody(e.currentTarget.value)}
          autosize
          minRows={2}
        />
        <Button onClick={post} loading={busy} disabled={!body.trim()}>
          Post
        </Button>
      </Stack>
    </Drawer>
  );
}
