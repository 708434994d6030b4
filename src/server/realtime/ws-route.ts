/**
 * `WebSocket /ws/{roomId}`: checks Origin, session and room before the
 * upgrade, then hands frames to a SignalingConnection. Pings detect dead peers.
 */
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { AppContext } from '../context.js';
import { ApiErrorCode, HttpError } from '../http/errors.js';
import { isAllowedOrigin } from '../http/same-origin.js';
import { RoomId } from '../routes/rooms.js';
import { CloseCode } from '../../shared/protocol.js';
import { WS_PING_INTERVAL_MS } from '../../shared/limits.js';
import { SignalingConnection } from './connection.js';
import type { ActiveSession } from '../repos/sessions.js';
import type { Room } from '../repos/rooms.js';

/** Close codes by which a client says it is leaving, not that its link broke. */
const CLEAN_CLOSE_CODES: ReadonlySet<number> = new Set([1000, 1001, 1005]);

/** A connection must send `join` this soon after opening, in milliseconds. */
export const JOIN_TIMEOUT_MS = 10_000;

declare module 'fastify' {
  interface FastifyRequest {
    signaling?: { session: ActiveSession; room: Room };
  }
}

export function registerSignalingRoute(app: FastifyInstance, ctx: AppContext): void {
  const alive = new WeakSet<WebSocket>();
  const sockets = new Set<WebSocket>();

  const heartbeat = setInterval(() => {
    for (const socket of sockets) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, WS_PING_INTERVAL_MS);
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
      const session = await ctx.auth.requireSession(request);
      const { roomId } = request.params as { roomId: string };
      const parsed = RoomId.safeParse(roomId);
      const room = parsed.success ? await ctx.rooms.find(parsed.data) : undefined;
      if (!room) throw new HttpError(404, ApiErrorCode.roomNotFound, 'no such room');
      // The link is the capability: whoever holds it becomes a member.
      await ctx.rooms.addMember(room.id, session.user.id);
      request.signaling = { session, room };
    },
  }, (socket, request) => {
    const { session, room } = request.signaling!;
    const connection = new SignalingConnection(socket, session.user, room, {
      hub: ctx.hub,
      chat: ctx.chat,
      resumeTokens: ctx.resumeTokens,
      resumeGraceMs: ctx.config.resumeGraceMs,
      metrics: ctx.metrics,
      log: request.log,
    });
    sockets.add(socket);
    alive.add(socket);
    ctx.metrics.connections.inc();
    const untrack = ctx.liveSessions.add(session.tokenHash, {
      close: () => connection.close(CloseCode.sessionEnded, 'session ended'),
      keepsSessionAlive: true,
    });
    const joinTimer = setTimeout(() => {
      if (connection.state.phase === 'awaiting-join' || connection.state.phase === 'joining') connection.close(CloseCode.joinTimeout, 'join timeout');
    }, JOIN_TIMEOUT_MS);

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
