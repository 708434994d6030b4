/**
 * `WebSocket /ws/{roomId}`: checks Origin, session, room and connection caps,
 * completes the upgrade, then hands frames to a SignalingConnection. Pings
 * detect dead peers.
 *
 * This runs on the raw HTTP server's `upgrade` event, not as a Fastify route:
 * a routed upgrade keeps its IncomingMessage, ServerResponse, Fastify
 * Request/Reply and child logger alive for the socket's lifetime (a few KB
 * each, at thousands of sockets), and every major GC has to mark them. Here
 * nothing of the upgrade request outlives the handshake.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppContext } from '../context.ts';
import { ApiErrorCode } from '../../shared/api-errors.ts';
import { HttpError, errorResponse, tooManyRequests } from '../http/errors.ts';
import { isAllowedOrigin } from '../http/same-origin.ts';
import { requestOriginReader, type RequestOrigin } from '../http/request-origin.ts';
import { securityHeaders } from '../http/security-headers.ts';
import { RoomId } from '../../shared/api.ts';
import { CloseCode } from '../../shared/protocol.ts';
import { WS_MAX_FRAGMENTS, WS_MAX_FRAME_BYTES, WS_PING_INTERVAL_MS } from '../../shared/limits.ts';
import { SignalingConnection } from '../realtime/connection.ts';
import type { ActiveSession } from '../repos/sessions.ts';
import type { Room } from '../repos/rooms.ts';
import { ConnectionLimits, type OpenResult } from '../limits/connection-limits.ts';
import { handshakeError } from '../http/ws-handshake.ts';

/** Close codes by which a client says it is leaving, not that its link broke. */
const CLEAN_CLOSE_CODES: ReadonlySet<number> = new Set([1000, 1001, 1005]);

/** How long clients have to answer the 1012 close at shutdown before their sockets are cut, in milliseconds. */
const SHUTDOWN_CLOSE_GRACE_MS = 3_000;

/** Sockets pinged per event-loop turn by the heartbeat. */
const PING_SLICE = 250;

