/**
 * Cross-site request forgery defence for cookie-authenticated requests:
 * state-changing requests must come from our own origin, and carry JSON
 * (a cross-site form cannot send `application/json` without a preflight).
 */
import type { FastifyInstance } from 'fastify';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { HttpError } from './errors.ts';
import type { RequestOrigin } from './request-origin.ts';

/** What the origin check reads of a request: a Fastify request, or a raw upgrade's RequestOrigin. */
type Destination = Pick<RequestOrigin, 'protocol' | 'host'>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The origins a request may come from: the configured public origins, or —
 * when none are configured (local use) — the origin the request was sent to.
 */
export function allowedOrigins(request: Destination, publicOrigins: readonly string[]): readonly string[] {
  if (publicOrigins.length > 0) return publicOrigins;
  return [`${request.protocol}://${request.host}`];
}

/** Exact match only: no prefixes, suffixes or "null". */
export function isAllowedOrigin(origin: string | undefined, request: Destination, publicOrigins: readonly string[]): boolean {
  return origin !== undefined && allowedOrigins(request, publicOrigins).includes(origin);
}

export function installSameOriginCheck(app: FastifyInstance, publicOrigins: readonly string[]): void {
  // Fastify parses text/plain by default; a cross-site "simple" request could use it.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method)) return;
    if (request.headers['sec-fetch-site'] === 'cross-site') {
      throw new HttpError(403, ApiErrorCode.forbiddenOrigin, 'cross-site request refused');
    }
    const origin = request.headers.origin;
    // Browsers always send Origin on POST; tools like curl do not and are not a CSRF vector.
    if (origin !== undefined && !isAllowedOrigin(origin, request, publicOrigins)) {
      throw new HttpError(403, ApiErrorCode.forbiddenOrigin, 'request from a foreign origin refused');
    }
  });
}
