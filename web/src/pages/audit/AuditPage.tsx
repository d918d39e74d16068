/** The audit log (GET /audit): filters by entity, user, action and date; each entry's before/after as a diff. */
import { Badge, Button, Code, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type paths, unwrap } from '../../api/client.ts';
import { Empty, ErrorAlert, Loading } from '../../components/common.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useUserNames } from '../../lib/users.ts';

type Entry =
  paths['/api/budgeting-forecasting/audit']['get']['responses'][200]['content']['application/json']['items'][number];

interface Filters {
  entity_type: string;
  entity_id: string;
  user_id: string;
  action: string;
  from: string;
  to: string;
}
const EMPTY: Filters = { entity_type: '', entity_id: '', user_id: '', action: '', from: '', to: '' };

/** Dates typed as YYYY-MM-DD become the day's start (from) or end (to), in UTC. */
function toQuery(f: Filters) {
  const q: Record<string, string> = {};
  for (const k of ['entity_type', 'entity_id', 'user_id', 'action'] as const)
    if (f[k].trim()) q[k] = f[k].trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.from)) q.from = `${f.from}T00:00:00Z`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.to)) q.to = `${f.to}T23:59:59Z`;
  return q;
}

export default function AuditPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [open, setOpen] = useState<Entry>();
  const entries = useInfiniteQuery({
    queryKey: ['audit', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/budgeting-forecasting/audit', {
          params: { query: { ...toQuery(filters), limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = entries.data?.pages.flatMap((p) => p.items) ?? [];
  // The log names users by id; the user directory (GET /users) says who that is.
  const userLabel = useUserNames();
  const field = (k: keyof Filters, label: string, placeholder?: string) => (
    <TextInput
      label={label}
      placeholder={placeholder}
      value={draft[k]}
      onChange={(e) => setDraft({ ...draft, [k]: e.currentTarget.value })}
      w={k === 'entity_id' || k === 'user_id' ? 200 : 125}
    />
  );
  return (
    <Stack>
      <Title order={1} size="h2">
        Audit log
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <Group align="flex-end">
          {field('entity_type', 'Entity', 'budget')}
          {field('entity_id', 'Entity id')}
          {field('user_id', 'User id')}
          {field('action', 'Action', 'budget.approved')}
          {field('from', 'From', 'YYYY-MM-DD')}
          {field('to', 'To', 'YYYY-MM-DD')}
          <Button type="submit" data-testid="audit-filter">
            Filter
          </Button>
          <Button
            variant="default"
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
            }}
          >
            Clear
          </Button>
        </Group>
      </form>
      {entries.isPending && <Loading rows={8} />}
      {entries.isError && <ErrorAlert error={entries.error} />}
      {entries.data && items.length === 0 && (
        <Empty title="No entries">Nothing was recorded that matches these filters.</Empty>
      )}
      {items.length > 0 && (
        <Table striped highlightOnHover withTableBorder fz="sm" data-testid="audit-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Entity</Table.Th>
              <Table.Th>User</Table.Th>
              <Table.Th>Changed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((e) => (
              <Table.Tr key={e.audit_id} onClick={() => setOpen(e)} style={{ cursor: 'pointer' }}>
                <Table.Td>{formatDateTime(e.occurred_at)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" tt="none">
                    {e.action}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {e.entity_type}{' '}
                  <Text span size="xs" c="dimmed">
                    {e.entity_id ? `…${e.entity_id.slice(-8)}` : ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" title={e.user_id}>
                    {userLabel(e.user_id)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed">
                    {diff(e.before, e.after)
                      .filter((d) => d.changed)
                      .map((d) => d.key)
                      .slice(0, 5)
                      .join(', ')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {entries.hasNextPage && (
        <Button
          variant="default"
          onClick={() => entries.fetchNextPage()}
          loading={entries.isFetchingNextPage}
          w={200}
        >
          Show older entries
        </Button>
      )}
      <Modal
        opened={Boolean(open)}
        onClose={() => setOpen(undefined)}
        title={open ? `${open.action} · ${formatDateTime(open.occurred_at)}` : ''}
        size="xl"
      >
        {open && <Diff entry={open} userLabel={userLabel} />}
      </Modal>
    </Stack>
  );
}

const show = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** Field by field: the keys of before and after, marking what changed. */
function diff(before: unknown, after: unknown) {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.map((key) => ({ key, before: b[key], after: a[key], changed: show(b[key]) !== show(a[key]) }));
}

function Diff({ entry, userLabel }: { entry: Entry; userLabel: (id: string) => string }) {
  const rows = diff(entry.before, entry.after);
  return (
    <Stack data-testid="audit-diff">
      <Text size="sm" c="dimmed">
        {entry.entity_type} {entry.entity_id} · by {userLabel(entry.user_id)}
        {entry.request_id ? ` · request ${entry.request_id}` : ''}
      </Text>
      <Table withTableBorder fz="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Field</Table.Th>
            <Table.Th>Before</Table.Th>
            <Table.Th>After</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.key} bg={r.changed ? 'var(--mantine-color-yellow-light)' : undefined}>
              <Table.Td fw={r.changed ? 600 : undefined}>{r.key}</Table.Td>
              <Table.Td c={r.changed ? 'red' : undefined}>
                <Code fz="xs" style={{ whiteSpace: 'pre-wrap' }}>
                  {show(r.before)}
                </Code>
              </Table.Td>
              <Table.Td c={r.changed ? 'teal' : undefined}>
                <Code fz="xs" style={{ whiteSpace: 'pre-wrap' }}>
                  {show(r.after)}
                </Code>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
