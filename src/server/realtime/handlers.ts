/**
 * One handler per client message type. Each receives the connection it came
 * from and the validated message; the server stamps identity, never the client.
 */
import { CHAT_HISTORY_ON_JOIN, CHAT_HISTORY_PAGE } from '../../shared/limits.ts';
import { CloseCode, ErrorCode, PROTOCOL_VERSION, type ClientMessage, type ChatMessage } from '../../shared/protocol.ts';
import { randomId } from '../ids.ts';
import type { SignalingConnection } from './connection.ts';
import type { Participant } from './live-room.ts';
import type { RelayResult } from './room-hub.ts';
import { secondsSince } from '../metrics.ts';
import { isUnavailable } from '../http/errors.ts';

type MessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;
type Handler<T extends ClientMessage['type']> = (conn: SignalingConnection, message: MessageOf<T>) => void | Promise<void>;
type HandlerMap = { [T in ClientMessage['type']]: Handler<T> };

function reportRelay(conn: SignalingConnection, result: RelayResult): void {
  if (result === 'unknown-peer') conn.sendError(ErrorCode.unknownPeer, 'no such peer in this room', 'signal');
  else if (result === 'peer-unavailable') conn.sendError(ErrorCode.peerUnavailable, 'that peer cannot be reached right now', 'signal');
}

/**
 * The link is the capability: whoever joins the call becomes a member of the
 * room. Not at the upgrade: the pre-join screen opens the socket before the
 * user decides to join. On failure the connection is closed with the reason.
 */
async function becomeMember(conn: SignalingConnection): Promise<boolean> {
  const roomId = conn.room.id;
  try {
    await conn.deps.rooms.addMember(roomId, conn.user.id);
    return true;
  } catch (error) {
    if (isUnavailable(error)) {
      conn.deps.log.warn({ err: error, roomId }, 'membership not recorded; join refused for now');
      conn.close(CloseCode.tryAgainLater, 'database unavailable');
      return false;
    }
    // Deleted while the pre-join screen was open (its owner's account went)?
    const roomStillThere = await conn.deps.rooms.find(roomId).then((room) => room !== undefined, () => true);
    if (!roomStillThere) {
      conn.close(CloseCode.roomNotFound, 'room not found');
      return false;
    }
    conn.deps.log.error({ err: error, roomId }, 'membership not recorded; join refused');
    conn.close(CloseCode.internalError, 'internal error');
    return false;
  }
}

