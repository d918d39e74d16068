/**
 * Budget vs actual (GET /budgets/:id/variance): by line, category, department, GL account or
 * period, month and year-to-date, favourable in green and unfavourable in red, rows over both
 * thresholds highlighted; a department drills down to its lines; a bar chart of budget vs actual
 * by month, a waterfall of the largest variances, and the Excel workbook.
 */
import { Badge, Button, Group, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, type paths, unwrap } from '../../api/client.ts';
import {
  Amount,
  BudgetSelect,
  Empty,
  ErrorAlert,
  favourColor,
  Loading,
  saveBlob,
  useChosenBudget,
} from '../../components/common.tsx';
import { formatAmount } from '../../lib/format.ts';
import { VarianceCharts } from './VarianceCharts.tsx';

type By = 'line' | 'category' | 'department' | 'gl_account' | 'period';
const BY_LABEL: Record<By, string> = {
  line: 'Line',
  category: 'Category',
  department: 'Department',
  gl_account: 'GL account',
  period: 'Month',
};

export default function VariancePage() {
  const [budget, choose, budgets] = useChosenBudget();
  const [by, setBy] = useState<By>('line');
  const [asOf, setAsOf] = useState('');
  const [thresholdAmount, setThresholdAmount] = useState('');
  const [thresholdPercent, setThresholdPercent] = useState('');
  const [department, setDepartment] = useState<string | undefined>();
  const id = budget?.budget_id ?? '';
  const query = {
    by: department ? ('line' as const) : by,
    ...(/^\d{4}-\d{2}$/.test(asOf) ? { as_of: asOf } : {}),
    ...(thresholdAmount ? { threshold_amount: thresholdAmount } : {}),
    ...(thresholdPercent ? { threshold_percent: thresholdPercent } : {}),
  };
  const report = useQuery({
    queryKey: ['variance', id, query],
    enabled: Boolean(id),
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/budgets/{id}/variance', { params: { path: { id }, query } }),
      ),
  });
  // Lines carry their department: the drill-down from a department keeps that department's lines.
  const lines = useQuery({
    queryKey: ['budget', id, 'lines'],
    enabled: Boolean(id && department),
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/budgets/{id}', {
          params: { path: { id }, query: { include_lines: true } },
        }),
      ),
  });
  const download = useMutation({
    mutationFn: async () => {
      const blob = await unwrap(
        api.GET('/api/budgeting-forecasting/budgets/{id}/variance/export.xlsx', {
          params: { path: { id }, query },
          parseAs: 'blob',
        }),
      );
      saveBlob(blob as Blob, `variance-${budget?.budget_name ?? id}.xlsx`);
    },
  });
  const rows = useMemo(() => {
    const all = report.data?.rows ?? [];
    if (!department || !lines.data) return all;
    const ids = new Set(
      (lines.data.budget_lines ?? [])
        .filter((l) => (l.department_id ?? '') === department)
        .map((l) => l.line_id),
    );
    return all.filter((r) => ids.has(r.key.line_id ?? ''));
  }, [report.data, department, lines.data]);
  const currency = report.data?.base_currency;
  const effectiveBy: By = department ? 'line' : by;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1} size="h2">
          Variance
        </Title>
        <Button
          variant="default"
          disabled={!id}
          loading={download.isPending}
          onClick={() => download.mutate()}
          data-testid="variance-xlsx"
        >
          Download Excel
        </Button>
      </Group>
      <Group align="flex-end" wrap="wrap">
        <BudgetSelect
          value={id}
          onChange={(v) => {
            setDepartment(undefined);
            choose(v);
          }}
          budgets={budgets.data?.items ?? []}
        />
        <TextInput
          label="Month (as of)"
          placeholder={report.data?.as_of ?? 'YYYY-MM'}
          value={asOf}
          onChange={(e) => setAsOf(e.currentTarget.value)}
          w={130}
        />
        <TextInput
          label="Flag: amount over"
          placeholder={report.data?.thresholds.amount}
          value={thresholdAmount}
          onChange={(e) => setThresholdAmount(e.currentTarget.value)}
          w={150}
        />
        <TextInput
          label="and % over"
          placeholder={report.data?.thresholds.percent}
          value={thresholdPercent}
          onChange={(e) => setThresholdPercent(e.currentTarget.value)}
          w={110}
        />
      </Group>
      <Group>
        <SegmentedControl
          value={effectiveBy}
          onChange={(v) => {
            setDepartment(undefined);
            setBy(v as By);
          }}
          data={(Object.keys(BY_LABEL) as By[]).map((value) => ({
            value,
            label: `By ${value === 'gl_account' ? 'GL account' : BY_LABEL[value].toLowerCase()}`,
          }))}
          data-testid="variance-by"
        />
        {department && (
          <Button
            size="xs"
            variant="light"
            onClick={() => {
              setDepartment(undefined);
              setBy('department');
            }}
          >
            ← All departments (showing the lines of {department})
          </Button>
        )}
      </Group>
      {budgets.isError && <ErrorAlert error={budgets.error} />}
      {report.isError && <ErrorAlert error={report.error} />}
      {download.isError && <ErrorAlert error={download.error} />}
      {(report.isPending && id) || budgets.isPending ? <Loading rows={8} /> : null}
      {budgets.data && budgets.data.items.length === 0 && (
        <Empty title="No budgets yet">Create a budget, import actuals, and the variance appears here.</Empty>
      )}
      {report.data && (
        <>
          <Text size="sm" c="dimmed" data-testid="variance-period">
            {report.data.as_of} (month) and {report.data.period_from} – {report.data.as_of} (year to date), in{' '}
            {currency}. Flagged when the variance is above {formatAmount(report.data.thresholds.amount)} and
            above {report.data.thresholds.percent} %.
          </Text>
          <VarianceTable
            rows={rows}
            by={effectiveBy}
            onDrill={by === 'department' && !department ? setDepartment : undefined}
          />
          {report.data.totals.length > 0 && <TotalsTable totals={report.data.totals} />}
          {report.data.unmatched.actual_rows > 0 && (
            <Text size="sm" c="orange">
              {report.data.unmatched.actual_rows} actual rows match no line (
              {formatAmount(report.data.unmatched.ytd_actual, { currency })} year to date).
            </Text>
          )}
          <VarianceCharts
            budgetId={id}
            query={query}
            lineRows={effectiveBy === 'line' ? rows : undefined}
            currency={currency}
          />
        </>
      )}
    </Stack>
  );
}

