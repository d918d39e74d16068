/**
 * Sign in: with a password (tenant, email, password against POST /auth/login), or, when the
 * server names an OIDC provider (GET /auth/config), through that provider (code + PKCE).
 */
import {
  Alert,
  Button,
  Center,
  Paper,
  PasswordInput,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { explainError } from '../../api/client.ts';
import { loadSignInConfig, startOidcSignIn } from '../../auth/oidc.ts';
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

  const config = useQuery({ queryKey: ['auth-config'], queryFn: loadSignInConfig, staleTime: Infinity });

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

  const withProvider = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await startOidcSignIn(next?.startsWith('/') ? next : undefined);
    } catch (err) {
      setError(explainError(err));
      setBusy(false);
    }
  };

  // Until the server says how to sign in, no form (a password form could be the wrong one).
  const passwordLogin = config.data?.password_login ?? !config.isPending;
  const oidc = config.data?.oidc;

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
            {config.isPending && <Skeleton height={120} />}
            {oidc && (
              <Button onClick={withProvider} loading={busy} data-testid="oidc-sign-in">
                Sign in with your identity provider
              </Button>
            )}
            {passwordLogin && (
              <>
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
              </>
            )}
            {!passwordLogin && !oidc && !config.isPending && (
              <Text size="sm" c="dimmed">
                This server accepts tokens from an identity provider only; ask your administrator how to sign
                in.
              </Text>
            )}
            <Center>
              <ThemeToggle />
            </Center>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
