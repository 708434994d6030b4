/** JSON calls to the server, with errors turned into a code and a translated message. */
import type { MessageKey } from '../../shared/i18n/index.ts';
import { t } from './i18n.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(
    status: number,
    code: string,
    message: string,
  ) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function messageFor(code: string, retryAfter: string | null): string {
  const key = `error.${code}` as MessageKey;
  const text = t(key, { seconds: retryAfter ?? '60' });
  return text === key ? t('error.generic') : text;
}

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
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
    const code = typeof (data as { error?: unknown }).error === 'string' ? (data as { error: string }).error : 'generic';
    if (response.status === 401 && !path.startsWith('/login') && !path.startsWith('/register')) {
      location.assign(`/?next=${encodeURIComponent(location.pathname)}`);
    }
    throw new ApiError(response.status, code, messageFor(code, response.headers.get('Retry-After')));
  }
  return data as T;
}
