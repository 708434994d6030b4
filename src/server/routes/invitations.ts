/**
 * Sending a room's link to another user (an invitation they accept or
 * decline; it rings when they are online), and the live notification
 * stream of every page.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { ErrorBody, IdParams, Invitation as InvitationView, RoomId, SendLinkBody } from '../../shared/api.ts';
import type { NotificationEvent } from '../../shared/notifications.ts';
import { HttpError, tooManyRequests } from '../http/errors.ts';
import { normalizeUsername } from '../auth/credentials.ts';
import { ringView } from './ringing.ts';
import { refuseGuests } from './rooms.ts';

/** Interval of SSE comment lines that keep proxies from closing an idle stream, in milliseconds. */
const SSE_KEEPALIVE_MS = 25_000;

export function invitationRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/send_link', {
      schema: {
        tags: ['invitations'],
        summary: "Send a room's link to another user: an invitation they accept or decline (sent again, it is renewed, not doubled); it rings on their pages when they are online",
        body: SendLinkBody,
        response: { 201: InvitationView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      refuseGuests(session);
      const limit = await ctx.limits.invite.hit(session.user.id);
      if (!limit.allowed) throw tooManyRequests('too many invitations', limit.retryAfterSeconds);
      const roomId = RoomId.safeParse(request.body.room_id);
      const room = roomId.success ? await ctx.rooms.find(roomId.data) : undefined;
      if (!room) throw new HttpError(404, ApiErrorCode.roomNotFound, 'no such room');
      if (!(await ctx.rooms.isMember(room.id, session.user.id))) throw new HttpError(403, ApiErrorCode.notMember, 'only members can invite to a room');
      const invitee = await ctx.users.findByUsername(normalizeUsername(request.body.username));
      if (!invitee) throw new HttpError(404, ApiErrorCode.unknownUser, 'no such user');
      if (invitee.id === session.user.id) throw new HttpError(400, ApiErrorCode.selfInvite, 'cannot invite yourself');
      const { id } = await ctx.invitations.upsert({ roomId: room.id, fromUserId: session.user.id, toUserId: invitee.id });
      const invitation = await ctx.invitations.find(id);
      if (!invitation) throw new Error('invitation vanished after insert');
      // Someone who blocked the sender gets nothing; the sender is not told, so a block cannot be probed.
      if (await ctx.blocks.blocks(invitee.id, session.user.id)) {
        await ctx.invitations.removeFrom(session.user.id, invitee.id);
        request.log.info({ event: 'invitation-blocked', roomId: room.id, from: session.user.id }, 'invitation to someone who blocked the sender dropped');
        return reply.status(201).send(invitation);
      }
      // The invitation is stored: if the live notice cannot be sent, it waits for the next visit.
      try {
        await ctx.bus.publishUser(invitee.id, { type: 'invitation', invitation });
        if ((await ctx.presence.of([invitee.id])).get(invitee.id) !== 'offline') await ctx.ringer.ring({ roomId: room.id, fromUserId: session.user.id, toUserId: invitee.id });
      } catch (err) {
        request.log.warn({ err }, 'live invitation notice not sent');
      }
      request.log.info({ event: 'invitation', roomId: room.id, from: session.user.id, to: invitee.id }, 'invitation sent');
      return reply.status(201).send(invitation);
    });

    app.get('/api/invitations', {
      schema: { tags: ['invitations'], summary: 'Invitations waiting for my answer, newest first', response: { 200: z.array(InvitationView), 401: ErrorBody } },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      return ctx.invitations.listForUser(session.user.id);
    });

    for (const answer of ['accept', 'decline'] as const) {
      app.post(`/api/invitations/:id/${answer}`, {
        schema: {
          tags: ['invitations'],
          summary: answer === 'accept' ? 'Accept an invitation: the room becomes mine' : 'Decline an invitation',
          params: IdParams,
          response: { 204: z.null(), 401: ErrorBody, 404: ErrorBody },
        },
      }, async (request, reply) => {
        const session = await ctx.auth.requireSession(request);
        const settled = await ctx.invitations.settle(request.params.id, session.user.id, answer === 'accept');
        if (!settled) throw new HttpError(404, ApiErrorCode.notFound, 'no such invitation');
        await ctx.ringer.answerRoom(settled.roomId, session.user.id, answer === 'accept').catch((err: unknown) => request.log.warn({ err }, 'ringing call not ended'));
        // My other pages update their lists.
        await ctx.bus.publishUser(session.user.id, { type: 'rooms-changed' }).catch(() => undefined);
        return reply.status(204).send(null);
      });
    }

    app.get('/api/notifications', {
      schema: {
        tags: ['invitations'],
        summary: 'Server-sent events (each data line is the event as JSON): `invitation`, `ring`, `ring-ended`, `rooms-changed` and `presence`. A ring still ringing is sent again on connect.',
        produces: ['text/event-stream'],
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        Connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      const send = (event: NotificationEvent) => {
        res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      };
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
      // An open dashboard is not activity: an unattended one still idles out.
      const untrack = ctx.liveSessions.add(session.tokenHash, { close: () => res.end(), keepsSessionAlive: false });
      const offline = ctx.presence.connected(session.user.id);
      const unsubscribe = ctx.bus.subscribeUser(session.user.id, send).catch((err: unknown) => {
        request.log.warn({ err }, 'live notifications unavailable');
        res.end();
        return async () => undefined;
      });
      void unsubscribe.then(async () => {
        for (const ring of await ctx.rings.ringingFor(session.user.id)) send({ type: 'ring', ring: ringView(ring, session.user.id) });
      }).catch(() => undefined);
      res.on('close', () => {
        clearInterval(keepalive);
        untrack();
        offline();
        void unsubscribe.then((stop) => stop());
      });
    });
  };
}
