/**
 * One WebRTC connection to one remote peer.
 *
 * The first offer comes from one side only: the participant who joins (the
 * initiator) offers to everyone already there, and they add their media when
 * that offer arrives. Later renegotiations (ICE restarts) can start on either
 * side, so "perfect negotiation" (MDN) settles any glare: the polite side
 * yields. Signals are processed strictly in order, and ICE candidates that
 * arrive before the remote description are held until it is set.
 */
import type { SignalCandidate, SignalPayload } from '../../shared/protocol.ts';
import { Emitter } from '../common/emitter.ts';

/** After ICE reports `disconnected`, wait this long before restarting it, in milliseconds; `failed` may never come. */
const ICE_RESTART_GRACE_MS = 2500;

type PeerSessionEvents = {
  stream: MediaStream;
  connection: RTCPeerConnectionState;
};

export class PeerSession extends Emitter<PeerSessionEvents> {
  readonly pc: RTCPeerConnection;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private pendingCandidates: SignalCandidate[] = [];
  private queue: Promise<void> = Promise.resolve();
  private restartTimer: number | undefined;
  private closed = false;
  private localMediaAdded = false;
  /** The polite side rolls back its own offer when offers collide. */
  private readonly polite: boolean;

  readonly remotePeerId: string;
  private readonly sendSignal: (payload: SignalPayload) => void;
  private readonly localStream: MediaStream | null;
  constructor(
    remotePeerId: string,
    /** True for the side that sends the first offer: the one who joined later. */
    initiator: boolean,
    config: RTCConfiguration,
    sendSignal: (payload: SignalPayload) => void,
    localStream: MediaStream | null,
  ) {
    super();
    this.remotePeerId = remotePeerId;
    this.sendSignal = sendSignal;
    this.localStream = localStream;
    this.pc = new RTCPeerConnection(config);
    this.pc.addEventListener('negotiationneeded', () => void this.negotiate());
    this.pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate) this.sendSignal({ kind: 'candidate', candidate: candidate.toJSON() as SignalCandidate });
    });
    this.pc.addEventListener('track', ({ streams, track }) => {
      this.emit('stream', streams[0] ?? new MediaStream([track]));
    });
    this.pc.addEventListener('connectionstatechange', () => this.emit('connection', this.pc.connectionState));
    this.pc.addEventListener('iceconnectionstatechange', () => this.watchIce());
    this.polite = !initiator;
    // The offering side's media goes on the connection now; the answering
    // side adds it when the offer arrives (addLocalMedia).
    this.localMediaAdded = initiator;
    // Adding media fires `negotiationneeded`, which sends the offer.
    if (initiator) addOfferMedia(this.pc, this.localStream);
  }

  /** Sends local tracks; on the answering side this reuses the offer's transceivers. */
  private addLocalMedia(): void {
    if (this.localMediaAdded || !this.localStream) return;
    this.localMediaAdded = true;
    for (const track of this.localStream.getTracks()) this.pc.addTrack(track, this.localStream);
  }

  /** Handles a signal from the remote peer, after every earlier one. */
  receive(payload: SignalPayload): Promise<void> {
    this.queue = this.queue.then(() => this.apply(payload)).catch((error: unknown) => {
      console.warn('signal from', this.remotePeerId, 'failed:', error);
    });
    return this.queue;
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.restartTimer);
    this.pc.close();
  }

  private async negotiate(): Promise<void> {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendLocalDescription();
    } catch (error) {
      console.warn('negotiation with', this.remotePeerId, 'failed:', error);
    } finally {
      this.makingOffer = false;
    }
  }

  private sendLocalDescription(): void {
    const description = this.pc.localDescription;
    if (description && (description.type === 'offer' || description.type === 'answer')) {
      this.sendSignal({ kind: 'description', description: { type: description.type, sdp: description.sdp } });
    }
  }

  private async apply(payload: SignalPayload): Promise<void> {
    if (this.closed) return;
    if (payload.kind === 'candidate') {
      if (!this.pc.remoteDescription) {
        this.pendingCandidates.push(payload.candidate);
        return;
      }
      await this.addCandidate(payload.candidate);
      return;
    }
    const { description } = payload;
    const readyForOffer = !this.makingOffer && (this.pc.signalingState === 'stable' || this.settingRemoteAnswer);
    const collision = description.type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    this.settingRemoteAnswer = description.type === 'answer';
    await this.pc.setRemoteDescription(description);
    this.settingRemoteAnswer = false;
    const held = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of held) await this.addCandidate(candidate);
    if (description.type === 'offer') {
      // Added before answering, the tracks ride on the offer's media lines and
      // the answer carries them: no second negotiation round.
      this.addLocalMedia();
      await this.pc.setLocalDescription();
      this.sendLocalDescription();
    }
  }

  private async addCandidate(candidate: SignalCandidate): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      // Candidates of an offer we ignored are expected to fail.
      if (!this.ignoreOffer) throw error;
    }
  }

  private watchIce(): void {
    const state = this.pc.iceConnectionState;
    window.clearTimeout(this.restartTimer);
    if (state === 'failed') {
      this.pc.restartIce();
    } else if (state === 'disconnected') {
      this.restartTimer = window.setTimeout(() => {
        if (!this.closed && this.pc.iceConnectionState === 'disconnected') this.pc.restartIce();
      }, ICE_RESTART_GRACE_MS);
    }
  }
}

/**
 * The offering side's media: my tracks, and a receive-only line for a kind I
 * cannot send, so the other side's camera or microphone still reaches me.
 */
function addOfferMedia(pc: RTCPeerConnection, localStream: MediaStream | null): void {
  for (const track of localStream?.getTracks() ?? []) pc.addTrack(track, localStream!);
  for (const kind of ['audio', 'video'] as const) {
    if (!pc.getTransceivers().some((t) => t.receiver.track.kind === kind)) pc.addTransceiver(kind, { direction: 'recvonly' });
  }
}
