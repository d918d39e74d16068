/**
 * The signed-in session: the bearer token (kept in localStorage until it expires, so a new tab
 * stays signed in), who the API says we are (`GET /auth/me`: tenant, user, roles, effective
 * permissions), sign in with a password and sign out. A 401 from any call ends the session.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, configureAuth, unwrap } from '../api/client.ts';

export type Me = {
  user_id: string;
  tenant_id: string;
  tenant_uuid: string;
  email: string | null;
  roles: string[];
  permissions: string[];
};

interface Stored {
  token: string;
  expiresAt: number;
  tenant: string;
}

const KEY = 'bf.session';
const LAST_TENANT = 'bf.lastTenant';

function readStored(): Stored | undefined {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Stored;
    return typeof s.token === 'string' && s.expiresAt > Date.now() ? s : undefined;
  } catch {
    return undefined;
  }
}

let current: Stored | undefined = readStored();

export interface Session {
  status: 'loading' | 'signed-out' | 'signed-in';
  me: Me | undefined;
  signIn(tenant: string, email: string, password: string): Promise<void>;
  signOut(): void;
  lastTenant: string;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [stored, setStored] = useState<Stored | undefined>(current);
  const [me, setMe] = useState<Me | undefined>();
  const [loading, setLoading] = useState<boolean>(Boolean(current));

  const signOut = useCallback(() => {
    current = undefined;
    localStorage.removeItem(KEY);
    setStored(undefined);
    setMe(undefined);
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => {
    configureAuth(() => current?.token, signOut);
  }, [signOut]);

  // Another tab signed out (or in): follow it.
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key !== KEY) return;
      current = readStored();
      setStored(current);
      if (!current) setMe(undefined);
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  // The token's expiry ends the session at that moment, not on the next failed call.
  useEffect(() => {
    if (!stored) return;
    const timer = setTimeout(signOut, Math.max(0, stored.expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [stored, signOut]);

  useEffect(() => {
    if (!stored) {
      setLoading(false);
      return;
    }
    let cancelled = false;
    setLoading(true);
    unwrap(api.GET('/api/budgeting-forecasting/auth/me'))
      .then((m) => {
        if (!cancelled) setMe(m);
      })
      .catch(() => {
        if (!cancelled) signOut();
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [stored, signOut]);

  const signIn = useCallback(async (tenant: string, email: string, password: string) => {
    const res = await unwrap(
      api.POST('/api/budgeting-forecasting/auth/login', { body: { tenant, email, password } }),
    );
    const next: Stored = { token: res.access_token, expiresAt: Date.now() + res.expires_in * 1000, tenant };
    current = next;
    localStorage.setItem(KEY, JSON.stringify(next));
    localStorage.setItem(LAST_TENANT, tenant);
    setStored(next);
  }, []);

  const value = useMemo<Session>(
    () => ({
      status: loading ? 'loading' : me ? 'signed-in' : 'signed-out',
      me,
      signIn,
      signOut,
      lastTenant: localStorage.getItem(LAST_TENANT) ?? '',
    }),
    [loading, me, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in user (only inside the signed-in layout). */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a session');
  return me;
}
