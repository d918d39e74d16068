/** Actuals: the import (file → mapping → import, with progress and row errors) and the batches imported so far. */
import { Badge, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client.ts';
import { Empty, ErrorAlert, Loading } from '../../components/common.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { Can } from '../../lib/permissions.tsx';
import { ImportWizard } from './ImportWizard.tsx';

export default function ActualsPage() {
  const batches = useQuery({
    queryKey: ['actuals', 'batches'],
    queryFn: () =>
      unwrap(api.GET('/api/budgeting-forecasting/actuals/batches', { params: { query: { limit: 50 } } })),
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        Actuals
      </Title>
      <Can
        permission="actuals:write"
        otherwise={<Text c="dimmed">Your role can read actuals but not import them.</Text>}
      >
        <ImportWizard />
      </Can>
      <Title order={2} size="h4">
        Imported batches
      </Title>
      {batches.isPending && <Loading />}
      {batches.isError && <ErrorAlert error={batches.error} />}
      {batches.data?.items.length === 0 && (
        <Empty title="No actuals yet">Import a ledger export (CSV or XLSX) above.</Empty>
      )}
      {batches.data && batches.data.items.length > 0 && (
        <Table striped withTableBorder data-testid="batches">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Batch</Table.Th>
              <Table.Th>File</Table.Th>
              <Table.Th className="num">Rows</Table.Th>
              <Table.Th>Format</Table.Th>
              <Table.Th>Imported</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {batches.data.items.map((b) => (
              <Table.Tr key={b.batch_id}>
                <Table.Td>{b.batch_key}</Table.Td>
                <Table.Td>{b.file_name ?? '—'}</Table.Td>
                <Table.Td className="num">{b.row_count.toLocaleString()}</Table.Td>
                <Table.Td>
                  <Badge variant="light">{b.format}</Badge>
                </Table.Td>
                <Table.Td>{formatDateTime(b.created_at)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