export const handlers: HandlerMap = {
  async join(conn, message) {
    const started = performance.now();
    if (conn.state.phase !== 'awaiting-join') {
      conn.sendError(ErrorCode.alreadyJoined, 'already joined', 'join');
      return;
    }
    if (message.version !== PROTOCOL_VERSION) {
      conn.sendError(ErrorCode.unsupportedVersion, `server speaks protocol ${PROTOCOL_VERSION}`, 'join');
      conn.close(CloseCode.policy, 'unsupported protocol version');
      return;
    }
    conn.state = { phase: 'joining' };
    if (!(await becomeMember(conn)) || conn.state.phase !== 'joining') return; // refused, or closed meanwhile
    const hub = conn.deps.hub;
    const room = await hub.open(conn.room);
    if (conn.state.phase !== 'joining') return; // closed meanwhile
    const claim = message.resume;
    const resumedId = claim && conn.deps.resumeTokens.verify(claim.token, room.id, conn.user.id, claim.peerId) ? claim.peerId : undefined;
    const seat = resumedId ? room.get(resumedId) : undefined;
    let participant: Participant;
    const keptSeat = seat !== undefined && seat.node === hub.nodeId;
    if (seat && keptSeat) {
      // The same participant on a new connection: keep the seat (and everyone's
      // peer connection to it); an old socket the server still had is replaced.
      const previous = seat.socket;
      room.reattach(seat, conn.socket);
      previous?.close(CloseCode.replaced, 'replaced by a newer connection');
      seat.media = message.media;
      participant = seat;
    } else {
      // New, or resuming a seat that was on another process or lost in a
      // restart: the peer id is kept, so others keep their peer connection.
      participant = {
        peerId: resumedId ?? randomId(),
        userId: conn.user.id,
        username: conn.user.username,
        media: message.media,
        node: hub.nodeId,
        socket: conn.socket,
      };
      if (seat) room.remove(seat.peerId);
      if (!(await hub.seat(room, participant))) {
        conn.sendError(ErrorCode.roomFull, `room is full (${room.capacity})`, 'join', { capacity: room.capacity });
        conn.close(CloseCode.roomFull, 'room full');
        hub.closeIfIdle(room);
        return;
      }
      if (conn.state.phase !== 'joining') {
        hub.leave(room, participant);
        return;
      }
    }
    conn.joined(room, participant);
    // A newcomer sees the latest messages; someone coming back gets what
    // they missed, oldest first, a page at a time.
    let history: ChatMessage[] = [];
    let historyComplete = true;
    try {
      if (message.lastSeq) {
        history = await conn.deps.chat.after(room.id, message.lastSeq, CHAT_HISTORY_PAGE);
        historyComplete = history.length < CHAT_HISTORY_PAGE;
      } else {
        history = await conn.deps.chat.latest(room.id, CHAT_HISTORY_ON_JOIN);
      }
    } catch (error) {
      conn.deps.log.error({ err: error, roomId: room.id }, 'chat history unavailable');
      historyComplete = false;
    }
    if (conn.participant !== participant) return; // closed while we read the history
    conn.send({
      type: 'joined',
      version: PROTOCOL_VERSION,
      selfId: participant.peerId,
      resumed: resumedId !== undefined,
      resumeToken: conn.deps.resumeTokens.issue(room.id, conn.user.id, participant.peerId),
      roomName: room.name,
      capacity: room.capacity,
      peers: room.peers(participant.peerId),
      history,
      historyComplete,
    });
    conn.deps.metrics.joinSeconds.observe(secondsSince(started));
    hub.announce(room, participant, keptSeat);
  },

  // Synchronous for a peer on this process: the hot path allocates no promise.
  signal(conn, message) {
    const joined = conn.requireJoined('signal');
    if (!joined) return;
    const started = performance.now();
    const result = conn.deps.hub.relay(joined.room, joined.participant.peerId, message.to, message.payload);
    // A local relay is a synchronous hand-off to a socket; only the bus path is worth timing.
    if (typeof result === 'string') return reportRelay(conn, result);
    return result.then((settled) => {
      if (settled === 'sent') conn.deps.metrics.relaySeconds.observe(secondsSince(started));
      reportRelay(conn, settled);
    });
  },

  media(conn, message) {
    const joined = conn.requireJoined('media');
    if (!joined) return;
    joined.participant.media = message.media;
    conn.deps.hub.mediaChanged(joined.room, joined.participant);
  },

  async chat(conn, message) {
    const joined = conn.requireJoined('chat');
    if (!joined) return;
    let stored;
    try {
      stored = await conn.deps.chat.append({ roomId: joined.room.id, userId: conn.user.id, username: conn.user.username, clientId: message.clientId, text: message.text });
    } catch (error) {
      // A stalled or restarting database is expected now and then; the client resends.
      conn.deps.log[isUnavailable(error) ? 'warn' : 'error']({ err: error, roomId: joined.room.id }, 'chat message not stored');
      conn.send({ type: 'error', code: ErrorCode.chatUnavailable, message: 'message not stored, retry', ref: 'chat', clientId: message.clientId });
      return;
    }
    if (!stored.duplicate) conn.deps.metrics.chatStored.inc();
    conn.send({ type: 'chat-ack', clientId: message.clientId, seq: stored.message.seq });
    // A resend of a stored message is acknowledged again but not shown twice.
    if (!stored.duplicate) conn.deps.hub.chatStored(joined.room, stored.message);
  },

  async history(conn, message) {
    const joined = conn.requireJoined('history');
    if (!joined) return;
    let messages: ChatMessage[];
    try {
      messages = await conn.deps.chat.after(joined.room.id, message.afterSeq, CHAT_HISTORY_PAGE);
    } catch (error) {
      conn.deps.log[isUnavailable(error) ? 'warn' : 'error']({ err: error, roomId: joined.room.id }, 'chat history unavailable');
      conn.sendError(ErrorCode.chatUnavailable, 'history unavailable, retry', 'history');
      return;
    }
    conn.send({ type: 'history', messages, complete: messages.length < CHAT_HISTORY_PAGE });
  },

  ping(conn) {
    conn.send({ type: 'pong' });
  },

  leave(conn) {
    conn.close(CloseCode.normal, 'left');
  },
};
