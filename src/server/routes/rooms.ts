/** Rooms: create, list mine, look one up by its link. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ApiErrorCode, ErrorView, HttpError, tooManyRequests } from '../http/errors.ts';
import { allowedOrigins } from '../http/same-origin.ts';
import { ROOM_NAME_MAX_CHARS } from '../../shared/limits.ts';
import type { Room } from '../repos/rooms.ts';

export const RoomId = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

const RoomName = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .refine((s) => s.length > 0 && Array.from(s).length <= ROOM_NAME_MAX_CHARS, `1–${ROOM_NAME_MAX_CHARS} characters`)
  .refine((s) => !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(s), 'control characters');

const RoomView = z.object({ id: z.string(), name: z.string(), ownerId: z.string(), createdAt: z.number(), link: z.string() });

/** The shareable link of a room, on the configured public origin when there is one. */
export function roomLink(request: FastifyRequest, publicOrigins: readonly string[], roomId: string): string {
  return `${allowedOrigins(request, publicOrigins)[0]}/room/${roomId}`;
}

export function roomRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const view = (request: FastifyRequest, room: Room) => ({ ...room, link: roomLink(request, ctx.config.publicOrigins, room.id) });

  return async (app) => {
    app.get('/api/rooms', {
      schema: { tags: ['rooms'], summary: 'Rooms I belong to, newest first', response: { 200: z.array(RoomView), 401: ErrorView } },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      return (await ctx.rooms.listForUser(session.user.id)).map((room) => view(request, room));
    });

    app.post('/api/rooms', {
      bodyLimit: 4096,
      schema: {
        tags: ['rooms'],
        summary: 'Create a room; I become its first member',
        body: z.strictObject({ name: RoomName }),
        response: { 201: RoomView, 400: ErrorView, 401: ErrorView, 429: ErrorView },
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
        response: { 200: RoomView, 401: ErrorView, 404: ErrorView },
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
