/**
 * Recommendations for a budget: generate (POST /budgets/:id/recommendations), the ranked list
 * with its evidence (the figures and the formula behind each), accept, dismiss with a reason,
 * or apply as a scenario, which then opens on the scenarios screen.
 */
import {
  Accordion,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, type paths, unwrap } from '../../api/client.ts';
import {
  Amount,
  BudgetSelect,
  Empty,
  ErrorAlert,
  Loading,
  useChosenBudget,
} from '../../components/common.tsx';
import { JobProgress } from '../../components/JobProgress.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useCan } from '../../lib/permissions.tsx';

type Bundle =
  paths['/api/budgeting-forecasting/recommendations/{bundleId}']['get']['responses'][200]['content']['application/json'];
type Item = Bundle['recommendations'][number];
const ITEM = '/api/budgeting-forecasting/recommendations/{bundleId}/items/{recommendationId}';

export default function RecommendationsPage() {
  const [budget, choose, budgets] = useChosenBudget();
  const can = useCan();
  const qc = useQueryClient();
  const id = budget?.budget_id ?? '';
  const [jobId, setJobId] = useState<string>();
  const bundles = useQuery({
    queryKey: ['recommendations', id],
    enabled: Boolean(id),
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/budgets/{id}/recommendations', {
          params: { path: { id }, query: { limit: 10 } },
        }),
      ),
  });
  const latest = bundles.data?.items[0]?.bundle_id;
  const bundle = useQuery({
    queryKey: ['recommendation-bundle', latest],
    enabled: Boolean(latest),
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/recommendations/{bundleId}', {
          params: { path: { bundleId: latest! } },
        }),
      ),
  });
  const generate = useMutation({
    mutationFn: async () => {
      const { data, error, response } = await api.POST(
        '/api/budgeting-forecasting/budgets/{id}/recommendations',
        {
          params: { path: { id } },
          body: {},
        },
      );
      if (error || !response.ok) await unwrap(Promise.resolve({ data, error, response }));
      // 202: large budgets are analysed as a job.
      return response.status === 202 ? (data as { job_id: string }).job_id : undefined;
    },
    onSuccess: (job) => {
      if (job) setJobId(job);
      else qc.invalidateQueries({ queryKey: ['recommendations', id] });
    },
  });

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1} size="h2">
          Recommendations
        </Title>
        <Group align="flex-end">
          <BudgetSelect value={id} onChange={choose} budgets={budgets.data?.items ?? []} />
          <Button
            onClick={() => generate.mutate()}
            loading={generate.isPending}
            disabled={!id || !can('recommendations:read')}
            data-testid="generate"
          >
            Analyse this budget
          </Button>
        </Group>
      </Group>
      {generate.isError && <ErrorAlert error={generate.error} />}
      {jobId && (
        <JobProgress
          jobId={jobId}
          label="Analysing the budget"
          onDone={() => {
            setJobId(undefined);
            qc.invalidateQueries({ queryKey: ['recommendations', id] });
          }}
        />
      )}
      {(bundles.isPending && id) || budgets.isPending ? <Loading /> : null}
      {bundles.isError && <ErrorAlert error={bundles.error} />}
      {bundles.data && !latest && (
        <Empty title="No recommendations yet">
          Analyse the budget: its year-to-date actuals, pace, seasonality and headcount are compared with the
          plan and with benchmarks.
        </Empty>
      )}
      {bundle.isError && <ErrorAlert error={bundle.error} />}
      {bundle.data && <BundleView bundle={bundle.data} />}
    </Stack>
  );
}

