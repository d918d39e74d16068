/** The budgets list (GET /budgets). */
import { Alert, Anchor, Badge, Group, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, explainError, unwrap } from '../../api/client.ts';
import { amountClass, formatAmount } from '../../lib/format.ts';

export default function BudgetsPage() {
  const list = useQuery({
    queryKey: ['budgets'],
    queryFn: () =>
      unwrap(api.GET('/api/budgeting-forecasting/budgets', { params: { query: { limit: 100 } } })),
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        Budgets
      </Title>
      {list.isPending && <Skeleton height={200} />}
      {list.isError && (
        <Alert color="red" title={explainError(list.error).title}>
          {explainError(list.error).message}
        </Alert>
      )}
      {list.data && list.data.items.length === 0 && <Text c="dimmed">No budgets yet.</Text>}
      {list.data && list.data.items.length > 0 && (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Fiscal year</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th className="num">Net result</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((b) => (
              <Table.Tr key={b.budget_id}>
                <Table.Td>
                  <Anchor component={Link} to={`/budgets/${b.budget_id}`}>
                    {b.budget_name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{b.fiscal_year}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge variant="light">{b.status}</Badge>
                  </Group>
                </Table.Td>
                <Table.Td className={amountClass(b.totals.net)}>
                  {formatAmount(b.totals.net, { currency: b.base_currency })}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
