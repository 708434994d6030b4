/** Liveness, readiness and metrics: what a load balancer and Prometheus ask. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { HttpError } from '../http/errors.ts';
import type { AppContext } from '../context.ts';

/** A dependency that does not answer this fast counts as down, in milliseconds. */
const READINESS_TIMEOUT_MS = 1000;

async function answersWithin(check: () => Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/health', {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process answers. Stays 200 while a dependency is down.',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    }, async () => ({ status: 'ok' as const }));

    app.get('/ready', {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: 200 when the database and (if configured) Redis answer, 503 otherwise',
        response: {
          200: z.object({ status: z.literal('ready'), database: z.literal('up'), bus: z.literal('up') }),
          503: z.object({ status: z.literal('unavailable'), database: z.enum(['up', 'down']), bus: z.enum(['up', 'down']) }),
        },
      },
    }, async (_request, reply) => {
      const [databaseUp, busUp] = await Promise.all([
        answersWithin(() => sql`select 1`.execute(ctx.db), READINESS_TIMEOUT_MS),
        answersWithin(async () => {
          if (!ctx.bus.connected || !(await ctx.bus.ping())) throw new Error('bus down');
        }, READINESS_TIMEOUT_MS),
      ]);
      if (databaseUp && busUp) return { status: 'ready' as const, database: 'up' as const, bus: 'up' as const };
      const state = (up: boolean) => (up ? ('up' as const) : ('down' as const));
      return reply.status(503).send({ status: 'unavailable' as const, database: state(databaseUp), bus: state(busUp) });
    });

    // Not public: the figures describe the service's load. Without METRICS_TOKEN it does not exist.
    app.get('/metrics', {
      schema: { tags: ['operations'], summary: 'Prometheus metrics; needs `Authorization: Bearer <METRICS_TOKEN>`, and answers 404 when no token is configured', produces: ['text/plain'], hide: true },
    }, async (request, reply) => {
      const token = ctx.config.metricsToken;
      if (!token) throw new HttpError(404, ApiErrorCode.notFound, 'not found');
      const given = Buffer.from(request.headers.authorization ?? '');
      const expected = Buffer.from(`Bearer ${token}`);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        reply.header('WWW-Authenticate', 'Bearer');
        throw new HttpError(401, ApiErrorCode.unauthorized, 'metrics need the token');
      }
      return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
    });
  };
}
