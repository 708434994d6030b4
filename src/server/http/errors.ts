/**
 * One error type for user-facing failures: a status and a stable code the
 * client maps to a message. Anything else is an internal error, logged in full
 * and shown generically.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { translate } from '../../shared/i18n/index.ts';
import { requestLanguage, type PageRenderer } from './pages.ts';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import type { ErrorBody } from '../../shared/api.ts';
import { isUnavailable } from '../db/unavailable.ts';

export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: ApiErrorCode;
  readonly headers: Record<string, string>;
  constructor(
    statusCode: number,
    code: ApiErrorCode,
    message: string = code,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.headers = headers;
  }
}

/** A 429 that tells the client when to try again. */
export function tooManyRequests(message: string, retryAfterSeconds: number, code: ApiErrorCode = ApiErrorCode.rateLimited): HttpError {
  return new HttpError(429, code, message, { 'Retry-After': String(retryAfterSeconds) });
}


const statusCodes: Record<number, ApiErrorCode> = {
  400: ApiErrorCode.invalidInput,
  401: ApiErrorCode.unauthorized,
  404: ApiErrorCode.notFound,
  410: ApiErrorCode.guestLinkInvalid,
  413: ApiErrorCode.payloadTooLarge,
  415: ApiErrorCode.unsupportedMediaType,
  429: ApiErrorCode.rateLimited,
  503: ApiErrorCode.unavailable,
};

/** Seconds a client should wait before retrying while the database is unavailable. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** How an error is answered: status, body, extra headers, and whether it is logged. */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  log?: { level: 'warn' | 'error'; message: string };
}

/** The answer to any error, for routes and for refused WebSocket upgrades alike. */
export function errorResponse(error: unknown): ErrorResponse {
  if (error instanceof HttpError) {
    return { status: error.statusCode, body: { error: error.code, message: error.message }, headers: error.headers };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const detail = error.validation.map((v) => `${v.instancePath || '/'} ${v.message ?? ''}`.trim()).join('; ');
    return { status: 400, body: { error: ApiErrorCode.invalidInput, message: detail.slice(0, 300) }, headers: {} };
  }
  if (isUnavailable(error)) {
    return {
      status: 503,
      body: { error: ApiErrorCode.unavailable, message: 'temporarily unavailable, retry shortly' },
      headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
      log: { level: 'warn', message: 'dependency unavailable' },
    };
  }
  const statusCode = (error as { statusCode?: unknown } | undefined)?.statusCode;
  const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 ? statusCode : 500;
  if (status >= 500) {
    return { status: 500, body: { error: ApiErrorCode.internal, message: 'internal error' }, headers: {}, log: { level: 'error', message: 'request failed' } };
  }
  const code = statusCodes[status] ?? ApiErrorCode.invalidInput;
  return { status, body: { error: code, message: code }, headers: {} };
}

/** Paths of the API and of machines' endpoints: a miss there answers JSON, whoever asks. */
const MACHINE_PATHS = /^\/(api|ws|assets|docs|metrics|health|ready)(\/|$)/;

/**
 * A person following a bad link gets a page that says so, in their language,
 * with a way back; programs get the JSON error.
 */
function wantsPage(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && !MACHINE_PATHS.test(request.url) && (request.headers.accept ?? '').includes('text/html');
}

export function installErrorHandler(app: FastifyInstance, pages: PageRenderer): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const response = errorResponse(error);
    if (response.log) request.log[response.log.level]({ err: error }, response.log.message);
    reply.headers(response.headers);
    return reply.status(response.status).send(response.body);
  });

  app.setNotFoundHandler((request, reply) => {
    if (wantsPage(request)) {
      const lang = requestLanguage(request);
      const page = pages.render('not-found', lang, { heading: translate(lang, 'notFound.heading'), hint: translate(lang, 'notFound.hint') });
      return reply.status(404).type('text/html; charset=utf-8').send(page);
    }
    return reply.status(404).send({ error: ApiErrorCode.notFound, message: `no route ${request.method} ${request.url.split('?')[0]}` } satisfies ErrorBody);
  });
}
