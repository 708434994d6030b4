/**
 * A call in one room: my tracks, the signalling connection, one PeerSession
 * per remote participant, the chat, and what the others see of me (camera,
 * microphone, screen, raised hand). The UI talks to this typed API only and
 * never touches RTCPeerConnection.
 */
import { ErrorCode, type ChatMessage, type MediaState, type PeerInfo, type Reaction, type ServerMessage, type ServerMessageOf, type SignalPayload } from '../../shared/protocol.ts';
import { Emitter } from '../common/emitter.ts';
import { senderLimits, WEAK_READINGS, weakLink, type LinkReading } from './bandwidth.ts';
import { ChatLog, type PendingMessage } from './chat-log.ts';
import type { LinkStats } from './link-stats.ts';
import type { LocalTracks } from './local-tracks.ts';
import { PeerSession, type LinkState } from './peer-session.ts';
import type { SignalingClient, SignalingState } from './signaling.ts';
import { verificationCode } from './verification.ts';

export interface RemotePeer {
  peerId: string;
  userId: string;
  username: string;
  media: MediaState;
  /** Their camera and microphone. */
  camera: MediaStream | null;
  /** Their shared screen, while they share it. */
  screen: MediaStream | null;
  link: LinkState;
  stats: LinkStats | null;
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
/** How often each link's statistics are read (quality, route, bitrates), in milliseconds. */
const STATS_INTERVAL_MS = 2000;
/** Chat errors that sending again cannot fix (a rate limit or a database hiccup can be: those are resent). */
const REFUSED_FOR_GOOD: ReadonlySet<string> = new Set([ErrorCode.chatQuota, ErrorCode.badMessage]);

type CallEvents = {
  signaling: SignalingState;
  joined: { selfId: string; roomName: string; capacity: number };
  'peer-joined': RemotePeer;
  'peer-updated': RemotePeer;
  'peer-left': RemotePeer;
  /** My own state changed (a toggle, a device, the screen). */
  'self-updated': MediaState;
  /** Whether my camera is paused towards someone: the budget or a weak link leaves too little for video. */
  'camera-paused': boolean;
  reaction: { peerId: string; reaction: Reaction };
  /** A message stored by the server, in sequence order for new ones. */
  chat: ChatMessage;
  /** One of my messages waiting for the server's acknowledgement. */
  'chat-pending': PendingMessage;
  'chat-acked': { clientId: string; seq: number };
  /** One of my messages the server refused for good: it is no longer resent. */
  'chat-refused': { pending: PendingMessage; code: string; retryAfterSeconds?: number };
  /** The room's owner muted my microphone. */
  'muted-by': string;
  /** An error frame from the server (`capacity` is set with `room-full`). */
  error: ServerMessageOf<'error'>;
  /** The server stayed unreachable too long: the call is over. */
  lost: undefined;
};

export interface CallOptions {
  roomId: string;
  local: LocalTracks;
  /** ICE servers (with TURN credentials) and transport policy from the server. */
  rtcConfig: RTCConfiguration;
  /** Reconnecting for longer than this ends the call as lost, in milliseconds. */
  callLostAfterMs: number;
  /** What I may upload in all, shared among the peers (see bandwidth.ts), in bits per second. */
  uploadBudgetBps: number;
  /** The signalling client, connected early by the pre-join screen (see SignalingClient.preconnect). */
  signaling: SignalingClient;
}

interface PeerEntry {
  info: RemotePeer;
  session: PeerSession;
  /** Every stream received from this peer, by id: which one is the screen is known from `media.screen`. */
  streams: Map<string, MediaStream>;
  absentTimer?: number;
  /** The latest readings of the link to this peer, newest last. */
  readings: LinkReading[];
  /** Since when my camera is paused towards this peer because the link is weak (null: it is not). */
  audioOnlySince: number | null;
}

export class Call extends Emitter<CallEvents> {
  readonly chat: ChatLog;
  readonly local: LocalTracks;
  private readonly options: CallOptions;
  private readonly signaling: SignalingClient;
  private readonly peers = new Map<string, PeerEntry>();
  private selfId = '';
  private resumeToken = '';
  private media: MediaState;
  private queuedSignals: Array<{ to: string; payload: SignalPayload }> = [];
  private lostTimer: number | undefined;
  private resendTimer: number | undefined;
  private statsTimer: number | undefined;
  private cameraPaused = false;

