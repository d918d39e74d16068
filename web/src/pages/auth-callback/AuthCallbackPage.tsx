/** Where the identity provider sends the browser back: exchanges the code (PKCE) and signs in. */
import { Alert, Anchor, Center, Loader, Paper, Stack } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { Link, Navigate } from 'react-router';
import { completeOidcSignIn } from '../../auth/oidc.ts';
import { useSession } from '../../auth/session.tsx';
import { HOME } from '../../routes.tsx';

export default function AuthCallbackPage() {
  const { status, adoptToken } = useSession();
  const [error, setError] = useState<string | undefined>();
  const [next, setNext] = useState<string | undefined>();
  const started = useRef(false);

  useEffect(() => {
    // The code can be exchanged once: StrictMode's second effect run must not try again.
    if (started.current) return;
    started.current = true;
    completeOidcSignIn()
      .then((r) => {
        setNext(r.next?.startsWith('/') ? r.next : HOME);
        adoptToken(r.token, r.expiresAt);
      })
      .catch((err: unknown) =>
        setError(
          `The identity provider's answer could not be used: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
  }, [adoptToken]);

  if (status === 'signed-in' && next) return <Navigate to={next} replace />;
  return (
    <Center mih="100%" p="md">
      <Paper withBorder p="xl" w={420} maw="100%" component="main">
        {error ? (
          <Stack>
            <Alert color="red" title="Sign-in did not complete" role="alert" data-testid="oidc-error">
              {error}
            </Alert>
            <Anchor component={Link} to="/sign-in">
              Back to sign in
            </Anchor>
          </Stack>
        ) : (
          <Center>
            <Loader aria-label="Signing in" />
          </Center>
        )}
      </Paper>
    </Center>
  );
}
