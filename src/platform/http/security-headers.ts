/**
 * Security headers on every response (@fastify/helmet): a CSP that Swagger UI (/docs) and the
 * web application (/) run under, no framing, nosniff; and `cache-control: no-store` on API
 * responses, which carry tenant data (static assets stay cacheable).
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from './types.ts';

/**
 * Scripts only from our origin (Swagger UI's initializer is a file, not an inline script).
 * Styles also inline: Swagger UI and React component libraries set `style` attributes; an
 * inline style cannot run code, an inline script could, so only styles get 'unsafe-inline'.
 * No `upgrade-insecure-requests`: a self-hosted instance on plain http (a LAN address) would
 * have every asset request upgraded to https and fail.
 */
export const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    // 'self' covers the same host's ws:/wss: (collaboration) as well.
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/** Registers the headers on the app (before the routes, so that every route gets them). */
export async function registerSecurityHeaders(app: FastifyInstance, oidcIssuerUrl?: string): Promise<void> {
  // Browser sign-in through the identity provider fetches its discovery document and token
  // endpoint from the page: its origin joins connect-src (the sign-in pages are a navigation).
  const csp = oidcIssuerUrl
    ? {
        ...CONTENT_SECURITY_POLICY,
        directives: {
          ...CONTENT_SECURITY_POLICY.directives,
          connectSrc: ["'self'", new URL(oidcIssuerUrl).origin],
        },
      }
    : CONTENT_SECURITY_POLICY;
  await app.register(helmet, {
    contentSecurityPolicy: csp,
    frameguard: { action: 'deny' },
    // Tokens travel in headers, not cookies; referrers never leak ids in URLs to other sites.
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith(API_PREFIX) && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
  });
}
