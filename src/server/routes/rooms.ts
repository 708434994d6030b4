/** Rooms: create, list mine, look one up by its link. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { CreateRoomBody, ErrorBody, Room as RoomView, RoomId } from '../../shared/api.ts';
import { HttpError, tooManyRequests } from '../http/errors.ts';
import { allowedOrigins } from '../http/same-origin.ts';
import type { Room } from '../repos/rooms.ts';

/** The shareable link of a room, on the configured public origin when there is one. */
export function roomLink(request: FastifyRequest, publicOrigins: readonly string[], roomId: string): string {
  return `${allowedOrigins(request, publicOrigins)[0]}/room/${roomId}`;
}

export function roomRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const view = (request: FastifyRequest, room: Room) => ({ ...room, link: roomLink(request, ctx.config.publicOrigins, room.id) });

  return async (app) => {
    app.get('/api/rooms', {
      schema: { tags: ['rooms'], summary: 'Rooms I belong to, newest first', response: { 200: z.array(RoomView), 401: ErrorBody } },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      return (await ctx.rooms.listForUser(session.user.id)).map((room) => view(request, room));
    });

    app.post('/api/rooms', {
      schema: {
        tags: ['rooms'],
        summary: 'Create a room; I become its first member',
        body: CreateRoomBody,
        response: { 201: RoomView, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      const limit = await ctx.limits.roomCreate.hit(session.user.id);
      if (!limit.allowed) {
        throw tooManyRequests('too many rooms created', limit.retryAfterSeconds);
      }
      const room = await ctx.rooms.create(request.body.name, session.user.id);
      request.log.info({ event: 'room-created', roomId: room.id, userId: session.user.id }, 'room created');
      return reply.status(201).send(view(request, room));
    });

    app.get('/api/rooms/:roomId', {
      schema: {
        tags: ['rooms'],
        summary: 'A room by its id. The link is the capability; joining the call (not this read) makes me a member.',
        params: z.object({ roomId: z.string() }),
        response: { 200: RoomView, 401: ErrorBody, 404: ErrorBody },
      },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      const parsed = RoomId.safeParse(request.params.roomId);
      const room = parsed.success ? await ctx.rooms.find(parsed.data) : undefined;
      if (!room) throw new HttpError(404, ApiErrorCode.roomNotFound, 'no such room');
      return view(request, room);
    });
  };
}
