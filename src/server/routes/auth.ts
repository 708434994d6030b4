/** Registration, sign-in, sign-out and "who am I". */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { Credentials, ErrorBody, User as UserView } from '../../shared/api.ts';
import { HttpError, tooManyRequests } from '../http/errors.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../auth/passwords.ts';
import { isAcceptablePassword, isValidUsername, normalizeUsername } from '../auth/credentials.ts';
import { usernameKey } from '../repos/users.ts';

export function authRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/register', {
      schema: {
        tags: ['auth'],
        summary: 'Create an account and sign in',
        body: Credentials,
        response: { 201: UserView, 400: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    }, async (request, reply) => {
      // Counted are the accounts an address creates, not its attempts: a typo
      // or a taken name costs nothing, so an office behind one address is not
      // locked out by people getting the form wrong.
      const limit = await ctx.limits.register.peek(request.ip);
      if (!limit.allowed) throw tooManyRequests('too many accounts created from this address', limit.retryAfterSeconds);
      const username = normalizeUsername(request.body.username);
      if (!isValidUsername(username)) throw new HttpError(400, ApiErrorCode.invalidUsername, 'invalid username');
      if (!isAcceptablePassword(request.body.password)) throw new HttpError(400, ApiErrorCode.weakPassword, 'password too short or too common');
      const user = await ctx.users.create(username, await hashPassword(request.body.password));
      if (!user) throw new HttpError(409, ApiErrorCode.usernameTaken, 'username taken, or too like one that is');
      await ctx.limits.register.hit(request.ip);
      const session = await ctx.sessions.create(user.id, { userAgent: request.headers['user-agent'] });
      ctx.auth.setCookie(reply, session.token, session.expiresAt);
      request.log.info({ event: 'register', userId: user.id, username: user.username, ip: request.ip }, 'account created');
      return reply.status(201).send(user);
    });

    app.post('/login', {
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets a new session cookie',
        body: Credentials,
        response: { 200: UserView, 401: ErrorBody, 429: ErrorBody },
      },
    }, async (request, reply) => {
      const username = normalizeUsername(request.body.username);
      // Failures are counted per (address, account) and per address: one address
      // cannot hammer one account or spray many, and cannot lock a user out elsewhere.
      const limiters = [
        [ctx.limits.login, `${request.ip}:${usernameKey(username)}`],
        [ctx.limits.loginByAddress, request.ip],
      ] as const;
      for (const [limiter, key] of limiters) {
        const state = await limiter.peek(key);
        if (!state.allowed) throw tooManyRequests('too many attempts', state.retryAfterSeconds);
      }
      const found = await ctx.users.findByUsername(username);
      const valid = found
        ? await verifyPassword(found.passwordHash, request.body.password)
        : await verifyAgainstDummy(request.body.password);
      if (!found || !valid) {
        await Promise.all(limiters.map(([limiter, key]) => limiter.hit(key)));
        request.log.info({ event: 'login', result: 'failure', username: username.slice(0, 64), ip: request.ip }, 'sign-in failed');
        throw new HttpError(401, ApiErrorCode.invalidCredentials, 'wrong username or password');
      }
      // A fresh token on every sign-in; a session cookie the browser already had is ended.
      const previous = await ctx.auth.optionalSession(request);
      if (previous) {
        await ctx.sessions.revoke(previous.tokenHash);
        ctx.liveSessions.end(previous.tokenHash);
      }
      const session = await ctx.sessions.create(found.id, { userAgent: request.headers['user-agent'] });
      ctx.auth.setCookie(reply, session.token, session.expiresAt);
      request.log.info({ event: 'login', result: 'success', userId: found.id, username: found.username, ip: request.ip }, 'signed in');
      return { id: found.id, username: found.username };
    });

    app.post('/logout', {
      schema: { tags: ['auth'], summary: 'Sign out: ends the session and closes its connections', response: { 204: z.null() } },
    }, async (request, reply) => {
      const session = await ctx.auth.optionalSession(request);
      if (session) {
        await ctx.sessions.revoke(session.tokenHash);
        ctx.liveSessions.end(session.tokenHash);
        request.log.info({ event: 'logout', userId: session.user.id }, 'signed out');
      }
      ctx.auth.clearCookie(reply);
      return reply.status(204).send(null);
    });

    app.get('/api/me', {
      schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: UserView, 401: ErrorBody } },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      return session.user;
    });
  };
}
