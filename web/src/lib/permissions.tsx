/**
 * What the signed-in user may do, from the effective permissions `GET /auth/me` reports (the
 * API's own list, src/platform/auth/permissions.ts). Screens hide edit controls the user may
 * not use; the API still refuses (403) what a stale screen offers, and that is shown as words.
 */
import type { ReactNode } from 'react';
import { useSession } from '../auth/session.tsx';

export type Permission =
  | 'budgets:read'
  | 'budgets:write'
  | 'budgets:delete'
  | 'budgets:hard_delete'
  | 'budgets:approve'
  | 'audit:read'
  | 'templates:read'
  | 'templates:write'
  | 'scenarios:read'
  | 'scenarios:write'
  | 'actuals:read'
  | 'actuals:write'
  | 'forecasts:read'
  | 'forecasts:run'
  | 'recommendations:read'
  | 'recommendations:act'
  | 'collaboration:join'
  | 'jobs:read'
  | 'users:manage'
  | 'dimensions:manage';

/** True when `permissions` include every one asked for. */
export function hasPermissions(permissions: readonly string[] | undefined, ...needed: Permission[]): boolean {
  if (!permissions) return false;
  return needed.every((p) => permissions.includes(p));
}

/** `const can = useCan(); can('budgets:write')` */
export function useCan(): (...needed: Permission[]) => boolean {
  const { me } = useSession();
  return (...needed) => hasPermissions(me?.permissions, ...needed);
}

/** Renders its children only when the user holds the permission(s); `otherwise` when not. */
export function Can({
  permission,
  children,
  otherwise = null,
}: {
  permission: Permission | Permission[];
  children: ReactNode;
  otherwise?: ReactNode;
}) {
  const can = useCan();
  const needed = Array.isArray(permission) ? permission : [permission];
  return <>{can(...needed) ? children : otherwise}</>;
}

/** The role to show next to the user's name: the strongest one held. */
export function primaryRole(roles: readonly string[]): string {
  for (const r of ['admin', 'approver', 'planner', 'viewer']) if (roles.includes(r)) return r;
  return roles[0] ?? 'no role';
}
