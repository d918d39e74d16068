import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { HOME } from '../routes.tsx';

export function NotFoundPage() {
  return (
    <Stack gap="xs" p="md">
      <Title order={2}>Page not found</Title>
      <Text c="dimmed">There is nothing at this address.</Text>
      <Anchor component={Link} to={HOME}>
        Go to the start page
      </Anchor>
    </Stack>
  );
}
