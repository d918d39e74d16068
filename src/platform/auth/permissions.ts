/** Named permissions and the roles that group them. A token carries roles, permissions or both. */

export const PERMISSIONS = [
  'budgets:read',
  'budgets:write',
  'budgets:delete',
  'budgets:hard_delete',
  'budgets:approve',
  'audit:read',
  'audit:verify',
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
  // Dimension trees (departments, cost centres, chart of accounts, funds): admins only.
  'dimensions:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Names used by the design guide and older tokens, mapped to ours. Maps, not object literals:
 * role and permission names come from tokens, and `ROLES['constructor']` would read the prototype.
 */
const ALIASES: ReadonlyMap<string, Permission> = new Map([['can_approve_budgets', 'budgets:approve']]);

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

/** Each role's permissions. */
export const ROLES: ReadonlyMap<string, readonly Permission[]> = new Map<string, readonly Permission[]>([
  ['viewer', VIEWER],
  ['planner', PLANNER],
  ['approver', APPROVER],
  ['admin', PERMISSIONS],
]);

/** Names of the known roles. */
export const ROLE_NAMES = [...ROLES.keys()] as [string, ...string[]];

/** Our name of a permission (a guide alias mapped, anything else as it is). */
export function canonicalPermission(permission: string): string {
  return ALIASES.get(permission) ?? permission;
}

/** The effective permissions of a token: its explicit permissions plus those of its roles. */
export function effectivePermissions(roles: readonly string[], permissions: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const role of roles) for (const p of ROLES.get(role) ?? []) out.add(p);
  for (const p of permissions) out.add(canonicalPermission(p));
  return out;
}
