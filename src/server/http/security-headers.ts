/**
 * Security headers on every response. The CSP allows no inline script or
 * style and enforces Trusted Types, so no code path can write HTML from data.
 */
import type { FastifyInstance } from 'fastify';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/**
 * Camera, microphone and screen sharing for this origin only; everything else off.
 * (No `bluetooth`: Chromium does not know it and logs an error on every page.)
 */
const PERMISSIONS_POLICY =
  'camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), geolocation=(), payment=(), usb=(), serial=(), midi=()';

/** The API docs page runs Swagger UI's own scripts, so it keeps the CSP @fastify/swagger-ui sets. */
const DOCS_PREFIX = '/docs';

/** The headers every response carries; `csp: false` only for the API docs page. */
export function securityHeaders(options: { hsts: boolean; csp: boolean }): Record<string, string> {
  return {
    ...(options.csp ? { 'Content-Security-Policy': CSP } : {}),
    'Permissions-Policy': PERMISSIONS_POLICY,
    'X-Content-Type-Options': 'nosniff',
    // Room links are secrets: never leak them in a Referer.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    ...(options.hsts ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

export function installSecurityHeaders(app: FastifyInstance, options: { hsts: boolean }): void {
  const everywhere = securityHeaders({ hsts: options.hsts, csp: true });
  const onDocs = securityHeaders({ hsts: options.hsts, csp: false });
  app.addHook('onSend', async (request, reply) => {
    reply.headers(request.url.startsWith(DOCS_PREFIX) ? onDocs : everywhere);
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
  });
}
