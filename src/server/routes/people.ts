/** The people around me: who shares a room with me and whether they are here, whom I blocked, and the calls that rang. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { BlockBody, Blocked, Contact, ErrorBody, IdParams, Ring } from '../../shared/api.ts';
import { HttpError } from '../http/errors.ts';
import { normalizeUsername } from '../auth/credentials.ts';
import { ringView } from './ringing.ts';
import { refuseGuests } from './rooms.ts';

export function peopleRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/contacts', {
      schema: { tags: ['people'], summary: 'Everyone I share a room with, and whether they are online or in a call', response: { 200: z.array(Contact), 401: ErrorBody } },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      const contacts = await ctx.rooms.contacts(session.user.id);
      const presence = await ctx.presence.of(contacts.map((c) => c.userId));
      return contacts.map((c) => ({ ...c, presence: presence.get(c.userId) ?? 'offline' }));
    });

    app.get('/api/blocks', {
      schema: { tags: ['people'], summary: 'The users I blocked from inviting or ringing me', response: { 200: z.array(Blocked), 401: ErrorBody } },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      return ctx.blocks.list(session.user.id);
    });

    app.post('/api/blocks', {
      schema: {
        tags: ['people'],
        summary: 'Block a user from inviting or ringing me; what they already sent me goes. They are not told.',
        body: BlockBody,
        response: { 204: z.null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      refuseGuests(session);
      const other = await ctx.users.findByUsername(normalizeUsername(request.body.username));
      if (!other) throw new HttpError(404, ApiErrorCode.unknownUser, 'no such user');
      if (other.id === session.user.id) throw new HttpError(400, ApiErrorCode.invalidInput, 'cannot block yourself');
      await ctx.blocks.block(session.user.id, other.id);
      await ctx.invitations.removeFrom(other.id, session.user.id);
      request.log.info({ event: 'block', userId: session.user.id }, 'user blocked');
      return reply.status(204).send(null);
    });

    app.delete('/api/blocks/:id', {
      schema: { tags: ['people'], summary: 'Unblock a user', params: IdParams, response: { 204: z.null(), 401: ErrorBody } },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      await ctx.blocks.unblock(session.user.id, request.params.id);
      return reply.status(204).send(null);
    });

    app.get('/api/calls', {
      schema: { tags: ['people'], summary: 'Calls that rang for me or that I made, newest first: ringing, accepted, declined or missed', response: { 200: z.array(Ring), 401: ErrorBody } },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      return (await ctx.rings.recentFor(session.user.id)).map((ring) => ringView(ring, session.user.id));
    });

    for (const answer of ['accept', 'decline'] as const) {
      app.post(`/api/calls/:id/${answer}`, {
        schema: {
          tags: ['people'],
          summary: answer === 'accept' ? 'Answer a ringing call: its invitation is accepted and the room becomes mine' : 'Decline a ringing call (and its invitation)',
          params: IdParams,
          response: { 204: z.null(), 401: ErrorBody, 404: ErrorBody },
        },
      }, async (request, reply) => {
        const session = await ctx.auth.requireSession(request);
        const ring = await ctx.ringer.answer(request.params.id, session.user.id, answer === 'accept');
        if (!ring) throw new HttpError(404, ApiErrorCode.notFound, 'no such call ringing');
        const invitation = await ctx.invitations.findFor(ring.roomId, session.user.id);
        if (invitation) await ctx.invitations.settle(invitation.id, session.user.id, answer === 'accept');
        await ctx.bus.publishUser(session.user.id, { type: 'rooms-changed' }).catch(() => undefined);
        return reply.status(204).send(null);
      });
    }
  };
}
