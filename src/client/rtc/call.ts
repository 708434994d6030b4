/**
 * A call in one room: local media, the signalling connection, one
 * PeerSession per remote participant, and the chat. The UI talks to this
 * typed API only and never touches RTCPeerConnection.
 */
import type { ChatMessage, MediaState, PeerInfo, ServerMessage, ServerMessageOf, SignalPayload } from '../../shared/protocol.ts';
import { Emitter } from '../common/emitter.ts';
import { ChatLog, type PendingMessage } from './chat-log.ts';
import { PeerSession } from './peer-session.ts';
import type { SignalingClient, SignalingState } from './signaling.ts';

export interface RemotePeer {
  peerId: string;
  userId: string;
  username: string;
  media: MediaState;
  stream: MediaStream | null;
  connection: RTCPeerConnectionState;
}

/**
 * A peer missing from the roster after a resume may just not have reconnected
 * yet (after a server restart everyone comes back at their own pace); their
 * peer connection is kept this long before they are dropped, in milliseconds.
 */
const ABSENT_PEER_GRACE_MS = 20_000;
/** An unacknowledged chat message is sent again after this long, in milliseconds. */
const CHAT_RESEND_AFTER_MS = 3000;
/** Most chat messages resent at once, so a long outbox does not trip the server's rate limit. */
const CHAT_RESEND_BATCH = 20;
/** Wait before asking again for chat history the server could not read, in milliseconds. */
const HISTORY_RETRY_MS = 1000;
/** Signals held while the server is unreachable, sent once the seat is resumed. */
const MAX_QUEUED_SIGNALS = 500;

type CallEvents = {
  signaling: SignalingState;
  joined: { selfId: string; roomName: string; capacity: number };
  'peer-joined': RemotePeer;
  'peer-updated': RemotePeer;
  'peer-left': RemotePeer;
  /** A message stored by the server, in sequence order for new ones. */
  chat: ChatMessage;
  /** One of my messages waiting for the server's acknowledgement. */
  'chat-pending': PendingMessage;
  'chat-acked': { clientId: string; seq: number };
  /** An error frame from the server (`capacity` is set with `room-full`). */
  error: ServerMessageOf<'error'>;
  /** The server stayed unreachable too long: the call is over. */
  lost: undefined;
};

export interface CallOptions {
  roomId: string;
  localStream: MediaStream | null;
  /** ICE servers (with TURN credentials) and transport policy from the server. */
  rtcConfig: RTCConfiguration;
  /** Reconnecting for longer than this ends the call as lost, in milliseconds. */
  callLostAfterMs: number;
  /** The signalling client, connected early by the pre-join screen (see SignalingClient.preconnect). */
  signaling: SignalingClient;
}

export class Call extends Emitter<CallEvents> {
  readonly chat: ChatLog;
  private readonly signaling: SignalingClient;
  private readonly peers = new Map<string, { info: RemotePeer; session: PeerSession; absentTimer?: number }>();
  private selfId = '';
  private resumeToken = '';
  private media: MediaState;
  private queuedSignals: Array<{ to: string; payload: SignalPayload }> = [];
  private lostTimer: number | undefined;
  /** A `history` request is in flight: one at a time. */
  private historyRequested = false;
  private resendTimer: number | undefined;

  private readonly options: CallOptions;
  constructor(options: CallOptions) {
    super();
    this.options = options;
    this.chat = new ChatLog(`outbox:${options.roomId}`);
    const stream = options.localStream;
    this.media = { audio: hasLive(stream, 'audio'), video: hasLive(stream, 'video') };
    this.signaling = options.signaling;
    this.signaling.on('state', (state) => this.onSignalingState(state));
    this.signaling.on('message', (message) => this.onMessage(message));
  }

  get mediaState(): MediaState {
    return this.media;
  }

  get remotePeers(): RemotePeer[] {
    return [...this.peers.values()].map((p) => p.info);
  }

