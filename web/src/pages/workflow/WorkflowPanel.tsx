/**
 * The approval workflow of one budget (a panel the editor can embed): the actions the status
 * and the user's permissions allow, each button saying why when it is disabled (the four-eyes
 * rule: whoever submitted a run may not approve it), and the history timeline.
 */
import {
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Stack,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ErrorAlert, Loading, STATUS_COLORS } from '../../components/common.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { type Permission, useCan } from '../../lib/permissions.tsx';
import { useUserNames } from '../../lib/users.ts';

type Action = 'submit' | 'approve' | 'reject' | 'reopen' | 'activate' | 'lock' | 'unlock' | 'archive';

const ACTIONS: { action: Action; label: string; permission: Permission; color?: string; from: string }[] = [
  { action: 'submit', label: 'Submit for approval', permission: 'budgets:write', from: 'draft' },
  { action: 'approve', label: 'Approve', permission: 'budgets:approve', color: 'teal', from: 'under review' },
  { action: 'reject', label: 'Reject…', permission: 'budgets:approve', color: 'red', from: 'under review' },
  { action: 'reopen', label: 'Reopen as draft', permission: 'budgets:write', from: 'rejected' },
  { action: 'activate', label: 'Activate', permission: 'budgets:approve', from: 'approved' },
  { action: 'lock', label: 'Lock', permission: 'budgets:approve', from: 'approved or active' },
  { action: 'unlock', label: 'Unlock', permission: 'budgets:approve', from: 'locked' },
  {
    action: 'archive',
    label: 'Archive…',
    permission: 'budgets:delete',
    color: 'gray',
    from: 'any status but archived',
  },
];

const PAST: Record<Action, string> = {
  submit: 'Submitted',
  approve: 'Approved',
  reject: 'Rejected',
  reopen: 'Reopened',
  activate: 'Activated',
  lock: 'Locked',
  unlock: 'Unlocked',
  archive: 'Archived',
};

type Workflow = Awaited<ReturnType<typeof fetchWorkflow>>;

function fetchWorkflow(id: string) {
  return unwrap(api.GET('/api/budgeting-forecasting/budgets/{id}/workflow', { params: { path: { id } } }));
}

/** Who submitted the current approval run (the four-eyes rule applies to them). */
function submitterOf(w: Workflow): string | undefined {
  return [...w.items].reverse().find((e) => e.action === 'submit' && e.workflow_id === w.approval_workflow_id)
    ?.actor;
}

