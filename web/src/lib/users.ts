/**
 * Names for user ids: the API names who changed what by user id (updated_by, the audit log's
 * user_id, the workflow's actor); `GET /users` says who that is. A user the directory does not
 * list (a token from an identity provider, a deleted user) keeps a short form of the id.
 */
import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api, unwrap } from '../api/client.ts';

/** The name to show for a user: display name, else email, else the id's last 8 characters. */
export function userLabel(
  id: string,
  user: { email: string; display_name: string | null } | undefined,
): string {
  if (user) return user.display_name ?? user.email;
  return id.length > 12 ? `user …${id.slice(-8)}` : id;
}

/** `const nameOf = useUserNames(); nameOf(line.updated_by)`. */
export function useUserNames(): (id: string) => string {
  const directory = useQuery({
    queryKey: ['users', 'directory'],
    queryFn: () => unwrap(api.GET('/api/budgeting-forecasting/users')),
    staleTime: 5 * 60_000,
  });
  const items = directory.data?.items;
  return useCallback(
    (id: string) =>
      userLabel(
        id,
        items?.find((u) => u.user_id === id),
      ),
    [items],
  );
}
