/** /budgets/:budgetId/workflow: the workflow panel of one budget as a page. */
import { Anchor, Stack } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { WorkflowPanel } from './WorkflowPanel.tsx';

export default function WorkflowPage() {
  const { budgetId = '' } = useParams();
  return (
    <Stack maw={960}>
      <Anchor component={Link} to={`/budgets/${budgetId}`} size="sm">
        ← Back to the budget
      </Anchor>
      <WorkflowPanel budgetId={budgetId} />
    </Stack>
  );
}