const SIGNALING_PATH = /^\/ws\/([^/?#]+)(?:\?.*)?$/;

interface Admitted {
  session: ActiveSession;
  room: Room;
  slot: Extract<OpenResult, { ok: true }>;
}

const tooManyConnections = (message: string, retryAfterSeconds: number) => tooManyRequests(message, retryAfterSeconds, ApiErrorCode.tooManyConnections);

/** Header lines of a raw HTTP response, each ending in CRLF. */
const headerLines = (headers: Record<string, string>): string =>
  Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');

/** A socket reset while the upgrade is being checked is not an error of ours. */
const ignoreSocketError = () => {};

export function installSignalingUpgrade(app: FastifyInstance, ctx: AppContext): void {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: WS_MAX_FRAME_BYTES,
    maxFragments: WS_MAX_FRAGMENTS,
    perMessageDeflate: false,
  });
  const originOf = requestOriginReader(ctx.config.trustProxy);
  const refusalHeaders = headerLines(securityHeaders({ hsts: ctx.config.cookieSecure, csp: true }));
  const alive = new WeakSet<WebSocket>();
  const limits = new ConnectionLimits(ctx.config.wsConnectionCaps);
  const sockets = new Set<WebSocket>();
  let closing = false;

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

  /** Everything that may refuse the upgrade; throws an HttpError to refuse. */
  const admit = async (request: IncomingMessage, origin: RequestOrigin): Promise<Admitted> => {
    if (closing) throw new HttpError(503, ApiErrorCode.unavailable, 'server restarting');
    const malformed = handshakeError(request);
    if (malformed) throw malformed;
    const path = SIGNALING_PATH.exec(request.url ?? '');
    if (!path) throw new HttpError(404, ApiErrorCode.notFound, 'no such WebSocket endpoint');
    if (!isAllowedOrigin(request.headers.origin, origin, ctx.config.publicOrigins)) {
      app.log.warn({ origin: request.headers.origin, ip: origin.ip }, 'websocket from a foreign origin refused');
      throw new HttpError(403, ApiErrorCode.forbiddenOrigin, 'origin not allowed');
    }
    // An address that keeps failing to authenticate is refused before any
    // database work, so a flood of upgrades costs almost nothing.
    const failures = await ctx.limits.wsUnauthenticated.peek(origin.ip);
    if (!failures.allowed) throw tooManyConnections('too many refused connections', failures.retryAfterSeconds);
    const session = await ctx.auth.sessionOfCookieHeader(request.headers.cookie);
    if (!session) {
      await ctx.limits.wsUnauthenticated.hit(origin.ip);
      throw new HttpError(401, ApiErrorCode.unauthorized, 'sign in first');
    }
    const roomId = RoomId.safeParse(path[1]);
    const room = roomId.success ? await ctx.rooms.find(roomId.data) : undefined;
    if (!room) throw new HttpError(404, ApiErrorCode.roomNotFound, 'no such room');
    if (session.user.guestRoomId && session.user.guestRoomId !== room.id) throw new HttpError(403, ApiErrorCode.guestNotAllowed, 'guests enter their own room only');
    const slot = limits.open(session.user.id, origin.ip);
    if (!slot.ok) {
      app.log.warn({ userId: session.user.id, limit: slot.limit }, 'websocket connection cap reached');
      throw tooManyConnections(slot.limit === 'flooding' ? 'closed for flooding; wait before reconnecting' : `too many open connections for this ${slot.limit}`, 10);
    }
    return { session, room, slot };
  };

  /** Answers a refused upgrade as a plain HTTP error, with the headers every response carries. */
  const refuse = (socket: Duplex, error: unknown, ip: string | undefined) => {
    const response = errorResponse(error);
    if (response.log) app.log[response.log.level]({ err: error }, response.log.message);
    // No URL: it holds the room id, which is as good as an invitation.
    app.log.info({ ip, statusCode: response.status, code: response.body.error }, 'websocket upgrade refused');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(response.body);
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n${refusalHeaders}${headerLines(response.headers)}` +
        `Cache-Control: no-store\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };

  const serve = (socket: WebSocket, { session, room, slot }: Admitted) => {
    const connection = new SignalingConnection(socket, session.user, room, {
      hub: ctx.hub,
      chat: ctx.chat,
      rooms: ctx.rooms,
      chatQuota: ctx.limits.chatQuota,
      presence: ctx.presence,
      seatsPerAccount: ctx.config.seatsPerAccount,
      resumeTokens: ctx.resumeTokens,
      resumeGraceMs: ctx.config.resumeGraceMs,
      metrics: ctx.metrics,
      log: app.log,
      userBucket: slot.userBucket,
      messageRate: ctx.config.wsConnectionCaps.messageRate,
      onFlood: () => limits.penalize(session.user.id),
    });
    sockets.add(socket);
    alive.add(socket);
    ctx.metrics.connections.inc();
    const offline = ctx.presence.connected(session.user.id);
    const untrack = ctx.liveSessions.add(session.tokenHash, {
      close: () => connection.close(CloseCode.sessionEnded, 'session ended'),
      keepsSessionAlive: true,
    });
    // The pre-join screen opens its socket before the user decides to join,
    // so this is minutes (JOIN_TIMEOUT_SECONDS); a page kept open longer
    // connects again on Join. The per-user and per-address caps bound how
    // many unjoined sockets one can hold.
    connection.closeUnlessJoinedWithin(ctx.config.joinTimeoutMs);

    // Listeners are attached synchronously so no early frame is missed.
    socket.on('pong', () => alive.add(socket));
    // A protocol error (bad UTF-8, an oversized frame) closes the socket with
    // 1007/1009 on its own; it is the client's fault, not a server error.
    socket.on('error', (error) => app.log.info({ userId: session.user.id, err: error.message }, 'websocket protocol error'));
    socket.on('message', (data, isBinary) => {
      alive.add(socket);
      if (isBinary) {
        connection.close(1003, 'text frames only');
        return;
      }
      connection.receive(data.toString());
    });
    socket.on('close', (code) => {
      slot.release();
      offline();
      sockets.delete(socket);
      ctx.metrics.connections.dec();
      untrack();
      // A clean close (1000, or 1005 with no code) or a page going away (1001)
      // is a leave; anything else is a lost connection, and the participant may
      // come back and resume.
      connection.closed({ resumable: !CLEAN_CLOSE_CODES.has(code) });
    });
  };

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node took its own error listener off the socket when it handed it over.
    socket.on('error', ignoreSocketError);
    const origin = originOf(request);
    let admitted: Admitted;
    try {
      admitted = await admit(request, origin);
      // Shutdown may have begun while the checks awaited the database; a
      // socket opened now would miss the 1012 and hold app.close() open.
      if (closing) {
        admitted.slot.release();
        throw new HttpError(503, ApiErrorCode.unavailable, 'server restarting');
      }
    } catch (error) {
      refuse(socket, error, origin.ip);
      return;
    }
    let served = false;
    // ws answers nothing itself (see wsClientError below) and calls back
    // synchronously when the handshake is good, so a slot not served is
    // released here.
    wss.handleUpgrade(request, socket, head, (ws) => {
      served = true;
      socket.off('error', ignoreSocketError);
      try {
        serve(ws, admitted);
        app.log.info({ userId: admitted.session.user.id, ip: origin.ip }, 'websocket opened');
      } catch (error) {
        app.log.error({ err: error }, 'websocket setup failed');
        admitted.slot.release();
        ws.terminate();
      }
    });
    if (!served) admitted.slot.release();
  };

  // What ws refuses beyond handshakeError() (a malformed subprotocol or
  // extension header; the method was checked there) is answered like every
  // other refusal, with the security headers, rather than ws's own page.
  wss.on('wsClientError', (error: Error, socket: Duplex, request: IncomingMessage) => {
    refuse(socket, new HttpError(400, ApiErrorCode.invalidInput, error.message), originOf(request).ip);
  });

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(request, socket, head).catch((error: unknown) => {
      app.log.error({ err: error }, 'websocket upgrade failed');
      socket.destroy();
    });
  });

  // On shutdown tell clients to come back (1012) rather than that the call is over.
  app.addHook('preClose', async () => {
    closing = true;
    clearInterval(heartbeat);
    for (const socket of sockets) socket.close(CloseCode.serviceRestart, 'service restart');
    // A client that never answers the close would hold app.close() for ws's
    // 30 s close timeout, past main.ts's 10 s shutdown deadline.
    setTimeout(() => {
      for (const socket of sockets) socket.terminate();
    }, SHUTDOWN_CLOSE_GRACE_MS).unref();
  });
}
