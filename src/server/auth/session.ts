/**
 * Reads the session cookie and resolves it to a user. Routes that need a
 * signed-in user use `requireSession`; pages use `optionalSession`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fastifyCookie } from '@fastify/cookie';
import type { ActiveSession, SessionsRepo } from '../repos/sessions.ts';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { HttpError } from '../http/errors.ts';

export interface SessionCookies {
  /** `__Host-sid` over HTTPS (bound to this host, path /, Secure), `sid` on plain-HTTP local runs. */
  name: string;
  secure: boolean;
}

export function sessionCookies(secure: boolean): SessionCookies {
  return { name: secure ? '__Host-sid' : 'sid', secure };
}

const resolved = new WeakMap<FastifyRequest, Promise<ActiveSession | undefined>>();

export function createSessionAccess(sessions: SessionsRepo, cookies: SessionCookies) {
  const sessionOfToken = (token: string | undefined): Promise<ActiveSession | undefined> =>
    token && token.length <= 64 ? sessions.resolve(token) : Promise.resolve(undefined);

  const optionalSession = (request: FastifyRequest): Promise<ActiveSession | undefined> => {
    let pending = resolved.get(request);
    if (!pending) {
      pending = sessionOfToken(request.cookies[cookies.name]);
      resolved.set(request, pending);
    }
    return pending;
  };

  /** For the WebSocket upgrade, which is handled on the raw server, not by a Fastify route. */
  const sessionOfCookieHeader = (header: string | undefined): Promise<ActiveSession | undefined> =>
    sessionOfToken(header ? fastifyCookie.parse(header)[cookies.name] : undefined);

  const requireSession = async (request: FastifyRequest): Promise<ActiveSession> => {
    const session = await optionalSession(request);
    if (!session) throw new HttpError(401, ApiErrorCode.unauthorized, 'sign in first');
    return session;
  };

  const setCookie = (reply: FastifyReply, token: string, expiresAt: number): void => {
    reply.setCookie(cookies.name, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: cookies.secure,
      expires: new Date(expiresAt),
    });
  };

  const clearCookie = (reply: FastifyReply): void => {
    reply.clearCookie(cookies.name, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookies.secure });
  };

  return { optionalSession, sessionOfCookieHeader, requireSession, setCookie, clearCookie };
}

export type SessionAccess = ReturnType<typeof createSessionAccess>;
