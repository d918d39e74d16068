/** The variance charts: budget vs actual by month (bars) and a waterfall of the largest year-to-date variances. */
import { Grid, Paper, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client.ts';
import { type ChartOption, EChart, plot } from '../../components/EChart.tsx';
import { Decimal, formatAmount } from '../../lib/format.ts';
import type { VarianceRow } from './VariancePage.tsx';

type Query = { as_of?: string; threshold_amount?: string; threshold_percent?: string };

export function VarianceCharts({
  budgetId,
  query,
  lineRows,
  currency,
}: {
  budgetId: string;
  query: Query;
  lineRows?: VarianceRow[];
  currency?: string;
}) {
  const { as_of, threshold_amount, threshold_percent } = query;
  const base = {
    ...(as_of ? { as_of } : {}),
    ...(threshold_amount ? { threshold_amount } : {}),
    ...(threshold_percent ? { threshold_percent } : {}),
  };
  const byPeriod = useQuery({
    queryKey: ['variance', budgetId, { ...base, by: 'period' }],
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/budgets/{id}/variance', {
          params: { path: { id: budgetId }, query: { ...base, by: 'period' } },
        }),
      ),
  });
  const byLine = useQuery({
    queryKey: ['variance', budgetId, { ...base, by: 'line' }],
    enabled: !lineRows,
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/budgets/{id}/variance', {
          params: { path: { id: budgetId }, query: { ...base, by: 'line' } },
        }),
      ),
  });
  const months = byPeriod.data?.rows ?? [];
  // One bar pair per month and line type would mix revenue and expense: show the expense lines' months.
  const periods = [...new Set(months.map((r) => r.key.period ?? ''))].sort();
  const sumOf = (p: string, field: 'budget' | 'actual', type: string) =>
    months
      .filter((r) => r.key.period === p && r.line_type === type)
      .reduce((s, r) => s.plus(r.month[field]), new Decimal(0))
      .toFixed(2);
  const types = [...new Set(months.map((r) => r.line_type))];
  const bars: ChartOption = {
    tooltip: { trigger: 'axis', valueFormatter: (v) => formatAmount(String(v), { decimals: 0 }) },
    // Four series wrap the legend to two rows at half width: the plot starts below both.
    legend: { top: 0, itemGap: 8 },
    grid: { left: 70, right: 16, top: 64, bottom: 28 },
    xAxis: { type: 'category', data: periods },
    yAxis: {
      type: 'value',
      axisLabel: { formatter: (v: number) => formatAmount(String(v), { compact: true, decimals: 1 }) },
    },
    series: types.flatMap((t) => [
      { name: `${t} budget`, type: 'bar' as const, data: periods.map((p) => plot(sumOf(p, 'budget', t))) },
      { name: `${t} actual`, type: 'bar' as const, data: periods.map((p) => plot(sumOf(p, 'actual', t))) },
    ]),
  };

  // Waterfall: the largest year-to-date variances, each bar floating on the running total.
  const rows = (lineRows ?? byLine.data?.rows ?? [])
    .filter((r) => !new Decimal(r.ytd.variance).isZero())
    .sort((a, b) => new Decimal(b.ytd.variance).abs().cmp(new Decimal(a.ytd.variance).abs()))
    .slice(0, 10);
  let running = new Decimal(0);
  const baseSeries: (number | null)[] = [];
  const up: (number | null)[] = [];
  const down: (number | null)[] = [];
  // Each variance as its effect on the net result: favourable raises it, unfavourable lowers it.
  for (const r of rows) {
    const abs = new Decimal(r.ytd.variance).abs();
    const v = r.ytd.favourability === 'favourable' ? abs : abs.negated();
    const next = running.plus(v);
    baseSeries.push(plot(Decimal.min(running, next).toFixed(2)));
    const size = plot(v.abs().toFixed(2));
    const good = r.ytd.favourability === 'favourable';
    up.push(good ? size : 0);
    down.push(good ? 0 : size);
    running = next;
  }
  const waterfall: ChartOption = {
    tooltip: {
      trigger: 'axis',
      formatter: (items) => {
        const list = Array.isArray(items) ? items : [items];
        const i = list[0]?.dataIndex ?? 0;
        const r = rows[i];
        return r
          ? `${r.key.line_name}<br/>${formatAmount(r.ytd.variance, currency ? { currency } : {})} (${r.ytd.favourability})`
          : '';
      },
    },
    grid: { left: 70, right: 16, top: 16, bottom: 80 },
    xAxis: {
      type: 'category',
      data: rows.map((r) => r.key.line_name ?? ''),
      axisLabel: { rotate: 30, fontSize: 10 },
    },
    yAxis: {
      type: 'value',
      axisLabel: { formatter: (v: number) => formatAmount(String(v), { compact: true, decimals: 1 }) },
    },
    series: [
      {
        type: 'bar',
        stack: 'w',
        // 'all': the (possibly negative) invisible base and the bar add up across signs.
        stackStrategy: 'all',
        data: baseSeries,
        itemStyle: { color: 'transparent' },
        emphasis: { disabled: true },
      },
      {
        name: 'favourable',
        type: 'bar',
        stack: 'w',
        stackStrategy: 'all',
        data: up,
        itemStyle: { color: '#12b886' },
      },
      {
        name: 'unfavourable',
        type: 'bar',
        stack: 'w',
        stackStrategy: 'all',
        data: down,
        itemStyle: { color: '#fa5252' },
      },
    ],
  };
  return (
    <Grid>
      <Grid.Col span={{ base: 12, lg: 6 }}>
        <Paper withBorder p="sm">
          <Text fw={600} size="sm">
            Budget vs actual by month
          </Text>
          {periods.length ? (
            <EChart option={bars} label="Budget and actual by month" />
          ) : (
            <Text c="dimmed">No months yet.</Text>
          )}
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 6 }}>
        <Paper withBorder p="sm">
          <Text fw={600} size="sm">
            Largest variances, year to date: effect on the net result
          </Text>
          {rows.length ? (
            <EChart option={waterfall} label="Waterfall of the largest variances" />
          ) : (
            <Text c="dimmed">No variances.</Text>
          )}
        </Paper>
      </Grid.Col>
    </Grid>
  );
}
