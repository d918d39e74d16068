/**
 * The signed-in session: the bearer token (kept in localStorage until it expires, so a new tab
 * stays signed in), who the API says we are (`GET /auth/me`: tenant, user, roles, effective
 * permissions), sign in with a password or a token from the identity provider, and sign out. A 401 from any call ends the session.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, configureAuth, unwrap } from '../api/client.ts';
import { setFormatLocale } from '../lib/format.ts';

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
  /** Starts a session with a token from the identity provider (auth/oidc.ts). */
  adoptToken(token: string, expiresAt: number): void;
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
    // The tenant's display locale is set before the first screen renders a number; without it
    // (no setting, or the settings cannot be read) numbers follow the browser's locale.
    const locale = unwrap(api.GET('/api/budgeting-forecasting/settings')).then(
      (s) => s.locale,
      () => null,
    );
    unwrap(api.GET('/api/budgeting-forecasting/auth/me'))
      .then(async (m) => {
        const tag = await locale;
        if (cancelled) return;
        setFormatLocale(tag);
        setMe(m);
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

  const adoptToken = useCallback((token: string, expiresAt: number) => {
    const next: Stored = { token, expiresAt, tenant: '' };
    current = next;
    localStorage.setItem(KEY, JSON.stringify(next));
    setStored(next);
  }, []);

  const value = useMemo<Session>(
    () => ({
      status: loading ? 'loading' : me ? 'signed-in' : 'signed-out',
      me,
      signIn,
      adoptToken,
      signOut,
      lastTenant: localStorage.getItem(LAST_TENANT) ?? '',
    }),
    [loading, me, signIn, adoptToken, signOut],
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
