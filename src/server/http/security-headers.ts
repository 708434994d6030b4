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

export function installSecurityHeaders(app: FastifyInstance, options: { hsts: boolean }): void {
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith(DOCS_PREFIX)) reply.header('Content-Security-Policy', CSP);
    reply.header('Permissions-Policy', PERMISSIONS_POLICY);
    reply.header('X-Content-Type-Options', 'nosniff');
    // Room links are secrets: never leak them in a Referer.
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    reply.header('X-Frame-Options', 'DENY');
    if (options.hsts) reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
  });
}
