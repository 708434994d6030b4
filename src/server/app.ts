/**
 * Builds the Fastify application: used by `main.ts` to serve and by the tests
 * to drive a real server. Opens the database and migrates it first.
 */
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import staticFiles from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { migrateToLatest, openDatabase } from './db/database.ts';
import { createUsersRepo } from './repos/users.ts';
import { createSessionsRepo } from './repos/sessions.ts';
import { createRoomsRepo } from './repos/rooms.ts';
import { createInvitationsRepo } from './repos/invitations.ts';
import { createBlocksRepo } from './repos/blocks.ts';
import { createRingsRepo } from './repos/rings.ts';
import { Presence } from './realtime/presence.ts';
import { runHousekeeping } from './repos/housekeeping.ts';
import { createRinger } from './routes/ringing.ts';
import { createChatRepo } from './repos/chat.ts';
import { createSessionAccess, sessionCookies } from './auth/session.ts';
import { createRateLimiter } from './limits/rate-limiter.ts';
import { LiveSessions } from './realtime/live-sessions.ts';
import { RoomHub } from './realtime/room-hub.ts';
import { openSharedState } from './realtime/shared-state.ts';
import { installSignalingUpgrade } from './routes/signaling.ts';
import { createResumeTokens } from './realtime/resume-tokens.ts';
import { serverKey } from './repos/server-keys.ts';
import { createMetrics } from './metrics.ts';
import { installErrorHandler } from './http/errors.ts';
import { createPageRenderer, readPreloads } from './http/pages.ts';
import { installSecurityHeaders } from './http/security-headers.ts';
import { installSameOriginCheck } from './http/same-origin.ts';
import { authRoutes } from './routes/auth.ts';
import { accountRoutes } from './routes/account.ts';
import { roomRoutes } from './routes/rooms.ts';
import { invitationRoutes } from './routes/invitations.ts';
import { peopleRoutes } from './routes/people.ts';
import { guestRoutes } from './routes/guests.ts';
import { pageRoutes } from './routes/pages.ts';
import { healthRoutes } from './routes/health.ts';
import { iceRoutes } from './routes/ice.ts';

/**
 * Largest request body, in bytes: every body of the API is a few short
 * strings, so anything bigger is refused (413) before it is parsed.
 */
const BODY_LIMIT_BYTES = 4096;
/** Slow clients are cut off after this long for a whole request, in milliseconds. */
const REQUEST_TIMEOUT_MS = 15_000;
/** Rooms one user may create per hour. */
const ROOMS_PER_HOUR = 30;
/** ICE server (TURN credential) requests one user may make per hour, on top of room page loads. */
const ICE_REQUESTS_PER_HOUR = 120;
/** Invitations one user may send per hour. */
const INVITATIONS_PER_HOUR = 60;
/** Guests one address may bring in through guest links per hour. */
const GUEST_JOINS_PER_HOUR = 20;
/** How often expired guests and chat past its room's retention are deleted, in milliseconds. */
const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;
/** Refused (signed-out) WebSocket upgrades one address may make per 10 s before it gets 429. */
const WS_UNAUTHENTICATED_PER_WINDOW = 20;
/** Time a client has to send its request headers, in milliseconds (slowloris defence). */
const HEADERS_TIMEOUT_MS = 10_000;
/** How often Node checks for requests past their header or request timeout, in milliseconds. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** Largest request header block, in bytes; more gets 431. */
const MAX_HEADER_BYTES = 16 * 1024;
/** How often the rows of ended sessions are deleted, in milliseconds. */
const SESSION_PURGE_INTERVAL_MS = 10 * 60_000;
/** Longest gap between checks of the sessions behind open connections, in milliseconds. */
const SESSION_SWEEP_INTERVAL_MS = 30_000;