  constructor(options: CallOptions) {
    super();
    this.options = options;
    this.local = options.local;
    this.chat = new ChatLog(`outbox:${options.roomId}`);
    this.media = { audio: this.local.isOn('audio'), video: this.local.isOn('video'), screen: null, hand: false };
    this.signaling = options.signaling;
    this.signaling.on('state', (state) => this.onSignalingState(state));
    this.signaling.on('message', (message) => this.onMessage(message));
    this.local.on('track', (track) => {
      for (const { session } of this.peers.values()) void session.useTrack(track);
      this.setMedia({ [track.kind]: this.local.isOn(track.kind as 'audio' | 'video') });
    });
    this.local.on('screen', (stream) => {
      for (const { session } of this.peers.values()) session.shareScreen(stream);
      this.setMedia({ screen: stream?.id ?? null });
      this.applyBandwidth();
    });
  }

  get mediaState(): MediaState {
    return this.media;
  }

  get remotePeers(): RemotePeer[] {
    return [...this.peers.values()].map((p) => p.info);
  }

  start(): void {
    this.signaling.connect(() => ({
      media: this.media,
      lastSeq: this.chat.contiguousSeq,
      ...(this.resumeToken ? { resume: { peerId: this.selfId, token: this.resumeToken } } : {}),
    }));
    this.resendTimer = window.setInterval(() => {
      this.flushOutbox(CHAT_RESEND_AFTER_MS);
      this.fetchMissingChat();
    }, CHAT_RESEND_AFTER_MS);
    this.statsTimer = window.setInterval(() => void this.readStats(), STATS_INTERVAL_MS);
  }

  leave(): void {
    this.stopTimers();
    this.signaling.close();
    this.dropPeers();
  }

  setAudio(enabled: boolean): void {
    if (!this.local.has('audio')) return;
    this.local.setEnabled('audio', enabled);
    this.setMedia({ audio: enabled });
  }

  setVideo(enabled: boolean): void {
    if (!this.local.has('video')) return;
    this.local.setEnabled('video', enabled);
    this.setMedia({ video: enabled });
  }

  setHand(raised: boolean): void {
    this.setMedia({ hand: raised });
  }

  /** Sends a reaction to the others; false when it could not be sent now. */
  react(reaction: Reaction): boolean {
    return this.signaling.send({ type: 'reaction', reaction });
  }

  /** The owner's controls: ask someone to mute, or take them out of the call and the room. */
  moderate(action: 'mute' | 'remove', peerId: string): boolean {
    return this.signaling.send({ type: 'moderate', action, peerId });
  }

  /** Queues a chat message; it is sent now if connected, and again on every reconnect until acknowledged. */
  sendChat(text: string): void {
    const pending = this.chat.queue(text);
    this.emit('chat-pending', pending);
    this.sendChatMessage(pending);
  }

  /** The code to compare with a peer to know the call with them is end-to-end encrypted (see verification.ts). */
  verificationCode(peerId: string): Promise<string | null> {
    const pc = this.peers.get(peerId)?.session.pc;
    return verificationCode(pc?.localDescription?.sdp, pc?.remoteDescription?.sdp);
  }

  /** How loud each remote peer was since the previous call, 0–1. */
  async audioLevels(): Promise<Map<string, number>> {
    const entries = await Promise.all([...this.peers].map(async ([peerId, { session }]) => [peerId, await session.audioLevel().catch(() => 0)] as const));
    return new Map(entries);
  }

  /** Remote video frames decoded so far, per peer: the proof that media flows (tests and the console read it). */
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

  /** The peer connections, in join order: tests check that a resume or a network change keeps them. */
  connections(): RTCPeerConnection[] {
    return [...this.peers.values()].map(({ session }) => session.pc);
  }

  /** The senders' encodings towards each peer, for tests and the stats view. */
  senderParameters(): Record<string, RTCRtpEncodingParameters[]> {
    return Object.fromEntries([...this.peers].map(([peerId, { session }]) => [
      peerId,
      session.pc.getSenders().filter((s) => s.track?.kind === 'video').map((s) => s.getParameters().encodings?.[0] ?? {}),
    ]));
  }

  private setMedia(change: Partial<MediaState>): void {
    this.media = { ...this.media, ...change };
    this.signaling.send({ type: 'media', media: this.media });
    this.emit('self-updated', this.media);
  }

