/**
 * The signed-in frame: header (product, tenant, user and role, theme toggle, sign out), the
 * side navigation built from routes.tsx, and the screen. Signed-out visitors go to /sign-in
 * and come back to where they were.
 */
import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Center,
  Group,
  Loader,
  Menu,
  NavLink,
  Skeleton,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { type ReactNode, Suspense } from 'react';
import { Navigate, Outlet, NavLink as RouterNavLink, useLocation } from 'react-router';
import { useSession } from '../auth/session.tsx';
import { type Permission, primaryRole, useCan } from '../lib/permissions.tsx';
import { routes } from '../routes.tsx';

export function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light', { getInitialValueInEffect: false });
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} theme`}>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={`Switch to ${next} theme`}
        onClick={() => setColorScheme(next)}
      >
        <span aria-hidden="true">{computed === 'dark' ? '☀' : '☾'}</span>
      </ActionIcon>
    </Tooltip>
  );
}

function UserMenu() {
  const { me, signOut } = useSession();
  if (!me) return null;
  const role = primaryRole(me.roles);
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label="Account" data-testid="account">
          <Group gap={8} wrap="nowrap">
            <Stack gap={0} align="flex-end" visibleFrom="xs">
              <Text size="sm" fw={500} data-testid="account-user">
                {me.email ?? me.user_id}
              </Text>
              <Text size="xs" c="dimmed" data-testid="account-tenant">
                {me.tenant_id}
              </Text>
            </Stack>
            <Badge variant="light" data-testid="account-role">
              {role}
            </Badge>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Signed in to {me.tenant_id}</Menu.Label>
        <Menu.Item disabled>{me.email ?? me.user_id}</Menu.Item>
        <Menu.Item disabled>Roles: {me.roles.join(', ') || 'none'}</Menu.Item>
        <Menu.Divider />
        <Menu.Item color="red" onClick={signOut} data-testid="sign-out">
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function ScreenSkeleton() {
  return (
    <Stack gap="sm" aria-busy="true" aria-label="Loading">
      <Skeleton height={28} width="40%" />
      <Skeleton height={16} width="60%" />
      <Skeleton height={320} />
    </Stack>
  );
}

export function Layout() {
  const { status } = useSession();
  const location = useLocation();
  const can = useCan();
  const [opened, { toggle, close }] = useDisclosure();

  if (status === 'loading')
    return (
      <Center h="100%">
        <Loader aria-label="Loading your session" />
      </Center>
    );
  if (status === 'signed-out') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />;
  }

  const nav = routes
    .filter((r) => r.nav && (!r.permission || can(r.permission)))
    .sort((a, b) => a.nav!.order - b.nav!.order);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'md', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label="Navigation" />
            <img src="/favicon.svg" alt="" width={24} height={24} />
            <Text fw={600} visibleFrom="sm">
              Budgeting &amp; Forecasting
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <ThemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        {nav.map((r) => (
          <NavLink
            key={r.path}
            component={RouterNavLink}
            to={`/${r.path}`}
            label={r.nav!.label}
            description={r.nav!.description}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<ScreenSkeleton />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}

/** A screen the user may not open says so (the API would answer 403 anyway). */
export function RequirePermission({
  permission,
  children,
}: {
  permission?: Permission;
  children: ReactNode;
}) {
  const can = useCan();
  if (permission && !can(permission))
    return (
      <Stack gap="xs" p="md">
        <Text fw={600}>You do not have access to this screen</Text>
        <Text c="dimmed">
          It needs the permission “{permission}”, which your role does not include. Ask an administrator if
          you need it.
        </Text>
      </Stack>
    );
  return <>{children}</>;
}
