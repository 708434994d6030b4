/**
 * One participant's signalling connection: parses frames, enforces the
 * message rate, dispatches to the handlers and cleans up on close.
 */
import type { FastifyBaseLogger } from 'fastify';
import { CloseCode, ErrorCode, parseClientMessage, type ClientMessage, type ServerMessage } from '../../shared/protocol.ts';
import type { ChatRepo } from '../repos/chat.ts';
import type { RoomsRepo } from '../repos/rooms.ts';
import type { User } from '../repos/users.ts';
import { send, type LiveRoom, type Participant } from './live-room.ts';
import type { RoomHub } from './room-hub.ts';
import type { PeerSocket } from './socket.ts';
import { TokenBucket } from './token-bucket.ts';
import { handlers } from './handlers.ts';
import type { ResumeTokens } from './resume-tokens.ts';
import type { Metrics } from '../metrics.ts';

/** Messages a connection may send in a burst. Joining a call sends a burst of ICE candidates. */
export const MESSAGE_BURST = 100;
/** Sustained messages per second a connection may send. */
export const MESSAGES_PER_SECOND = 30;
/** Messages over the rate a connection may send before it is closed as a flooder. */
export const MAX_RATE_VIOLATIONS = 200;

export interface ConnectionDeps {
  hub: RoomHub;
  chat: ChatRepo;
  /** Joining the call makes the user a member of the room. */
  rooms: Pick<RoomsRepo, 'addMember' | 'find'>;
  resumeTokens: ResumeTokens;
  /** How long a dropped participant's seat is held for a resume, in milliseconds. */
  resumeGraceMs: number;
  metrics: Metrics;
  log: FastifyBaseLogger;
  /** The allowance shared by all of this user's connections (see connection-limits.ts). */
  userBucket?: TokenBucket;
  /** This connection's own allowance; defaults to MESSAGE_BURST and MESSAGES_PER_SECOND. */
  messageRate?: MessageRate;
  /** Called when this connection is closed for flooding. */
  onFlood?: () => void;
}

export interface MessageRate {
  burst: number;
  perSecond: number;
}

export type ConnectionState =
  | { phase: 'awaiting-join' }
  /** A join is being processed (it awaits the bus and the database); a second one is refused. */
  | { phase: 'joining' }
  | { phase: 'joined'; room: LiveRoom; participant: Participant }
  | { phase: 'closed' };

export class SignalingConnection {
  state: ConnectionState = { phase: 'awaiting-join' };
  private readonly bucket: TokenBucket;
  private rateViolations = 0;
  private lastRateErrorAt = 0;
  private chatQueue: Promise<void> = Promise.resolve();
  private joinTimer: NodeJS.Timeout | undefined;

  readonly socket: PeerSocket;
  readonly user: User;
  readonly room: { id: string; name: string };
  readonly deps: ConnectionDeps;
  constructor(
    socket: PeerSocket,
    user: User,
    room: { id: string; name: string },
    deps: ConnectionDeps,
  ) {
    this.socket = socket;
    this.user = user;
    this.room = room;
    this.deps = deps;
    const rate = deps.messageRate ?? { burst: MESSAGE_BURST, perSecond: MESSAGES_PER_SECOND };
    this.bucket = new TokenBucket(rate.burst, rate.perSecond);
  }

