/**
 * The signed-in user's own account: their sessions (list, sign out one or
 * all), password change and account deletion. Each change that ends a
 * session also closes that session's open connections.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { ChangePasswordBody, DeleteAccountBody, ErrorBody, Session as SessionView, SessionIdParams } from '../../shared/api.ts';
import { HttpError, tooManyRequests } from '../http/errors.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { isAcceptablePassword } from '../auth/credentials.ts';
import type { ActiveSession } from '../repos/sessions.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';

export function accountRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  /** Ends sessions here at once; other server processes close theirs on their next sweep. */
  const endSessions = (tokenHashes: string[]) => {
    for (const hash of tokenHashes) ctx.liveSessions.end(hash);
  };

  /**
   * Re-authentication for sensitive changes. Failures count against the
   * same per-account limit as sign-in, so this is no side door for guessing.
   */
  const confirmPassword = async (request: FastifyRequest, session: ActiveSession, password: string) => {
    const key = `${request.ip}:account:${session.user.id}`;
    const state = await ctx.limits.login.peek(key);
    if (!state.allowed) throw tooManyRequests('too many attempts', state.retryAfterSeconds);
    const stored = await ctx.users.passwordHash(session.user.id);
    if (!stored || !(await verifyPassword(stored, password))) {
      await ctx.limits.login.hit(key);
      request.log.info({ event: 'reauth', result: 'failure', userId: session.user.id }, 'password confirmation failed');
      throw new HttpError(403, ApiErrorCode.wrongPassword, 'current password is wrong');
    }
  };

  /** A fresh token for this browser; the old one stops working (ASVS 7.2.4). */
  const rotate = async (request: FastifyRequest, reply: FastifyReply, session: ActiveSession) => {
    const next = await ctx.sessions.create(session.user.id, { userAgent: request.headers['user-agent'] });
    await ctx.sessions.revoke(session.tokenHash);
    endSessions([session.tokenHash]);
    ctx.auth.setCookie(reply, next.token, next.expiresAt);
  };

  return async (app) => {
    app.get('/api/account/sessions', {
      schema: { tags: ['account'], summary: 'My signed-in sessions, most recently used first', response: { 200: z.array(SessionView), 401: ErrorBody } },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      const sessions = await ctx.sessions.listForUser(session.user.id);
      return sessions.map(({ tokenHash, ...info }) => ({ ...info, current: tokenHash === session.tokenHash }));
    });

    app.delete('/api/account/sessions/:id', {
      schema: {
        tags: ['account'],
        summary: 'Sign out one of my sessions (and close its connections)',
        params: SessionIdParams,
        response: { 204: z.null(), 401: ErrorBody, 404: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      const target = (await ctx.sessions.listForUser(session.user.id)).find((s) => s.id === request.params.id);
      if (!target) throw new HttpError(404, ApiErrorCode.notFound, 'no such session');
      await ctx.sessions.revoke(target.tokenHash);
      endSessions([target.tokenHash]);
      if (target.tokenHash === session.tokenHash) ctx.auth.clearCookie(reply);
      request.log.info({ event: 'session-revoked', userId: session.user.id }, 'session signed out');
      return reply.status(204).send(null);
    });

    app.delete('/api/account/sessions', {
      schema: { tags: ['account'], summary: 'Sign out everywhere, this browser included', response: { 204: z.null(), 401: ErrorBody } },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      endSessions(await ctx.sessions.revokeAllForUser(session.user.id));
      ctx.auth.clearCookie(reply);
      request.log.info({ event: 'sign-out-everywhere', userId: session.user.id }, 'all sessions signed out');
      return reply.status(204).send(null);
    });

    app.post('/api/account/password', {
      schema: {
        tags: ['account'],
        summary: 'Change my password: needs the current one; signs out my other sessions',
        body: ChangePasswordBody,
        response: { 204: z.null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      await confirmPassword(request, session, request.body.currentPassword);
      if (!isAcceptablePassword(request.body.newPassword)) throw new HttpError(400, ApiErrorCode.weakPassword, 'password too short or too common');
      await ctx.users.setPasswordHash(session.user.id, await hashPassword(request.body.newPassword));
      if (!request.body.keepOtherSessions) endSessions(await ctx.sessions.revokeAllForUser(session.user.id, session.tokenHash));
      await rotate(request, reply, session);
      request.log.info({ event: 'password-changed', userId: session.user.id }, 'password changed');
      return reply.status(204).send(null);
    });

    app.delete('/api/account', {
      schema: {
        tags: ['account'],
        summary: 'Delete my account and my data; needs my password',
        body: DeleteAccountBody,
        response: { 204: z.null(), 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      await confirmPassword(request, session, request.body.password);
      endSessions(await ctx.sessions.revokeAllForUser(session.user.id));
      await ctx.users.delete(session.user.id);
      ctx.auth.clearCookie(reply);
      request.log.info({ event: 'account-deleted', userId: session.user.id }, 'account deleted');
      return reply.status(204).send(null);
    });
  };
}
