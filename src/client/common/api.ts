/** JSON calls to the server, with errors turned into a stable code and a translated message. */
import { API_ERROR_CODES, type ApiErrorCode } from '../../shared/api-errors.ts';
import { t } from './i18n.ts';

/** What went wrong: one of the API's codes, or `network` when the server could not be reached. */
export type ApiFailure = ApiErrorCode | 'network';

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiFailure;
  constructor(status: number, code: ApiFailure, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function codeOf(data: unknown): ApiErrorCode {
  const error = (data as { error?: unknown } | null)?.error;
  return (API_ERROR_CODES as readonly unknown[]).includes(error) ? (error as ApiErrorCode) : 'internal';
}

/** `T` is the response's type from src/shared/api.ts; a 204 resolves to undefined. */
export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const code = codeOf(data);
    if (response.status === 401 && !path.startsWith('/login') && !path.startsWith('/register')) {
      location.assign(`/?next=${encodeURIComponent(location.pathname)}`);
    }
    throw new ApiError(response.status, code, t(`error.${code}`, { seconds: response.headers.get('Retry-After') ?? '60' }));
  }
  return data as T;
}
