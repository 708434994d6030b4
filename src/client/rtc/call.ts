/**
 * A call in one room: local media, the signalling connection, one
 * PeerSession per remote participant, and the chat. The UI talks to this
 * typed API only and never touches RTCPeerConnection.
 */
import type { ChatMessage, ErrorCode, MediaState, PeerInfo, ServerMessage, ServerMessageOf } from '../../shared/protocol.js';
import { Emitter } from '../common/emitter.js';
import { ChatLog, type PendingMessage } from './chat-log.js';
import { PeerSession } from './peer-session.js';
import { SignalingClient, type SignalingState } from './signaling.js';

export interface RemotePeer {
  peerId: string;
  userId: string;
  username: string;
  media: MediaState;
  stream: MediaStream | null;
  connection: RTCPeerConnectionState;
}

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
  error: { code: ErrorCode; message: string };
};

export interface CallOptions {
  roomId: string;
  localStream: MediaStream | null;
  /** ICE servers (with TURN credentials) and transport policy from the server. */
  rtcConfig: RTCConfiguration;
}

export class Call extends Emitter<CallEvents> {
  readonly chat: ChatLog;
  private readonly signaling: SignalingClient;
  private readonly peers = new Map<string, { info: RemotePeer; session: PeerSession }>();
  private selfId = '';
  private media: MediaState;

  constructor(private readonly options: CallOptions) {
    super();
    this.chat = new ChatLog(`outbox:${options.roomId}`);
    const stream = options.localStream;
    this.media = { audio: hasLive(stream, 'audio'), video: hasLive(stream, 'video') };
    this.signaling = new SignalingClient(SignalingClient.urlFor(options.roomId), () => ({ media: this.media, lastSeq: this.chat.lastSeq }));
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
    this.signaling.connect();
  }

  leave(): void {
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
    this.signaling.send({ type: 'chat', clientId: pending.clientId, text: pending.text });
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
    // Peer ids belong to a connection: after a drop the peers are met again on rejoin.
    if (state.kind === 'reconnecting' || state.kind === 'closed') this.dropPeers();
  }

  private onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'joined':
        return this.onJoined(message);
      case 'peer-joined':
        return this.addPeer(message.peer, false);
      case 'peer-left': {
        const peer = this.peers.get(message.peerId);
        if (!peer) return;
        peer.session.close();
        this.peers.delete(message.peerId);
        this.emit('peer-left', peer.info);
        return;
      }
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
        if (this.chat.add(message.message)) this.emit('chat', message.message);
        return;
      case 'chat-ack':
        this.chat.acknowledge(message.clientId);
        this.emit('chat-acked', { clientId: message.clientId, seq: message.seq });
        return;
      case 'error':
        this.emit('error', { code: message.code, message: message.message });
        return;
      case 'pong':
        return;
    }
  }

  private onJoined(message: ServerMessageOf<'joined'>): void {
    this.selfId = message.selfId;
    this.dropPeers();
    this.emit('joined', { selfId: message.selfId, roomName: message.roomName, capacity: message.capacity });
    for (const stored of message.history) if (this.chat.add(stored)) this.emit('chat', stored);
    for (const peer of message.peers) this.addPeer(peer, true);
    for (const pending of this.chat.pending()) this.signaling.send({ type: 'chat', clientId: pending.clientId, text: pending.text });
  }

  /** `initiator`: I joined after this peer, so I send the first offer. */
  private addPeer(peer: PeerInfo, initiator: boolean): void {
    if (this.peers.has(peer.peerId) || peer.peerId === this.selfId) return;
    const info: RemotePeer = { ...peer, stream: null, connection: 'new' };
    const session = new PeerSession(
      peer.peerId,
      initiator,
      this.options.rtcConfig,
      (payload) => this.signaling.send({ type: 'signal', to: peer.peerId, payload }),
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

  private dropPeers(): void {
    for (const { info, session } of this.peers.values()) {
      session.close();
      this.emit('peer-left', info);
    }
    this.peers.clear();
  }
}

function hasLive(stream: MediaStream | null, kind: 'audio' | 'video'): boolean {
  return stream?.getTracks().some((t) => t.kind === kind && t.readyState === 'live') ?? false;
}
