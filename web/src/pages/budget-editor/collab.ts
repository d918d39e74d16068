/**
 * Live collaboration on the open budget (docs/collaboration.md): finds or starts the budget's
 * session, joins it, keeps the WebSocket open (auth as the first message, ping, reconnect with
 * backoff and `last_sequence` so the server replays what was missed), and reports presence,
 * others' cursors, their line edits and comments.
 */
import { useEffect, useRef, useState } from 'react';
import { API_PREFIX, api, currentToken, unwrap } from '../../api/client.ts';

export interface Participant {
  user_id: string;
  user_name: string | null;
  role: string;
  online: boolean;
}

export interface RemoteLineUpdate {
  target_id: string;
  changes: Record<string, unknown>;
  line: Record<string, unknown> & { version?: number; periods?: string[] | null };
  user_id: string;
  timestamp: string;
}

export type CollabStatus = 'connecting' | 'live' | 'offline' | 'closed' | 'unavailable';

export interface CollabHandlers {
  /** Others' line edits: one line, or many at once (a pasted block: `budget_periods_updated`). */
  onLinesUpdated(us: RemoteLineUpdate[]): void;
  onReload(): void;
  onComment(c: Record<string, unknown>): void;
  onBudgetUpdated(b: Record<string, unknown>): void;
  /** The session found a conflict on a line (its strategy decides: rejected, pending, overwritten). */
  onConflict(c: SessionConflict): void;
}

/** A `conflict_detected` message (docs/collaboration.md "Conflicts"). */
export interface SessionConflict {
  target_id: string;
  resolution: string;
  strategy: string;
  current?: Record<string, unknown>;
  user_id?: string;
  conflicting_edits?: { user_id: string; timestamp: string }[];
}

