/** A background job's progress (GET /jobs/:id polled until it ends), as a bar with words. */
import { Alert, Group, Progress, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, explainError, type Schemas, unwrap } from '../api/client.ts';

type Job = Schemas['Job'];

export function JobProgress({
  jobId,
  label,
  onDone,
}: {
  jobId: string;
  label: string;
  onDone?: (job: Job) => void;
}) {
  const job = useQuery({
    queryKey: ['job', jobId],
    queryFn: () =>
      unwrap(api.GET('/api/budgeting-forecasting/jobs/{id}', { params: { path: { id: jobId } } })),
    refetchInterval: (q) => {
      const s = q.state.data?.status;
      return s === 'completed' || s === 'failed' ? false : 500;
    },
  });
  const status = job.data?.status;
  useEffect(() => {
    if (job.data && (status === 'completed' || status === 'failed')) onDone?.(job.data);
  }, [status, job.data, onDone]);
  if (job.isError)
    return (
      <Alert color="red" title={explainError(job.error).title}>
        {explainError(job.error).message}
      </Alert>
    );
  const progress = status === 'completed' ? 100 : Number(job.data?.progress ?? 0);
  return (
    <Stack gap={4} data-testid="job-progress">
      <Group justify="space-between">
        <Text size="sm">{label}</Text>
        <Text size="sm" c="dimmed" data-testid="job-status">
          {status === 'failed' ? 'failed' : status === 'completed' ? 'done' : `${Math.round(progress)} %`}
        </Text>
      </Group>
      <Progress
        value={progress}
        color={status === 'failed' ? 'red' : status === 'completed' ? 'teal' : 'blue'}
        animated={status !== 'completed' && status !== 'failed'}
        aria-label={label}
      />
      {status === 'failed' && job.data?.error && (
        <Alert color="red" title="The job did not finish">
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {String(job.data.error)}
          </Text>
        </Alert>
      )}
    </Stack>
  );
}
