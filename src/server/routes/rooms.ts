/** Rooms: create, list mine, look one up by its link; the owner renames, locks, deletes and hands out guest links; members leave. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { CreateRoomBody, ErrorBody, GuestLink, Room as RoomView, RoomId, UpdateRoomBody } from '../../shared/api.ts';
import { HttpError, tooManyRequests } from '../http/errors.ts';
import { allowedOrigins } from '../http/same-origin.ts';
import type { Room } from '../repos/rooms.ts';
import type { ActiveSession } from '../repos/sessions.ts';
import { randomToken, sha256 } from '../ids.ts';

/** The shareable link of a room, on the configured public origin when there is one. */
export function roomLink(request: FastifyRequest, publicOrigins: readonly string[], roomId: string): string {
  return `${allowedOrigins(request, publicOrigins)[0]}/room/${roomId}`;
}

/** Guests enter one room; everything else of the app is for members. */
export function refuseGuests(session: ActiveSession): void {
  if (session.user.guestRoomId) throw new HttpError(403, ApiErrorCode.guestNotAllowed, 'guests cannot do that');
}

/** The people in a call, once each: one account in two tabs holds two seats, and two guests may choose the same name. */
function whoIsIn(seated: { userId: string; username: string; guest?: boolean }[]): { username: string; guest: boolean }[] {
  const people = new Map(seated.map(({ userId, username, guest }) => [userId, { username, guest: guest === true }]));
  return [...people.values()];
}

const RoomParams = z.strictObject({ roomId: z.string().max(64) });

