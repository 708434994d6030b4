/**
 * Whether a database (or Redis) error means "down, restarting or busy: retry
 * later" rather than a bug. Such errors answer 503 or close 1013 and are
 * logged as warnings; anything else is an internal error.
 */

/** Error codes of a database that is down, restarting or locked (pg, Node sockets, SQLite). */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08000', '08001', '08003', '08006', '57014', 'SQLITE_BUSY', 'SQLITE_LOCKED']);
const UNAVAILABLE_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|driver has already been destroyed|connection is closed/i;

export function isUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) || (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message));
}
