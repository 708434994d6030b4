/**
 * `WebSocket /ws/{roomId}`: checks Origin, session and room before the
 * upgrade, then hands frames to a SignalingConnection. Pings detect dead peers.
 */
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { AppContext } from '../context.js';
import { ApiErrorCode, HttpError, tooManyRequests } from '../http/errors.js';
import { isAllowedOrigin } from '../http/same-origin.js';
import { RoomId } from '../routes/rooms.js';
import { CloseCode } from '../../shared/protocol.js';
import { WS_PING_INTERVAL_MS } from '../../shared/limits.js';
import { SignalingConnection } from './connection.js';
import type { ActiveSession } from '../repos/sessions.js';
import type { Room } from '../repos/rooms.js';
import { ConnectionLimits, type OpenResult } from './connection-limits.js';

/** Close codes by which a client says it is leaving, not that its link broke. */
const CLEAN_CLOSE_CODES: ReadonlySet<number> = new Set([1000, 1001, 1005]);

/** Sockets pinged per event-loop turn by the heartbeat. */
const PING_SLICE = 250;

declare module 'fastify' {
  interface FastifyRequest {
    signaling?: { session: ActiveSession; room: Room; slot: Extract<OpenResult, { ok: true }> };
  }
}

const tooManyConnections = (message: string, retryAfterSeconds: number) => tooManyRequests(message, retryAfterSeconds, ApiErrorCode.tooManyConnections);

export function registerSignalingRoute(app: FastifyInstance, ctx: AppContext): void {
  const alive = new WeakSet<WebSocket>();
  const limits = new ConnectionLimits(ctx.config.wsConnectionCaps);
  const sockets = new Set<WebSocket>();

  // Pinging thousands of sockets in one go stalls the event loop (80 ms at
  // 4,000 in the benchmark), delaying every relay behind it; ping in slices.
  const pingSlice = (batch: WebSocket[], from: number) => {
    for (const socket of batch.slice(from, from + PING_SLICE)) {
      if (socket.readyState !== socket.OPEN) continue;
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
    if (from + PING_SLICE < batch.length) setImmediate(pingSlice, batch, from + PING_SLICE);
  };
  const heartbeat = setInterval(() => pingSlice([...sockets], 0), WS_PING_INTERVAL_MS);
  heartbeat.unref();

  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
  });

  app.get('/ws/:roomId', {
    websocket: true,
    schema: { hide: true },
    preValidation: async (request) => {
      if (!isAllowedOrigin(request.headers.origin, request, ctx.config.publicOrigins)) {
        request.log.warn({ origin: request.headers.origin }, 'websocket from a foreign origin refused');
        throw new HttpError(403, ApiErrorCode.forbiddenOrigin, 'origin not allowed');
      }
      // An address that keeps failing to authenticate is refused before any
      // database work, so a flood of upgrades costs almost nothing.
      const failures = await ctx.limits.wsUnauthenticated.peek(request.ip);
      if (!failures.allowed) throw tooManyConnections('too many refused connections', failures.retryAfterSeconds);
      const session = await ctx.auth.optionalSession(request);
      if (!session) {
        await ctx.limits.wsUnauthenticated.hit(request.ip);
        throw new HttpError(401, ApiErrorCode.unauthorized, 'sign in first');
      }
      const { roomId } = request.params as { roomId: string };
      const parsed = RoomId.safeParse(roomId);
      const room = parsed.success ? await ctx.rooms.find(parsed.data) : undefined;
      if (!room) throw new HttpError(404, ApiErrorCode.roomNotFound, 'no such room');
      const slot = limits.open(session.user.id, request.ip);
      if (!slot.ok) {
        request.log.warn({ userId: session.user.id, limit: slot.limit }, 'websocket connection cap reached');
        throw tooManyConnections(slot.limit === 'flooding' ? 'closed for flooding; wait before reconnecting' : `too many open connections for this ${slot.limit}`, 10);
      }
      request.signaling = { session, room, slot };
    },
  }, (socket, request) => {
    const { session, room, slot } = request.signaling!;
    const connection = new SignalingConnection(socket, session.user, room, {
      hub: ctx.hub,
      chat: ctx.chat,
      rooms: ctx.rooms,
      resumeTokens: ctx.resumeTokens,
      resumeGraceMs: ctx.config.resumeGraceMs,
      metrics: ctx.metrics,
      log: request.log,
      userBucket: slot.userBucket,
      messageRate: ctx.config.wsConnectionCaps.messageRate,
      onFlood: () => limits.penalize(session.user.id),
    });
    sockets.add(socket);
    alive.add(socket);
    ctx.metrics.connections.inc();
    const untrack = ctx.liveSessions.add(session.tokenHash, {
      close: () => connection.close(CloseCode.sessionEnded, 'session ended'),
      keepsSessionAlive: true,
    });
    // The pre-join screen opens its socket before the user decides to join,
    // so this is minutes (JOIN_TIMEOUT_SECONDS); a page kept open longer
    // connects again on Join. The per-user and per-address caps bound how
    // many unjoined sockets one can hold.
    const joinTimer = setTimeout(() => {
      if (connection.state.phase === 'awaiting-join' || connection.state.phase === 'joining') connection.close(CloseCode.joinTimeout, 'join timeout');
    }, ctx.config.joinTimeoutMs);

    // Listeners are attached synchronously so no early frame is missed.
    socket.on('pong', () => alive.add(socket));
    socket.on('message', (data, isBinary) => {
      alive.add(socket);
      if (isBinary) {
        connection.close(1003, 'text frames only');
        return;
      }
      connection.receive(data.toString());
    });
    socket.on('close', (code) => {
      clearTimeout(joinTimer);
      slot.release();
      sockets.delete(socket);
      ctx.metrics.connections.dec();
      untrack();
      // A clean close (1000, or 1005 with no code) or a page going away (1001)
      // is a leave; anything else is a lost connection, and the participant may
      // come back and resume.
      connection.closed({ resumable: !CLEAN_CLOSE_CODES.has(code) });
    });
  });
}