export function roomRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const view = async (request: FastifyRequest, room: Room, session: ActiveSession) => {
    const seated = await ctx.bus.members(room.id).catch(() => []);
    const owner = room.ownerId === session.user.id;
    return {
      ...room,
      owner,
      guestLinkExpiresAt: owner ? room.guestLinkExpiresAt : null,
      link: roomLink(request, ctx.config.publicOrigins, room.id),
      inCall: whoIsIn(seated),
    };
  };

  /** The room, if the user belongs to it (404 otherwise: its existence is the members' business). */
  const memberRoom = async (roomId: string, session: ActiveSession): Promise<Room> => {
    const parsed = RoomId.safeParse(roomId);
    const room = parsed.success ? await ctx.rooms.find(parsed.data) : undefined;
    if (!room || !(await ctx.rooms.isMember(room.id, session.user.id))) throw new HttpError(404, ApiErrorCode.roomNotFound, 'no such room');
    return room;
  };

  const ownedRoom = async (roomId: string, session: ActiveSession): Promise<Room> => {
    const room = await memberRoom(roomId, session);
    if (room.ownerId !== session.user.id) throw new HttpError(403, ApiErrorCode.notOwner, 'only the owner may do that');
    return room;
  };

  /** Tells the room's members (and those given) that their room lists changed. */
  const roomsChanged = async (roomId: string, also: string[] = []) => {
    const members = await ctx.rooms.memberIds(roomId).catch(() => []);
    for (const userId of new Set([...members, ...also])) await ctx.bus.publishUser(userId, { type: 'rooms-changed' }).catch(() => undefined);
  };

  return async (app) => {
    app.get('/api/rooms', {
      schema: { tags: ['rooms'], summary: 'Rooms I belong to, newest first, with who is in each call now', response: { 200: z.array(RoomView), 401: ErrorBody } },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      const rooms = await ctx.rooms.listForUser(session.user.id);
      return Promise.all(rooms.map((room) => view(request, room, session)));
    });

    app.post('/api/rooms', {
      schema: {
        tags: ['rooms'],
        summary: 'Create a room; I become its owner and first member',
        body: CreateRoomBody,
        response: { 201: RoomView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      refuseGuests(session);
      const limit = await ctx.limits.roomCreate.hit(session.user.id);
      if (!limit.allowed) throw tooManyRequests('too many rooms created', limit.retryAfterSeconds);
      const room = await ctx.rooms.create(request.body.name, session.user.id);
      request.log.info({ event: 'room-created', roomId: room.id, userId: session.user.id }, 'room created');
      return reply.status(201).send(await view(request, room, session));
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
      return view(request, room, session);
    });

    app.patch('/api/rooms/:roomId', {
      schema: {
        tags: ['rooms'],
        summary: 'The owner renames the room, locks it to its members, or sets how long its chat is kept',
        params: RoomParams,
        body: UpdateRoomBody,
        response: { 200: RoomView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      const room = await ownedRoom(request.params.roomId, session);
      await ctx.rooms.update(room.id, request.body);
      request.log.info({ event: 'room-updated', roomId: room.id, userId: session.user.id, change: Object.keys(request.body) }, 'room updated');
      await roomsChanged(room.id);
      return view(request, (await ctx.rooms.find(room.id))!, session);
    });

    app.delete('/api/rooms/:roomId', {
      schema: {
        tags: ['rooms'],
        summary: 'The owner deletes the room with its chat; anyone in its call is let go',
        params: RoomParams,
        response: { 204: z.null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      const room = await ownedRoom(request.params.roomId, session);
      const members = await ctx.rooms.memberIds(room.id);
      await ctx.rooms.delete(room.id);
      ctx.hub.end(room.id);
      request.log.info({ event: 'room-deleted', roomId: room.id, userId: session.user.id }, 'room deleted');
      await roomsChanged(room.id, members);
      return reply.status(204).send(null);
    });

    app.post('/api/rooms/:roomId/leave', {
      schema: {
        tags: ['rooms'],
        summary: 'Leave a room: it is no longer mine (its link still works unless it is locked). An owner who leaves hands it to the longest-standing member, or deletes it when alone.',
        params: RoomParams,
        response: { 204: z.null(), 401: ErrorBody, 404: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      const room = await memberRoom(request.params.roomId, session);
      await ctx.rooms.removeMember(room.id, session.user.id);
      if (room.ownerId === session.user.id) {
        const heir = (await ctx.rooms.memberIds(room.id))[0];
        if (heir) await ctx.rooms.transfer(room.id, heir);
        else {
          await ctx.rooms.delete(room.id);
          ctx.hub.end(room.id);
        }
      }
      await roomsChanged(room.id, [session.user.id]);
      return reply.status(204).send(null);
    });

    app.post('/api/rooms/:roomId/guest-link', {
      schema: {
        tags: ['rooms'],
        summary: 'The owner makes a guest link: someone without an account joins the call with a display name until it expires. A new link replaces the old one.',
        params: RoomParams,
        response: { 201: GuestLink, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      const room = await ownedRoom(request.params.roomId, session);
      const token = randomToken();
      const expiresAt = ctx.clock() + ctx.config.guestLinkMs;
      await ctx.rooms.setGuestLink(room.id, { tokenHash: sha256(token), expiresAt });
      request.log.info({ event: 'guest-link', roomId: room.id, userId: session.user.id }, 'guest link made');
      return reply.status(201).send({ link: `${allowedOrigins(request, ctx.config.publicOrigins)[0]}/guest/${token}`, expiresAt });
    });

    app.delete('/api/rooms/:roomId/guest-link', {
      schema: {
        tags: ['rooms'],
        summary: 'The owner withdraws the guest link: it stops working, and the guests it let in are signed out and leave the call',
        params: RoomParams,
        response: { 204: z.null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    }, async (request, reply) => {
      const session = await ctx.auth.requireSession(request);
      const room = await ownedRoom(request.params.roomId, session);
      await ctx.rooms.setGuestLink(room.id, null);
      for (const guestId of await ctx.users.guestsOf(room.id)) {
        for (const tokenHash of await ctx.sessions.revokeAllForUser(guestId)) ctx.liveSessions.end(tokenHash);
        await ctx.users.delete(guestId);
      }
      request.log.info({ event: 'guest-link-withdrawn', roomId: room.id, userId: session.user.id }, 'guest link withdrawn');
      return reply.status(204).send(null);
    });
  };
}
