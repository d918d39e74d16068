/**
 * Scenarios of a budget: the list, a new scenario from adjustments (percent or amount, filtered
 * by line type, category, department or GL account, from a month on), the comparison with the
 * base side by side (table and chart), and promotion to a new draft budget.
 */
import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api, type paths, unwrap } from '../../api/client.ts';
import {
  Amount,
  BudgetSelect,
  Empty,
  ErrorAlert,
  Loading,
  useChosenBudget,
} from '../../components/common.tsx';
import { type ChartOption, EChart, plot } from '../../components/EChart.tsx';
import { formatAmount } from '../../lib/format.ts';
import { Can } from '../../lib/permissions.tsx';

type Compare =
  paths['/api/budgeting-forecasting/budgets/{id}/scenarios/compare']['get']['responses'][200]['content']['application/json'];
type NewScenario = paths['/api/budgeting-forecasting/budgets/{id}/scenarios']['post']['requestBody'] extends {
  content: { 'application/json': infer B };
}
  ? B
  : never;
type Adjustment = NonNullable<NewScenario['adjustments']>[number];

interface Draft {
  kind: 'percent' | 'absolute';
  value: string;
  field: '' | 'line_type' | 'category' | 'department_id' | 'gl_account_id';
  match: string;
  from: string;
}

function toAdjustment(d: Draft): Adjustment {
  return {
    kind: d.kind,
    value: d.value.trim(),
    filter: d.field && d.match.trim() ? { [d.field]: d.match.trim() } : {},
    ...(d.from.trim() ? { from_period: d.from.trim() } : {}),
  } as Adjustment;
}

export default function ScenariosPage() {
  const [budget, choose, budgets] = useChosenBudget();
  const [params] = useSearchParams();
  const highlighted = params.get('scenario');
  const id = budget?.budget_id ?? '';
  const list = useQuery({
    queryKey: ['scenarios', id],
    enabled: Boolean(id),
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/budgets/{id}/scenarios', {
          params: { path: { id }, query: { limit: 50 } },
        }),
      ),
  });
  const [picked, setPicked] = useState<string[] | undefined>();
  const chosen = picked ?? (list.data?.items ?? []).slice(0, 3).map((s) => s.scenario_id);
  const compare = useQuery({
    queryKey: ['scenarios', id, 'compare', chosen],
    enabled: Boolean(id && list.data && chosen.length),
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/budgets/{id}/scenarios/compare', {
          params: { path: { id }, query: { scenario_ids: chosen.join(',') } },
        }),
      ),
  });
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1} size="h2">
          Scenarios
        </Title>
        <BudgetSelect
          value={id}
          onChange={(v) => {
            setPicked(undefined);
            choose(v);
          }}
          budgets={budgets.data?.items ?? []}
        />
      </Group>
      {list.isError && <ErrorAlert error={list.error} />}
      {(list.isPending && id) || budgets.isPending ? <Loading /> : null}
      {list.data && list.data.items.length === 0 && (
        <Empty title="No scenarios yet">Create one below: a what-if never changes the budget itself.</Empty>
      )}
      {list.data && list.data.items.length > 0 && (
        <Table withTableBorder data-testid="scenario-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Compare</Table.Th>
              <Table.Th>Scenario</Table.Th>
              <Table.Th>Adjustments</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((s) => (
              <Table.Tr
                key={s.scenario_id}
                bg={s.scenario_id === highlighted ? 'var(--mantine-color-blue-light)' : undefined}
                data-testid={s.scenario_id === highlighted ? 'scenario-opened' : undefined}
              >
                <Table.Td>
                  <Checkbox
                    aria-label={`Compare ${s.name}`}
                    checked={chosen.includes(s.scenario_id)}
                    onChange={(e) =>
                      setPicked(
                        e.currentTarget.checked
                          ? [...chosen, s.scenario_id].slice(-10)
                          : chosen.filter((x) => x !== s.scenario_id),
                      )
                    }
                  />
                </Table.Td>
                <Table.Td>
                  <Text fw={500}>{s.name}</Text>
                  <Text size="xs" c="dimmed">
                    {s.description}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {s.adjustments.map((a, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: positions of a fixed row or column list
                    <Badge key={i} variant="light" mr={4}>
                      {describeAdjustment(a)}
                    </Badge>
                  ))}
                </Table.Td>
                <Table.Td>
                  <Promote budgetId={id} scenarioId={s.scenario_id} promoted={s.promoted_budget_id} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {compare.isError && <ErrorAlert error={compare.error} />}
      {compare.data && <Comparison data={compare.data} currency={budget?.base_currency} />}
      <Can permission="scenarios:write">{id && <NewScenarioForm budgetId={id} />}</Can>
    </Stack>
  );
}

function describeAdjustment(a: Record<string, unknown>): string {
  const filter = Object.entries((a.filter as Record<string, string>) ?? {})
    .map(([k, v]) => `${k.replace('_id', '')} ${v}`)
    .join(', ');
  const value = a.kind === 'percent' ? `${a.value} %` : formatAmount(String(a.value));
  return `${value}${filter ? ` on ${filter}` : ' on every line'}${a.from_period !== undefined ? ` from ${a.from_period}` : ''}`;
}

function Promote({
  budgetId,
  scenarioId,
  promoted,
}: {
  budgetId: string;
  scenarioId: string;
  promoted: string | null;
}) {
  const navigate = useNavigate();
  const promote = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/budgeting-forecasting/budgets/{id}/scenarios/{scenarioId}/promote', {
          params: { path: { id: budgetId, scenarioId } },
          body: {},
        }),
      ),
    onSuccess: (b) => navigate(`/budgets/${b.budget_id}`),
  });
  if (promoted)
    return (
      <Button size="xs" variant="subtle" onClick={() => navigate(`/budgets/${promoted}`)}>
        Open the promoted budget
      </Button>
    );
  return (
    <Can permission={['scenarios:write', 'budgets:write']}>
      <Button size="xs" variant="light" loading={promote.isPending} onClick={() => promote.mutate()}>
        Promote to a draft budget
      </Button>
      {promote.isError && <ErrorAlert error={promote.error} />}
    </Can>
  );
}