  /** Remote video frames decoded so far, per peer: the proof that media flows. */
  async decodedFrames(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const [peerId, { session }] of this.peers) {
      let frames = 0;
      (await session.pc.getStats()).forEach((report: { type: string; kind?: string; framesDecoded?: number }) => {
        if (report.type === 'inbound-rtp' && report.kind === 'video') frames += report.framesDecoded ?? 0;
      });
      result[peerId] = frames;
    }
    return result;
  }

  /** The candidate types of each peer's selected ICE pair, e.g. `relay`/`host`. */
  async selectedCandidates(): Promise<Record<string, { local: string; remote: string } | null>> {
    const result: Record<string, { local: string; remote: string } | null> = {};
    for (const [peerId, { session }] of this.peers) {
      const stats = await session.pc.getStats();
      let pair: { localCandidateId?: string; remoteCandidateId?: string } | undefined;
      stats.forEach((report: { type: string; selectedCandidatePairId?: string }) => {
        if (report.type === 'transport' && report.selectedCandidatePairId) pair = stats.get(report.selectedCandidatePairId);
      });
      const type = (id?: string) => (id ? (stats.get(id) as { candidateType?: string } | undefined)?.candidateType ?? '?' : '?');
      result[peerId] = pair ? { local: type(pair.localCandidateId), remote: type(pair.remoteCandidateId) } : null;
    }
    return result;
  }

  start(): void {
    this.signaling.connect(() => ({
      media: this.media,
      lastSeq: this.chat.contiguousSeq,
      ...(this.resumeToken ? { resume: { peerId: this.selfId, token: this.resumeToken } } : {}),
    }));
    this.resendTimer = window.setInterval(() => this.flushOutbox(CHAT_RESEND_AFTER_MS), CHAT_RESEND_AFTER_MS);
  }

  leave(): void {
    window.clearTimeout(this.lostTimer);
    window.clearInterval(this.resendTimer);
    this.signaling.close();
    this.dropPeers();
  }

  setAudio(enabled: boolean): void {
    this.setTrackEnabled('audio', enabled);
  }

  setVideo(enabled: boolean): void {
    this.setTrackEnabled('video', enabled);
  }

  /** Queues a chat message; it is sent now if connected, and again on every reconnect until acknowledged. */
  sendChat(text: string): void {
    const pending = this.chat.queue(text);
    this.emit('chat-pending', pending);
    this.sendChatMessage(pending);
  }

  private sendChatMessage(pending: PendingMessage): void {
    if (this.signaling.send({ type: 'chat', clientId: pending.clientId, text: pending.text })) this.chat.markSent(pending.clientId);
  }

  /** Sends unacknowledged messages last sent at least `olderThanMs` ago, a batch at a time. */
  private flushOutbox(olderThanMs: number): void {
    for (const pending of this.chat.dueForResend(olderThanMs, CHAT_RESEND_BATCH)) this.sendChatMessage(pending);
  }

  private setTrackEnabled(kind: 'audio' | 'video', enabled: boolean): void {
    const tracks = this.options.localStream?.getTracks().filter((t) => t.kind === kind) ?? [];
    if (tracks.length === 0) return;
    // Disabling the track (rather than removing it) sends silence or black
    // frames without renegotiating every peer connection.
    for (const track of tracks) track.enabled = enabled;
    this.media = { ...this.media, [kind]: enabled };
    this.signaling.send({ type: 'media', media: this.media });
  }

  private onSignalingState(state: SignalingState): void {
    this.emit('signaling', state);
    // While signalling is down the peer connections carry on: media flows
    // peer to peer, and the seat is resumed when the server is back.
    if (state.kind === 'reconnecting' && this.lostTimer === undefined) {
      this.lostTimer = window.setTimeout(() => {
        this.signaling.close();
        this.dropPeers();
            this.emit('lost', undefined);
      }, this.options.callLostAfterMs);
    }
    if (state.kind === 'open' || state.kind === 'closed') {
      window.clearTimeout(this.lostTimer);
      this.lostTimer = undefined;
    }
    if (state.kind === 'closed') {
      window.clearInterval(this.resendTimer);
      this.dropPeers();
      }
  }

  private sendSignal(to: string, payload: SignalPayload): void {
    if (this.signaling.send({ type: 'signal', to, payload })) return;
    if (this.queuedSignals.length < MAX_QUEUED_SIGNALS) this.queuedSignals.push({ to, payload });
  }

  private onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'joined':
        return this.onJoined(message);
      case 'peer-joined': {
        const known = this.peers.get(message.peer.peerId);
        if (!known) return this.addPeer(message.peer, false);
        // A peer who resumed: keep the connection we have with them.
        window.clearTimeout(known.absentTimer);
        known.absentTimer = undefined;
        known.info.media = message.peer.media;
        this.emit('peer-updated', known.info);
        return;
      }
      case 'peer-left':
        return this.removePeer(message.peerId);
      case 'peer-media': {
        const peer = this.peers.get(message.peerId);
        if (!peer) return;
        peer.info.media = message.media;
        this.emit('peer-updated', peer.info);
        return;
      }
      case 'signal':
        void this.peers.get(message.from)?.session.receive(message.payload);
        return;
      case 'chat':
        this.addChat([message.message]);
        return;
      case 'history':
        this.historyRequested = false;
        this.addChat(message.messages, !message.complete);
        return;
      case 'chat-ack':
        this.chat.acknowledge(message.clientId);
        this.emit('chat-acked', { clientId: message.clientId, seq: message.seq });
        return;
      case 'error':
        if (message.ref === 'history') {
          // The server could not read the history just now: ask again shortly.
          this.historyRequested = false;
          window.setTimeout(() => this.addChat([]), HISTORY_RETRY_MS);
        }
        this.emit('error', message);
        return;
      case 'pong':
        return;
    }
  }

  private onJoined(message: ServerMessageOf<'joined'>): void {
    const resumed = message.resumed && message.selfId === this.selfId;
    this.selfId = message.selfId;
    this.resumeToken = message.resumeToken;
    if (resumed) {
      const listed = new Set(message.peers.map((p) => p.peerId));
      for (const [peerId, peer] of this.peers) {
        if (!listed.has(peerId)) peer.absentTimer ??= window.setTimeout(() => this.removePeer(peerId), ABSENT_PEER_GRACE_MS);
      }
    } else {
      // A new seat: old peer ids mean nothing any more.
      this.dropPeers();
      this.queuedSignals = [];
    }
    this.emit('joined', { selfId: message.selfId, roomName: message.roomName, capacity: message.capacity });
    this.chat.startAt(message.history);
    this.historyRequested = false;
    this.addChat(message.history, !message.historyComplete);
    for (const peer of message.peers) {
      const known = this.peers.get(peer.peerId);
      if (!known) {
        this.addPeer(peer, true);
        continue;
      }
      window.clearTimeout(known.absentTimer);
      known.absentTimer = undefined;
      known.info.media = peer.media;
      this.emit('peer-updated', known.info);
    }
    const queued = this.queuedSignals;
    this.queuedSignals = [];
    for (const { to, payload } of queued) this.sendSignal(to, payload);
    this.flushOutbox(0);
  }

  /** `initiator`: I joined after this peer, so I send the first offer. */
  private addPeer(peer: PeerInfo, initiator: boolean): void {
    if (this.peers.has(peer.peerId) || peer.peerId === this.selfId) return;
    const info: RemotePeer = { ...peer, stream: null, connection: 'new' };
    const session = new PeerSession(
      peer.peerId,
      initiator,
      this.options.rtcConfig,
      (payload) => this.sendSignal(peer.peerId, payload),
      this.options.localStream,
    );
    session.on('stream', (stream) => {
      info.stream = stream;
      this.emit('peer-updated', info);
    });
    session.on('connection', (state) => {
      info.connection = state;
      this.emit('peer-updated', info);
    });
    this.peers.set(peer.peerId, { info, session });
    this.emit('peer-joined', info);
  }

  /** Shows new messages; asks for the missing ones when there is a gap or more to come. */
  private addChat(messages: ChatMessage[], more = false): void {
    for (const message of messages) if (this.chat.add(message)) this.emit('chat', message);
    if ((more || this.chat.hasGap) && !this.historyRequested) {
      this.historyRequested = this.signaling.send({ type: 'history', afterSeq: this.chat.contiguousSeq });
    }
  }

  private removePeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    window.clearTimeout(peer.absentTimer);
    peer.session.close();
    this.peers.delete(peerId);
    this.emit('peer-left', peer.info);
  }

  private dropPeers(): void {
    for (const peerId of [...this.peers.keys()]) this.removePeer(peerId);
  }
}

function hasLive(stream: MediaStream | null, kind: 'audio' | 'video'): boolean {
  return stream?.getTracks().some((t) => t.kind === kind && t.readyState === 'live') ?? false;
}