  /** Handles one frame. Never throws: every failure becomes an error frame or a close. */
  receive(raw: string): void {
    if (this.state.phase === 'closed') return;
    if (!this.bucket.take() || this.deps.userBucket?.take() === false) {
      this.onRateExceeded();
      return;
    }
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      this.sendError(parsed.code, parsed.detail, parsed.ref);
      return;
    }
    this.deps.metrics.countMessage(parsed.message.type);
    this.dispatch(parsed.message);
  }

  private dispatch(message: ClientMessage): void {
    const handler = handlers[message.type] as (conn: SignalingConnection, message: ClientMessage) => void | Promise<void>;
    const fail = (error: unknown) => {
      this.deps.log.error({ err: error, type: message.type, userId: this.user.id, roomId: this.room.id }, 'message handler failed');
      this.sendError(ErrorCode.internal, 'internal error', message.type);
    };
    // Called at once, not in a microtask: relaying a signal to a local peer
    // is synchronous, and most messages then allocate no promise at all.
    const run = (): Promise<void> | undefined => {
      try {
        return handler(this, message)?.catch(fail);
      } catch (error) {
        fail(error);
        return undefined;
      }
    };
    // One sender's chat messages are stored one after another, so their
    // sequence numbers follow the order they were sent: with a connection
    // pool, concurrent inserts could commit in either order.
    if (message.type === 'chat') this.chatQueue = this.chatQueue.then(run);
    else void run();
  }

  private onRateExceeded(): void {
    this.rateViolations += 1;
    if (this.rateViolations > MAX_RATE_VIOLATIONS) {
      this.deps.log.warn({ userId: this.user.id, roomId: this.room.id }, 'closing flooding connection');
      this.close(CloseCode.policy, 'rate limit');
      this.deps.onFlood?.();
      return;
    }
    const now = Date.now();
    if (now - this.lastRateErrorAt >= 1000) {
      this.lastRateErrorAt = now;
      this.sendError(ErrorCode.rateLimited, 'too many messages; some were dropped');
    }
  }

  /** Closes the socket with 4010 unless a join has completed within `ms`. */
  closeUnlessJoinedWithin(ms: number): void {
    this.joinTimer = setTimeout(() => {
      this.joinTimer = undefined;
      if (this.state.phase === 'awaiting-join' || this.state.phase === 'joining') this.close(CloseCode.joinTimeout, 'join timeout');
    }, ms);
  }

  /** The join handler gave this connection its seat. */
  joined(room: LiveRoom, participant: Participant): void {
    this.state = { phase: 'joined', room, participant };
    this.stopJoinTimer();
  }

  private stopJoinTimer(): void {
    if (this.joinTimer === undefined) return;
    clearTimeout(this.joinTimer);
    this.joinTimer = undefined;
  }

  /** The joined state, or an error frame to the client when it has not joined yet. */
  requireJoined(ref: ClientMessage['type']): Extract<ConnectionState, { phase: 'joined' }> | undefined {
    if (this.state.phase === 'joined') return this.state;
    this.sendError(ErrorCode.notJoined, 'send join first', ref);
    return undefined;
  }

  send(message: ServerMessage): void {
    if (this.state.phase !== 'closed') send(this.socket, message);
  }


  /** The seat this connection holds, if it still holds it. */
  get participant(): Participant | undefined {
    return this.state.phase === 'joined' ? this.state.participant : undefined;
  }

  sendError(code: ErrorCode, message: string, ref?: string, extra: { capacity?: number } = {}): void {
    this.deps.metrics.rejected.inc({ code });
    this.send({ type: 'error', code, message, ...(ref ? { ref } : {}), ...extra });
  }

  /** Closes the socket on purpose (leave, flooding, sign-out): the seat is given up at once. */
  close(code: number, reason: string): void {
    if (this.state.phase === 'closed') return;
    this.socket.close(code, reason);
    this.closed({ resumable: false });
  }

  /**
   * Called once the socket is closed, from either side. A connection that
   * merely dropped keeps its seat for a while so the participant can resume.
   */
  closed({ resumable }: { resumable: boolean }): void {
    const state = this.state;
    this.state = { phase: 'closed' };
    this.stopJoinTimer();
    if (state.phase !== 'joined') return;
    const { room, participant } = state;
    const hub = this.deps.hub;
    // A resume may already have moved this seat to a newer socket, here or on another process.
    if (participant.node !== hub.nodeId || (participant.socket !== this.socket && participant.socket !== null)) return;
    const leave = () => hub.leave(room, participant);
    if (resumable) room.hold(participant, this.deps.resumeGraceMs, leave);
    else leave();
  }
}
