/**
 * One participant's signalling connection, and the one owner of its state:
 * it parses frames, enforces the message rate, takes the participant into
 * the room (a new seat or a resumed one), hands in-call messages to their
 * handlers, and gives the seat up or holds it when the socket closes.
 */
import type { FastifyBaseLogger } from 'fastify';
import { CHAT_HISTORY_ON_JOIN, CHAT_HISTORY_PAGE, HISTORY_BURST, HISTORY_PER_SECOND, REACTION_BURST, REACTIONS_PER_SECOND } from '../../shared/limits.ts';
import {
  CloseCode,
  ErrorCode,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ChatMessage,
  type ClientMessage,
  type ClientMessageOf,
  type PeerInfo,
  type ServerMessage,
} from '../../shared/protocol.ts';
import { isUnavailable } from '../db/unavailable.ts';
import { randomId } from '../ids.ts';
import type { Metrics } from '../metrics.ts';
import type { ChatRepo } from '../repos/chat.ts';
import type { RoomsRepo } from '../repos/rooms.ts';
import type { User } from '../repos/users.ts';
import { handlers, type HandlerDeps, type InCall } from './handlers.ts';
import { send, type LiveRoom } from './live-room.ts';
import type { ResumeTokens } from './resume-tokens.ts';
import type { Presence } from './presence.ts';
import type { RoomHub } from './room-hub.ts';
import type { PeerSocket } from './socket.ts';
import { TokenBucket, type MessageRate } from '../limits/token-bucket.ts';

/** Messages over the rate a connection may send before it is closed as a flooder. */
export const MAX_RATE_VIOLATIONS = 200;
/** At most one `rate-limited` error frame per this many milliseconds. */
const RATE_ERROR_INTERVAL_MS = 1000;

export interface ConnectionDeps extends HandlerDeps {
  hub: RoomHub;
  chat: ChatRepo;
  /** Joining the call makes the user a member of the room (unless it is locked to members). */
  rooms: Pick<RoomsRepo, 'addMember' | 'find' | 'isMember' | 'removeMember'>;
  /** Seats one account may hold in one room. */
  seatsPerAccount?: number;
  /** Counts this user as in a call while seated. */
  presence?: Presence;
  resumeTokens: ResumeTokens;
  /** How long a dropped participant's seat is held for a resume, in milliseconds. */
  resumeGraceMs: number;
  metrics: Metrics;
  log: FastifyBaseLogger;
  /** This connection's own message allowance. */
  messageRate: MessageRate;
  /** The allowance shared by all of this user's connections (see connection-limits.ts). */
  userBucket?: TokenBucket;
  /** Called when this connection is closed for flooding. */
  onFlood?: () => void;
}

type State =
  /** Open, not in the call yet: the pre-join screen keeps its socket here. */
  | { phase: 'lobby' }
  /** A join is being processed (it awaits the database and the bus); a second one is refused. */
  | { phase: 'joining' }
  | { phase: 'in-call'; room: LiveRoom; peerId: string; call: InCall }
  | { phase: 'closed' };

export class SignalingConnection {
  readonly socket: PeerSocket;
  readonly user: User;
  readonly room: { id: string; name: string };
  private readonly deps: ConnectionDeps;
  private state: State = { phase: 'lobby' };
  private readonly bucket: TokenBucket;
  private rateViolations = 0;
  private lastRateErrorAt = 0;
  private chatQueue: Promise<void> = Promise.resolve();
  private joinTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly reactions = new TokenBucket(REACTION_BURST, REACTIONS_PER_SECOND);
  private readonly historyPages = new TokenBucket(HISTORY_BURST, HISTORY_PER_SECOND);
  /** Ends this user's "in a call" presence for the seat this connection holds. */
  private releaseSeatPresence: (() => void) | undefined;

  constructor(socket: PeerSocket, user: User, room: { id: string; name: string }, deps: ConnectionDeps) {
    this.socket = socket;
    this.user = user;
    this.room = room;
    this.deps = deps;
    this.bucket = new TokenBucket(deps.messageRate.burst, deps.messageRate.perSecond);
  }

  get phase(): State['phase'] {
    return this.state.phase;
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
    const message = parsed.message;
    this.deps.metrics.countMessage(message.type);
    if (message.type === 'ping') {
      this.send({ type: 'pong' });
      return;
    }
    if (message.type === 'join') {
      this.join(message).catch((error: unknown) => this.fail(error, 'join'));
      return;
    }
    if (this.state.phase !== 'in-call') {
      this.sendError(ErrorCode.notJoined, 'send join first', message.type);
      return;
    }
    const { call } = this.state;
    // One sender's chat messages are stored one after another, so their
    // sequence numbers follow the order they were sent: with a connection
    // pool, concurrent inserts could commit in either order.
    if (message.type === 'chat') this.chatQueue = this.chatQueue.then(() => this.handle(call, message));
    else void this.handle(call, message);
  }

