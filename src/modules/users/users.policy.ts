/** Who may grant what: nobody hands out a role carrying a permission they do not hold themselves. */
import { ROLES } from '../../platform/auth/permissions.ts';
import { AppError, type FieldError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';

/** Throws 403 naming each role (by its index in `roles`) that carries a permission the caller lacks. */
export function assertMayGrant(ctx: TenantContext, roles: readonly string[]): void {
  const errors: FieldError[] = [];
  roles.forEach((role, i) => {
    const missing = (ROLES.get(role) ?? []).filter((p) => !ctx.permissions.has(p));
    if (missing.length)
      errors.push({
        path: `roles.${i}`,
        code: 'role_not_held',
        message: `You cannot grant role "${role}": it carries ${missing.join(', ')}, which you do not hold`,
      });
  });
  if (errors.length)
    throw new AppError(403, 'grant_not_allowed', errors.map((e) => e.message).join('; '), errors);
}
