/**
 * One handler per message a participant sends once in the call. Each gets
 * the participant's own seat (`InCall`: identity stamped by the server, never
 * taken from the message), the validated message, and only the services it
 * uses. `join` and `ping` are the connection's own (connection.ts).
 */
import type { FastifyBaseLogger } from 'fastify';
import { CHAT_HISTORY_PAGE } from '../../shared/limits.ts';
import { ErrorCode, type ChatMessage, type ClientMessage, type ServerMessage } from '../../shared/protocol.ts';
import { isUnavailable } from '../db/unavailable.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { TokenBucket } from '../limits/token-bucket.ts';
import type { RoomsRepo } from '../repos/rooms.ts';
import type { Metrics } from '../metrics.ts';
import type { ChatRepo } from '../repos/chat.ts';
import type { User } from '../repos/users.ts';
import type { LiveRoom } from './live-room.ts';
import type { RelayResult, RoomHub } from './room-hub.ts';

/** A participant in the call, as their handlers see them. */
export interface InCall {
  room: LiveRoom;
  peerId: string;
  user: User;
  reply(message: ServerMessage): void;
  refuse(code: ErrorCode, message: string, ref?: string, extra?: { clientId?: string; retryAfterSeconds?: number }): void;
  /** Leaves the room for good (closes the connection with 1000). */
  leave(): void;
  /** This participant's allowance of reactions (REACTION_BURST, then REACTIONS_PER_SECOND). */
  reactions: TokenBucket;
  /** This participant's allowance of history pages (HISTORY_BURST, then HISTORY_PER_SECOND). */
  history: TokenBucket;
}

export interface HandlerDeps {
  hub: RoomHub;
  chat: Pick<ChatRepo, 'append' | 'after' | 'firstSeq'>;
  rooms: Pick<RoomsRepo, 'find' | 'removeMember'>;
  /** Chat messages per user per day; none in unit tests. */
  chatQuota?: RateLimiter;
  metrics: Metrics;
  log: FastifyBaseLogger;
}

type InCallMessage = Exclude<ClientMessage, { type: 'join' | 'ping' }>;
type HandlerMap = {
  [T in InCallMessage['type']]: (call: InCall, message: Extract<InCallMessage, { type: T }>, deps: HandlerDeps) => void | Promise<void>;
};

function reportRelay(call: InCall, result: RelayResult): void {
  if (result === 'unknown-peer') call.refuse(ErrorCode.unknownPeer, 'no such peer in this room', 'signal');
  else if (result === 'peer-unavailable') call.refuse(ErrorCode.peerUnavailable, 'that peer cannot be reached right now', 'signal');
}

export const handlers: HandlerMap = {
  // Synchronous for a peer on this process; only the bus path is timed.
  signal(call, message, { hub, metrics }) {
    const started = performance.now();
    const result = hub.relay(call.room, call.peerId, message.to, message.payload);
    if (typeof result === 'string') return reportRelay(call, result);
    return result.then((settled) => {
      if (settled === 'sent') metrics.relaySeconds.observe((performance.now() - started) / 1000);
      reportRelay(call, settled);
    });
  },

  media(call, message, { hub }) {
    hub.mediaChanged(call.room, call.peerId, message.media);
  },

  reaction(call, message, { hub }) {
    if (!call.reactions.take()) {
      call.refuse(ErrorCode.rateLimited, 'too many reactions', 'reaction');
      return;
    }
    hub.react(call.room, call.peerId, message.reaction);
  },

  async chat(call, message, { chat, hub, metrics, log, chatQuota }) {
    const roomId = call.room.id;
    const quota = await chatQuota?.hit(call.user.id);
    if (quota && !quota.allowed) {
      call.refuse(ErrorCode.chatQuota, 'daily chat allowance used up', 'chat', { clientId: message.clientId, retryAfterSeconds: quota.retryAfterSeconds });
      return;
    }
    let stored;
    try {
      stored = await chat.append({ roomId, userId: call.user.id, username: call.user.username, guest: Boolean(call.user.guestRoomId), clientId: message.clientId, text: message.text });
    } catch (error) {
      // A stalled or restarting database is expected now and then; the client resends.
      log[isUnavailable(error) ? 'warn' : 'error']({ err: error, roomId }, 'chat message not stored');
      call.refuse(ErrorCode.chatUnavailable, 'message not stored, retry', 'chat', { clientId: message.clientId });
      return;
    }
    call.reply({ type: 'chat-ack', clientId: message.clientId, seq: stored.message.seq });
    // A resend of a stored message is acknowledged again but not shown twice.
    if (stored.duplicate) return;
    metrics.chatStored.inc();
    hub.chatStored(call.room, stored.message);
  },

  async history(call, message, { chat, log }) {
    const roomId = call.room.id;
    // A page is up to 500 messages read from the database: paced, so a loop
    // of requests cannot keep the database busy for everyone.
    if (!call.history.take()) {
      call.refuse(ErrorCode.rateLimited, 'too many history requests', 'history', { retryAfterSeconds: 1 });
      return;
    }
    let messages: ChatMessage[];
    let firstSeq: number;
    try {
      [messages, firstSeq] = await Promise.all([chat.after(roomId, message.afterSeq, CHAT_HISTORY_PAGE), chat.firstSeq(roomId)]);
    } catch (error) {
      log[isUnavailable(error) ? 'warn' : 'error']({ err: error, roomId }, 'chat history unavailable');
      call.refuse(ErrorCode.chatUnavailable, 'history unavailable, retry', 'history');
      return;
    }
    call.reply({ type: 'history', messages, complete: messages.length < CHAT_HISTORY_PAGE, firstSeq });
  },

  async moderate(call, message, { hub, rooms }) {
    const room = await rooms.find(call.room.id);
    if (room?.ownerId !== call.user.id) {
      call.refuse(ErrorCode.notOwner, 'only the owner may do that', 'moderate');
      return;
    }
    const target = call.room.get(message.peerId);
    if (!target || message.peerId === call.peerId) {
      call.refuse(ErrorCode.unknownPeer, 'no such peer in this room', 'moderate');
      return;
    }
    // Removed from the room too: unless it is locked, its link still lets them back in.
    if (message.action === 'remove') await rooms.removeMember(room.id, target.peer.userId);
    hub.moderate(call.room, message.peerId, message.action, call.user.username);
  },

  leave(call) {
    call.leave();
  },
};
