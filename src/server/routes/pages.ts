/** The pages of the app: sign-in, dashboard, account and room. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { requestLanguage, type PageRenderer } from '../http/pages.ts';
import { RoomId } from '../../shared/api.ts';
import { translate } from '../../shared/i18n/index.ts';
import { rtcConfigurationFor } from './ice.ts';

export function pageRoutes(ctx: AppContext, pages: PageRenderer): FastifyPluginAsyncZod {
  return async (app) => {
    const html = 'text/html; charset=utf-8';

    app.get('/', { schema: { tags: ['pages'], summary: 'Sign-in and registration page' } }, async (request, reply) => {
      if (await ctx.auth.optionalSession(request)) return reply.redirect('/dashboard');
      return reply.type(html).send(pages.render('signin', requestLanguage(request)));
    });

    app.get('/dashboard', {
      schema: { tags: ['pages'], summary: "The signed-in user's dashboard (the user comes from the session only)" },
    }, async (request, reply) => {
      const session = await ctx.auth.optionalSession(request);
      if (!session) return reply.redirect('/');
      // A guest has one room and nothing else.
      if (session.user.guestRoomId) return reply.redirect(`/room/${session.user.guestRoomId}`);
      return reply.type(html).send(pages.render('dashboard', requestLanguage(request), { username: session.user.username }));
    });

    app.get('/account', {
      schema: { tags: ['pages'], summary: 'My account: sessions, password, deletion' },
    }, async (request, reply) => {
      const session = await ctx.auth.optionalSession(request);
      if (!session) return reply.redirect(`/?next=${encodeURIComponent('/account')}`);
      if (session.user.guestRoomId) return reply.redirect(`/room/${session.user.guestRoomId}`);
      return reply.type(html).send(pages.render('account', requestLanguage(request), { username: session.user.username }));
    });

    app.get('/room/:roomId', {
      schema: { tags: ['pages'], summary: 'A room page. Changes nothing: holding the link, a user becomes a member when they join the call', params: z.object({ roomId: z.string() }) },
    }, async (request, reply) => {
      const lang = requestLanguage(request);
      const session = await ctx.auth.optionalSession(request);
      const parsed = RoomId.safeParse(request.params.roomId);
      if (!session) {
        const next = parsed.success ? `?next=${encodeURIComponent(`/room/${parsed.data}`)}` : '';
        return reply.redirect(`/${next}`);
      }
      const room = parsed.success ? await ctx.rooms.find(parsed.data) : undefined;
      if (!room || (session.user.guestRoomId && session.user.guestRoomId !== room.id)) {
        return reply.status(404).type(html).send(pages.render('not-found', lang, { heading: translate(lang, 'room.notFound'), hint: translate(lang, 'room.notFoundHint') }));
      }
      return reply.type(html).send(pages.render('room', lang, {
        roomId: room.id,
        roomName: room.name,
        username: session.user.username,
        userId: session.user.id,
        owner: String(room.ownerId === session.user.id),
        locked: String(room.locked),
        guest: String(Boolean(session.user.guestRoomId)),
        rtcConfig: JSON.stringify(rtcConfigurationFor(ctx, session.user.id)),
        callLostMs: String(ctx.config.callLostMs),
        uploadBudgetKbps: String(ctx.config.uploadBudgetKbps),
        hasTurn: String(ctx.config.turn !== undefined),
      }));
    });
  };
}
