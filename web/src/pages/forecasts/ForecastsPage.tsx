/**
 * Forecasts: train a model on a ledger series (algorithm, target series, horizon) as a job with
 * its progress; the chart of history, forecast and interval band; backtest metrics and feature
 * importance; and the rolling full-year outlook of a budget against its plan.
 */
import {
  Badge,
  Button,
  Card,
  Grid,
  Group,
  NavLink,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type paths, type Schemas, unwrap } from '../../api/client.ts';
import { Empty, ErrorAlert, Loading } from '../../components/common.tsx';
import { JobProgress } from '../../components/JobProgress.tsx';
import { Can } from '../../lib/permissions.tsx';
import { ForecastChart, ImportanceChart } from './ForecastCharts.tsx';
import { RollingOutlook } from './RollingOutlook.tsx';

type Model = Schemas['ForecastingModel'];
type Algorithm = Model['algorithm'];
const ALGORITHMS: { value: Algorithm; label: string }[] = [
  { value: 'auto', label: 'Auto (best by cross-validation)' },
  { value: 'snaive', label: 'Seasonal naive' },
  { value: 'ets', label: 'Exponential smoothing (ETS)' },
  { value: 'theta', label: 'Theta' },
  { value: 'arima', label: 'ARIMA' },
  { value: 'random_forest', label: 'Random forest' },
  { value: 'gradient_boosting', label: 'Gradient boosting' },
  { value: 'neural_network', label: 'Neural network' },
];
type Forecast =
  paths['/api/budgeting-forecasting/forecasting/models/{id}/forecasts']['post']['responses'][201]['content']['application/json'];

export default function ForecastsPage() {
  const qc = useQueryClient();
  const models = useQuery({
    queryKey: ['models'],
    queryFn: () =>
      unwrap(api.GET('/api/budgeting-forecasting/forecasting/models', { params: { query: { limit: 100 } } })),
  });
  const [picked, setPicked] = useState<string>();
  const model = models.data?.items.find((m) => m.model_id === picked) ?? models.data?.items[0];
  return (
    <Stack>
      <Title order={1} size="h2">
        Forecasts
      </Title>
      <Can permission="forecasts:run">
        <TrainForm
          onTrained={(id) => {
            setPicked(id);
            qc.invalidateQueries({ queryKey: ['models'] });
          }}
        />
      </Can>
      {models.isPending && <Loading />}
      {models.isError && <ErrorAlert error={models.error} />}
      {models.data?.items.length === 0 && (
        <Empty title="No models yet">Train one above on a ledger account, a category or a department.</Empty>
      )}
      {model && (
        <Grid>
          <Grid.Col span={{ base: 12, md: 3 }}>
            <Stack gap={2} data-testid="model-list">
              {models.data!.items.map((m) => (
                <NavLink
                  key={m.model_id}
                  active={m.model_id === model.model_id}
                  label={m.name}
                  description={`${m.algorithm} · ${m.status}`}
                  onClick={() => setPicked(m.model_id)}
                />
              ))}
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 9 }}>
            <ModelView model={model} />
          </Grid.Col>
        </Grid>
      )}
      <RollingOutlook />
    </Stack>
  );
}

function TrainForm({ onTrained }: { onTrained: (modelId: string) => void }) {
  const [algorithm, setAlgorithm] = useState<Algorithm>('auto');
  const [groupBy, setGroupBy] = useState<'gl_account' | 'category' | 'department'>('gl_account');
  const [key, setKey] = useState('4000');
  const [horizon, setHorizon] = useState('12');
  const [currency, setCurrency] = useState('EUR');
  const [job, setJob] = useState<{ id: string; model: string }>();
  const train = useMutation({
    mutationFn: async () => {
      const h = Number(horizon);
      const created = await unwrap(
        api.POST('/api/budgeting-forecasting/forecasting/models', {
          body: {
            name: `${key} (${groupBy.replace('_', ' ')}) · ${algorithm}`,
            algorithm,
            target_variable: 'amount',
            training_config: { horizon: Number.isInteger(h) ? h : 12, seed: 42, backtest_origins: 4 },
          },
        }),
      );
      const started = await unwrap(
        api.POST('/api/budgeting-forecasting/forecasting/models/{id}/train', {
          params: { path: { id: created.model_id } },
          body: {
            source: 'actuals',
            group_by: groupBy,
            key: key.trim(),
            currency: currency.trim().toUpperCase(),
          },
        }),
      );
      return { id: started.job_id, model: created.model_id };
    },
    onSuccess: setJob,
  });
  return (
    <Card withBorder data-testid="train-form">
      <Stack gap="xs">
        <Text fw={600}>Train a model</Text>
        <Group align="flex-end">
          <Select
            label="Algorithm"
            data={ALGORITHMS}
            value={algorithm}
            onChange={(v) => v && setAlgorithm(v as Algorithm)}
            w={260}
            data-testid="algorithm"
          />
          <Select
            label="Series by"
            w={150}
            data={[
              { value: 'gl_account', label: 'GL account' },
              { value: 'category', label: 'Category' },
              { value: 'department', label: 'Department' },
            ]}
            value={groupBy}
            onChange={(v) => v && setGroupBy(v as typeof groupBy)}
          />
          <TextInput
            label="Which"
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
            w={160}
            data-testid="series-key"
          />
          <TextInput
            label="Currency"
            value={currency}
            onChange={(e) => setCurrency(e.currentTarget.value)}
            w={90}
          />
          <TextInput
            label="Months ahead"
            value={horizon}
            onChange={(e) => setHorizon(e.currentTarget.value)}
            w={130}
          />
          <Button
            onClick={() => train.mutate()}
            loading={train.isPending}
            disabled={!key.trim()}
            data-testid="train"
          >
            Train
          </Button>
        </Group>
        {train.isError && <ErrorAlert error={train.error} />}
        {job && (
          <JobProgress
            key={job.id}
            jobId={job.id}
            label="Training (cross-validation and backtest)"
            onDone={(j) => {
              if (j.status === 'completed') onTrained(job.model);
            }}
          />
        )}
      </Stack>
    </Card>
  );
}

