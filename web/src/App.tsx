/** Providers (theme, server state, session, notifications) and the router. */
import { createTheme, localStorageColorSchemeManager, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { ApiError } from './api/client.ts';
import { SessionProvider } from './auth/session.tsx';
import { Layout, RequirePermission } from './layout/Layout.tsx';
import { NotFoundPage } from './layout/NotFoundPage.tsx';
import SignInPage from './pages/sign-in/SignInPage.tsx';

const AuthCallbackPage = lazy(() => import('./pages/auth-callback/AuthCallbackPage.tsx'));

import { HOME, routes, ScreenOf } from './routes.tsx';

const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'sm',
  fontFamily:
    'Inter, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  headings: { fontWeight: '600' },
});

const colorSchemeManager = localStorageColorSchemeManager({ key: 'bf.colorScheme' });

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A 4xx will not change by asking again; a network error or 5xx may.
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
  queryCache: new QueryCache(),
});

const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage /> },
  {
    path: '/auth/callback',
    element: (
      <Suspense>
        <AuthCallbackPage />
      </Suspense>
    ),
  },
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to={HOME} replace /> },
      ...routes.map((r) => ({
        path: r.path,
        element: (
          <RequirePermission permission={r.permission}>
            <ScreenOf route={r} />
          </RequirePermission>
        ),
      })),
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
