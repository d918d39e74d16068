/** Password sign-in (tenant, email, password) against POST /auth/login. */
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { explainError } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ThemeToggle } from '../../layout/Layout.tsx';
import { HOME } from '../../routes.tsx';

export default function SignInPage() {
  const { status, signIn, lastTenant } = useSession();
  const [params] = useSearchParams();
  const [tenant, setTenant] = useState(lastTenant);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ReturnType<typeof explainError> | undefined>();

  const next = params.get('next');
  if (status === 'signed-in') return <Navigate to={next?.startsWith('/') ? next : HOME} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(tenant.trim(), email.trim(), password);
    } catch (err) {
      setError(explainError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100%" p="md">
      <Paper withBorder shadow="sm" p="xl" w={400} maw="100%" component="main">
        <form onSubmit={submit} aria-label="Sign in">
          <Stack>
            <Stack gap={4}>
              <Title order={1} size="h3">
                Sign in
              </Title>
              <Text c="dimmed" size="sm">
                Budgeting &amp; Forecasting
              </Text>
            </Stack>
            {error && (
              <Alert color="red" title={error.title} role="alert" data-testid="sign-in-error">
                {error.message}
              </Alert>
            )}
            <TextInput
              label="Organisation"
              description="Your tenant's identifier"
              name="tenant"
              required
              value={tenant}
              onChange={(e) => setTenant(e.currentTarget.value)}
              autoComplete="organization"
            />
            <TextInput
              label="Email"
              name="email"
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              autoComplete="username"
            />
            <PasswordInput
              label="Password"
              name="password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="current-password"
            />
            <Button type="submit" loading={busy || status === 'loading'}>
              Sign in
            </Button>
            <Center>
              <ThemeToggle />
            </Center>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
