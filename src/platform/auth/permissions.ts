/** Named permissions and the roles that group them. A token carries roles, permissions or both. */

export const PERMISSIONS = [
  'budgets:read',
  'budgets:write',
  'budgets:delete',
  'budgets:hard_delete',
  'budgets:approve',
  'audit:read',
  'templates:read',
  'templates:write',
  'scenarios:read',
  'scenarios:write',
  'actuals:read',
  'actuals:write',
  'forecasts:read',
  'forecasts:run',
  'recommendations:read',
  'recommendations:act',
  'collaboration:join',
  'jobs:read',
  'users:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Names used by the design guide and older tokens, mapped to ours. */
const ALIASES: Record<string, Permission> = {
  can_approve_budgets: 'budgets:approve',
};

const VIEWER: Permission[] = [
  'budgets:read',
  'templates:read',
  'scenarios:read',
  'actuals:read',
  'forecasts:read',
  'recommendations:read',
  'collaboration:join',
  'jobs:read',
];
const PLANNER: Permission[] = [
  ...VIEWER,
  'budgets:write',
  'budgets:delete',
  'templates:write',
  'scenarios:write',
  'actuals:write',
  'forecasts:run',
  'recommendations:act',
];
const APPROVER: Permission[] = [...PLANNER, 'budgets:approve'];

export const ROLES: Record<string, readonly Permission[]> = {
  viewer: VIEWER,
  planner: PLANNER,
  approver: APPROVER,
  admin: PERMISSIONS,
};

/** The effective permissions of a token: its explicit permissions plus those of its roles. */
export function effectivePermissions(roles: readonly string[], permissions: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const role of roles) for (const p of ROLES[role] ?? []) out.add(p);
  for (const p of permissions) out.add(ALIASES[p] ?? p);
  return out;
}
