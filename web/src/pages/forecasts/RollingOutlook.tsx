/** The rolling full-year outlook of a budget: actuals to date plus the forecast of the rest, against the plan. */
import { Button, Card, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import { Amount, BudgetSelect, ErrorAlert, Loading, useChosenBudget } from '../../components/common.tsx';

export function RollingOutlook() {
  const [budget, choose, budgets] = useChosenBudget();
  const [asOf, setAsOf] = useState('');
  const [asked, setAsked] = useState<string>();
  const id = budget?.budget_id ?? '';
  const outlook = useQuery({
    queryKey: ['rolling', id, asked],
    enabled: Boolean(id && asked),
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/budgets/{id}/rolling-forecast', {
          params: { path: { id }, query: { as_of: asked!, group_by: 'category', model: 'auto', level: 95 } },
        }),
      ),
  });
  const defaultAsOf = (() => {
    const d = new Date();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - 1);
    return d.toISOString().slice(0, 7);
  })();
  const o = outlook.data;
  return (
    <Card withBorder data-testid="rolling-outlook">
      <Stack gap="xs">
        <Text fw={600}>Rolling full-year outlook</Text>
        <Group align="flex-end">
          <BudgetSelect value={id} onChange={choose} budgets={budgets.data?.items ?? []} />
          <TextInput
            label="Actuals through"
            placeholder={defaultAsOf}
            value={asOf}
            onChange={(e) => setAsOf(e.currentTarget.value)}
            w={140}
          />
          <Button
            onClick={() => setAsked(asOf.trim() || defaultAsOf)}
            disabled={!id}
            data-testid="outlook-run"
          >
            Forecast the rest of the year
          </Button>
        </Group>
        {outlook.isFetching && <Loading rows={3} />}
        {outlook.isError && <ErrorAlert error={outlook.error} />}
        {o && (
          <>
            <Text size="sm" c="dimmed">
              {o.months.elapsed} months of actuals ({o.months.first} – {o.as_of}), {o.months.remaining}{' '}
              forecast with {o.model}; {o.confidence_level} % interval; in {o.currency}.
            </Text>
            <Table.ScrollContainer minWidth={800}>
              <Table striped withTableBorder fz="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Category</Table.Th>
                    <Table.Th className="num">Budget (year)</Table.Th>
                    <Table.Th className="num">Actual to date</Table.Th>
                    <Table.Th className="num">Outlook (year)</Table.Th>
                    <Table.Th className="num">Gap to budget</Table.Th>
                    <Table.Th>Model</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[
                    ...o.groups.map((g) => ({ ...g, label: g.line_name ?? g.key, total: false })),
                    { ...o.totals, label: 'Total', key: 'total', line_id: null, model_used: '', total: true },
                  ].map((g) => (
                    <Table.Tr key={`${g.key}:${g.line_id ?? ''}`} fw={g.total ? 600 : undefined}>
                      <Table.Td>{g.label}</Table.Td>
                      <Table.Td className="num">
                        <Amount value={g.budget} />
                      </Table.Td>
                      <Table.Td className="num">
                        <Amount value={g.actual_ytd} />
                      </Table.Td>
                      <Table.Td className="num">
                        <Amount value={g.outlook} />
                      </Table.Td>
                      <Table.Td className="num">
                        <Amount value={g.gap} />
                        {g.gap_percent ? ` (${g.gap_percent} %)` : ''}
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs" c="dimmed">
                          {g.model_used}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
      </Stack>
    </Card>
  );
}
