/**
 * One WebRTC connection to one remote peer.
 *
 * The first offer comes from one side only: the participant who joins (the
 * initiator) offers to everyone already there, and they add their media when
 * that offer arrives. Later renegotiations (a shared screen, a camera
 * plugged in, ICE restarts) can start on either side, so "perfect
 * negotiation" (MDN) settles any glare: the polite side yields. Signals are
 * processed strictly in order, and ICE candidates that arrive before the
 * remote description are held until it is set.
 */
import type { SignalCandidate, SignalPayload } from '../../shared/protocol.ts';
import { Emitter } from '../common/emitter.ts';
import type { SenderLimits } from './bandwidth.ts';
import { linkStats, type LinkStats } from './link-stats.ts';

/** After ICE reports `disconnected`, wait this long before restarting it, in milliseconds; `failed` may never come. */
const ICE_RESTART_GRACE_MS = 2500;
/** Later restarts while still disconnected back off up to this, in milliseconds. */
const ICE_RESTART_MAX_MS = 15_000;
/** A peer not connected this long after we started is shown as unreachable (attempts go on), in milliseconds. */
export const CONNECT_TIMEOUT_MS = 20_000;

/**
 * The link to one peer as a person would describe it: still being set up,
 * working, lost and being repaired, or not working at all so far.
 */
export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'failed';

type PeerSessionEvents = {
  /** A remote track arrived, with the stream its sender put it in (camera or screen). */
  track: { track: MediaStreamTrack; stream: MediaStream };
  link: LinkState;
};

