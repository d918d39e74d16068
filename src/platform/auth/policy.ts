/** Permission checks shared by every module's policy. */
import { ForbiddenError } from '../http/errors.ts';
import type { TenantContext } from '../tenancy/tenancy.ts';

/** Throws 403 unless the context holds the permission. */
export function authorize(ctx: TenantContext, permission: string): void {
  if (!ctx.permissions.has(permission)) throw new ForbiddenError(permission);
}
