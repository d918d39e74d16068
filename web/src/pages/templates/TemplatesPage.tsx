/** Templates and their immutable versions: the lines of any version, and a new draft budget from it. */
import { Button, Card, Grid, Group, NavLink, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client.ts';
import { Amount, Empty, ErrorAlert, Loading } from '../../components/common.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { Can } from '../../lib/permissions.tsx';

export default function TemplatesPage() {
  const templates = useQuery({
    queryKey: ['templates'],
    queryFn: () =>
      unwrap(api.GET('/api/budgeting-forecasting/templates', { params: { query: { limit: 100 } } })),
  });
  const [picked, setPicked] = useState<string>();
  const id = picked ?? templates.data?.items[0]?.template_id;
  return (
    <Stack>
      <Title order={1} size="h2">
        Templates
      </Title>
      {templates.isPending && <Loading />}
      {templates.isError && <ErrorAlert error={templates.error} />}
      {templates.data?.items.length === 0 && (
        <Empty title="No templates yet">
          Templates preset a budget's fields and lines; every change keeps the old version.
        </Empty>
      )}
      {templates.data && templates.data.items.length > 0 && (
        <Grid>
          <Grid.Col span={{ base: 12, md: 3 }}>
            <Stack gap={2} data-testid="template-list">
              {templates.data.items.map((t) => (
                <NavLink
                  key={t.template_id}
                  active={t.template_id === id}
                  label={t.name}
                  description={`version ${t.current_version} · ${t.line_count} lines`}
                  onClick={() => setPicked(t.template_id)}
                />
              ))}
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 9 }}>{id && <TemplateVersions templateId={id} />}</Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}

function TemplateVersions({ templateId }: { templateId: string }) {
  const navigate = useNavigate();
  const versions = useQuery({
    queryKey: ['templates', templateId, 'versions'],
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/templates/{id}/versions', {
          params: { path: { id: templateId }, query: { limit: 50 } },
        }),
      ),
  });
  const [picked, setPicked] = useState<number>();
  const current = picked ?? versions.data?.items[0]?.version;
  const version = useQuery({
    queryKey: ['templates', templateId, 'version', current],
    enabled: current !== undefined,
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/templates/{id}/versions/{version}', {
          params: { path: { id: templateId, version: current! } },
        }),
      ),
  });
  const [name, setName] = useState('');
  const [year, setYear] = useState(String(new Date().getFullYear() + 1));
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/budgeting-forecasting/templates/{id}/budgets', {
          params: { path: { id: templateId } },
          body: { budget_name: name.trim(), fiscal_year: year.trim(), template_version: current! },
        }),
      ),
    onSuccess: (b) => navigate(`/budgets/${b.budget_id}`),
  });
  if (versions.isError) return <ErrorAlert error={versions.error} />;
  if (!versions.data) return <Loading />;
  const lines = (version.data?.lines ?? []) as Record<string, unknown>[];
  return (
    <Stack>
      <Group gap="xs" data-testid="template-versions">
        {versions.data.items.map((v) => (
          <Button
            key={v.version}
            size="xs"
            variant={v.version === current ? 'filled' : 'default'}
            onClick={() => setPicked(v.version)}
          >
            Version {v.version}
          </Button>
        ))}
      </Group>
      {versions.data.items
        .filter((v) => v.version === current)
        .map((v) => (
          <Text key={v.version} size="sm" c="dimmed">
            {v.name} · {v.line_count} lines · saved {formatDateTime(v.created_at)}
            {(v as { comment?: string | null }).comment
              ? ` · “${(v as { comment?: string | null }).comment}”`
              : ''}
          </Text>
        ))}
      {version.isError && <ErrorAlert error={version.error} />}
      {version.data && (
        <Table.ScrollContainer minWidth={700}>
          <Table striped withTableBorder fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Line</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Category</Table.Th>
                <Table.Th>Department</Table.Th>
                <Table.Th>GL</Table.Th>
                <Table.Th>Spread</Table.Th>
                <Table.Th className="num">Amount</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lines.map((l, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: positions of a fixed row or column list
                <Table.Tr key={i}>
                  <Table.Td>{String(l.line_name ?? '')}</Table.Td>
                  {/* Plain text as in the editor: a badge this narrow cut "revenue" to "REVE…". */}
                  <Table.Td>{String(l.line_type ?? '')}</Table.Td>
                  <Table.Td>{String(l.category ?? '')}</Table.Td>
                  <Table.Td>{String(l.department_id ?? '')}</Table.Td>
                  <Table.Td>{String(l.gl_account_id ?? '')}</Table.Td>
                  <Table.Td>{String(l.spread_method ?? 'even')}</Table.Td>
                  <Table.Td className="num">
                    {l.amount ? <Amount value={String(l.amount)} /> : `${l.quantity} × ${l.unit_cost}`}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Can permission={['budgets:write', 'templates:read']}>
        <Card withBorder>
          <Group align="flex-end">
            <TextInput
              label="New budget name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              w={280}
            />
            <TextInput
              label="Fiscal year"
              value={year}
              onChange={(e) => setYear(e.currentTarget.value)}
              w={110}
            />
            <Button
              onClick={() => create.mutate()}
              loading={create.isPending}
              disabled={name.trim().length < 3}
            >
              Create a draft from version {current}
            </Button>
          </Group>
          {create.isError && <ErrorAlert error={create.error} />}
        </Card>
      </Can>
    </Stack>
  );
}
