/**
 * Sign-in through the identity provider: authorization code with PKCE (oidc-client-ts), the
 * provider and client named by `GET /auth/config`. The access token it returns is the API's
 * bearer token. oidc-client-ts is loaded only when this flow runs (not in the first screen).
 */
import type { UserManager } from 'oidc-client-ts';
import { api, unwrap } from '../api/client.ts';

/** Where the provider sends the browser back (a client-side route, registered at the provider). */
export const CALLBACK_PATH = '/auth/callback';

export type SignInConfig = Awaited<ReturnType<typeof loadSignInConfig>>;

/** How this server wants users to sign in (public endpoint). */
export function loadSignInConfig() {
  return unwrap(api.GET('/api/budgeting-forecasting/auth/config'));
}

let manager: Promise<UserManager> | undefined;

async function userManager(): Promise<UserManager> {
  manager ??= Promise.all([import('oidc-client-ts'), loadSignInConfig()]).then(([oidc, config]) => {
    if (!config.oidc)
      throw new Error('Sign-in through an identity provider is not configured on this server');
    return new oidc.UserManager({
      authority: config.oidc.issuer,
      client_id: config.oidc.client_id,
      scope: config.oidc.scope,
      redirect_uri: `${location.origin}${CALLBACK_PATH}`,
      response_type: 'code',
      // The session is our own (auth/session.tsx); the provider's state is only the round trip's.
      userStore: new oidc.WebStorageStateStore({ store: sessionStorage }),
      automaticSilentRenew: false,
      loadUserInfo: false,
    });
  });
  return manager;
}

/** Leaves for the provider's sign-in page; `next` is where to land after signing in. */
export async function startOidcSignIn(next: string | undefined): Promise<void> {
  await (await userManager()).signinRedirect({ url_state: next });
}

/** Completes the round trip on the callback page: the access token, its expiry and `next`. */
export async function completeOidcSignIn(): Promise<{ token: string; expiresAt: number; next?: string }> {
  const um = await userManager();
  const user = await um.signinRedirectCallback();
  await um.removeUser();
  const expiresAt = user.expires_at ? user.expires_at * 1000 : Date.now() + 5 * 60_000;
  return { token: user.access_token, expiresAt, next: user.url_state };
}
