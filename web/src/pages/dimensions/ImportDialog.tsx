/**
 * CSV import of a dimension's members in two steps: the file is checked first (`?dry_run=true`:
 * the API reads every row and the tree it would make, stores nothing) and its refusals listed by
 * row and column beside the row's text; only a file that passed is imported, all or nothing,
 * with what it did ("12 created, 3 updated").
 */
import { Alert, Button, Code, FileInput, Group, Modal, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, explainError, type paths, unwrap } from '../../api/client.ts';
import { DIMENSIONS, type Dimension, rowProblem } from './tree.ts';

type ImportResult =
  paths['/api/budgeting-forecasting/dimensions/{dimension}/import']['post']['responses'][200]['content']['application/json'];

/** "12 created, 3 updated, 1 unchanged" (the counts that are not zero; "nothing to change" when all are). */
export function describeImport(
  r: Pick<ImportResult, 'created' | 'updated' | 'unchanged'>,
  future = false,
): string {
  const parts = [
    r.created ? `${r.created.toLocaleString()} ${future ? 'to create' : 'created'}` : '',
    r.updated ? `${r.updated.toLocaleString()} ${future ? 'to update' : 'updated'}` : '',
    r.unchanged ? `${r.unchanged.toLocaleString()} unchanged` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'nothing to change';
}

export function ImportDialog({
  dimension,
  onImported,
  onClose,
}: {
  dimension: Dimension;
  /** After a real import, once the tree is read again (it may have changed shape). */
  onImported: () => void;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const { plural } = DIMENSIONS.find((d) => d.value === dimension)!;
  const [file, setFile] = useState<File | null>(null);
  const [text, setText] = useState('');
  const send = useMutation({
    mutationFn: ({ dryRun, csv }: { dryRun: boolean; csv: string }) =>
      unwrap(
        api.POST('/api/budgeting-forecasting/dimensions/{dimension}/import', {
          params: { path: { dimension }, query: { dry_run: dryRun } },
          body: csv,
          bodySerializer: (b) => b,
          headers: { 'content-type': 'text/csv' },
        }),
      ),
    onSuccess: (r) => {
      // The tree opens afresh once the new one is read.
      if (!r.dry_run) void qc.invalidateQueries({ queryKey: ['dimensions', dimension] }).then(onImported);
    },
  });
  const check = async (f: File | null) => {
    setFile(f);
    send.reset();
    if (!f) return setText('');
    const content = await f.text();
    setText(content);
    // The check runs at once: a file is chosen to be imported.
    send.mutate({ dryRun: true, csv: content });
  };
  const result = send.data;
  const refused =
    send.error instanceof ApiError && send.error.code === 'import_rejected' ? send.error : undefined;
  const lines = text.split(/\r?\n/);
  const problems = refused?.errors.map(rowProblem) ?? [];
  const failedRows = Number(refused?.body.failed_rows ?? 0);

  return (
    <Modal opened onClose={onClose} title={`Import ${plural} from CSV`} size="xl">
      <Stack>
        <Text size="sm" c="dimmed">
          Columns <Code>code</Code>, <Code>name</Code>, <Code>parent_code</Code>
          {dimension === 'gl_account' ? (
            <>
              , <Code>account_type</Code> (required)
            </>
          ) : null}{' '}
          and optionally <Code>sort_order</Code>; comma or semicolon separated. Parents may come after their
          children or be members already. Members not in the file are kept.
        </Text>
        <FileInput
          label="CSV file"
          placeholder="Choose a CSV file"
          accept=".csv,.txt,text/csv"
          value={file}
          onChange={(f) => void check(f)}
          clearable
          data-testid="dimension-file"
        />
        {send.isPending && (
          <Text size="sm" c="dimmed">
            {send.variables?.dryRun ? 'Checking every row…' : 'Importing…'}
          </Text>
        )}
        {result?.dry_run && (
          <Alert
            color="blue"
            title={`The file is fine: ${result.rows.toLocaleString()} rows checked`}
            data-testid="dry-run-ok"
          >
            <Text size="sm">{describeImport(result, true)}. Nothing is stored until you import it.</Text>
          </Alert>
        )}
        {result && !result.dry_run && (
          <Alert
            color="teal"
            title={`Imported ${result.rows.toLocaleString()} rows`}
            data-testid="import-result"
          >
            <Text size="sm">{describeImport(result)}.</Text>
          </Alert>
        )}
        {refused && (
          <Alert
            color="red"
            title={`Nothing can be imported: ${failedRows || problems.length} row${(failedRows || problems.length) === 1 ? '' : 's'} to fix`}
            data-testid="import-errors"
          >
            <Text size="sm">{refused.message}. Fix the rows below and choose the file again.</Text>
          </Alert>
        )}
        {problems.length > 0 && (
          <ScrollArea.Autosize mah={300}>
            <Table striped withTableBorder fz="sm" data-testid="row-errors">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={70}>Row</Table.Th>
                  <Table.Th w={120}>Column</Table.Th>
                  <Table.Th>Problem</Table.Th>
                  <Table.Th>In the file</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {problems.map((p, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the API's list, in its order
                  <Table.Tr key={i}>
                    <Table.Td>{p.row ?? '—'}</Table.Td>
                    <Table.Td>{p.column ?? '—'}</Table.Td>
                    <Table.Td>{p.message}</Table.Td>
                    <Table.Td>
                      {p.row !== undefined && lines[p.row - 1] !== undefined && (
                        <Code>{lines[p.row - 1]}</Code>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
        )}
        {send.error && !refused && (
          <Alert color="red" title={explainError(send.error).title}>
            <Text size="sm">{explainError(send.error).message}</Text>
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {result && !result.dry_run ? 'Close' : 'Cancel'}
          </Button>
          {!(result && !result.dry_run) && (
            <Button
              disabled={!result?.dry_run || send.isPending}
              onClick={() => send.mutate({ dryRun: false, csv: text })}
              data-testid="import-confirm"
            >
              Import {result?.dry_run ? `${result.rows.toLocaleString()} rows` : ''}
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