export function WorkflowPanel({ budgetId }: { budgetId: string }) {
  const can = useCan();
  const { me } = useSession();
  const nameOf = useUserNames();
  const qc = useQueryClient();
  const [comment, setComment] = useState('');
  const [confirm, setConfirm] = useState<Action | undefined>();
  const [reason, setReason] = useState('');
  const budget = useQuery({
    queryKey: ['budget', budgetId],
    queryFn: () =>
      unwrap(api.GET('/api/budgeting-forecasting/budgets/{id}', { params: { path: { id: budgetId } } })),
  });
  const workflow = useQuery({ queryKey: ['workflow', budgetId], queryFn: () => fetchWorkflow(budgetId) });

  const act = useMutation({
    mutationFn: async (action: Action) => {
      const version = budget.data!.version;
      const path = { params: { path: { id: budgetId } } };
      const body = { version, ...(comment.trim() ? { comment: comment.trim() } : {}) };
      const base = '/api/budgeting-forecasting/budgets/{id}';
      switch (action) {
        case 'reject':
          return unwrap(api.POST(`${base}/reject`, { ...path, body: { version, reason: reason.trim() } }));
        case 'submit':
          return unwrap(api.POST(`${base}/submit`, { ...path, body }));
        case 'approve':
          return unwrap(api.POST(`${base}/approve`, { ...path, body }));
        case 'reopen':
          return unwrap(api.POST(`${base}/reopen`, { ...path, body }));
        case 'activate':
          return unwrap(api.POST(`${base}/activate`, { ...path, body }));
        case 'lock':
          return unwrap(api.POST(`${base}/lock`, { ...path, body }));
        case 'unlock':
          return unwrap(api.POST(`${base}/unlock`, { ...path, body }));
        case 'archive':
          return unwrap(api.POST(`${base}/archive`, { ...path, body }));
      }
    },
    onSuccess: (b, action) => {
      notifications.show({
        color: 'teal',
        message: `${PAST[action]}: the budget is now ${b.status.replace('_', ' ')}`,
      });
      setComment('');
      setReason('');
      setConfirm(undefined);
      qc.invalidateQueries({ queryKey: ['budget', budgetId] });
      qc.invalidateQueries({ queryKey: ['workflow', budgetId] });
      qc.invalidateQueries({ queryKey: ['budgets'] });
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ['workflow', budgetId] }),
  });

  if (budget.isError) return <ErrorAlert error={budget.error} />;
  if (workflow.isError) return <ErrorAlert error={workflow.error} />;
  if (!budget.data || !workflow.data) return <Loading />;
  const w = workflow.data;
  const submitter = submitterOf(w);
  const who = (actor: string) => (actor === me?.user_id ? 'you' : nameOf(actor));

  /** Why an action cannot be taken now, or undefined when it can. */
  const blocked = (a: (typeof ACTIONS)[number]): string | undefined => {
    if (!w.allowed_actions.includes(a.action))
      return `Only possible when the budget is ${a.from}; it is ${w.status.replace('_', ' ')}.`;
    if (!can(a.permission)) return `Your role does not include "${a.permission}".`;
    if (a.action === 'approve' && submitter && submitter === me?.user_id)
      return 'Four-eyes rule: you submitted this budget, so another approver must approve it.';
    return undefined;
  };

  return (
    <Stack data-testid="workflow-panel">
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Title order={2} size="h3">
            {budget.data.budget_name}
          </Title>
          <Text size="sm" c="dimmed">
            Fiscal year {budget.data.fiscal_year} · version {budget.data.version}
          </Text>
        </Stack>
        <Badge size="lg" color={STATUS_COLORS[w.status]} data-testid="workflow-status">
          {w.status.replace('_', ' ')}
        </Badge>
      </Group>
      {act.isError && <ErrorAlert error={act.error} />}
      <Card withBorder>
        <Stack gap="sm">
          <TextInput
            label="Comment (optional, kept in the history)"
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
            maxLength={2000}
          />
          <Group gap="xs">
            {ACTIONS.map((a) => {
              const why = blocked(a);
              const button = (
                <Button
                  key={a.action}
                  variant={why ? 'default' : 'filled'}
                  color={a.color}
                  disabled={Boolean(why)}
                  loading={act.isPending && act.variables === a.action}
                  data-testid={`action-${a.action}`}
                  onClick={() =>
                    a.action === 'reject' || a.action === 'archive'
                      ? setConfirm(a.action)
                      : act.mutate(a.action)
                  }
                >
                  {a.label}
                </Button>
              );
              return why ? (
                <Tooltip key={a.action} label={why} multiline w={280}>
                  <span>{button}</span>
                </Tooltip>
              ) : (
                button
              );
            })}
          </Group>
          {submitter === me?.user_id && w.allowed_actions.includes('approve') && (
            <Text size="sm" c="dimmed" data-testid="four-eyes">
              Four-eyes rule: you submitted this budget, so another approver must approve it.
            </Text>
          )}
        </Stack>
      </Card>
      <Title order={3} size="h4">
        History
      </Title>
      {w.items.length === 0 ? (
        <Text c="dimmed">No workflow steps yet: the budget has never been submitted.</Text>
      ) : (
        <Timeline active={w.items.length - 1} bulletSize={18} data-testid="workflow-history">
          {w.items.map((e) => (
            <Timeline.Item
              key={e.event_id}
              title={`${PAST[e.action as Action] ?? e.action} by ${who(e.actor)}`}
            >
              <Text size="sm" c="dimmed">
                {e.from_status.replace('_', ' ')} → {e.to_status.replace('_', ' ')} ·{' '}
                {formatDateTime(e.occurred_at)}
              </Text>
              {e.comment && <Text size="sm">“{e.comment}”</Text>}
            </Timeline.Item>
          ))}
        </Timeline>
      )}
      <Modal
        opened={confirm !== undefined}
        onClose={() => setConfirm(undefined)}
        title={confirm === 'reject' ? 'Reject the budget' : 'Archive the budget'}
      >
        <Stack>
          {confirm === 'reject' ? (
            <Textarea
              label="Reason (the planner sees it)"
              required
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              minRows={3}
              data-testid="reject-reason"
            />
          ) : (
            <Text size="sm">An archived budget is final and read-only to everyone. Archive it?</Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirm(undefined)}>
              Cancel
            </Button>
            <Button
              color={confirm === 'reject' ? 'red' : 'gray'}
              disabled={confirm === 'reject' && !reason.trim()}
              loading={act.isPending}
              data-testid="confirm-action"
              onClick={() => confirm && act.mutate(confirm)}
            >
              {confirm === 'reject' ? 'Reject' : 'Archive'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
