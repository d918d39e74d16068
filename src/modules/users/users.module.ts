/** The users module: the tenant's users and their roles. */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { departmentScopeRoutes } from './department-scope.routes.ts';
import { DepartmentScopeService } from './department-scope.service.ts';
import { userRoutes } from './users.routes.ts';
import { UserService } from './users.service.ts';

export function usersModule({ platform, deps }: ModuleContext): ModuleDefinition<{ users: UserService }> {
  const users = new UserService(deps.db, deps.config, platform.jwtSecret, platform.tenants);
  const scopes = new DepartmentScopeService(deps.db, deps.cache, platform.pubsub);
  return {
    name: 'users',
    services: { users },
    routes: (api, auth) => {
      userRoutes(api, auth, users, deps.config);
      departmentScopeRoutes(api, auth, scopes);
    },
  };
}
