/** Small pieces every analysis screen uses: errors in words, amounts, a budget picker, empty states, downloads. */
import { Alert, Select, Skeleton, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { api, explainError, type Schemas, unwrap } from '../api/client.ts';
import { amountClass, formatAmount } from '../lib/format.ts';

export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const e = explainError(error);
  return (
    <Alert color="red" title={title ?? e.title} data-testid="error">
      <Text size="sm">{e.message}</Text>
      {e.fields.length > 1 && (
        <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
          {e.fields.slice(0, 20).map((f) => (
            <li key={`${f.path}:${f.code}`}>
              <Text size="sm">{f.message}</Text>
            </li>
          ))}
        </ul>
      )}
      {e.reference && (
        <Text size="xs" c="dimmed">
          Reference: {e.reference}
        </Text>
      )}
    </Alert>
  );
}

export function Amount({ value, currency }: { value: string | null | undefined; currency?: string }) {
  return <span className={amountClass(value)}>{formatAmount(value, currency ? { currency } : {})}</span>;
}

export function Loading({ rows = 4 }: { rows?: number }) {
  return (
    <Stack gap="xs" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: positions of a fixed row or column list
        <Skeleton key={i} height={i === 0 ? 28 : 18} width={i === 0 ? '35%' : '100%'} />
      ))}
    </Stack>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Stack gap={4} p="lg" align="center" data-testid="empty">
      <Text fw={600}>{title}</Text>
      {children && (
        <Text c="dimmed" size="sm" ta="center" maw={520}>
          {children}
        </Text>
      )}
    </Stack>
  );
}

export type Budget = Schemas['Budget'];

/** The tenant's budgets (newest first), for pickers. */
export function useBudgets() {
  return useQuery({
    queryKey: ['budgets', 'picker'],
    queryFn: () =>
      unwrap(api.GET('/api/budgeting-forecasting/budgets', { params: { query: { limit: 200 } } })),
  });
}

/** The budget chosen in the URL (`?budget=`), defaulting to the newest approved or active one. */
export function useChosenBudget(): [Budget | undefined, (id: string) => void, ReturnType<typeof useBudgets>] {
  const [params, setParams] = useSearchParams();
  const budgets = useBudgets();
  const items = budgets.data?.items ?? [];
  const id = params.get('budget');
  const chosen =
    items.find((b) => b.budget_id === id) ??
    (id ? undefined : (items.find((b) => b.status === 'approved' || b.status === 'active') ?? items[0]));
  const choose = (next: string) =>
    setParams(
      (p) => {
        p.set('budget', next);
        return p;
      },
      { replace: true },
    );
  return [chosen, choose, budgets];
}

export function BudgetSelect({
  value,
  onChange,
  budgets,
}: {
  value: string | undefined;
  onChange: (id: string) => void;
  budgets: Budget[];
}) {
  return (
    <Select
      label="Budget"
      data-testid="budget-select"
      w={340}
      searchable
      value={value ?? null}
      onChange={(v) => v && onChange(v)}
      data={budgets.map((b) => ({
        value: b.budget_id,
        label: `${b.budget_name} · ${b.fiscal_year} · ${b.status.replace('_', ' ')}`,
      }))}
      allowDeselect={false}
    />
  );
}

/** Saves a Blob as a file (Excel downloads fetched with the session's token). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "favourable" → green, "unfavourable" → red, on budget → dimmed. */
export function favourColor(f: string | undefined): string | undefined {
  return f === 'favourable' ? 'teal' : f === 'unfavourable' ? 'red' : 'dimmed';
}

export const STATUS_COLORS: Record<string, string> = {
  draft: 'gray',
  under_review: 'yellow',
  approved: 'teal',
  rejected: 'red',
  active: 'blue',
  locked: 'violet',
  archived: 'dark',
};
