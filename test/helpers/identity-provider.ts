/**
 * A real OpenID Connect provider for tests (oidc-provider 8, the certified implementation
 * behind many production IdPs): authorization code + PKCE for one public client (the web app),
 * its own login and consent pages, JWT access tokens for our API (RFC 8707 resource
 * indicators) carrying tenant_id, roles and email. Random port; one per test file.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Token } from 'oidc-provider';

export interface IdentityUser {
  tenant: string;
  email: string;
  roles: string[];
}

export interface IdentityProvider {
  /** The issuer (OIDC_ISSUER_URL). */
  issuer: string;
  /** The audience and resource indicator of our API (JWT_AUDIENCE). */
  audience: string;
  clientId: string;
  /** Registers the web app's redirect URI (known only once the server runs) and starts answering. */
  serve(redirectUri: string): void;
  close(): Promise<void>;
}

/** Listens on a random port at once (so the server can be told the issuer); answers after serve(). */
export async function startIdentityProvider(users: Record<string, IdentityUser>): Promise<IdentityProvider> {
  let handler: ((req: never, res: never) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (handler) return handler(req as never, res as never);
    res.statusCode = 503;
    res.end('not ready');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const audience = 'https://bf.test/api';
  const clientId = 'bf-web';
  return {
    issuer,
    audience,
    clientId,
    serve(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            token_endpoint_auth_method: 'none',
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        // The web app calls the token endpoint from its own origin (the redirect URI's).
        clientBasedCORS: (_ctx: unknown, origin: string) => origin === new URL(redirectUri).origin,
        cookies: { keys: ['identity-provider-test-key'] },
        pkce: { required: () => true },
        claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
        features: {
          devInteractions: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => audience,
            useGrantedResource: () => true,
            getResourceServerInfo: () => ({
              scope: 'budgeting',
              audience,
              accessTokenFormat: 'jwt',
              accessTokenTTL: 600,
              jwt: { sign: { alg: 'RS256' } },
            }),
          },
        },
        async findAccount(_ctx: unknown, id: string) {
          const user = users[id];
          if (!user) return undefined;
          return { accountId: id, claims: () => ({ sub: id, email: user.email, name: id }) };
        },
        async extraTokenClaims(_ctx: unknown, token: Token) {
          const user = token.kind === 'AccessToken' && token.accountId ? users[token.accountId] : undefined;
          return user ? { tenant_id: user.tenant, roles: user.roles, email: user.email } : undefined;
        },
      });
      handler = provider.callback() as never;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