function BundleView({ bundle }: { bundle: Bundle }) {
  const can = useCan();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [dismissing, setDismissing] = useState<Item>();
  const [reason, setReason] = useState('');
  const params = (r: Item) => ({
    params: { path: { bundleId: bundle.bundle_id, recommendationId: r.recommendation_id } },
  });
  const act = useMutation({
    mutationFn: ({ r, action }: { r: Item; action: 'accept' | 'dismiss' | 'apply' }) =>
      action === 'accept'
        ? unwrap(api.POST(`${ITEM}/accept`, { ...params(r), body: { version: r.version } }))
        : action === 'dismiss'
          ? unwrap(api.POST(`${ITEM}/dismiss`, { ...params(r), body: { version: r.version, reason } }))
          : unwrap(api.POST(`${ITEM}/apply`, { ...params(r), body: { version: r.version } })),
    onSuccess: (r, v) => {
      qc.invalidateQueries({ queryKey: ['recommendation-bundle', bundle.bundle_id] });
      setDismissing(undefined);
      setReason('');
      if (v.action === 'apply' && r.scenario_id)
        navigate(`/scenarios?budget=${r.budget_id}&scenario=${r.scenario_id}`);
    },
  });
  return (
    <Stack data-testid="bundle">
      <Text size="sm" c="dimmed">
        {bundle.recommendation_count} recommendations, generated {formatDateTime(bundle.generated_at)} · total
        estimated impact <Amount value={bundle.total_estimated_impact} /> ({bundle.algorithm_version})
      </Text>
      {bundle.narrative && <Text>{bundle.narrative}</Text>}
      {act.isError && <ErrorAlert error={act.error} />}
      {bundle.recommendations.length === 0 && (
        <Empty title="Nothing to recommend">
          The budget is on track against its actuals and the benchmarks.
        </Empty>
      )}
      <Accordion variant="separated" multiple>
        {bundle.recommendations.map((r) => (
          <Accordion.Item key={r.recommendation_id} value={r.recommendation_id} data-testid="recommendation">
            <Accordion.Control>
              <Group justify="space-between" wrap="nowrap">
                <Group gap="xs" wrap="nowrap">
                  <Badge variant="filled" circle>
                    {r.rank}
                  </Badge>
                  <Text fw={500}>{r.title}</Text>
                </Group>
                <Group gap="xs" wrap="nowrap">
                  <Badge
                    color={
                      r.priority === 'high' || r.priority === 'critical'
                        ? 'red'
                        : r.priority === 'medium'
                          ? 'yellow'
                          : 'gray'
                    }
                    variant="light"
                  >
                    {r.priority}
                  </Badge>
                  <Text size="sm" className="num" w={130}>
                    <Amount value={r.estimated_impact} />
                  </Text>
                  <Badge
                    variant="outline"
                    color={r.status === 'applied' ? 'teal' : r.status === 'dismissed' ? 'gray' : 'blue'}
                    data-testid="recommendation-status"
                  >
                    {r.status}
                  </Badge>
                </Group>
              </Group>
            </Accordion.Control>
            <Accordion.Panel>
              <Stack gap="xs">
                <Text size="sm">{r.description}</Text>
                <Text size="sm" c="dimmed">
                  Confidence {r.confidence_score} · effort {r.implementation_effort} · {r.timeframe} ·{' '}
                  {r.type} / {r.category}
                </Text>
                {r.required_actions.length > 0 && (
                  <Text size="sm">Actions: {r.required_actions.join('; ')}</Text>
                )}
                {r.risk_factors.length > 0 && (
                  <Text size="sm" c="orange">
                    Risks: {r.risk_factors.join('; ')}
                  </Text>
                )}
                <Evidence evidence={r.evidence} />
                {r.status_reason && (
                  <Text size="sm" c="dimmed">
                    Reason: {r.status_reason}
                  </Text>
                )}
                {can('recommendations:act') && r.status !== 'dismissed' && r.status !== 'applied' && (
                  <Group gap="xs">
                    <Button
                      size="xs"
                      variant="light"
                      onClick={() => act.mutate({ r, action: 'accept' })}
                      disabled={r.status === 'accepted'}
                    >
                      Accept
                    </Button>
                    <Button size="xs" variant="default" onClick={() => setDismissing(r)}>
                      Dismiss…
                    </Button>
                    {r.adjustment && can('scenarios:write') && (
                      <Button
                        size="xs"
                        onClick={() => act.mutate({ r, action: 'apply' })}
                        loading={act.isPending}
                        data-testid="apply"
                      >
                        Apply to a scenario
                      </Button>
                    )}
                  </Group>
                )}
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
      <Modal
        opened={Boolean(dismissing)}
        onClose={() => setDismissing(undefined)}
        title="Dismiss the recommendation"
      >
        <Stack>
          <Textarea
            label="Why (kept with the recommendation)"
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button
              disabled={!reason.trim()}
              onClick={() => dismissing && act.mutate({ r: dismissing, action: 'dismiss' })}
            >
              Dismiss
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

/** The evidence: scalar figures as a table, the formula and anything nested as text. */
function Evidence({ evidence }: { evidence: Record<string, unknown> }) {
  const entries = Object.entries(evidence);
  const scalars = entries.filter(([, v]) => v === null || typeof v !== 'object');
  const nested = entries.filter(([, v]) => v !== null && typeof v === 'object');
  return (
    <Stack gap={4} data-testid="evidence">
      <Text size="sm" fw={600}>
        Evidence
      </Text>
      {scalars.length > 0 && (
        <Table withTableBorder fz="xs" maw={640}>
          <Table.Tbody>
            {scalars.map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Td w={220}>{k.replace(/_/g, ' ')}</Table.Td>
                <Table.Td className={typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? 'num' : undefined}>
                  {typeof v === 'string' && /^-?\d+\.\d{2}$/.test(v) ? <Amount value={v} /> : String(v)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {nested.map(([k, v]) => (
        <Stack key={k} gap={2}>
          <Text size="xs" c="dimmed">
            {k.replace(/_/g, ' ')}
          </Text>
          <Code block fz="xs">
            {JSON.stringify(v, null, 2)}
          </Code>
        </Stack>
      ))}
    </Stack>
  );
}