  private sendChatMessage(pending: PendingMessage): void {
    if (this.signaling.send({ type: 'chat', clientId: pending.clientId, text: pending.text })) this.chat.markSent(pending.clientId);
  }

  /** Sends unacknowledged messages last sent at least `olderThanMs` ago, a batch at a time. */
  private flushOutbox(olderThanMs: number): void {
    for (const pending of this.chat.dueForResend(olderThanMs, CHAT_RESEND_BATCH)) this.sendChatMessage(pending);
  }

  private onSignalingState(state: SignalingState): void {
    this.emit('signaling', state);
    // While signalling is down the peer connections carry on: media flows
    // peer to peer, and the seat is resumed when the server is back.
    if (state.kind === 'reconnecting' && this.lostTimer === undefined) {
      this.lostTimer = window.setTimeout(() => {
        this.signaling.close();
        this.stopTimers();
        this.dropPeers();
        this.emit('lost', undefined);
      }, this.options.callLostAfterMs);
    }
    if (state.kind === 'open' || state.kind === 'closed') {
      window.clearTimeout(this.lostTimer);
      this.lostTimer = undefined;
    }
    if (state.kind === 'closed') {
      this.stopTimers();
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
        this.keep(known, message.peer.media);
        return;
      }
      case 'peer-left':
        return this.removePeer(message.peerId);
      case 'peer-media': {
        const peer = this.peers.get(message.peerId);
        if (peer) this.keep(peer, message.media);
        return;
      }
      case 'signal':
        void this.peers.get(message.from)?.session.receive(message.payload);
        return;
      case 'reaction':
        if (this.peers.has(message.peerId)) this.emit('reaction', { peerId: message.peerId, reaction: message.reaction });
        return;
      case 'chat':
        this.addChat([message.message]);
        return;
      case 'history':
        this.chat.historyAnswered(!message.complete);
        this.chat.keptFrom(message.firstSeq);
        this.addChat(message.messages);
        return;
      case 'mute-request':
        // Muting is done here, by my page: the owner cannot reach my microphone. Unmuting stays my choice.
        this.setAudio(false);
        this.emit('muted-by', message.by);
        return;
      case 'chat-ack':
        this.chat.acknowledge(message.clientId);
        this.emit('chat-acked', { clientId: message.clientId, seq: message.seq });
        return;
      case 'error':
        if (message.ref === 'history') {
          // The server could not read the history just now: ask again shortly.
          const retryMs = message.retryAfterSeconds ? message.retryAfterSeconds * 1000 : HISTORY_RETRY_MS;
          this.chat.historyRefused(retryMs);
          window.setTimeout(() => this.fetchMissingChat(), retryMs);
        }
        if (message.ref === 'chat' && message.clientId && REFUSED_FOR_GOOD.has(message.code)) {
          const pending = this.chat.drop(message.clientId);
          if (pending) this.emit('chat-refused', { pending, code: message.code, retryAfterSeconds: message.retryAfterSeconds });
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
    // The peers first: each new one's offer is under way while the page shows the rest.
    for (const peer of message.peers) {
      const known = this.peers.get(peer.peerId);
      if (known) this.keep(known, peer.media);
      else this.addPeer(peer, true);
    }
    this.emit('joined', { selfId: message.selfId, roomName: message.roomName, capacity: message.capacity });
    this.chat.startAt(message.history);
    this.chat.keptFrom(message.firstSeq);
    this.chat.historyAnswered(!message.historyComplete);
    this.addChat(message.history);
    const queued = this.queuedSignals;
    this.queuedSignals = [];
    for (const { to, payload } of queued) this.sendSignal(to, payload);
    this.flushOutbox(0);
  }

  /** A known peer is still (or again) in the room, with this state. */
  private keep(peer: PeerEntry, media: MediaState): void {
    window.clearTimeout(peer.absentTimer);
    peer.absentTimer = undefined;
    peer.info.media = media;
    this.sortStreams(peer);
    this.announce(peer);
  }

  /**
   * Tells the page about a peer's new state, unless they left meanwhile: a
   * statistics reading begun before they left ends after, and would otherwise
   * put their tile back.
   */
  private announce(peer: PeerEntry): void {
    if (this.peers.get(peer.info.peerId) === peer) this.emit('peer-updated', peer.info);
  }

  /** `initiator`: I joined after this peer, so I send the first offer. */
  private addPeer(peer: PeerInfo, initiator: boolean): void {
    if (this.peers.has(peer.peerId) || peer.peerId === this.selfId) return;
    const info: RemotePeer = { ...peer, camera: null, screen: null, link: 'connecting', stats: null };
    const session = new PeerSession(peer.peerId, initiator, this.options.rtcConfig, (payload) => this.sendSignal(peer.peerId, payload), this.local.stream);
    const entry: PeerEntry = { info, session, streams: new Map(), readings: [], audioOnlySince: null };
    if (this.local.screen) session.shareScreen(this.local.screen);
    session.on('track', ({ track, stream }) => {
      entry.streams.set(stream.id, stream);
      // A track the sender removed (a screen share that ended) leaves its stream.
      track.addEventListener('ended', () => this.sortStreams(entry), { once: true });
      stream.addEventListener('removetrack', () => this.sortStreams(entry));
      this.sortStreams(entry);
      this.announce(entry);
    });
    session.on('link', (link) => {
      info.link = link;
      this.announce(entry);
    });
    this.peers.set(peer.peerId, entry);
    this.emit('peer-joined', info);
    // The senders' limits are set at the next statistics reading: before
    // the first negotiation there are no encodings to limit.
  }

  /** Which of a peer's streams is their camera and which their screen (the one they announced). */
  private sortStreams(peer: PeerEntry): void {
    const screenId = peer.info.media.screen ?? null;
    let camera: MediaStream | null = null;
    let screen: MediaStream | null = null;
    for (const [id, stream] of peer.streams) {
      const live = stream.getTracks().some((t) => t.readyState === 'live');
      if (id === screenId) screen = live ? stream : null;
      else camera ??= stream;
    }
    peer.info.camera = camera;
    peer.info.screen = screen;
  }

  /** Shows new messages, and asks for any that are missing. */
  private addChat(messages: ChatMessage[]): void {
    for (const message of messages) if (this.chat.add(message)) this.emit('chat', message);
    this.fetchMissingChat();
  }

  /** Asks for missing messages (a gap, or more to come), one request at a time. */
  private fetchMissingChat(): void {
    const afterSeq = this.chat.historyToFetch();
    if (afterSeq !== undefined && this.signaling.send({ type: 'history', afterSeq })) this.chat.historyAsked();
  }

  /**
   * Shares my upload among the peers again (someone came or went, my screen
   * share changed, a link weakened or recovered) and says whether my camera
   * is paused towards anyone.
   */
  private applyBandwidth(): void {
    let paused = false;
    for (const { session, audioOnlySince } of this.peers.values()) {
      const limits = senderLimits(this.peers.size, this.options.uploadBudgetBps, this.local.screen !== null, audioOnlySince !== null);
      paused ||= !limits.camera.active && this.local.isOn('video');
      void session.applyLimits(limits);
    }
    if (paused !== this.cameraPaused) {
      this.cameraPaused = paused;
      this.emit('camera-paused', paused);
    }
  }

  private async readStats(): Promise<void> {
    const now = Date.now();
    for (const peer of [...this.peers.values()]) {
      try {
        peer.info.stats = await peer.session.stats();
      } catch {
        continue; // closed meanwhile
      }
      const { availableOutKbps, videoLimitedBy } = peer.info.stats;
      if (availableOutKbps !== null) {
        const reading = { estimateBps: availableOutKbps * 1000, limitedByBandwidth: videoLimitedBy === null ? null : videoLimitedBy === 'bandwidth' };
        peer.readings = [...peer.readings, reading].slice(-WEAK_READINGS);
      }
      const weak = weakLink(peer.readings, peer.audioOnlySince, now);
      if (weak && peer.audioOnlySince === null) peer.audioOnlySince = now;
      if (!weak && peer.audioOnlySince !== null) {
        peer.audioOnlySince = null;
        peer.readings = [];
      }
      this.announce(peer);
    }
    // Encodings can only be set once negotiation has created them: re-apply now and then.
    this.applyBandwidth();
  }

  private removePeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    window.clearTimeout(peer.absentTimer);
    peer.session.close();
    this.peers.delete(peerId);
    this.emit('peer-left', peer.info);
    this.applyBandwidth();
  }

  private dropPeers(): void {
    for (const peerId of [...this.peers.keys()]) this.removePeer(peerId);
  }

  private stopTimers(): void {
    window.clearTimeout(this.lostTimer);
    window.clearInterval(this.resendTimer);
    window.clearInterval(this.statsTimer);
  }
}