const PALETTE = ['#e8590c', '#2f9e44', '#9c36b5', '#1971c2', '#c2255c', '#0c8599', '#f08c00', '#5f3dc4'];
export function colorOf(userId: string): string {
  let h = 0;
  for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

export interface Collaboration {
  status: CollabStatus;
  sessionId: string | undefined;
  me: string | undefined;
  participants: Participant[];
  cursors: Map<string, { lineId: string; field: string; name: string }>;
  sendCursor(lineId: string, field: string, row: number, column: number): void;
  sendComment(lineId: string, body: string): void;
}

export function useCollaboration(
  budgetId: string,
  budgetName: string | undefined,
  canEdit: boolean,
  handlers: CollabHandlers,
  userName?: string,
): Collaboration {
  const [status, setStatus] = useState<CollabStatus>('connecting');
  const [sessionId, setSessionId] = useState<string>();
  const [me, setMe] = useState<string>();
  const [participants, setParticipants] = useState<Participant[]>([]);
  const [cursors, setCursors] = useState(new Map<string, { lineId: string; field: string; name: string }>());
  const socket = useRef<WebSocket | undefined>(undefined);
  const lastSequence = useRef(0);
  const h = useRef(handlers);
  h.current = handlers;

  useEffect(() => {
    if (!budgetName) return;
    let stopped = false;
    let retry = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ping: ReturnType<typeof setInterval> | undefined;
    let joined: string | undefined;

    const connect = (id: string) => {
      if (stopped) return;
      const proto = location.protocol === 'https:' ? 'wss' : 'ws';
      const ws = new WebSocket(`${proto}://${location.host}${API_PREFIX}/ws/collaboration/${id}`);
      socket.current = ws;
      ws.onopen = () => {
        ws.send(JSON.stringify({ type: 'auth', token: currentToken(), last_sequence: lastSequence.current }));
      };
      ws.onmessage = (ev) => {
        let m: Record<string, unknown>;
        try {
          m = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        if (typeof m.sequence === 'number' && m.sequence > lastSequence.current)
          lastSequence.current = m.sequence;
        switch (m.type) {
          case 'welcome':
            retry = 0;
            setMe(String(m.user_id));
            setStatus('live');
            if (typeof m.last_sequence === 'number' && lastSequence.current === 0)
              lastSequence.current = m.last_sequence;
            break;
          case 'presence':
            setParticipants((m.participants as Participant[]) ?? []);
            break;
          case 'user_joined':
            setParticipants((ps) => [
              ...ps.filter((p) => p.user_id !== m.user_id),
              {
                user_id: String(m.user_id),
                user_name: (m.user_name as string) ?? null,
                role: String(m.role),
                online: true,
              },
            ]);
            break;
          case 'user_left':
            setParticipants((ps) => ps.map((p) => (p.user_id === m.user_id ? { ...p, online: false } : p)));
            setCursors((cs) => {
              const next = new Map(cs);
              next.delete(String(m.user_id));
              return next;
            });
            break;
          case 'cursor_position':
            setCursors((cs) =>
              new Map(cs).set(String(m.user_id), {
                lineId: String(m.target_id),
                field: String(m.field),
                name: String(m.user_name ?? m.user_id),
              }),
            );
            break;
          case 'budget_line_updated':
            h.current.onLinesUpdated([m as unknown as RemoteLineUpdate]);
            break;
          case 'budget_periods_updated':
            h.current.onLinesUpdated(
              ((m.lines as Record<string, unknown>[] | undefined) ?? []).map((line) => ({
                target_id: String(line.line_id),
                changes: {},
                line: line as RemoteLineUpdate['line'],
                user_id: String(m.user_id),
                timestamp: String(m.timestamp),
              })),
            );
            break;
          case 'budget_line_added':
          case 'budget_line_deleted':
          case 'budget_lines_changed':
            h.current.onReload();
            break;
          case 'change_hidden':
            // Another department's change (a department scope); one naming a line may have moved
            // a line of ours out of the scope: reload what the scope now holds.
            if (typeof m.target_id === 'string') h.current.onReload();
            break;
          case 'budget_updated':
            h.current.onBudgetUpdated((m.budget as Record<string, unknown>) ?? {});
            break;
          case 'comment_added':
            h.current.onComment((m.comment as Record<string, unknown>) ?? {});
            break;
          case 'ack':
            if ((m.change as { type?: string } | undefined)?.type === 'comment_added')
              h.current.onComment(
                ((m.change as Record<string, unknown>).comment as Record<string, unknown>) ?? {},
              );
            break;
          case 'conflict_detected':
            h.current.onConflict(m as unknown as SessionConflict);
            break;
          case 'resync_required':
            if (m.reason === 'trimmed') {
              lastSequence.current = 0;
              h.current.onReload();
            }
            break;
          default:
            break;
        }
      };
      ws.onclose = (ev) => {
        if (socket.current === ws) socket.current = undefined;
        if (stopped) return;
        if (ev.code === 4010 || ev.code === 4011 || ev.code === 4503) {
          setStatus(ev.code === 4503 ? 'unavailable' : 'closed');
          return;
        }
        setStatus('offline');
        // 4009: the user's department scope changed; the grid must show what the new one holds.
        if (ev.code === 4009) h.current.onReload();
        retry++;
        timer = setTimeout(
          () => (ev.code === 4003 ? start() : connect(id)),
          Math.min(5000, 250 * 2 ** retry),
        );
      };
    };

    const start = async () => {
      try {
        const list = await unwrap(
          api.GET('/api/budgeting-forecasting/collaboration/sessions', {
            params: { query: { budget_id: budgetId, status: 'active' } },
          }),
        );
        const oldest = [...list.items].sort((a, b) => a.created_at.localeCompare(b.created_at))[0];
        const id =
          oldest?.session_id ??
          (
            await unwrap(
              api.POST('/api/budgeting-forecasting/collaboration/sessions', {
                body: { session_name: `Editing ${budgetName}`.slice(0, 255), budget_id: budgetId },
              }),
            )
          ).session_id;
        await unwrap(
          api.POST('/api/budgeting-forecasting/collaboration/sessions/{id}/join', {
            params: { path: { id } },
            body: {
              role: canEdit ? 'editor' : 'viewer',
              ...(userName ? { user_name: userName.slice(0, 255) } : {}),
            },
          }),
        ).catch(async (e) => {
          // The creator is already its owner: joining as editor is refused; join as what we are.
          if (canEdit)
            await unwrap(
              api.POST('/api/budgeting-forecasting/collaboration/sessions/{id}/join', {
                params: { path: { id } },
                body: {},
              }),
            );
          else throw e;
        });
        if (stopped) return;
        joined = id;
        setSessionId(id);
        connect(id);
      } catch (e) {
        if (stopped) return;
        const status = (e as { status?: number }).status;
        if (status === 404 || status === 403) setStatus('unavailable');
        else {
          setStatus('offline');
          retry++;
          timer = setTimeout(start, Math.min(5000, 250 * 2 ** retry));
        }
      }
    };
    start();
    ping = setInterval(() => {
      if (socket.current?.readyState === WebSocket.OPEN)
        socket.current.send(JSON.stringify({ type: 'ping' }));
    }, 30_000);
    const online = () => {
      if (!socket.current && joined) connect(joined);
    };
    window.addEventListener('online', online);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(ping);
      window.removeEventListener('online', online);
      socket.current?.close(1000);
      socket.current = undefined;
    };
  }, [budgetId, budgetName, canEdit, userName]);

  const send = (m: Record<string, unknown>) => {
    if (socket.current?.readyState === WebSocket.OPEN) socket.current.send(JSON.stringify(m));
  };
  return {
    status,
    sessionId,
    me,
    participants,
    cursors,
    sendCursor: (lineId, field, row, column) =>
      send({ type: 'cursor_position', target_id: lineId, field, row, column }),
    sendComment: (lineId, body) =>
      send({ type: 'comment_added', line_id: lineId, body, client_msg_id: `c${Date.now()}` }),
  };
}
