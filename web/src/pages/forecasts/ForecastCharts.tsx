/** Forecast charts: history (monthly actuals of the series) with forecast and interval band; feature importance. */
import { Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, type paths, unwrap } from '../../api/client.ts';
import { type ChartOption, EChart, plot } from '../../components/EChart.tsx';
import { Decimal, formatAmount } from '../../lib/format.ts';

type Forecast =
  paths['/api/budgeting-forecasting/forecasting/models/{id}/forecasts']['post']['responses'][201]['content']['application/json'];

/** The series' monthly actuals (summed exactly, page by page) for the history line. */
function useHistory(groupBy: string, key: string, currency?: string) {
  return useQuery({
    queryKey: ['actuals', 'history', groupBy, key, currency],
    queryFn: async () => {
      const filter =
        groupBy === 'gl_account'
          ? { gl_account: key }
          : groupBy === 'department'
            ? { department: key }
            : { category: key };
      const months = new Map<string, Decimal>();
      let cursor: string | undefined;
      for (let page = 0; page < 40; page++) {
        const res = await unwrap(
          api.GET('/api/budgeting-forecasting/actuals', {
            params: { query: { ...filter, limit: 500, ...(cursor ? { cursor } : {}) } },
          }),
        );
        for (const row of res.items) {
          const m = row.period.slice(0, 7);
          months.set(m, (months.get(m) ?? new Decimal(0)).plus(row.amount));
        }
        if (!res.next_cursor) break;
        cursor = res.next_cursor;
      }
      return [...months].sort(([a], [b]) => a.localeCompare(b)).map(([m, v]) => [m, v.toFixed(2)] as const);
    },
  });
}

export function ForecastChart({
  forecast,
  groupBy,
  seriesKey,
}: {
  forecast: Forecast;
  groupBy: string;
  seriesKey: string;
}) {
  const history = useHistory(groupBy, seriesKey);
  const hist = history.data ?? [];
  const preds = forecast.predictions;
  const axis = [...hist.map(([m]) => m), ...preds.map((p) => p.period.slice(0, 7))];
  const pad = (n: number) => Array.from({ length: n }, () => null);
  const option: ChartOption = {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => (v === null || v === undefined ? '' : formatAmount(String(v), { decimals: 0 })),
    },
    legend: { top: 0, data: ['History', 'Forecast', `${forecast.confidence_level} % interval`] },
    grid: { left: 70, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: axis },
    yAxis: {
      type: 'value',
      axisLabel: { formatter: (v: number) => formatAmount(String(v), { compact: true, decimals: 1 }) },
    },
    series: [
      {
        name: 'History',
        type: 'line',
        data: hist.map(([, v]) => plot(v)),
        showSymbol: false,
        lineStyle: { width: 2 },
      },
      // The band: the lower bound (invisible) with the interval's width stacked on it.
      {
        name: 'lower',
        type: 'line',
        stack: 'band',
        data: [...pad(hist.length), ...preds.map((p) => plot(p.lower))],
        lineStyle: { opacity: 0 },
        showSymbol: false,
        tooltip: { show: false },
      },
      {
        name: `${forecast.confidence_level} % interval`,
        type: 'line',
        stack: 'band',
        data: [
          ...pad(hist.length),
          ...preds.map((p) => plot(new Decimal(p.upper).minus(p.lower).toFixed(2))),
        ],
        lineStyle: { opacity: 0 },
        areaStyle: { opacity: 0.25, color: '#4dabf7' },
        showSymbol: false,
      },
      {
        name: 'Forecast',
        type: 'line',
        data: [...pad(hist.length), ...preds.map((p) => plot(p.value))],
        lineStyle: { type: 'dashed', width: 2 },
      },
    ],
  };
  return (
    <div data-testid="forecast-chart">
      <EChart option={option} label={`History and forecast of ${seriesKey}`} height={340} />
      <Text size="xs" c="dimmed">
        {forecast.model_used}: {preds.length} months from {forecast.forecast_period.start.slice(0, 7)}; the
        band is the {forecast.confidence_level} % prediction interval.
      </Text>
    </div>
  );
}

export function ImportanceChart({ importance }: { importance: Record<string, number> }) {
  const items = Object.entries(importance)
    .sort((a, b) => a[1] - b[1])
    .slice(-12);
  const option: ChartOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 120, right: 16, top: 8, bottom: 24 },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: items.map(([k]) => k) },
    series: [{ type: 'bar', data: items.map(([, v]) => Number(v.toFixed(4))) }],
  };
  return <EChart option={option} label="Feature importance" height={260} />;
}