function ModelView({ model }: { model: Model }) {
  const qc = useQueryClient();
  const series = (model.series ?? null) as {
    key?: string;
    group_by?: string;
    start?: string;
    end?: string;
    length?: number;
  } | null;
  const forecasts = useQuery({
    queryKey: ['models', model.model_id, 'forecasts'],
    enabled: model.status === 'trained',
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/forecasting/models/{id}/forecasts', {
          params: { path: { id: model.model_id }, query: { limit: 5 } },
        }),
      ),
  });
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/budgeting-forecasting/forecasting/models/{id}/forecasts', {
          params: { path: { id: model.model_id } },
          body: { horizon: model.training_config.horizon, level: 95, scenario_name: 'Default' },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['models', model.model_id, 'forecasts'] }),
  });
  const latest: Forecast | undefined = run.data ?? forecasts.data?.items[0];
  const r = model.training_results;
  return (
    <Stack data-testid="model-view">
      <Group justify="space-between">
        <Stack gap={0}>
          <Text fw={600}>{model.name}</Text>
          <Text size="sm" c="dimmed">
            {series
              ? `${series.group_by ?? ''} ${series.key ?? ''}: ${series.length ?? '?'} months, ${series.start ?? ''} – ${series.end ?? ''}`
              : 'not trained yet'}
          </Text>
        </Stack>
        <Badge color={model.status === 'trained' ? 'teal' : model.status === 'failed' ? 'red' : 'gray'}>
          {model.status}
        </Badge>
      </Group>
      {model.training_error && (
        <Text c="red" size="sm">
          {model.training_error}
        </Text>
      )}
      {model.status === 'trained' && !latest && (
        <Can permission="forecasts:run">
          <Button onClick={() => run.mutate()} loading={run.isPending} w={220} data-testid="run-forecast">
            Forecast {model.training_config.horizon} months
          </Button>
        </Can>
      )}
      {run.isError && <ErrorAlert error={run.error} />}
      {latest && series?.key && series.group_by && (
        <ForecastChart forecast={latest} groupBy={series.group_by} seriesKey={series.key} />
      )}
      {r && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Card withBorder>
            <Text fw={600} size="sm">
              Backtest ({r.backtest.origins} origins × {r.backtest.horizon} months, model {r.model_used})
            </Text>
            <Table fz="sm" data-testid="backtest">
              <Table.Tbody>
                {[
                  ['MAE (mean absolute error)', r.backtest.mae],
                  ['RMSE', r.backtest.rmse],
                  ['sMAPE', `${r.backtest.smape.toFixed(2)} %`],
                  ['MASE (vs seasonal naive)', r.backtest.mase ?? '—'],
                  ['CV MAE (mean ± std)', `${r.cv_mae.toFixed(2)} ± ${r.cv_mae_std.toFixed(2)}`],
                  ...r.interval_coverage.map((c) => [
                    `${c.level} % interval coverage`,
                    `${(c.coverage * 100).toFixed(0)} %`,
                  ]),
                ].map(([k, v]) => (
                  <Table.Tr key={String(k)}>
                    <Table.Td>{k}</Table.Td>
                    <Table.Td className="num">{typeof v === 'number' ? v.toFixed(2) : v}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
          <Card withBorder>
            <Text fw={600} size="sm">
              Feature importance
            </Text>
            {r.feature_importance ? (
              <ImportanceChart importance={r.feature_importance} />
            ) : (
              <Text size="sm" c="dimmed">
                Statistical models have no features: importance applies to the tree and neural models.
              </Text>
            )}
          </Card>
        </SimpleGrid>
      )}
    </Stack>
  );
}
