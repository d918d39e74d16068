/**
 * The chosen member beside the tree: its details for every reader; for holders of
 * `dimensions:manage` a form to rename it, move it (another parent), change its account type
 * and order, or delete it — and the same form empty to add a member. The API's refusals are
 * shown on the field their `path` names (a cycle and an unknown parent on Parent, a missing
 * account type on Account type); the rest above the form.
 */
import {
  Alert,
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api, explainError, type paths, unwrap } from '../../api/client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useUserNames } from '../../lib/users.ts';
import { DeleteMemberDialog } from './DeleteMemberDialog.tsx';
import { ACCOUNT_TYPES, DIMENSIONS, type Dimension, type Member } from './tree.ts';

type PutBody =
  paths['/api/budgeting-forecasting/dimensions/{dimension}/members/{code}']['put']['requestBody']['content']['application/json'];
type AccountType = NonNullable<PutBody['account_type']>;

/** Which field of the form an error path belongs to (the rest go above the form). */
const FIELD_OF: Record<string, 'code' | 'name' | 'parent' | 'type' | 'order'> = {
  code: 'code',
  'params.code': 'code',
  name: 'name',
  parent_code: 'parent',
  account_type: 'type',
  sort_order: 'order',
};

export function MemberPanel({
  dimension,
  members,
  member,
  newParent,
  canWrite,
  onSaved,
  onDeleted,
  onCancel,
}: {
  dimension: Dimension;
  members: readonly Member[];
  /** The member shown; undefined: the form adds a new one (under `newParent`). */
  member: Member | undefined;
  newParent?: string | null;
  canWrite: boolean;
  onSaved: (saved: Member) => void;
  onDeleted: (deleted: string[], parent: string | null) => void;
  onCancel: () => void;
}) {
  const qc = useQueryClient();
  const nameOf = useUserNames();
  const singular = DIMENSIONS.find((d) => d.value === dimension)!.singular;
  const isGl = dimension === 'gl_account';
  const creating = member === undefined;
  const [code, setCode] = useState('');
  const [name, setName] = useState(member?.name ?? '');
  const [parent, setParent] = useState<string | null>(member ? member.parent_code : (newParent ?? null));
  const [type, setType] = useState<string | null>(member?.account_type ?? null);
  const [order, setOrder] = useState<number | string>(member?.sort_order ?? 0);
  const [clientError, setClientError] = useState<{ field: string; message: string }>();
  const [deleting, setDeleting] = useState(false);

  const save = useMutation({
    mutationFn: (target: string) => {
      const body: PutBody = {
        name: name.trim(),
        parent_code: parent,
        sort_order: typeof order === 'number' ? order : Number(order) || 0,
        ...(isGl ? { account_type: (type ?? null) as AccountType | null } : {}),
        ...(member ? { version: member.version } : {}),
      };
      return unwrap(
        api.PUT('/api/budgeting-forecasting/dimensions/{dimension}/members/{code}', {
          params: { path: { dimension, code: target } },
          body,
        }),
      );
    },
    onSuccess: (saved) => {
      void qc.invalidateQueries({ queryKey: ['dimensions', dimension] });
      onSaved(saved);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setClientError(undefined);
    const target = creating ? code.trim() : member.code;
    // PUT creates or overwrites: adding a code that exists would silently replace it.
    if (creating && members.some((m) => m.code === target)) {
      setClientError({
        field: 'code',
        message: `${singular} ${target} already exists: choose it in the tree to change it`,
      });
      return;
    }
    if (creating && !target) {
      setClientError({ field: 'code', message: 'Give the code that lines and actuals carry' });
      return;
    }
    save.mutate(target);
  };

  const apiError = save.error instanceof ApiError ? save.error : undefined;
  const errorOf = (field: string): string | undefined => {
    if (clientError?.field === field) return clientError.message;
    const hits = apiError?.errors.filter((e) => FIELD_OF[e.path] === field) ?? [];
    return hits.length ? hits.map((e) => e.message).join('; ') : undefined;
  };
  const unplaced =
    save.error && !(apiError && apiError.errors.length > 0 && apiError.errors.every((e) => FIELD_OF[e.path]))
      ? explainError(save.error)
      : undefined;

  const parentOptions = members
    .filter((m) => m.code !== member?.code)
    .map((m) => ({ value: m.code, label: `${m.code} — ${m.name}` }));
  const parentMember = members.find((m) => m.code === (member?.parent_code ?? null));

  return (
    <Card withBorder data-testid="member-panel">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {creating ? `New ${singular}` : `${member.code} — ${member.name}`}
        </Title>
        {member && (
          <Stack gap={2} data-testid="member-details">
            <Text size="sm">
              {member.path.join(' › ')}
              {' · '}
              {member.children_count === 0
                ? 'no children'
                : `${member.children_count} ${member.children_count === 1 ? 'child' : 'children'}`}
              {parentMember ? ` · under ${parentMember.name}` : ' · a root'}
              {member.account_type ? ` · ${member.account_type}` : ''}
            </Text>
            <Text size="xs" c="dimmed">
              Version {member.version}, {member.updated_at ? 'changed' : 'added'}{' '}
              {formatDateTime(member.updated_at ?? member.created_at)} by{' '}
              {nameOf(member.updated_by ?? member.created_by)}
            </Text>
          </Stack>
        )}
        {!canWrite && member && (
          <Text size="sm" c="dimmed">
            Your role can read the {DIMENSIONS.find((d) => d.value === dimension)!.label.toLowerCase()} but
            not change them.
          </Text>
        )}
        {canWrite && (
          <form onSubmit={submit}>
            <Stack gap="sm">
              {unplaced && (
                <Alert color="red" title={unplaced.title} data-testid="member-error">
                  <Text size="sm">{unplaced.message}</Text>
                  {apiError?.code === 'version_conflict' && (
                    <Button
                      size="xs"
                      mt="xs"
                      variant="default"
                      onClick={() => void qc.invalidateQueries({ queryKey: ['dimensions', dimension] })}
                    >
                      Reload their version
                    </Button>
                  )}
                </Alert>
              )}
              {creating ? (
                <TextInput
                  label="Code"
                  description="What budget lines and actuals carry; it cannot be changed later"
                  value={code}
                  onChange={(e) => setCode(e.currentTarget.value)}
                  error={errorOf('code')}
                  required
                  maxLength={255}
                  data-autofocus
                />
              ) : null}
              <TextInput
                label="Name"
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                error={errorOf('name')}
                required
                maxLength={255}
              />
              <Select
                label="Parent"
                placeholder="None (a root)"
                description={creating ? undefined : 'Choose another parent to move it with its subtree'}
                data={parentOptions}
                value={parent}
                onChange={setParent}
                error={errorOf('parent')}
                searchable
                clearable
                limit={200}
                nothingFoundMessage="No member with that code or name"
                data-testid="member-parent"
              />
              {isGl && (
                <Select
                  label="Account type"
                  data={ACCOUNT_TYPES.map((t) => ({ value: t, label: t }))}
                  value={type}
                  onChange={setType}
                  error={errorOf('type')}
                  required
                />
              )}
              <NumberInput
                label="Order among its siblings"
                value={order}
                onChange={setOrder}
                error={errorOf('order')}
                allowDecimal={false}
                w={200}
              />
              <Group justify="space-between">
                <Group gap="xs">
                  <Button type="submit" loading={save.isPending} data-testid="member-save">
                    {creating ? `Add ${singular}` : 'Save'}
                  </Button>
                  {creating && (
                    <Button variant="default" onClick={onCancel}>
                      Cancel
                    </Button>
                  )}
                </Group>
                {member && (
                  <Button
                    color="red"
                    variant="light"
                    onClick={() => setDeleting(true)}
                    data-testid="member-delete"
                  >
                    Delete…
                  </Button>
                )}
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
      {member && deleting && (
        <DeleteMemberDialog
          dimension={dimension}
          members={members}
          member={member}
          onClose={() => setDeleting(false)}
          onDeleted={(deleted) => {
            setDeleting(false);
            onDeleted(deleted, member.parent_code);
          }}
        />
      )}
    </Card>
  );
}
