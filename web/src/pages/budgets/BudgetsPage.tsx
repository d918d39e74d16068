/**
 * The budgets list: filters (fiscal year, status, type, department), search, status chips with
 * counts, totals of what is listed, create (blank or from a template version), delete, open.
 */
import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Chip,
  Group,
  Menu,
  Modal,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { BUDGET_STATUSES, BUDGET_TYPES } from '../../../../src/shared/enums.ts';
import { api, explainError, type Schemas, unwrap } from '../../api/client.ts';
import { amountClass, formatAmount, formatDate, sum } from '../../lib/format.ts';
import { Can, useCan } from '../../lib/permissions.tsx';

type Budget = Schemas['Budget'];
const P = '/api/budgeting-forecasting';
const STATUSES = BUDGET_STATUSES;
const TYPES = BUDGET_TYPES;
export const STATUS_COLOR: Record<string, string> = {
  draft: 'gray',
  under_review: 'yellow',
  approved: 'teal',
  active: 'green',
  locked: 'indigo',
  rejected: 'red',
  archived: 'dark',
};
const label = (s: string) =>
  s === 'under_review' ? 'In review' : s.replace('_', ' ').replace(/^./, (c) => c.toUpperCase());

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge
      color={STATUS_COLOR[status] ?? 'gray'}
      variant="light"
      style={{ overflow: 'visible' }}
      miw="fit-content"
    >
      {label(status)}
    </Badge>
  );
}

