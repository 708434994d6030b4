/**
 * Guest links: someone without an account opens the owner's link, gives a
 * display name, and joins that room's call until the link expires or is
 * withdrawn. A guest is a user of its own kind: no password, one room, no
 * rooms of its own and no invitations.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { ErrorBody, GuestBody } from '../../shared/api.ts';
import { translate } from '../../shared/i18n/index.ts';
import { HttpError, tooManyRequests } from '../http/errors.ts';
import { requestLanguage, type PageRenderer } from '../http/pages.ts';
import { sha256 } from '../ids.ts';

const TokenParams = z.strictObject({ token: z.string().max(64) });

export function guestRoutes(ctx: AppContext, pages: PageRenderer): FastifyPluginAsyncZod {
  const roomOf = (token: string) => ctx.rooms.findByGuestToken(sha256(token), ctx.clock());

  return async (app) => {
    app.get('/guest/:token', {
      schema: { tags: ['pages'], summary: 'The page of a guest link: a display name, then the call', params: TokenParams },
    }, async (request, reply) => {
      const lang = requestLanguage(request);
      const room = await roomOf(request.params.token);
      const html = 'text/html; charset=utf-8';
      if (!room) {
        return reply.status(404).type(html).send(pages.render('not-found', lang, { heading: translate(lang, 'guest.invalidHeading'), hint: translate(lang, 'error.guest-link-invalid') }));
      }
      const session = await ctx.auth.optionalSession(request);
      if (session && (!session.user.guestRoomId || session.user.guestRoomId === room.id)) return reply.redirect(`/room/${room.id}`);
      return reply.type(html).send(pages.render('guest', lang, { roomName: room.name }));
    });

    app.post('/guest/:token', {
      schema: {
        tags: ['rooms'],
        summary: 'Enter a room as a guest with a display name; signs this browser in as that guest until the link expires',
        params: TokenParams,
        body: GuestBody,
        response: { 201: z.object({ roomId: z.string() }), 400: ErrorBody, 410: ErrorBody, 429: ErrorBody },
      },
    }, async (request, reply) => {
      const limit = await ctx.limits.guestJoin.hit(request.ip);
      if (!limit.allowed) throw tooManyRequests('too many guests from this address', limit.retryAfterSeconds);
      const room = await roomOf(request.params.token);
      if (!room || room.guestLinkExpiresAt === null) throw new HttpError(410, ApiErrorCode.guestLinkInvalid, 'guest link expired or withdrawn');
      const guest = await ctx.users.createGuest(request.body.name, room.id, room.guestLinkExpiresAt, ctx.clock());
      const session = await ctx.sessions.create(guest.id, { userAgent: request.headers['user-agent'], endsBy: room.guestLinkExpiresAt });
      ctx.auth.setCookie(reply, session.token, session.expiresAt);
      request.log.info({ event: 'guest', roomId: room.id, userId: guest.id, ip: request.ip }, 'guest entered');
      return reply.status(201).send({ roomId: room.id });
    });
  };
}
