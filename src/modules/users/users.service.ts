/** Local users with argon2id passwords, and password login that returns a signed token. */
import { and, eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { AppConfig } from '../../config/env.ts';
import type { TenantRegistry } from '../../platform/auth/authenticate.ts';
import { signToken } from '../../platform/auth/jwt.ts';
import { hashPassword, verifyPassword } from '../../platform/auth/passwords.ts';
import { ROLE_NAMES, ROLES } from '../../platform/auth/permissions.ts';
import type { Db } from '../../platform/db/client.ts';
import { users } from '../../platform/db/schema.ts';
import { fieldError, UnauthorizedError } from '../../platform/http/errors.ts';
import { type TenantContext, tenantIdFromKey, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/index.ts';

export interface NewUser {
  email: string;
  password: string;
  roles: string[];
  displayName?: string | undefined;
}

export class UserService {
  constructor(
    private readonly db: Db,
    private readonly config: AppConfig,
    private readonly secret: string,
    private readonly tenants: TenantRegistry,
  ) {}

  /**
   * The tenant's users as colleagues see them (id, email, display name, active), for naming
   * who changed what; roles only for a caller who manages users. At most `limit`, by email.
   */
  async directory(ctx: TenantContext, limit: number) {
    const rows = await withTenant(this.db, ctx, (tx) =>
      tx
        .select({
          id: users.id,
          email: users.email,
          displayName: users.displayName,
          isActive: users.isActive,
          roles: users.roles,
        })
        .from(users)
        .orderBy(sql`lower(${users.email})`, users.id)
        .limit(limit),
    );
    const manager = ctx.permissions.has('users:manage');
    return rows.map((u) => ({
      user_id: u.id,
      email: u.email,
      display_name: u.displayName,
      is_active: u.isActive,
      ...(manager ? { roles: u.roles } : {}),
    }));
  }

  /** Creates a user in the tenant given by its key (registering the tenant if new). */
  async create(tenantKey: string, actorId: string, input: NewUser, requestId?: string) {
    for (const role of input.roles) {
      if (!ROLES.has(role))
        throw fieldError(
          'roles',
          'unknown_role',
          `Unknown role "${role}"; known roles: ${ROLE_NAMES.join(', ')}`,
        );
    }
    const tenantId = tenantIdFromKey(tenantKey);
    await this.tenants.ensure(tenantId, tenantKey);
    const id = uuidv7();
    const passwordHash = await hashPassword(input.password);
    return withTenant(this.db, tenantId, async (tx) => {
      const existing = await tx
        .select({ id: users.id })
        .from(users)
        .where(sql`lower(${users.email}) = lower(${input.email})`);
      if (existing.length)
        throw fieldError('email', 'duplicate_email', `A user with email ${input.email} already exists`);
      await tx.insert(users).values({
        id,
        tenantId,
        email: input.email,
        displayName: input.displayName ?? null,
        passwordHash,
        roles: input.roles,
      });
      const ctx: TenantContext = {
        tenantId,
        tenantKey,
        userId: actorId,
        roles: [],
        permissions: new Set(),
        requestId,
      };
      await recordAudit(tx, ctx, {
        action: 'user.created',
        entityType: 'user',
        entityId: id,
        after: { email: input.email, roles: input.roles },
      });
      return { id, tenantId, email: input.email, roles: input.roles };
    });
  }

  /** Checks email and password in the tenant and returns a signed token; 401 on any mismatch. */
  async login(tenantKey: string, email: string, password: string) {
    const tenantId = tenantIdFromKey(tenantKey);
    const user = await withTenant(this.db, tenantId, async (tx) => {
      const rows = await tx
        .select()
        .from(users)
        .where(and(sql`lower(${users.email}) = lower(${email})`, eq(users.isActive, true)));
      return rows[0];
    });
    const ok = await verifyPassword(user?.passwordHash, password);
    if (!user || !ok) throw new UnauthorizedError('Invalid tenant, email or password', 'password');
    const ttl = this.config.JWT_TTL_SECONDS;
    const token = await signToken(
      this.secret,
      { sub: user.id, tenant_id: tenantKey, roles: user.roles, permissions: [], email: user.email },
      ttl,
      this.config,
    );
    return {
      access_token: token,
      token_type: 'Bearer' as const,
      expires_in: ttl,
      user: { user_id: user.id, email: user.email, roles: user.roles, tenant_id: tenantKey },
    };
  }

  /** Whether any user exists in the tenant (used to seed the demo tenant once). */
  async hasUsers(tenantKey: string): Promise<boolean> {
    const rows = await withTenant(this.db, tenantIdFromKey(tenantKey), (tx) =>
      tx.select({ id: users.id }).from(users).limit(1),
    );
    return rows.length > 0;
  }
}