export default function BudgetsPage() {
  const [params, setParams] = useSearchParams();
  const fiscalYear = params.get('fiscal_year') ?? '';
  const budgetType = params.get('budget_type') ?? '';
  const department = params.get('department_id') ?? '';
  const status = params.get('status') ?? '';
  const deleted = params.get('deleted') === '1';
  const [text, setText] = useState(params.get('text') ?? '');
  const [search] = useDebouncedValue(text, 250);
  const [creating, setCreating] = useState(false);
  const queryClient = useQueryClient();
  const can = useCan();

  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };

  // Every filter but status goes to the API; the status chips count within that set.
  const list = useQuery({
    queryKey: ['budgets', fiscalYear, budgetType, department, search, deleted],
    queryFn: () =>
      unwrap(
        api.GET(`${P}/budgets`, {
          params: {
            query: {
              limit: 100,
              ...(fiscalYear ? { fiscal_year: fiscalYear } : {}),
              ...(budgetType ? { budget_type: budgetType as (typeof TYPES)[number] } : {}),
              ...(department ? { department_id: department } : {}),
              ...(search.trim() ? { text: search.trim() } : {}),
              ...(deleted ? { deleted: true } : {}),
            },
          },
        }),
      ),
  });
  const all = list.data?.items ?? [];
  const shown = status ? all.filter((b) => b.status === status) : all;
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const b of all) m.set(b.status, (m.get(b.status) ?? 0) + 1);
    return m;
  }, [all]);
  const currencies = new Set(shown.map((b) => b.base_currency));
  const one = currencies.size === 1 ? [...currencies][0] : undefined;
  const years = useMemo(() => {
    const y = new Date().getUTCFullYear();
    return Array.from({ length: 8 }, (_, i) => String(y - 3 + i));
  }, []);

  const remove = useMutation({
    mutationFn: (b: Budget) =>
      unwrap(api.DELETE(`${P}/budgets/{id}`, { params: { path: { id: b.budget_id } } })),
    onSuccess: (_d, b) => {
      notifications.show({
        color: 'gray',
        title: 'Budget deleted',
        message: `“${b.budget_name}” was moved out of the list; “Deleted” shows it to restore it.`,
      });
      void queryClient.invalidateQueries({ queryKey: ['budgets'] });
    },
    onError: (e) =>
      notifications.show({ color: 'red', title: explainError(e).title, message: explainError(e).message }),
  });

  const restore = useMutation({
    mutationFn: (b: Budget) =>
      unwrap(api.POST(`${P}/budgets/{id}/restore`, { params: { path: { id: b.budget_id } } })),
    onSuccess: (_d, b) => {
      notifications.show({
        color: 'green',
        title: 'Budget restored',
        message: `“${b.budget_name}” is back in the list.`,
      });
      void queryClient.invalidateQueries({ queryKey: ['budgets'] });
    },
    onError: (e) =>
      notifications.show({ color: 'red', title: explainError(e).title, message: explainError(e).message }),
  });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Budgets
        </Title>
        <Can permission="budgets:write">
          <Button onClick={() => setCreating(true)} data-testid="new-budget">
            New budget
          </Button>
        </Can>
      </Group>
      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          label="Search"
          placeholder="Name or description"
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            set('text', e.currentTarget.value);
          }}
          w={240}
        />
        <Select
          label="Fiscal year"
          placeholder="All"
          data={years}
          value={fiscalYear || null}
          onChange={(v) => set('fiscal_year', v)}
          clearable
          w={130}
        />
        <Select
          label="Type"
          placeholder="All"
          data={TYPES.map((t) => ({ value: t, label: label(t) }))}
          value={budgetType || null}
          onChange={(v) => set('budget_type', v)}
          clearable
          w={140}
        />
        <TextInput
          label="Department"
          placeholder="Any"
          value={department}
          onChange={(e) => set('department_id', e.currentTarget.value)}
          w={150}
        />
        <Can permission="budgets:delete">
          <Switch
            label="Deleted"
            description="show deleted budgets to restore them"
            checked={deleted}
            onChange={(e) => set('deleted', e.currentTarget.checked ? '1' : null)}
            data-testid="show-deleted"
          />
        </Can>
      </Group>
      <Chip.Group value={status || 'all'} onChange={(v) => set('status', v === 'all' ? null : String(v))}>
        <Group gap="xs" aria-label="Status">
          <Chip value="all" size="sm">
            All {all.length}
          </Chip>
          {STATUSES.filter((s) => counts.has(s) || s === status).map((s) => (
            <Chip key={s} value={s} size="sm" color={STATUS_COLOR[s]}>
              {label(s)} {counts.get(s) ?? 0}
            </Chip>
          ))}
        </Group>
      </Chip.Group>

      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Tile title="Budgets" value={String(shown.length)} />
        <Tile
          title="Revenue"
          value={one ? formatAmount(sum(shown.map((b) => b.totals.revenue)), { currency: one }) : '—'}
        />
        <Tile
          title="Expense"
          value={one ? formatAmount(sum(shown.map((b) => b.totals.expense)), { currency: one }) : '—'}
        />
        <Tile
          title="Net result"
          value={
            one ? formatAmount(sum(shown.map((b) => b.totals.net)), { currency: one }) : 'mixed currencies'
          }
          negative={one ? sum(shown.map((b) => b.totals.net)).isNegative() : false}
        />
      </SimpleGrid>

      {list.isPending && <Skeleton height={240} />}
      {list.isError && (
        <Alert color="red" title={explainError(list.error).title}>
          {explainError(list.error).message}
        </Alert>
      )}
      {list.data && shown.length === 0 && (
        <Paper withBorder p="xl">
          <Stack align="center" gap="xs">
            <Text fw={600}>No budgets match</Text>
            <Text c="dimmed" size="sm">
              {deleted
                ? 'No deleted budgets match.'
                : all.length
                  ? 'Clear a filter to see more.'
                  : can('budgets:write')
                    ? 'Create the first one with “New budget”.'
                    : 'Nothing has been planned yet.'}
            </Text>
          </Stack>
        </Paper>
      )}
      {shown.length > 0 && (
        <Table striped highlightOnHover stickyHeader data-testid="budgets-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>FY</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Department</Table.Th>
              <Table.Th className="num">Lines</Table.Th>
              <Table.Th className="num">Revenue</Table.Th>
              <Table.Th className="num">Expense</Table.Th>
              <Table.Th className="num">Net result</Table.Th>
              <Table.Th>Updated</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((b) => (
              <Table.Tr key={b.budget_id}>
                <Table.Td>
                  {deleted ? (
                    <Text fw={500} size="sm" td="line-through">
                      {b.budget_name}
                    </Text>
                  ) : (
                    <Anchor component={Link} to={`/budgets/${b.budget_id}`} fw={500}>
                      {b.budget_name}
                    </Anchor>
                  )}
                </Table.Td>
                <Table.Td>{b.fiscal_year}</Table.Td>
                <Table.Td>{label(b.budget_type)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap', minWidth: 112 }}>
                  <StatusBadge status={b.status} />
                </Table.Td>
                <Table.Td>{b.department_id ?? ''}</Table.Td>
                <Table.Td className="num">{b.totals.line_count}</Table.Td>
                <Table.Td className={amountClass(b.totals.revenue)}>
                  {formatAmount(b.totals.revenue, { currency: b.base_currency })}
                </Table.Td>
                <Table.Td className={amountClass(b.totals.expense)}>
                  {formatAmount(b.totals.expense, { currency: b.base_currency })}
                </Table.Td>
                <Table.Td className={amountClass(b.totals.net)}>
                  {formatAmount(b.totals.net, { currency: b.base_currency })}
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {formatDate(b.updated_at ?? b.created_at)}
                </Table.Td>
                <Table.Td>
                  {deleted ? (
                    <Can permission="budgets:delete">
                      <Button
                        size="xs"
                        variant="light"
                        loading={restore.isPending && restore.variables?.budget_id === b.budget_id}
                        onClick={() => restore.mutate(b)}
                        aria-label={`Restore ${b.budget_name}`}
                      >
                        Restore
                      </Button>
                    </Can>
                  ) : (
                    <Can permission="budgets:delete">
                      <Menu position="bottom-end">
                        <Menu.Target>
                          <ActionIcon variant="subtle" aria-label={`Actions for ${b.budget_name}`}>
                            ⋯
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Item component={Link} to={`/budgets/${b.budget_id}`}>
                            Open
                          </Menu.Item>
                          <Menu.Item
                            color="red"
                            onClick={() => {
                              if (
                                window.confirm(
                                  `Delete “${b.budget_name}”? It disappears from the list (a soft delete, kept in the audit log).`,
                                )
                              )
                                remove.mutate(b);
                            }}
                          >
                            Delete
                          </Menu.Item>
                        </Menu.Dropdown>
                      </Menu>
                    </Can>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <CreateBudget opened={creating} onClose={() => setCreating(false)} years={years} />
    </Stack>
  );
}

function Tile({ title, value, negative }: { title: string; value: string; negative?: boolean }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {title}
      </Text>
      <Text
        fw={600}
        size="lg"
        className={negative ? 'num-negative' : undefined}
        style={{ fontVariantNumeric: 'tabular-nums' }}
      >
        {value}
      </Text>
    </Paper>
  );
}

function CreateBudget({ opened, onClose, years }: { opened: boolean; onClose(): void; years: string[] }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [year, setYear] = useState<string | null>(String(new Date().getUTCFullYear() + 1));
  const [type, setType] = useState<string | null>('annual');
  const [currency, setCurrency] = useState('USD');
  const [total, setTotal] = useState<string | number>('0');
  const [template, setTemplate] = useState<string | null>(null);
  const [version, setVersion] = useState<string | null>(null);
  const [error, setError] = useState<ReturnType<typeof explainError>>();
  const [busy, setBusy] = useState(false);
  const templates = useQuery({
    queryKey: ['templates'],
    enabled: opened,
    queryFn: () => unwrap(api.GET(`${P}/templates`, { params: { query: { limit: 100 } } })),
  });
  const chosen = templates.data?.items.find((t) => t.template_id === template);
  const versions = chosen
    ? Array.from({ length: chosen.current_version }, (_, i) => String(chosen.current_version - i))
    : [];
  const fieldError = (f: string) => error?.fields.find((e) => e.path === f)?.message;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = template
        ? await unwrap(
            api.POST(`${P}/templates/{id}/budgets`, {
              params: { path: { id: template } },
              body: {
                budget_name: name,
                fiscal_year: year ?? '',
                ...(version ? { template_version: Number(version) } : {}),
                base_currency: currency,
              },
            }),
          )
        : await unwrap(
            api.POST(`${P}/budgets`, {
              body: {
                budget_name: name,
                fiscal_year: year ?? '',
                budget_type: (type ?? 'annual') as (typeof TYPES)[number],
                base_currency: currency.toUpperCase(),
                total_amount: String(total || '0'),
              },
            }),
          );
      void queryClient.invalidateQueries({ queryKey: ['budgets'] });
      onClose();
      navigate(`/budgets/${created.budget_id}`);
    } catch (err) {
      setError(explainError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="New budget">
      <form onSubmit={submit}>
        <Stack>
          {error &&
            !error.fields.some((f) =>
              ['budget_name', 'fiscal_year', 'base_currency', 'total_amount'].includes(f.path),
            ) && (
              <Alert color="red" title={error.title}>
                {error.message}
              </Alert>
            )}
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError('budget_name')}
            data-autofocus
          />
          <Group grow>
            <Select
              label="Fiscal year"
              data={years}
              value={year}
              onChange={setYear}
              error={fieldError('fiscal_year')}
              allowDeselect={false}
            />
            <TextInput
              label="Currency"
              value={currency}
              onChange={(e) => setCurrency(e.currentTarget.value)}
              error={fieldError('base_currency')}
              maxLength={3}
            />
          </Group>
          <Select
            label="Start from a template"
            placeholder="Blank budget"
            data={(templates.data?.items ?? []).map((t) => ({ value: t.template_id, label: t.name }))}
            value={template}
            onChange={(v) => {
              setTemplate(v);
              setVersion(null);
            }}
            clearable
          />
          {template ? (
            <Select
              label="Template version"
              placeholder="Current version"
              data={versions}
              value={version}
              onChange={setVersion}
              clearable
            />
          ) : (
            <Group grow>
              <Select
                label="Type"
                data={TYPES.map((t) => ({ value: t, label: label(t) }))}
                value={type}
                onChange={setType}
                allowDeselect={false}
              />
              <NumberInput
                label="Target total"
                value={total}
                onChange={setTotal}
                min={0}
                decimalScale={2}
                thousandSeparator=","
                error={fieldError('total_amount')}
              />
            </Group>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Create and open
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