function Comparison({ data, currency }: { data: Compare; currency?: string }) {
  const types = ['revenue', 'expense', 'net'] as const;
  const periods = data.base.totals.by_period;
  const option: ChartOption = {
    tooltip: { trigger: 'axis', valueFormatter: (v) => formatAmount(String(v), { decimals: 0 }) },
    legend: { top: 0 },
    grid: { left: 70, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: periods.map((p) => p.period_start.slice(0, 7)) },
    yAxis: {
      type: 'value',
      axisLabel: { formatter: (v: number) => formatAmount(String(v), { compact: true, decimals: 1 }) },
    },
    series: [
      { name: 'Base', type: 'line', data: periods.map((p) => plot(p.amount)), lineStyle: { width: 3 } },
      ...data.scenarios.map((s) => ({
        name: s.name,
        type: 'line' as const,
        data: s.totals.by_period.map((p) => plot(p.amount)),
      })),
    ],
  };
  return (
    <Card withBorder data-testid="scenario-compare">
      <Stack>
        <Text fw={600}>Side by side</Text>
        <Table withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th />
              <Table.Th className="num">Base</Table.Th>
              {data.scenarios.map((s) => (
                <Table.Th key={s.scenario_id} className="num" colSpan={2}>
                  {s.name}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {types.map((t) => (
              <Table.Tr key={t}>
                <Table.Td fw={t === 'net' ? 600 : undefined}>{t === 'net' ? 'Net result' : t}</Table.Td>
                <Table.Td className="num">
                  <Amount value={data.base.totals.by_line_type[t]} currency={currency} />
                </Table.Td>
                {data.scenarios.map((s) => (
                  <Fragment key={s.scenario_id}>
                    <Table.Td className="num">
                      <Amount value={s.totals.by_line_type[t]} currency={currency} />
                    </Table.Td>
                    <Table.Td className="num" c="dimmed">
                      Δ <Amount value={s.deltas.by_line_type[t]} />
                    </Table.Td>
                  </Fragment>
                ))}
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Td>Lines changed</Table.Td>
              <Table.Td />
              {data.scenarios.map((s) => (
                <Table.Td key={s.scenario_id} colSpan={2} className="num">
                  {s.changed_lines}
                  {s.clamped_lines ? ` (${s.clamped_lines} held at zero)` : ''}
                </Table.Td>
              ))}
            </Table.Tr>
          </Table.Tbody>
        </Table>
        {data.scenarios
          .flatMap((s) => s.warnings)
          .map((w) => (
            <Text key={w} size="sm" c="orange">
              {w}
            </Text>
          ))}
        {periods.length > 0 && (
          <EChart option={option} label="Net per month: base and scenarios" height={280} />
        )}
        <Text size="xs" c="dimmed">
          Chart: net result (revenue − expense) per month. {data.rounding}
        </Text>
      </Stack>
    </Card>
  );
}

function NewScenarioForm({ budgetId }: { budgetId: string }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [rows, setRows] = useState<Draft[]>([
    { kind: 'percent', value: '-5', field: 'line_type', match: 'expense', from: '' },
  ]);
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/budgeting-forecasting/budgets/{id}/scenarios', {
          params: { path: { id: budgetId } },
          body: { name: name.trim(), adjustments: rows.map(toAdjustment) },
        }),
      ),
    onSuccess: () => {
      setName('');
      qc.invalidateQueries({ queryKey: ['scenarios', budgetId] });
    },
  });
  const set = (i: number, patch: Partial<Draft>) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Card withBorder data-testid="new-scenario">
      <Stack gap="xs">
        <Text fw={600}>New scenario</Text>
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} w={320} />
        {rows.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: positions of a fixed row or column list
          <Group key={i} align="flex-end" gap="xs">
            <Select
              label="Change"
              w={130}
              data={[
                { value: 'percent', label: 'by percent' },
                { value: 'absolute', label: 'by amount' },
              ]}
              value={r.kind}
              onChange={(v) => v && set(i, { kind: v as Draft['kind'] })}
            />
            <TextInput
              label={r.kind === 'percent' ? '%' : 'Amount per line'}
              w={120}
              value={r.value}
              onChange={(e) => set(i, { value: e.currentTarget.value })}
            />
            <Select
              label="Lines where"
              w={150}
              data={[
                { value: '', label: 'every line' },
                { value: 'line_type', label: 'line type' },
                { value: 'category', label: 'category' },
                { value: 'department_id', label: 'department' },
                { value: 'gl_account_id', label: 'GL account' },
              ]}
              value={r.field}
              onChange={(v) => set(i, { field: (v ?? '') as Draft['field'] })}
            />
            <TextInput
              label="is"
              w={140}
              disabled={!r.field}
              value={r.match}
              onChange={(e) => set(i, { match: e.currentTarget.value })}
            />
            <TextInput
              label="From month"
              placeholder="YYYY-MM"
              w={110}
              value={r.from}
              onChange={(e) => set(i, { from: e.currentTarget.value })}
            />
            <ActionIcon
              variant="default"
              size="lg"
              aria-label="Remove adjustment"
              onClick={() => setRows(rows.filter((_, j) => j !== i))}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
        <Group>
          <Button
            variant="default"
            size="xs"
            onClick={() => setRows([...rows, { kind: 'percent', value: '', field: '', match: '', from: '' }])}
          >
            Add an adjustment
          </Button>
          <Button onClick={() => create.mutate()} loading={create.isPending} disabled={!name.trim()}>
            Create scenario
          </Button>
        </Group>
        {create.isError && <ErrorAlert error={create.error} />}
      </Stack>
    </Card>
  );
}