  /** Closes the socket with 4010 unless a join has completed within `ms`. */
  closeUnlessJoinedWithin(ms: number): void {
    this.joinTimer = setTimeout(() => {
      this.joinTimer = undefined;
      if (this.state.phase === 'lobby' || this.state.phase === 'joining') this.close(CloseCode.joinTimeout, 'join timeout');
    }, ms);
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
    this.releaseSeatPresence?.();
    if (state.phase !== 'in-call') return;
    const { room, peerId } = state;
    // A resume may already have moved this seat to a newer socket, here or on another process.
    if (room.socketOf(peerId) !== this.socket) return;
    const hub = this.deps.hub;
    if (resumable) room.hold(peerId, this.deps.resumeGraceMs, () => hub.leave(room, peerId));
    else hub.leave(room, peerId);
  }

  /**
   * Takes the participant into the room: membership, then a seat (their old
   * one when `resume` proves it is theirs), then the `joined` reply with the
   * roster and the chat they need, then the announcement to the others.
   * On failure the connection is closed with the reason.
   */
  private async join(message: ClientMessageOf<'join'>): Promise<void> {
    const started = performance.now();
    if (this.state.phase !== 'lobby') {
      this.sendError(ErrorCode.alreadyJoined, 'already joined', 'join');
      return;
    }
    if (message.version !== PROTOCOL_VERSION) {
      this.sendError(ErrorCode.unsupportedVersion, `server speaks protocol ${PROTOCOL_VERSION}`, 'join');
      this.close(CloseCode.policy, 'unsupported protocol version');
      return;
    }
    this.state = { phase: 'joining' };
    if (!(await this.becomeMember()) || this.state.phase !== 'joining') return; // refused, or closed meanwhile
    const { hub, resumeTokens } = this.deps;
    const room = await hub.open(this.room);
    if (this.state.phase !== 'joining') return;

    const claim = message.resume;
    const resumed = claim !== undefined && resumeTokens.verify(claim.token, room.id, this.user.id, claim.peerId);
    const peer: PeerInfo = { peerId: resumed ? claim.peerId : randomId(), userId: this.user.id, username: this.user.username, media: message.media, ...(this.user.guestRoomId ? { guest: true } : {}) };
    const seatsPerAccount = this.deps.seatsPerAccount ?? 1;
    // My own seats this one replaces (a dropped one held for a resume, another
    // tab) do not keep me out of a full room; they go once I am in.
    const replacing = hub.seatsBeyond(room, this.user.id, peer.peerId, seatsPerAccount).length;
    const entered = await hub.enter(room, peer, this.socket, resumed, replacing);
    if (entered === 'full') {
      this.sendError(ErrorCode.roomFull, `room is full (${room.capacity})`, 'join', { capacity: room.capacity });
      this.close(CloseCode.roomFull, 'room full');
      hub.closeIfIdle(room);
      return;
    }
    if (this.state.phase !== 'joining') {
      hub.leave(room, peer.peerId); // closed while the seat was being claimed
      return;
    }
    this.state = { phase: 'in-call', room, peerId: peer.peerId, call: this.inCall(room, peer.peerId) };
    this.stopJoinTimer();
    // In: the seats this one replaces go now, before anyone (me included) is shown them.
    hub.evictBeyond(room, this.user.id, peer.peerId, seatsPerAccount);

    const { history, complete, firstSeq } = await this.historyOnJoin(room.id, message.lastSeq);
    if (room.socketOf(peer.peerId) !== this.socket) return; // closed or replaced while the history was read
    this.send({
      type: 'joined',
      version: PROTOCOL_VERSION,
      selfId: peer.peerId,
      resumed,
      resumeToken: resumeTokens.issue(room.id, this.user.id, peer.peerId),
      roomName: room.name,
      capacity: room.capacity,
      peers: room.peers(peer.peerId),
      history,
      historyComplete: complete,
      firstSeq,
    });
    this.deps.metrics.joinSeconds.observe((performance.now() - started) / 1000);
    hub.announce(room, peer, entered);
    this.releaseSeatPresence ??= this.deps.presence?.seated(this.user.id);
  }