type Report =
  paths['/api/budgeting-forecasting/budgets/{id}/variance']['get']['responses'][200]['content']['application/json'];
export type VarianceRow = Report['rows'][number];
type Row = VarianceRow;
type Figures = Row['month'];

function keyLabel(row: Row, by: By): string {
  const k = row.key;
  if (by === 'line') return k.line_name ?? '(line)';
  if (by === 'gl_account') return k.gl_account_id ?? 'No GL account';
  if (by === 'department') return k.department_id ?? 'No department';
  if (by === 'period') return k.period ?? '';
  return k.category ?? '';
}

function FigureCells({ f }: { f: Figures }) {
  return (
    <>
      <Table.Td className="num">
        <Amount value={f.budget} />
      </Table.Td>
      <Table.Td className="num">
        <Amount value={f.actual} />
      </Table.Td>
      <Table.Td className="num" c={favourColor(f.favourability)} data-favourability={f.favourability}>
        {formatAmount(f.variance)}
      </Table.Td>
      <Table.Td className="num" c={favourColor(f.favourability)}>
        {f.variance_percent === null ? '—' : `${f.variance_percent} %`}
      </Table.Td>
    </>
  );
}

function VarianceTable({ rows, by, onDrill }: { rows: Row[]; by: By; onDrill?: (d: string) => void }) {
  if (rows.length === 0)
    return <Empty title="Nothing to compare">No budget or actual figures for this selection.</Empty>;
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover withTableBorder data-testid="variance-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th rowSpan={2}>{BY_LABEL[by]}</Table.Th>
            <Table.Th rowSpan={2}>Type</Table.Th>
            <Table.Th colSpan={4} ta="center">
              Month
            </Table.Th>
            <Table.Th colSpan={4} ta="center">
              Year to date
            </Table.Th>
          </Table.Tr>
          <Table.Tr>
            {['Budget', 'Actual', 'Variance', '%', 'Budget', 'Actual', 'Variance', '%'].map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: positions of a fixed row or column list
              <Table.Th key={`${h}${i}`} className="num">
                {h}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => {
            const label = keyLabel(r, by);
            const flagged = r.month.flagged || r.ytd.flagged;
            return (
              <Table.Tr
                key={`${JSON.stringify(r.key)}:${r.line_type}`}
                bg={flagged ? 'var(--mantine-color-yellow-light)' : undefined}
                data-flagged={flagged || undefined}
              >
                <Table.Td>
                  {onDrill ? (
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      onClick={() => onDrill(r.key.department_id ?? '')}
                      data-testid="drill-department"
                    >
                      {label} ›
                    </Button>
                  ) : (
                    label
                  )}
                  {flagged && (
                    <Badge ml={6} size="xs" color="yellow" variant="filled">
                      flagged
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed">
                    {r.line_type}
                  </Text>
                </Table.Td>
                <FigureCells f={r.month} />
                <FigureCells f={r.ytd} />
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function TotalsTable({ totals }: { totals: Report['totals'] }) {
  return (
    <Table withTableBorder data-testid="variance-totals">
      <Table.Tbody>
        {totals.map((t) => (
          <Table.Tr key={t.line_type} fw={600}>
            <Table.Td>Total {t.line_type}</Table.Td>
            <Table.Td />
            <FigureCells f={t.month} />
            <FigureCells f={t.ytd} />
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
