/**
 * Dimensions: the tenant's trees of departments, cost centres, GL accounts and funds, one tab
 * each (`?dimension=`), the chosen member in the URL (`?member=`). Everyone who reads budgets
 * sees the trees; holders of `dimensions:manage` add, rename, move and delete members and import
 * a CSV (checked by a dry run first).
 */
import { Button, Grid, Group, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client.ts';
import { Empty, ErrorAlert, Loading } from '../../components/common.tsx';
import { useCan } from '../../lib/permissions.tsx';
import { ImportDialog } from './ImportDialog.tsx';
import { MemberPanel } from './MemberPanel.tsx';
import { MemberTree } from './MemberTree.tsx';
import {
  DIMENSIONS,
  type Dimension,
  initialExpanded,
  type Member,
  searchHits,
  visibleMembers,
} from './tree.ts';

export default function DimensionsPage() {
  const [params, setParams] = useSearchParams();
  const dimension = (DIMENSIONS.find((d) => d.value === params.get('dimension'))?.value ??
    'department') as Dimension;
  const setParam = (key: string, value: string | undefined) =>
    setParams(
      (p) => {
        if (value === undefined) p.delete(key);
        else p.set(key, value);
        return p;
      },
      { replace: true },
    );
  return (
    <Stack>
      <Title order={1} size="h2">
        Dimensions
      </Title>
      <Tabs
        value={dimension}
        onChange={(v) =>
          v &&
          setParams(
            (p) => {
              p.set('dimension', v);
              p.delete('member');
              return p;
            },
            { replace: true },
          )
        }
        keepMounted={false}
      >
        <Tabs.List>
          {DIMENSIONS.map((d) => (
            <Tabs.Tab key={d.value} value={d.value}>
              {d.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {DIMENSIONS.map((d) => (
          <Tabs.Panel key={d.value} value={d.value} pt="md">
            <DimensionTree
              dimension={d.value}
              selected={params.get('member') ?? undefined}
              onSelect={(code) => setParam('member', code)}
            />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}

function DimensionTree({
  dimension,
  selected,
  onSelect,
}: {
  dimension: Dimension;
  selected: string | undefined;
  onSelect: (code: string | undefined) => void;
}) {
  const can = useCan();
  const canWrite = can('dimensions:manage');
  const { label, plural } = DIMENSIONS.find((d) => d.value === dimension)!;
  const list = useQuery({
    queryKey: ['dimensions', dimension],
    queryFn: () =>
      unwrap(
        api.GET('/api/budgeting-forecasting/dimensions/{dimension}/members', {
          params: { path: { dimension } },
        }),
      ),
  });
  const members: Member[] = useMemo(
    () => (list.data && 'items' in list.data ? list.data.items : []),
    [list.data],
  );
  const [expanded, setExpanded] = useState<Set<string>>();
  const [search, setSearch] = useState('');
  const [adding, setAdding] = useState<{ parent: string | null }>();
  const [importing, setImporting] = useState(false);
  // The first tree decides what is open (again after an import); an edit keeps the user's choice.
  useEffect(() => {
    if (members.length > 0 && expanded === undefined) setExpanded(initialExpanded(members));
  }, [members, expanded]);
  const open = expanded ?? new Set<string>();
  const hits = useMemo(() => searchHits(members, search), [members, search]);
  const visible = useMemo(() => visibleMembers(members, open, hits), [members, open, hits]);
  const member = members.find((m) => m.code === selected);

  /** Selects a member just saved and opens its ancestors (its new place), so it is in view. */
  const reveal = (saved: Member) => {
    setExpanded(new Set([...open, ...saved.path.slice(0, -1)]));
    onSelect(saved.code);
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end">
        <TextInput
          label={`Find in ${plural}`}
          placeholder="Code or name"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={300}
        />
        {canWrite && (
          <Group gap="xs">
            <Button variant="default" onClick={() => setImporting(true)} data-testid="import-open">
              Import CSV…
            </Button>
            <Button variant="default" onClick={() => setAdding({ parent: null })} data-testid="add-root">
              Add a root
            </Button>
            <Button
              onClick={() => setAdding({ parent: member?.code ?? null })}
              disabled={!member}
              data-testid="add-child"
            >
              Add under {member ? member.code : '…'}
            </Button>
          </Group>
        )}
      </Group>
      {list.isPending && <Loading rows={6} />}
      {list.isError && <ErrorAlert error={list.error} />}
      {list.data && members.length === 0 && !adding && (
        <Empty title={`No ${plural} yet`}>
          {canWrite
            ? 'Import a CSV (code, name, parent_code) or add a root. Until a tree exists, budget lines may carry any code.'
            : 'An administrator can import the tree. Until then, budget lines may carry any code.'}
        </Empty>
      )}
      {list.data && (members.length > 0 || adding) && (
        <Grid>
          <Grid.Col span={{ base: 12, md: 7 }}>
            {members.length > 0 && (
              <Stack gap={4}>
                <Text size="xs" c="dimmed" data-testid="member-count">
                  {members.length.toLocaleString()} members
                  {hits ? ` · ${visible.length.toLocaleString()} shown for “${search.trim()}”` : ''} · arrow
                  keys move, → and ← open and close
                </Text>
                <MemberTree
                  label={label}
                  members={members}
                  visible={visible}
                  expanded={open}
                  onExpandedChange={setExpanded}
                  selected={selected}
                  onSelect={(code) => {
                    setAdding(undefined);
                    onSelect(code);
                  }}
                  showAccountType={dimension === 'gl_account'}
                />
              </Stack>
            )}
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            {adding ? (
              <MemberPanel
                key={`new:${adding.parent ?? ''}`}
                dimension={dimension}
                members={members}
                member={undefined}
                newParent={adding.parent}
                canWrite={canWrite}
                onSaved={(saved) => {
                  setAdding(undefined);
                  reveal(saved);
                }}
                onDeleted={() => {}}
                onCancel={() => setAdding(undefined)}
              />
            ) : member ? (
              <MemberPanel
                key={`${member.code}:${member.version}`}
                dimension={dimension}
                members={members}
                member={member}
                canWrite={canWrite}
                onSaved={reveal}
                onDeleted={(_deleted, parent) => onSelect(parent ?? undefined)}
                onCancel={() => {}}
              />
            ) : (
              <Text size="sm" c="dimmed" p="md">
                Choose a member to see {canWrite ? 'and change ' : ''}it.
              </Text>
            )}
          </Grid.Col>
        </Grid>
      )}
      {importing && (
        <ImportDialog
          dimension={dimension}
          onImported={() => setExpanded(undefined)}
          onClose={() => setImporting(false)}
        />
      )}
    </Stack>
  );
}