  /**
   * The link is the capability: whoever joins the call becomes a member of the
   * room. Not at the upgrade: the pre-join screen opens the socket before the
   * user decides to join. On failure the connection is closed with the reason.
   */
  private async becomeMember(): Promise<boolean> {
    const { rooms, log } = this.deps;
    const roomId = this.room.id;
    try {
      // A guest enters the one room their link opens, as a guest, not a member.
      if (this.user.guestRoomId) {
        if (this.user.guestRoomId === roomId) return true;
        this.close(CloseCode.forbidden, 'guests enter their own room only');
        return false;
      }
      const room = await rooms.find(roomId);
      if (room?.locked && !(await rooms.isMember(roomId, this.user.id))) {
        this.close(CloseCode.locked, 'room locked');
        return false;
      }
      if (room) await rooms.addMember(roomId, this.user.id);
      else throw new Error('room gone');
      return true;
    } catch (error) {
      if (isUnavailable(error)) {
        log.warn({ err: error, roomId }, 'membership not recorded; join refused for now');
        this.close(CloseCode.tryAgainLater, 'database unavailable');
        return false;
      }
      // Deleted while the pre-join screen was open (its owner's account went)?
      const stillThere = await rooms.find(roomId).then((room) => room !== undefined, () => true);
      if (!stillThere) {
        this.close(CloseCode.roomNotFound, 'room not found');
        return false;
      }
      log.error({ err: error, roomId }, 'membership not recorded; join refused');
      this.close(CloseCode.internalError, 'internal error');
      return false;
    }
  }

  /**
   * A newcomer sees the latest messages; someone coming back (`lastSeq`) gets
   * what they missed, oldest first, a page at a time. When the database cannot
   * be read the call goes on and the client asks again with `history`.
   */
  private async historyOnJoin(roomId: string, lastSeq: number | undefined): Promise<{ history: ChatMessage[]; complete: boolean; firstSeq: number }> {
    const { chat, log } = this.deps;
    try {
      const firstSeq = await chat.firstSeq(roomId);
      if (!lastSeq) return { history: await chat.latest(roomId, CHAT_HISTORY_ON_JOIN), complete: true, firstSeq };
      const history = await chat.after(roomId, lastSeq, CHAT_HISTORY_PAGE);
      return { history, complete: history.length < CHAT_HISTORY_PAGE, firstSeq };
    } catch (error) {
      log.error({ err: error, roomId }, 'chat history unavailable');
      return { history: [], complete: false, firstSeq: 0 };
    }
  }

  /** What the in-call handlers may do for this participant: nothing beyond their own seat. */
  private inCall(room: LiveRoom, peerId: string): InCall {
    return {
      room,
      peerId,
      user: this.user,
      reply: (message) => this.send(message),
      refuse: (code, message, ref, extra) => this.sendError(code, message, ref, extra),
      leave: () => this.close(CloseCode.normal, 'left'),
      reactions: this.reactions,
      history: this.historyPages,
    };
  }

  /**
   * Runs a handler. Most (a signal to a peer on this process) finish at
   * once; only those that wait for the database or the bus return a promise.
   */
  private handle(call: InCall, message: Exclude<ClientMessage, { type: 'join' | 'ping' }>): Promise<void> | undefined {
    const handler = handlers[message.type] as (call: InCall, message: ClientMessage, deps: ConnectionDeps) => void | Promise<void>;
    try {
      return handler(call, message, this.deps)?.catch((error: unknown) => this.fail(error, message.type));
    } catch (error) {
      this.fail(error, message.type);
      return undefined;
    }
  }

  private fail(error: unknown, type: ClientMessage['type']): void {
    this.deps.log.error({ err: error, type, userId: this.user.id, roomId: this.room.id }, 'message handler failed');
    this.sendError(ErrorCode.internal, 'internal error', type);
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
    if (now - this.lastRateErrorAt >= RATE_ERROR_INTERVAL_MS) {
      this.lastRateErrorAt = now;
      this.sendError(ErrorCode.rateLimited, 'too many messages; some were dropped');
    }
  }

  private stopJoinTimer(): void {
    clearTimeout(this.joinTimer);
    this.joinTimer = undefined;
  }

  private send(message: ServerMessage): void {
    if (this.state.phase !== 'closed') send(this.socket, message);
  }

  private sendError(code: ErrorCode, message: string, ref?: string, extra: { capacity?: number; clientId?: string; retryAfterSeconds?: number } = {}): void {
    this.deps.metrics.rejected.inc({ code });
    this.send({ type: 'error', code, message, ...(ref ? { ref } : {}), ...extra });
  }
}
