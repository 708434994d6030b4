/** Sending a room's link to another user, and receiving invitations live. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { ErrorBody, Invitation as InvitationView, RoomId, SendLinkBody } from '../../shared/api.ts';
import { HttpError, tooManyRequests } from '../http/errors.ts';
import { normalizeUsername } from '../auth/credentials.ts';
import type { NotificationEvent } from '../../shared/notifications.ts';

/** Interval of SSE comment lines that keep proxies from closing an idle stream, in milliseconds. */
const SSE_KEEPALIVE_MS = 25_000;

export function invitationRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/send_link', {
      schema: {
        tags: ['invitations'],
        summary: "Send a room's link to another user; they become a member and are notified live",
        body: SendLinkBody,
        response: { 201: InvitationView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      const limit = await ctx.limits.invite.hit(session.user.id);
      if (!limit.allowed) {
        throw tooManyRequests('too many invitations', limit.retryAfterSeconds);
      }
      const roomId = RoomId.safeParse(request.body.room_id);
      const room = roomId.success ? await ctx.rooms.find(roomId.data) : undefined;
      if (!room) throw new HttpError(404, ApiErrorCode.roomNotFound, 'no such room');
      if (!(await ctx.rooms.isMember(room.id, session.user.id))) {
        throw new HttpError(403, ApiErrorCode.notMember, 'only members can invite to a room');
      }
      const invitee = await ctx.users.findByUsername(normalizeUsername(request.body.username));
      if (!invitee) throw new HttpError(404, ApiErrorCode.unknownUser, 'no such user');
      if (invitee.id === session.user.id) throw new HttpError(400, ApiErrorCode.selfInvite, 'cannot invite yourself');
      const id = await ctx.invitations.create({ roomId: room.id, fromUserId: session.user.id, toUserId: invitee.id });
      const invitation = await ctx.invitations.find(id);
      if (!invitation) throw new Error('invitation vanished after insert');
      // The invitation is stored: if the live notice cannot be sent, it waits for the next visit.
      await ctx.bus.publishUser(invitee.id, { type: 'invitation', invitation }).catch((err: unknown) => {
        request.log.warn({ err }, 'live invitation notice not sent');
      });
      request.log.info({ event: 'invitation', roomId: room.id, from: session.user.id, to: invitee.id }, 'invitation sent');
      return reply.status(201).send(invitation);
    });

    app.get('/api/invitations', {
      schema: { tags: ['invitations'], summary: 'Invitations I received, newest first', response: { 200: z.array(InvitationView), 401: ErrorBody } },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      return ctx.invitations.listForUser(session.user.id);
    });

    app.get('/api/notifications', {
      schema: {
        tags: ['invitations'],
        summary: 'Server-sent events: `invitation` events as they are sent to me',
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
        res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.invitation)}\n\n`);
      };
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
      // An open dashboard is not activity: an unattended one still idles out.
      const untrack = ctx.liveSessions.add(session.tokenHash, { close: () => res.end(), keepsSessionAlive: false });
      const unsubscribe = ctx.bus.subscribeUser(session.user.id, send).catch((err: unknown) => {
        request.log.warn({ err }, 'live invitations unavailable');
        res.end();
        return async () => undefined;
      });
      res.on('close', () => {
        clearInterval(keepalive);
        untrack();
        void unsubscribe.then((stop) => stop());
      });
    });
  };
}
