/**
 * The browser end of `/ws/{roomId}`: a connection state machine that joins
 * the room, reconnects with capped, jittered backoff when the link drops, and
 * detects a dead server with application pings.
 */
import { CloseCode, PROTOCOL_VERSION, parseServerMessage, type ClientMessage, type MediaState, type ServerMessage } from '../../shared/protocol.ts';
import { Emitter } from '../common/emitter.ts';

export type SignalingState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; attempt: number }
  | { kind: 'closed'; code: number; reason: string };

/** Delays before reconnect attempts, in milliseconds; the last one repeats. */
const RECONNECT_DELAYS_MS = [0, 300, 1200, 2700, 4800, 7000];
/** Up to this much random delay is added to each reconnect, in milliseconds, so clients do not return in lockstep. */
const RECONNECT_JITTER_MS = 500;
/** Interval between application pings, in milliseconds. */
const PING_INTERVAL_MS = 10_000;
/** A pong should be back this long after a ping; a pre-opened socket silent for longer is replaced at join, in milliseconds. */
const PONG_GRACE_MS = 2_000;
/** With no frame from the server for this long the connection is presumed dead, in milliseconds. */
const SILENCE_TIMEOUT_MS = 25_000;

/** Close codes after which reconnecting cannot help. */
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.normal,
  CloseCode.policy,
  CloseCode.tooBig,
  CloseCode.sessionEnded,
  CloseCode.forbidden,
  CloseCode.roomNotFound,
  CloseCode.roomFull,
  CloseCode.locked,
  // The owner took me out: coming back on my own would undo it.
  CloseCode.removed,
  // Another connection of ours took this seat over: coming back would take it back, forever.
  CloseCode.replaced,
]);

type SignalingEvents = {
  state: SignalingState;
  message: ServerMessage;
};

export interface JoinParameters {
  media: MediaState;
  lastSeq: number;
  /** The seat to reclaim, from the previous `joined`. */
  resume?: { peerId: string; token: string };
}

export class SignalingClient extends Emitter<SignalingEvents> {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private stopped = false;
  private pingTimer: number | undefined;
  private reconnectTimer: number | undefined;
  private lastFrameAt = 0;
  /** Set by connect(): asked on every (re)connection, so a rejoin carries the current media state and chat position. */
  private joinParameters: (() => JoinParameters) | undefined;
  /** A close that ends the call (signed out, say) received on the pre-joined socket: reported by connect(). */
  private finalCloseBeforeJoin: { code: number; reason: string } | undefined;
  state: SignalingState = { kind: 'connecting' };

  private readonly url: string;
  constructor(url: string) {
    super();
    this.url = url;
  }

  static urlFor(roomId: string): string {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws/${encodeURIComponent(roomId)}`;
  }

  /**
   * Opens the socket without joining, while the user is on the pre-join
   * screen, so that joining costs one frame instead of a handshake. If that
   * socket closes before connect() (the server's join timeout, a network
   * blip), nothing is retried until connect().
   */
  preconnect(): void {
    if (!this.socket && !this.joinParameters) this.open();
  }

  /** Joins the room, on the pre-opened socket if there is one, and keeps the connection up from then on. */
  connect(joinParameters: () => JoinParameters): void {
    this.stopped = false;
    this.joinParameters = joinParameters;
    if (this.finalCloseBeforeJoin) {
      this.setState({ kind: 'closed', ...this.finalCloseBeforeJoin });
      return;
    }
    const socket = this.socket;
    // A socket that has heard nothing for a ping interval may be dead (the
    // network changed while the pre-join screen was up): start afresh.
    if (socket?.readyState === WebSocket.OPEN && Date.now() - this.lastFrameAt <= PING_INTERVAL_MS + PONG_GRACE_MS) {
      this.sendJoin(socket);
      return;
    }
    // Connecting: it sends the join when it opens. Closing: its close event
    // now reconnects, or reports a final close (signed out, say).
    if (socket?.readyState === WebSocket.CONNECTING || socket?.readyState === WebSocket.CLOSING) return;
    if (socket) this.drop(socket);
    this.open();
  }

  /** Sends if connected; returns false when the message could not be sent now. */
  send(message: ClientMessage): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN || this.state.kind !== 'open') return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Leaves for good: no reconnection. */
  close(): void {
    this.stopped = true;
    window.clearTimeout(this.reconnectTimer);
    window.clearInterval(this.pingTimer);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'leave' } satisfies ClientMessage));
    this.socket?.close(CloseCode.normal, 'left');
    this.socket = undefined;
    this.setState({ kind: 'closed', code: CloseCode.normal, reason: 'left' });
  }

  private sendJoin(socket: WebSocket): void {
    if (!this.joinParameters) return;
    const { media, lastSeq, resume } = this.joinParameters();
    socket.send(JSON.stringify({ type: 'join', version: PROTOCOL_VERSION, media, lastSeq, ...(resume ? { resume } : {}) } satisfies ClientMessage));
  }

  /** Forgets a socket: its events are ignored from now on. */
  private drop(socket: WebSocket): void {
    window.clearInterval(this.pingTimer);
    if (this.socket === socket) this.socket = undefined;
    socket.close();
  }

  private open(): void {
    window.clearInterval(this.pingTimer);
    const socket = new WebSocket(this.url);
    this.socket = socket;
    // The silence check runs from now, not from `open`: a connection attempt
    // lost in a network change is given up after SILENCE_TIMEOUT_MS too.
    this.lastFrameAt = Date.now();
    this.startPinging(socket);
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      this.sendJoin(socket);
      this.lastFrameAt = Date.now();
    });
    socket.addEventListener('message', (event) => {
      if (this.socket !== socket) return;
      this.lastFrameAt = Date.now();
      if (typeof event.data !== 'string') return;
      const message = parseServerMessage(event.data);
      if (!message) return;
      if (message.type === 'joined') {
        this.attempt = 0;
        this.setState({ kind: 'open' });
      }
      this.emit('message', message);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      window.clearInterval(this.pingTimer);
      this.socket = undefined;
      if (this.stopped) return;
      if (!this.joinParameters) {
        // Not joined yet: nothing to reconnect; connect() opens a new socket,
        // or reports this close if no new socket could help.
        if (FINAL_CLOSE_CODES.has(event.code)) this.finalCloseBeforeJoin = { code: event.code, reason: event.reason };
        return;
      }
      if (FINAL_CLOSE_CODES.has(event.code)) {
        this.setState({ kind: 'closed', code: event.code, reason: event.reason });
        return;
      }
      this.scheduleReconnect();
    });
  }

  private startPinging(socket: WebSocket): void {
    window.clearInterval(this.pingTimer);
    this.pingTimer = window.setInterval(() => {
      if (Date.now() - this.lastFrameAt > SILENCE_TIMEOUT_MS) {
        // A dead link may take minutes to report close; give up on it now.
        this.drop(socket);
        if (this.joinParameters) this.scheduleReconnect();
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ping' } satisfies ClientMessage));
    }, PING_INTERVAL_MS);
  }

  private scheduleReconnect(): void {
    this.attempt += 1;
    this.setState({ kind: 'reconnecting', attempt: this.attempt });
    const base = RECONNECT_DELAYS_MS[Math.min(this.attempt - 1, RECONNECT_DELAYS_MS.length - 1)] ?? 0;
    this.reconnectTimer = window.setTimeout(() => this.open(), base + Math.random() * RECONNECT_JITTER_MS);
  }

  private setState(state: SignalingState): void {
    this.state = state;
    this.emit('state', state);
  }
}