export class PeerSession extends Emitter<PeerSessionEvents> {
  readonly pc: RTCPeerConnection;
  readonly remotePeerId: string;
  link: LinkState = 'connecting';
  private readonly sendSignal: (payload: SignalPayload) => void;
  private readonly localStream: MediaStream | null;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private pendingCandidates: SignalCandidate[] = [];
  private queue: Promise<void> = Promise.resolve();
  private restartTimer: number | undefined;
  private restartDelay = ICE_RESTART_GRACE_MS;
  private readonly connectTimer: number;
  private everConnected = false;
  private closed = false;
  private localMediaAdded = false;
  /** The polite side rolls back its own offer when offers collide. */
  private readonly polite: boolean;
  private screenSender: RTCRtpSender | undefined;
  private previousStats: RTCStatsReport | undefined;
  private lastAudio: { energy: number; duration: number } | undefined;

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
      this.emit('track', { track, stream: streams[0] ?? new MediaStream([track]) });
    });
    this.pc.addEventListener('connectionstatechange', () => this.watchConnection());
    this.pc.addEventListener('iceconnectionstatechange', () => this.watchIce());
    this.polite = !initiator;
    this.connectTimer = window.setTimeout(() => {
      if (!this.everConnected && !this.closed) this.setLink('failed');
    }, CONNECT_TIMEOUT_MS);
    // The offering side's media goes on the connection now; the answering
    // side adds it when the offer arrives (addLocalMedia).
    this.localMediaAdded = initiator;
    // The first offer starts now rather than at `negotiationneeded`: the
    // browser creates it while the page draws the new tile (the event would
    // wait for that drawing). The event then finds negotiation under way.
    if (initiator) {
      addOfferMedia(this.pc, this.localStream);
      void this.negotiate();
    }
  }

  /** Handles a signal from the remote peer, after every earlier one. */
  receive(payload: SignalPayload): Promise<void> {
    this.queue = this.queue.then(() => this.apply(payload)).catch((error: unknown) => {
      console.warn('signal from', this.remotePeerId, 'failed:', error);
    });
    return this.queue;
  }

  /**
   * Sends `track` as my camera or microphone from now on: on the sender that
   * already carries that kind (no renegotiation), or on the line that so far
   * only received it (one renegotiation, e.g. a camera plugged in mid-call).
   */
  async useTrack(track: MediaStreamTrack): Promise<void> {
    const transceiver = this.mainTransceiver(track.kind as 'audio' | 'video');
    if (!transceiver) {
      if (this.localMediaAdded) this.pc.addTrack(track, this.localStream ?? new MediaStream([track]));
      return;
    }
    await transceiver.sender.replaceTrack(track);
    if (transceiver.direction === 'recvonly') transceiver.direction = 'sendrecv';
    else if (transceiver.direction === 'inactive') transceiver.direction = 'sendonly';
  }

  /** Starts (a stream) or stops (null) sending my screen: one renegotiation either way. */
  shareScreen(stream: MediaStream | null): void {
    if (this.screenSender) {
      this.pc.removeTrack(this.screenSender);
      this.screenSender = undefined;
    }
    const track = stream?.getVideoTracks()[0];
    if (stream && track) this.screenSender = this.pc.addTrack(track, stream);
  }

  /** Applies the mesh's share of my upload to the senders to this peer (see bandwidth.ts). */
  async applyLimits(limits: SenderLimits): Promise<void> {
    const camera = this.mainTransceiver('video')?.sender;
    const microphone = this.mainTransceiver('audio')?.sender;
    await Promise.all([
      camera?.track && setEncoding(camera, { maxBitrate: limits.camera.maxBitrate, scaleResolutionDownBy: limits.camera.scaleResolutionDownBy, active: limits.camera.active }),
      this.screenSender && setEncoding(this.screenSender, { maxBitrate: limits.screen.maxBitrate }),
      microphone?.track && setEncoding(microphone, { maxBitrate: limits.audio.maxBitrate }),
    ]);
  }

  /** What the link carries now, from `getStats` (rates since the previous call). */
  async stats(): Promise<LinkStats> {
    const report = await this.pc.getStats();
    const result = linkStats(report, this.previousStats);
    this.previousStats = report;
    return result;
  }

  /**
   * How loud the peer was since the previous call, 0–1: the RMS of the audio
   * levels the browser measured on every packet (inbound-rtp's audio energy),
   * so a word between two readings is not missed. No audio processing of ours.
   */
  async audioLevel(): Promise<number> {
    const receiver = this.mainTransceiver('audio')?.receiver;
    if (!receiver) return 0;
    let energy: number | undefined;
    let duration: number | undefined;
    (await receiver.getStats()).forEach((stat: { type: string; kind?: string; totalAudioEnergy?: number; totalSamplesDuration?: number }) => {
      if (stat.type === 'inbound-rtp' && stat.kind === 'audio') {
        energy = stat.totalAudioEnergy;
        duration = stat.totalSamplesDuration;
      }
    });
    if (energy === undefined || duration === undefined) {
      // No energy totals in this browser: the level of the latest packet.
      return receiver.getSynchronizationSources().reduce((loudest, source) => Math.max(loudest, source.audioLevel ?? 0), 0);
    }
    const previous = this.lastAudio;
    this.lastAudio = { energy, duration };
    const elapsed = duration - (previous?.duration ?? duration);
    return elapsed > 0 ? Math.sqrt(Math.max(0, energy - previous!.energy) / elapsed) : 0;
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.restartTimer);
    window.clearTimeout(this.connectTimer);
    this.pc.close();
  }

  /** The first line of a kind: my camera or microphone (a shared screen always comes later). */
  private mainTransceiver(kind: 'audio' | 'video'): RTCRtpTransceiver | undefined {
    return this.pc.getTransceivers().find((t) => t.receiver.track.kind === kind && t.sender !== this.screenSender && t.currentDirection !== 'stopped');
  }

  /** Sends local tracks; on the answering side this reuses the offer's transceivers. */
  private addLocalMedia(): void {
    if (this.localMediaAdded || !this.localStream) return;
    this.localMediaAdded = true;
    for (const track of this.localStream.getTracks()) this.pc.addTrack(track, this.localStream);
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

  private watchConnection(): void {
    const state = this.pc.connectionState;
    if (state === 'connected') {
      this.everConnected = true;
      window.clearTimeout(this.connectTimer);
      this.setLink('connected');
    } else if (state === 'disconnected' || (state === 'failed' && this.everConnected)) {
      this.setLink('reconnecting');
    } else if (state === 'failed') {
      this.setLink('failed');
    }
  }

  /**
   * Restarts ICE while the link is down: `failed` may never come (Chromium
   * stays `disconnected`), and one restart may fall while the network is
   * still gone, so it is repeated with backoff until the link is back.
   */
  private watchIce(): void {
    const state = this.pc.iceConnectionState;
    window.clearTimeout(this.restartTimer);
    if (state === 'connected' || state === 'completed') {
      this.restartDelay = ICE_RESTART_GRACE_MS;
      return;
    }
    if (state !== 'disconnected' && state !== 'failed') return;
    const restartWhileDown = () => {
      if (this.closed || !['disconnected', 'failed'].includes(this.pc.iceConnectionState)) return;
      this.pc.restartIce();
      this.restartDelay = Math.min(ICE_RESTART_MAX_MS, this.restartDelay * 2);
      this.restartTimer = window.setTimeout(restartWhileDown, this.restartDelay);
    };
    this.restartTimer = window.setTimeout(restartWhileDown, state === 'failed' ? 0 : this.restartDelay);
  }

  private setLink(link: LinkState): void {
    if (this.link === link || this.closed) return;
    this.link = link;
    this.emit('link', link);
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

type EncodingChange = Partial<RTCRtpEncodingParameters>;

/** Changes the first encoding of a sender; a browser that refuses a field keeps its own choice. */
async function setEncoding(sender: RTCRtpSender, change: EncodingChange): Promise<void> {
  const parameters = sender.getParameters();
  const encodings = parameters.encodings?.length ? parameters.encodings : [{}];
  const current = encodings[0] as EncodingChange;
  const changed = Object.entries(change).some(([key, value]) => current[key as keyof EncodingChange] !== value);
  if (!changed) return;
  encodings[0] = { ...current, ...change };
  try {
    await sender.setParameters({ ...parameters, encodings });
  } catch {
    // Before negotiation completes there are no encodings to change; the next call applies it.
  }
}