export interface BuildOptions {
  /** Project root, holding `public/` and `dist/assets/`. Defaults to the working directory. */
  rootDir?: string;
  /** false for no logging (tests); by default the configured level to stdout. */
  logger?: false;
  /** Where log lines go instead of stdout, with the same settings (tests read them). */
  logStream?: NodeJS.WritableStream;
  /** The time sessions are judged by; tests move it by hand. */
  clock?: Clock;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<{ app: FastifyInstance; ctx: AppContext }> {
  const rootDir = options.rootDir ?? process.cwd();
  const database = await openDatabase(config.databaseUrl);
  const { db, kind } = database;
  await migrateToLatest(db);

  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      // Session tokens never reach the logs, wherever a log line would carry them.
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], remove: true },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS, maxHeaderSize: MAX_HEADER_BYTES },
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 100 },
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const { bus, rateLimiter: limiter } = await openSharedState(config);
  const chat = createChatRepo(db, database);
  const hub = new RoomHub(bus, chat, config.roomCapacity, app.log);
  const sessions = createSessionsRepo(db, { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs }, options.clock);
  const rooms = createRoomsRepo(db);
  const clock = options.clock ?? systemClock;
  const rings = createRingsRepo(db, config.ringMs, clock);
  const users = createUsersRepo(db);
  const presence = new Presence(bus, async (userId) => {
    // A guest is no member of any room: the members of the room their link opens see them come and go.
    const guestRoomId = (await users.findById(userId))?.guestRoomId;
    return guestRoomId ? rooms.memberIds(guestRoomId) : (await rooms.contacts(userId)).map((c) => c.userId);
  }, app.log);
  const ctx: AppContext = {
    config,
    db,
    dbKind: kind,
    users,
    sessions,
    rooms,
    invitations: createInvitationsRepo(db),
    blocks: createBlocksRepo(db),
    rings,
    chat,
    auth: createSessionAccess(sessions, sessionCookies(config.cookieSecure)),
    limits: {
      login: limiter('login', { limit: config.loginRateLimit, windowMs: config.authRateWindowMs }),
      loginByAddress: limiter('login-address', { limit: config.loginIpRateLimit, windowMs: config.authRateWindowMs }),
      register: limiter('register', { limit: config.registerRateLimit, windowMs: config.authRateWindowMs }),
      roomCreate: limiter('room-create', { limit: ROOMS_PER_HOUR, windowMs: 3_600_000 }),
      invite: limiter('invite', { limit: INVITATIONS_PER_HOUR, windowMs: 3_600_000 }),
      iceServers: limiter('ice-servers', { limit: ICE_REQUESTS_PER_HOUR, windowMs: 3_600_000 }),
      // Kept in this process's memory whatever the bus: refusing must cost nothing.
      wsUnauthenticated: createRateLimiter({ limit: WS_UNAUTHENTICATED_PER_WINDOW, windowMs: 10_000 }),
      chatQuota: limiter('chat-quota', { limit: config.chatMessagesPerDay, windowMs: 24 * 3_600_000 }),
      guestJoin: limiter('guest-join', { limit: GUEST_JOINS_PER_HOUR, windowMs: 3_600_000 }),
    },
    liveSessions: new LiveSessions(),
    bus,
    hub,
    presence,
    ringer: createRinger({ rings, bus, ringMs: config.ringMs }),
    clock,
    resumeTokens: createResumeTokens(await serverKey(db, 'resume-token')),
    metrics: createMetrics({ rooms: () => hub.roomCount, participants: () => hub.participantCount }),
  };

  const pages = createPageRenderer(resolve(rootDir, 'public/pages'), readPreloads(resolve(rootDir, 'dist/assets/preload.json')));
  pages.preload();
  installErrorHandler(app, pages);
  installSecurityHeaders(app, { hsts: config.cookieSecure });
  installSameOriginCheck(app, config.publicOrigins);

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Callroom API', version: '1', description: 'HTTP API of Callroom. The WebSocket protocol is described in docs/protocol.md.' },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Swagger UI's scripts are files of its own ('self'), but it injects a
    // <style> element: styles may be inline on this page only. No external
    // validator badge, so nothing is loaded from another site.
    staticCSP: "default-src 'self'; base-uri 'none'; font-src 'self' data:; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'",
    uiConfig: { validatorUrl: null },
  });
  await app.register(staticFiles, {
    root: resolve(rootDir, 'dist/assets'),
    prefix: '/assets/',
    maxAge: '5m',
    // scripts/build.mjs writes .br and .gz twins of every script and style sheet.
    preCompressed: true,
  });

  await app.register(healthRoutes(ctx));
  await app.register(authRoutes(ctx));
  await app.register(accountRoutes(ctx));
  await app.register(roomRoutes(ctx));
  await app.register(invitationRoutes(ctx));
  await app.register(peopleRoutes(ctx));
  await app.register(guestRoutes(ctx, pages));
  await app.register(iceRoutes(ctx));
  await app.register(pageRoutes(ctx, pages));
  installSignalingUpgrade(app, ctx);

  // Deletes ended sessions' rows; their open connections are the sweep's business.
  const purge = setInterval(() => {
    sessions.purgeExpired().catch((err: unknown) => app.log.error({ err }, 'session purge failed'));
  }, SESSION_PURGE_INTERVAL_MS);
  purge.unref();
  // Open calls keep their sessions alive; connections of ended sessions (idle,
  // expired, signed out on another process) are closed. A short idle timeout
  // is swept more often so it is honoured to within a quarter of itself.
  const sweep = setInterval(() => {
    ctx.liveSessions.sweep(sessions).catch((err: unknown) => app.log.warn({ err }, 'session sweep failed'));
  }, Math.min(SESSION_SWEEP_INTERVAL_MS, config.sessionIdleMs / 4));
  sweep.unref();
  const housekeeping = setInterval(() => {
    runHousekeeping(ctx).catch((err: unknown) => app.log.warn({ err }, 'housekeeping failed'));
  }, HOUSEKEEPING_INTERVAL_MS);
  housekeeping.unref();
  app.addHook('onClose', async () => {
    clearInterval(housekeeping);
    ctx.ringer.close();
    clearInterval(purge);
    clearInterval(sweep);
    await hub.close();
    await bus.close();
    await db.destroy();
  });

  return { app, ctx };
}
