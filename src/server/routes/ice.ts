/** ICE servers for the browser's RTCPeerConnection, with fresh TURN credentials. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, IceServersResponse, type RtcConfiguration } from '../../shared/api.ts';
import type { AppContext } from '../context.ts';
import { tooManyRequests } from '../http/errors.ts';
import { iceServersFor } from '../turn-credentials.ts';

/** What a room page and `GET /api/ice-servers` hand the browser. */
export function rtcConfigurationFor(ctx: AppContext, userId: string): RtcConfiguration {
  return {
    iceServers: iceServersFor(userId, ctx.config.iceServers, ctx.config.turn),
    iceTransportPolicy: ctx.config.iceTransportPolicy,
  };
}

export function iceRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/ice-servers', {
      schema: {
        tags: ['rooms'],
        summary: 'STUN/TURN servers for WebRTC; TURN credentials expire after ttlSeconds',
        response: {
          200: IceServersResponse,
          401: ErrorBody,
          429: ErrorBody,
        },
      },
    }, async (request) => {
      const session = await ctx.auth.requireSession(request);
      const limit = await ctx.limits.iceServers.hit(session.user.id);
      if (!limit.allowed) {
        throw tooManyRequests('too many credential requests', limit.retryAfterSeconds);
      }
      return { ...rtcConfigurationFor(ctx, session.user.id), ttlSeconds: ctx.config.turn?.ttlSeconds ?? 0 };
    });
  };
}
