/**
 * Deleting a member: asked first; when the API answers `member_has_children` (409, naming the
 * children) the dialog asks whether to delete the whole subtree (`?cascade=true`); when it
 * answers `member_in_use` it says which lines, budgets and actuals still carry the codes.
 */
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, explainError, unwrap } from '../../api/client.ts';
import { DIMENSIONS, type Dimension, type Member, subtreeOf } from './tree.ts';

interface References {
  lines?: number;
  budgets?: number;
  actuals?: number;
}

/** The API's message as a sentence (it starts with the dimension's name in lower case). */
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

export function DeleteMemberDialog({
  dimension,
  members,
  member,
  onClose,
  onDeleted,
}: {
  dimension: Dimension;
  members: readonly Member[];
  member: Member;
  onClose: () => void;
  onDeleted: (deleted: string[]) => void;
}) {
  const qc = useQueryClient();
  const singular = DIMENSIONS.find((d) => d.value === dimension)!.singular;
  const remove = useMutation({
    mutationFn: (cascade: boolean) =>
      unwrap(
        api.DELETE('/api/budgeting-forecasting/dimensions/{dimension}/members/{code}', {
          params: { path: { dimension, code: member.code }, query: cascade ? { cascade: true } : {} },
        }),
      ),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['dimensions', dimension] });
      notifications.show({
        color: 'gray',
        title: r.deleted.length === 1 ? `Deleted ${member.code}` : `Deleted ${r.deleted.length} members`,
        message: r.deleted.length === 1 ? member.name : r.deleted.join(', '),
      });
      onDeleted(r.deleted);
    },
  });
  const error = remove.error instanceof ApiError ? remove.error : undefined;
  const hasChildren = error?.code === 'member_has_children';
  const inUse = error?.code === 'member_in_use';
  const refs = (error?.body.references ?? {}) as References;
  const subtree = subtreeOf(members, member.code);
  const other = remove.error && !hasChildren && !inUse ? explainError(remove.error) : undefined;

  return (
    <Modal opened onClose={onClose} title={`Delete ${singular} ${member.code}?`} data-testid="delete-dialog">
      <Stack>
        {!hasChildren && !inUse && (
          <Text size="sm">
            “{member.name}” ({member.code}) will no longer be in the tree. Budget lines carrying the code are
            not changed; it is refused while any still do.
          </Text>
        )}
        {hasChildren && (
          <Alert color="orange" title="It has members under it" data-testid="cascade-question">
            <Text size="sm">
              {sentence(error.message.replace(/: delete them first or use \?cascade=true$/, '.'))}
            </Text>
            <Text size="sm" mt={4}>
              Delete {member.code} together with its whole subtree (
              {plural(subtree.length, 'member', 'members')}: {subtree.slice(0, 12).join(', ')}
              {subtree.length > 12 ? ', …' : ''})? Or move the children to another parent first.
            </Text>
          </Alert>
        )}
        {inUse && (
          <Alert color="red" title="Still in use: nothing was deleted" data-testid="in-use">
            <Text size="sm">
              {member.code}
              {remove.variables ? ' or a member under it' : ''} is carried by{' '}
              {[
                plural(refs.lines ?? 0, 'budget line', 'budget lines'),
                plural(refs.budgets ?? 0, 'budget', 'budgets'),
                plural(refs.actuals ?? 0, 'actual', 'actuals'),
              ].join(', ')}
              . Move them to another {singular} first (in the budget editor, or by re-importing the actuals),
              then delete it.
            </Text>
          </Alert>
        )}
        {other && (
          <Alert color="red" title={other.title}>
            <Text size="sm">{other.message}</Text>
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {inUse ? 'Close' : 'Cancel'}
          </Button>
          {hasChildren ? (
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => remove.mutate(true)}
              data-testid="delete-cascade"
            >
              Delete {plural(subtree.length, 'member', 'members')}
            </Button>
          ) : (
            !inUse && (
              <Button
                color="red"
                loading={remove.isPending}
                onClick={() => remove.mutate(false)}
                data-testid="delete-confirm"
              >
                Delete {member.code}
              </Button>
            )
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
